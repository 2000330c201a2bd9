"""Build the compiled-core prototype: mypyc over a copy of gatekeeper's load phase.

    python benchmarks/compiled_core/build.py [--set load|core] [--build-dir DIR]

Nothing here is shipped. The script copies ``gatekeeper/`` and ``gates/`` twice into a
folder outside the repository (default ``$TMPDIR/gatekeeper-compiled-core``):

* ``pure/``: the copy as Python, the baseline;
* ``mypyc-<set>/``: the same copy with the modules of the chosen set compiled by mypyc
  into C extensions that sit beside the ``.py`` files (an extension module wins the import
  over a source file of the same name, so ``PYTHONPATH=.../mypyc-load`` runs them).

Sets (benchmarks/README.md, "Is a compiled core the way?", says why these):

* ``load``: the loader (parse driver, depth check, JSON positions), the YAML fast path's
  key walk and locator, the ``$ref`` resolver and pointers: the phase that walks every
  node of every file before any gate runs;
* ``core``: ``load`` plus the spec object and the index (``spec.py``, ``index/``), the
  schema walks the gates call.

mypyc compiles only code that type-checks, and it enforces annotations at run time. The
package is not fully clean under mypy (15 errors in these modules, all in annotations,
none in behaviour), so both copies get the same edits listed in ``_FIXES`` (each is
checked to apply exactly once) and ``_RECORD``: annotations, and two rewrites that keep
CPython's behaviour where mypyc would change it. The pure copy is edited too, so the two
differ only in being compiled.

Needs ``mypy`` (it brings ``mypyc``), a C compiler and the Python headers.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SETS = {
    "load": ["gatekeeper/loader.py", "gatekeeper/resolver.py", "gatekeeper/yaml_fast.py",
             "gatekeeper/pointer.py"],
}
SETS["core"] = SETS["load"] + ["gatekeeper/spec.py", "gatekeeper/index/build.py",
                               "gatekeeper/index/records.py", "gatekeeper/index/readings.py"]

# (file, text, replacement): annotation-only edits so that mypy accepts the modules.
_FIXES = [
    ("gatekeeper/yaml_fast.py", "    _yaml_rs = None\n",
     "    _yaml_rs = None  # type: ignore[assignment]\n"),
    # `hit` is a regex match in one branch and a (key, after) pair in the other.
    ("gatekeeper/yaml_fast.py", "                hit = starts[want]\n",
     "                hit: Any = starts[want]\n"),
    # mypyc compiles a generator expression as a list ("Treating generator comprehension
    # as list"). Here the consumer feeds back how far it judged (`_JUDGED`) while the
    # expression is still running; as a list, `test_hostile_scans_stay_linear` ran for more
    # than 25 minutes instead of under 5 s ("1e1" x 1,000,000). A generator function stays
    # lazy under mypyc.
    ("gatekeeper/yaml_fast.py",
     "    for m in (m for rx in candidates for m in _skipping(rx, text)):\n",
     "    for m in _each_match(candidates, text):\n"),
    ("gatekeeper/yaml_fast.py", "\n\ndef _number_suspect(",
     ("\n\ndef _each_match(candidates: tuple[re.Pattern[str], ...], text: str"
      ") -> Iterator[re.Match[str]]:\n"
      "    for rx in candidates:\n        yield from _skipping(rx, text)\n\n\n"
      "def _number_suspect(")),
    # `paused_gc` keeps its state on the class: mypyc wants such attributes declared ClassVar.
    ("gatekeeper/loader.py", "    from typing import Any\n",
     "    from typing import Any, ClassVar\n"),
    ("gatekeeper/loader.py", "    _depth = 0\n    _was_enabled = False\n    _froze = False\n",
     ("    _depth: ClassVar[int] = 0\n    _was_enabled: ClassVar[bool] = False\n"
      "    _froze: ClassVar[bool] = False\n")),
    # `tokens` is first bound to a tuple, later to a value that may be None (typed Any):
    # mypy accepts it, mypyc's run-time check of the first type does not.
    ("gatekeeper/resolver.py", "    soft_refs: set[int] = set()  #",
     "    tokens: Any = None\n    soft_refs: set[int] = set()  #"),
    # `content` / `headers` are first bound from a cached tuple; the later annotations
    # re-declare them.
    ("gatekeeper/index/build.py", "            content: dict[str, MediaType] = {}\n",
     "            content = {}\n"),
    ("gatekeeper/index/build.py", "        headers: dict[str, Header] = {}\n",
     "        headers = {}\n"),
]
# `regex.match(...).end()` on patterns that always match (whitespace runs): Optional for mypy.
_OPTIONAL_END = ("gatekeeper/loader.py", ").end()")

# `Record` (gatekeeper/record.py) derives ==, hash, repr and pickling from the subclass's
# `__slots__`. mypyc turns a class into a native class without `__slots__`, silently: every
# `Parameter` then equals every other (the pagination gate lost and gained findings on
# github) and a pickled `Limits(max_depth=5)` comes back with the defaults. Records stay
# ordinary Python classes inside the compiled modules.
_RECORD = re.compile(r"^(class \w+\(Record\):)", re.MULTILINE)


def _copy(dest: str) -> None:
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so")
    for pkg in ("gatekeeper", "gates"):
        shutil.copytree(os.path.join(ROOT, pkg), os.path.join(dest, pkg), ignore=ignore)
    for rel, old, new in _FIXES:
        path = os.path.join(dest, rel)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if text.count(old) != 1:
            raise SystemExit(f"{rel}: expected one {old.strip()!r}, found {text.count(old)}:"
                             " update _FIXES in benchmarks/compiled_core/build.py")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace(old, new))
    for rel in SETS["core"]:  # see _RECORD below
        path = os.path.join(dest, rel)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text, n = _RECORD.subn(r"@mypyc_attr(native_class=False)\n\1", text)
        if n:
            text = text.replace("from __future__ import annotations\n",
                                "from __future__ import annotations\n\n"
                                "from mypy_extensions import mypyc_attr\n", 1)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
    rel, tail = _OPTIONAL_END
    path = os.path.join(dest, rel)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    for i, line in enumerate(lines):
        if line.endswith(tail):
            lines[i] = line + "  # type: ignore[union-attr]"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def build(which: str, build_dir: str) -> tuple[str, str, float]:
    """Copy twice, compile one copy; return (pure dir, compiled dir, compile seconds)."""
    pure = os.path.join(build_dir, "pure")
    compiled = os.path.join(build_dir, f"mypyc-{which}")
    _copy(pure)
    _copy(compiled)
    env = dict(os.environ, MYPYC_OPT_LEVEL=os.environ.get("MYPYC_OPT_LEVEL", "3"))
    cmd = [sys.executable, "-m", "mypyc", "--ignore-missing-imports",
           "--follow-imports=silent", *SETS[which]]
    print("$ cd", compiled, "&&", " ".join(cmd[1:]), flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=compiled, env=env, check=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(os.path.join(compiled, "build"), ignore_errors=True)  # C sources, objects
    probe = ("import pickle, gatekeeper.loader as m; assert m.__file__.endswith('.so');"
             "a = m.Limits(max_depth=5); assert pickle.loads(pickle.dumps(a)) == a != m.Limits()")
    subprocess.run([sys.executable, "-c", probe], cwd=compiled, check=True)
    sos = [os.path.join(d, f) for d, _, fs in os.walk(compiled) for f in fs if f.endswith(".so")]
    size = sum(os.path.getsize(p) for p in sos)
    print(f"compiled {len(SETS[which])} modules in {seconds:.0f} s: {len(sos)} extension "
          f"files, {size / 1e6:.1f} MB", flush=True)
    return pure, compiled, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="load")
    parser.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(),
                                                            "gatekeeper-compiled-core"))
    args = parser.parse_args()
    build(args.set, args.build_dir)


if __name__ == "__main__":
    main()
