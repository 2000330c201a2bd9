"""Many specs in one command: expand files, folders and globs; check them in parallel.

``gatekeeper check a.yaml specs/ 'apis/**/*.json' -j 4``

* A file named on the command line is always checked. A folder is searched recursively
  (hidden folders and ``node_modules`` skipped) for ``*.yaml``, ``*.yml`` and ``*.json`` files
  whose first bytes look like an OpenAPI or Swagger document (a top-level ``openapi`` or
  ``swagger`` key), so the fragments of a multi-file spec are not checked on their own. A
  glob (``*``, ``?``, ``[``; ``**`` crosses folders) expands to the files it matches that
  look like specs in the same way.
* Specs are checked by a pool of worker processes (``-j N``, default: the number of cores);
  each worker returns the `Report`, or the one-line error of a spec that could not be loaded.
  One broken spec never stops the others. Results keep the order of the inputs.
* Exit status of a batch (as for one spec): 2 if any spec could not be loaded, else 1 if any
  spec failed a gate, else 0.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Outcome", "check_many", "expand_inputs", "looks_like_openapi", "portfolio_table"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_GLOB_CHARS = re.compile(r"[*?\[]")
# A top-level `openapi`/`swagger` key: at the start of a line (YAML) or right after `{` / `,`
# (JSON, possibly minified), quoted or not.
_HEAD = re.compile(r"""(?:^|[{,])\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)


_ANYWHERE = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:|"(?:openapi|swagger)"\s*:\s*"[123]\.""",
                       re.M)


def looks_like_openapi(path: str, head_bytes: int = 4096,
                       max_bytes: int = 100 * 1024 * 1024) -> bool:
    """Whether the file declares ``openapi`` or ``swagger``: in its first bytes (cheap, no
    parse), else anywhere as a top-level YAML key (column 0) or a JSON member whose value is
    a version string (keys sorted alphabetically put ``openapi`` after ``components``)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(head_bytes)
            if _HEAD.search(head.decode("utf-8", "ignore").lstrip("\ufeff")):
                return True
            if len(head) < head_bytes:
                return False
            rest = fh.read(max_bytes)
    except OSError:
        return False
    return _ANYWHERE.search(head + rest) is not None


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files, folders and globs -> spec paths, in input order, each once.

    An input that is neither an existing path nor a glob that matches is kept as it is, so
    that loading it reports "file not found" for that spec alone."""
    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for item in inputs:
        if os.path.isdir(item):
            for path in _walk_folder(item):
                add(path)
        elif os.path.exists(item) or not _GLOB_CHARS.search(item):
            add(item)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            files = [m for m in matches if os.path.isfile(m) and looks_like_openapi(m)]
            if not files:
                add(item)  # reported as not found
            for path in files:
                add(path)
    return out


def _walk_folder(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.lower().endswith(SPEC_SUFFIXES):
                path = os.path.join(root, name)
                if looks_like_openapi(path):
                    found.append(path)
    return found


@dataclass(frozen=True, slots=True)
class Outcome:
    """One spec of a batch: its report, or why it could not be checked."""

    path: str
    report: Any = None  # gatekeeper.report.Report
    error: str | None = None


# ---------------------------------------------------------------------- running

#: Set in the parent before the pool forks (and in each worker of a spawned pool).
_JOB: dict[str, Any] = {}


def _check_one(path: str) -> Outcome:
    from gatekeeper.errors import SpecError

    job = _JOB
    try:
        return Outcome(path, report=job["check"](path))
    except SpecError as exc:
        return Outcome(path, error=str(exc))
    except Exception as exc:  # one spec never stops the others
        if job.get("raise_errors"):
            raise
        return Outcome(path, error=f"{path}: gatekeeper internal error: "
                                   f"{type(exc).__name__}: {str(exc)[:300]}")


def _init_worker(job: dict[str, Any]) -> None:
    _JOB.clear()
    _JOB.update(job)


def check_many(paths: Sequence[str], check: Callable[[str], Any], *, jobs: int | None = None,
               progress: bool | None = None, raise_errors: bool = False) -> list[Outcome]:
    """Run ``check(path) -> Report`` for every path, `jobs` at a time, in worker processes.

    `check` must be a module-level function or a `functools.partial` of one (it is sent to
    the workers). Progress goes to stderr when it is a terminal (or when `progress` is
    true)."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    jobs = min(jobs, len(paths)) if paths else 1
    if progress is None:
        progress = sys.stderr.isatty()
    job = {"check": check, "raise_errors": raise_errors}
    results: list[Outcome | None] = [None] * len(paths)
    show = _Progress(len(paths)) if progress else None
    if jobs == 1:
        _init_worker(job)
        for i, path in enumerate(paths):
            results[i] = _check_one(path)
            if show:
                show.step(path)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(job,)) as pool:
            futures = {pool.submit(_check_one, path): i for i, path in enumerate(paths)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    if raise_errors:
                        raise
                    results[i] = Outcome(paths[i], error=f"{paths[i]}: worker failed: "
                                                         f"{type(exc).__name__}: {exc}")
                if show:
                    show.step(paths[i])
    if show:
        show.done()
    return [r for r in results if r is not None]


class _Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0

    def step(self, path: str) -> None:
        from gatekeeper.reporters.text import terminal_safe

        self.count += 1
        name = terminal_safe(path)[-60:]
        sys.stderr.write(f"\r\x1b[K[{self.count}/{self.total}] {name}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


# ---------------------------------------------------------------------- summary


def portfolio_table(outcomes: Sequence[Outcome]) -> str:
    """Plain-text table, one row per spec: verdict per gate, score, overall verdict."""
    from gatekeeper.reporters.text import terminal_safe

    gate_names: list[str] = []
    for o in outcomes:
        if o.report is not None:
            for g in o.report.gates:
                if g.name not in gate_names:
                    gate_names.append(g.name)
    rows: list[list[str]] = []
    for o in outcomes:
        name = terminal_safe(o.path)
        if o.report is None:
            first = (o.error or "could not be loaded").splitlines()[0]
            rows.append([name, *("-" for _ in gate_names), "-", "ERROR"])
            rows[-1].append(terminal_safe(first)[:120])
            continue
        by_name = {g.name: g for g in o.report.gates}
        cells = []
        for gname in gate_names:
            g = by_name.get(gname)
            cells.append("-" if g is None else "pass" if g.passed else "FAIL")
        score = o.report.score
        rows.append([name, *cells, "-" if score is None else f"{score:.1f}",
                     "pass" if o.report.passed else "FAIL", ""])
    header = ["spec", *gate_names, "score", "verdict", ""]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    widths[0] = min(widths[0], 60)

    def fmt(row: list[str]) -> str:
        first = row[0] if len(row[0]) <= widths[0] else "…" + row[0][-(widths[0] - 1):]
        cells = [first.ljust(widths[0])] + [c.ljust(w) for c, w in zip(row[1:-1], widths[1:])]
        return ("  ".join(cells) + ("  " + row[-1] if row[-1] else "")).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    loaded = [o for o in outcomes if o.report is not None]
    failed = sum(1 for o in loaded if not o.report.passed)
    broken = len(outcomes) - len(loaded)
    lines.append(f"\n{len(outcomes)} specs: {len(loaded) - failed} passed, {failed} failed, "
                 f"{broken} could not be loaded")
    return "\n".join(lines) + "\n"


def check_spec(path: str, *, config: Any, limits: Any = None, ref_root: str | None = None,
               raise_errors: bool = False, **compare: Any) -> Any:
    """What ``gatekeeper check`` does for one spec (load, gates, comparison options), as a
    module-level function so that a process pool can run it."""
    from gatekeeper.compare import run_check
    from gatekeeper.registry import all_gates
    from gatekeeper.spec import load

    spec = load(path, limits=limits, ref_root=ref_root)
    return run_check(spec, path, all_gates(), config, limits=limits, ref_root=ref_root,
                     raise_errors=raise_errors, **compare)
