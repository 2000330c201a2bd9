"""Score gatekeeper's validity gate and openapi-spec-validator side by side on outside fixtures.

A suite is a directory holding either `pass/` and `fail/` folders of specs, or an
`expected.json` mapping each spec's relative path to "pass" or "fail" (for multi-file
fixtures, whose companion files sit beside them). For each spec:

* gatekeeper accepts it when `gatekeeper check --select validity SPEC` exits 0 (exit 1: a
  validity error; exit 2: the spec could not be read, a rejection too);
* openapi-spec-validator accepts it when `validate()` returns (any exception rejects it).

    python benchmarks/validity_suite.py --prepare        # fill the cache from git mirrors
    python benchmarks/validity_suite.py                  # score the cached suites
    python benchmarks/validity_suite.py DIR [DIR ...]    # score other suites
    python benchmarks/validity_suite.py --details        # print every disagreement

`--prepare` reads the OpenAPI Initiative's specification repository (its `tests/schema/pass`
and `fail` fixtures on the v3.1-dev and v3.2-dev branches, the 3.0 archive's `pass` folder)
and openapi-spec-validator's repository (`tests/integration/data`, labelled as its tests
expect, and the specs written inline in `tests/integration/validation/test_validators.py`,
`test_exceptions.py` and `test_dialect.py`, labelled by their assertions) from local git
mirrors (`--oai-git`, `--osv-git`). Fixtures stay in the
cache directory (default ~/.cache/gatekeeper-bench/validity-suite), outside the repository.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CACHE = Path(os.environ.get("GATEKEEPER_BENCH_CACHE",
                            Path.home() / ".cache" / "gatekeeper-bench")) / "validity-suite"
OAI_GIT = "/work/.mirror/OAI+OpenAPI-Specification/repo"
OSV_GIT = "/work/.mirror/python-openapi+openapi-spec-validator/repo"

#: openapi-spec-validator's tests/integration/data, labelled by the tests that use each file
#: (test_shortcuts.py, validation/test_validators.py, test_main.py).
OSV_DATA_EXPECTED = {
    "empty.yaml": "fail",
    "v2.0/empty.yaml": "fail",
    "v2.0/missing-reference.yaml": "fail",
    "v2.0/petstore.yaml": "pass",
    "v3.0/empty.yaml": "fail",
    "v3.0/missing-description.yaml": "fail",
    "v3.0/parent-reference/openapi.yaml": "pass",
    "v3.0/petstore-separate/spec/openapi.yaml": "pass",
    "v3.0/petstore.yaml": "pass",
    "v3.0/property-missing-reference.yaml": "fail",
    "v3.0/property-recursive.yaml": "pass",
    "v3.0/read-only-write-only.yaml": "pass",
    "v3.1/petstore.yaml": "pass",
    "v3.2/petstore.yaml": "pass",
}


def _git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True,
                          text=True, check=True).stdout


def _export(git_dir: str, ref: str, folder: str, target: Path) -> int:
    names = [n for n in _git(git_dir, "ls-tree", "-r", "--name-only", ref, folder).split()
             if n.endswith((".yaml", ".yml", ".json"))]
    for name in names:
        out = target / Path(name).relative_to(folder)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_git(git_dir, "show", f"{ref}:{name}"), encoding="utf-8")
    return len(names)


_PASS = re.compile(r"assert (?:errors_list|errors) == \[\]"
                   r"|assert len\((?:errors_list|errors)\) == 0"
                   r"|assert not errors|assert validator\.is_valid\(\)")
_FAIL = re.compile(r"assert len\((?:errors_list|errors)\) (?:== [1-9]|> 0)|assert errors\s*$"
                   r"|errors_list\[0\]|assert not validator\.is_valid\(\)", re.M)


def _is_spec(node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value in ("openapi", "swagger") for k in node.keys)


def _inline_specs(source: str) -> list[tuple[str, dict, str]]:
    """(name, spec, expected) for each spec written inline in a test module: a dict literal
    with an `openapi`/`swagger` key, or a call of a module-level helper that builds one
    (`make_spec(...)`) with literal arguments. A test asserting no errors expects a pass,
    one asserting errors a failure; tests that assert neither are skipped."""
    tree = ast.parse(source)
    helpers: dict[str, object] = {}
    for node in tree.body:  # module-level spec builders, e.g. test_dialect.make_spec
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("test"):
            namespace: dict[str, object] = {}
            try:
                exec(compile(ast.Module([node], []), "<helper>", "exec"), namespace)
                helpers[node.name] = namespace[node.name]
            except Exception:  # noqa: BLE001 - a helper that needs imports: not a builder
                pass
    out = []
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        text = ast.get_source_segment(source, func) or ""
        if _PASS.search(text) and not _FAIL.search(text):
            expected = "pass"
        elif _FAIL.search(text) and not _PASS.search(text):
            expected = "fail"
        else:
            continue
        specs = [n for n in ast.walk(func) if _is_spec(n)]
        if not specs:  # a parametrized test: the specs are in its decorator
            specs = [n for d in func.decorator_list for n in ast.walk(d) if _is_spec(n)]
        found = []
        for node in specs:
            try:
                found.append(ast.literal_eval(node))
            except ValueError:
                continue
        local: dict[str, object] = {}
        for stmt in func.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                    stmt.targets[0], ast.Name):
                value = stmt.value
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                        and value.func.id in helpers:
                    try:
                        found.append(eval(compile(ast.Expression(value), "<call>", "eval"),
                                          {**helpers, **local}))
                    except Exception:  # noqa: BLE001 - not literal enough
                        pass
                else:
                    try:
                        local[stmt.targets[0].id] = ast.literal_eval(value)
                    except ValueError:
                        pass
        for i, spec in enumerate(found):
            if isinstance(spec, dict):
                out.append((f"{func.name}-{i}", spec, expected))
    return out


def prepare(oai_git: str, osv_git: str, cache: Path) -> None:
    for suite, ref, base in (("oai-3.1", "v3.1-dev", "tests/schema"),
                             ("oai-3.2", "v3.2-dev", "tests/schema")):
        for kind in ("pass", "fail"):
            count = _export(oai_git, ref, f"{base}/{kind}", cache / suite / kind)
            print(f"{suite}/{kind}: {count} ({ref} {_git(oai_git, 'rev-parse', ref)[:10]})")
    count = _export(oai_git, "main", "_archive_/schemas/v3.0/pass", cache / "oai-3.0" / "pass")
    print(f"oai-3.0/pass: {count}")
    _export(osv_git, "HEAD", "tests/integration/data", cache / "osv-data")
    (cache / "osv-data" / "expected.json").write_text(json.dumps(OSV_DATA_EXPECTED, indent=1))
    print(f"osv-data: {len(OSV_DATA_EXPECTED)} (osv {_git(osv_git, 'rev-parse', 'HEAD')[:10]})")
    inline = cache / "osv-inline"
    expected = {}
    for module in ("test_validators", "test_exceptions", "test_dialect"):
        source = _git(osv_git, "show", f"HEAD:tests/integration/validation/{module}.py")
        for name, spec, verdict in _inline_specs(source):
            (inline / "specs").mkdir(parents=True, exist_ok=True)
            (inline / "specs" / f"{module}-{name}.json").write_text(json.dumps(spec, indent=1))
            expected[f"specs/{module}-{name}.json"] = verdict
    (inline / "expected.json").write_text(json.dumps(expected, indent=1))
    print(f"osv-inline: {len(expected)}")


def _fixtures(suite: Path) -> list[tuple[Path, str]]:
    manifest = suite / "expected.json"
    if manifest.is_file():
        return [(suite / k, v) for k, v in sorted(json.loads(manifest.read_text()).items())]
    return [(p, kind) for kind in ("pass", "fail") for p in sorted((suite / kind).glob("*"))
            if p.suffix in (".yaml", ".yml", ".json")]


def gatekeeper_accepts(path: Path, root: Path) -> tuple[bool, str]:
    """`root`: the suite folder, so that a multi-file fixture may reference its companions
    (by default gatekeeper confines file $refs to the spec's own folder)."""
    done = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--select", "validity",
                           "--ref-root", str(root), str(path)], capture_output=True, text=True,
                          timeout=120)
    lines = (done.stdout + done.stderr).splitlines()
    first = next((line for line in lines if "validity/" in line), "")
    if done.returncode == 2:  # could not run: the one-line reason
        first = next((line for line in reversed(lines) if line.strip()), "exit 2")
    return done.returncode == 0, first.strip()[:300]


def osv_accepts(path: Path) -> tuple[bool, str]:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    try:
        spec, url = read_from_filename(str(path))
        validate(spec, base_uri=url)
    except BaseException as exc:  # noqa: BLE001 - any failure is a rejection
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return True, ""


def score(suites: list[Path], details: bool) -> int:
    total = {"gatekeeper": 0, "osv": 0, "n": 0}
    rows = []
    for suite in suites:
        fixtures = _fixtures(suite)
        with ThreadPoolExecutor(2) as pool:
            gk = list(pool.map(lambda f: gatekeeper_accepts(f[0], suite), fixtures))
        osv = [osv_accepts(p) for p, _ in fixtures]
        right = {"gatekeeper": 0, "osv": 0}
        for (path, expected), (g_ok, g_msg), (o_ok, o_msg) in zip(fixtures, gk, osv):
            want = expected == "pass"
            right["gatekeeper"] += g_ok is want
            right["osv"] += o_ok is want
            if details and (g_ok is not want or o_ok is not want):
                print(f"  {suite.name}/{path.relative_to(suite)} expected {expected}: "
                      f"gatekeeper {'RIGHT' if g_ok is want else 'WRONG'} ({g_msg or 'accepted'})"
                      f"; osv {'RIGHT' if o_ok is want else 'WRONG'} ({o_msg or 'accepted'})")
        rows.append((suite.name, len(fixtures), right["gatekeeper"], right["osv"]))
        total["n"] += len(fixtures)
        total["gatekeeper"] += right["gatekeeper"]
        total["osv"] += right["osv"]
    import openapi_spec_validator

    osv_version = getattr(openapi_spec_validator, "__version__", "?")
    print(f"{'suite':<14}{'fixtures':>9}{'gatekeeper':>12}{'osv ' + osv_version:>12}")
    for name, n, g, o in rows:
        print(f"{name:<14}{n:>9}{g:>12}{o:>12}")
    print(f"{'total':<14}{total['n']:>9}{total['gatekeeper']:>12}{total['osv']:>12}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("suites", nargs="*", type=Path)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--oai-git", default=OAI_GIT)
    parser.add_argument("--osv-git", default=OSV_GIT)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.oai_git, args.osv_git, args.cache)
    suites = args.suites or sorted(p for p in args.cache.iterdir() if p.is_dir())
    return score(suites, args.details)


if __name__ == "__main__":
    sys.exit(main())
