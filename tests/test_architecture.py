"""The shape of the code, read from the AST of every module (nothing is imported or run).

What is held, and why:

* Gates import only the public API: ``import gatekeeper`` / ``from gatekeeper import ...``,
  their own package, the standard library and third-party packages. The public names are
  `gatekeeper._HOME`; everything else under ``gatekeeper.`` may change without notice, and a
  gate that reaches into it breaks when the core is reorganised.
* The core that turns a file into a report (`engine`, `spec` and the `index` package,
  `loader`, `resolver`) imports no reporter, no live audit or load test, and no command line:
  they are the library under those, and importing them must stay cheap and usable alone.
* The reporters, and the typed records of `gatekeeper.sections` they read, import neither
  the live audit nor the load test: a report with ``live`` and ``load`` sections (merged from
  JSON files, say) renders without the ``live`` and ``load`` extras, and the audit's
  internals can change without breaking a reporter.
* No new import cycle among ``gatekeeper`` modules. The cycles that exist today are listed in
  `KNOWN_CYCLES` (printed by the test) and are being removed; a cycle is a pair of modules
  that cannot be understood, tested or loaded one without the other.
* Size: modules of at most `MAX_MODULE_LINES` lines and functions of at most
  `MAX_FUNCTION_LINES` lines (docstring excluded), everywhere in ``gatekeeper/`` and
  ``gates/``; `SIZE_ALLOWANCES` (empty today) would list exceptions, which may only shrink.

Imports are read at module level *and* inside function bodies (a lazy import is still a
dependency); only imports under ``if TYPE_CHECKING:`` are skipped (they never run).
"""

from __future__ import annotations

import ast
import sys
import warnings
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gatekeeper", "gates")

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80

#: The core under the reporters, the live audit, the load test and the command line.
CORE = ("gatekeeper.engine", "gatekeeper.spec", "gatekeeper.index", "gatekeeper.loader",
        "gatekeeper.resolver")
#: What the core must not import.
NOT_FROM_CORE = ("gatekeeper.reporters", "gatekeeper.live", "gatekeeper.loadtest",
                 "gatekeeper.cli", "gatekeeper.cli_app", "gatekeeper.diff_cli",
                 "gatekeeper.__main__")
#: What the reporters must not import (they read those sections through `gatekeeper.sections`).
NOT_FROM_REPORTERS = ("gatekeeper.live", "gatekeeper.loadtest")

#: Import cycles that exist today, each a set of modules that import one another (directly
#: or through each other). Being removed as the orchestration is untangled: remove an entry
#: when its cycle is gone (the test says so). Never add one: break the new cycle instead
#: (move what both sides need into a third module, or pass it in as an argument).
KNOWN_CYCLES: tuple[frozenset[str], ...] = ()

#: Modules and functions allowed over the limits, with their size (they may shrink, never
#: grow). Empty: every module and function of ``gatekeeper/`` and ``gates/`` is within the
#: limits, and a new entry needs a reason a reviewer accepts (a generated table, say).
#: Keys: module path, or ``path::qualified.function``.
SIZE_ALLOWANCES: dict[str, int] = {
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or \
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every module `module` imports (absolute names). ``from X import y`` where ``X.y`` is
    a module counts as importing ``X.y`` only: the package ``X`` it passes through is always
    being imported already when one of its own modules runs."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[:len(anchor) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
        out.update(submodules)
        if len(submodules) < len(node.names):  # a name defined in `base` itself
            out.add(base)
    return frozenset(out)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_gates_import_only_the_public_api() -> None:
    bad = [f"{MODULES[m].relative_to(ROOT)}: imports {target}"
           for m in MODULES if _under(m, ("gates",))
           for target in sorted(imports_of(m)) if target.startswith("gatekeeper.")]
    assert not bad, (
        "A gate imports a private gatekeeper module. Import from the public API instead "
        "(`from gatekeeper import Name`); if a gate author needs something that is not "
        "public, add it to `_HOME` in gatekeeper/__init__.py (lazily imported, documented "
        "there) or keep it in the gate's own package. Private modules change without "
        "notice:\n  " + "\n  ".join(bad))


def test_the_core_imports_no_reporter_live_loadtest_or_cli() -> None:
    bad = [f"{MODULES[m].relative_to(ROOT)}: imports {target}"
           for m in MODULES if _under(m, CORE)
           for target in sorted(imports_of(m)) if _under(target, NOT_FROM_CORE)]
    assert not bad, (
        "The core (engine, spec, index, loader, resolver) must work without the reporters, "
        "the live audit, the load test and the command line, which are built on it. Pass "
        "what it needs in as an argument, or move the code that needs both up into the "
        "caller:\n  " + "\n  ".join(bad))


def test_the_reporters_import_no_live_audit_or_load_test() -> None:
    bad = [f"{MODULES[m].relative_to(ROOT)}: imports {target}"
           for m in MODULES if _under(m, ("gatekeeper.reporters", "gatekeeper.sections"))
           for target in sorted(imports_of(m)) if _under(target, NOT_FROM_REPORTERS)]
    assert not bad, (
        "A reporter imports the live audit or the load test. Read the report's `live` and "
        "`load` sections through `gatekeeper.sections.live` / `gatekeeper.sections.load` (typed "
        "records of the section's JSON form); put a text helper both need in a "
        "`gatekeeper/reporters/_<name>.py` module:\n  " + "\n  ".join(bad))


def import_cycles(prefix: str = "gatekeeper") -> list[frozenset[str]]:
    """Strongly connected components of more than one module among `prefix` modules."""
    nodes = [m for m in MODULES if _under(m, (prefix,))]
    edges = {m: sorted(t for t in imports_of(m) if t in MODULES and t != m
                       and _under(t, (prefix,))) for m in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(nodes)))
    try:
        for node in nodes:
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_new_import_cycle() -> None:
    cycles = import_cycles("gatekeeper") + import_cycles("gates")
    for known in KNOWN_CYCLES:
        print("known import cycle, to be removed:", ", ".join(sorted(known)))
    if KNOWN_CYCLES:
        warnings.warn(f"{len(KNOWN_CYCLES)} known import cycle(s) remain: "
                      + "; ".join(", ".join(sorted(c)) for c in KNOWN_CYCLES), stacklevel=1)
    new = [c for c in cycles if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, (
        "New import cycle(s): these modules import one another (directly or through each "
        "other; imports inside functions count). Break the cycle: move what both sides need "
        "into a module of its own, or pass it in as an argument:\n  "
        + "\n  ".join(", ".join(sorted(c)) for c in new))
    gone = [known for known in KNOWN_CYCLES if not any(c & known for c in cycles)]
    assert not gone, ("A known cycle is gone: remove it from KNOWN_CYCLES in "
                      "tests/test_architecture.py:\n  "
                      + "\n  ".join(", ".join(sorted(c)) for c in gone))


def _function_sizes(path: Path) -> dict[str, int]:
    """Qualified name -> lines from `def` to its end, its docstring left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    sizes: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = child.end_lineno - child.lineno + 1
                first = child.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                        and isinstance(first.value.value, str):
                    size -= first.end_lineno - first.lineno + 1
                sizes[prefix + child.name] = size
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return sizes


def _is_table(path: Path) -> bool:
    """A generated table: at least 90 % of its lines are module-level literal assignments."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    total = len(path.read_text(encoding="utf-8").splitlines()) or 1
    literal = sum(node.end_lineno - node.lineno + 1 for node in tree.body
                  if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
                  and _is_literal(node.value))
    return literal >= 0.9 * total


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False
    return True


def _oversized() -> dict[str, int]:
    found = {}
    for path in MODULES.values():
        rel = str(path.relative_to(ROOT))
        if _is_table(path):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found[rel] = lines
        for name, size in _function_sizes(path).items():
            if size > MAX_FUNCTION_LINES:
                found[f"{rel}::{name}"] = size
    return found


def _held_strictly(key: str) -> bool:
    path = key.split("::")[0]
    return path.startswith("gates/") or path == "gatekeeper/spec.py" or \
        path.startswith("gatekeeper/index/")


def test_modules_and_functions_stay_small() -> None:
    found = _oversized()
    strict = [f"{k}: {v} lines" for k, v in sorted(found.items()) if _held_strictly(k)]
    assert not strict, (
        f"Over the size limits ({MAX_MODULE_LINES} lines a module, {MAX_FUNCTION_LINES} a "
        "function without its docstring). A gate past the limit becomes a package with one "
        "module per concern (see CONTRIBUTING.md, 'Add a gate'); a long function becomes a "
        "few named steps. Small units are what a reader can hold in mind and test alone:\n  "
        + "\n  ".join(strict))
    grown = [f"{k}: {v} lines (allowed: {SIZE_ALLOWANCES.get(k, 'none')})"
             for k, v in sorted(found.items()) if not _held_strictly(k)
             and v > SIZE_ALLOWANCES.get(k, 0)]
    assert not grown, (
        "A core module or function is over the size limits and not in SIZE_ALLOWANCES, or "
        "has grown past its allowance. Split it (a long function into named steps, a module "
        "by concern) rather than raising the figure:\n  " + "\n  ".join(grown))
    shrunk = [f"{k}: allowance {v}, now {found.get(k, 'within the limits')}"
              for k, v in sorted(SIZE_ALLOWANCES.items()) if found.get(k, 0) < v]
    assert not shrunk, ("Smaller than its allowance: lower the figure in SIZE_ALLOWANCES "
                        "(or drop the entry) in tests/test_architecture.py:\n  "
                        + "\n  ".join(shrunk))
