"""The `style` gate: a team's Spectral ruleset, run as it is.

``gatekeeper check SPEC --ruleset .spectral.yaml`` (repeatable), or ``ruleset = [...]`` in
the config (``"auto"``: the ``.spectral.yaml|yml|json`` of the working folder, as Spectral
finds it). Each rule of the ruleset becomes the rule ``style/<rule-name>``; severities map
error → error, warn → warning, info and hint → info. The gate is left out of the report
unless a ruleset is configured; once one is, it is mandatory (an error fails the run).

The parts: `gates.style.ruleset` reads rulesets, `gates.style.compile` looks functions up and
compiles JSONPath (`gates.style.jsonpath`), `gates.style.query` and `gates.style.jsexpr`
evaluate ``given``, `gates.style.functions` are Spectral's core functions,
`gates.style.runner` runs the rules on a spec. docs/style.md has the design and what is not
supported.
"""

from __future__ import annotations

import os

from gatekeeper import ConfigError, Gate, Pointer, Rule, Severity, Violation, helper_result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["GATE", "configure", "ruleset_paths"]

SEVERITY = {"error": Severity.ERROR, "warn": Severity.WARNING, "info": Severity.INFO,
            "hint": Severity.INFO}

DESCRIPTION = ("Findings of the Spectral ruleset the configuration names (`--ruleset`, "
               "`ruleset = [...]`), one rule per ruleset rule.")


def ruleset_paths(config: Any) -> list[str]:
    """The ruleset files `config` names, ``"auto"`` replaced by the one found (if any)."""
    names = config.settings.get("ruleset") or []
    if isinstance(names, str):
        names = [names]
    out: list[str] = []
    for name in names:
        if name == "auto":
            from gates.style.ruleset import discover

            found = discover()
            if found is not None:
                out.append(found)
        else:
            out.append(name)
    return out


class Engine:
    """The loaded, compiled rulesets of one configuration."""

    def __init__(self, paths: tuple[str, ...], allow_remote: tuple[str, ...]) -> None:
        from gates.style.compile import compile_rules
        from gates.style.ruleset import load_ruleset

        self.loaded = [load_ruleset(p, allow_remote=allow_remote) for p in paths]
        self.compiled = [compile_rules(loaded.rules) for loaded in self.loaded]
        for loaded in self.loaded:  # each override's rules are checked now, not mid-run
            for i, override in enumerate(loaded.overrides):
                if any("#" not in p for p in override.get("files", ())):
                    compile_rules(loaded.with_overrides((i,)))
        self.rules: dict[str, Any] = {}
        for loaded in self.loaded:
            self.rules.update(loaded.rules)
            if loaded.formats:
                from gates.style.runner import UNRECOGNIZED

                self.rules.setdefault(UNRECOGNIZED, None)
            for override in loaded.overrides:
                for name in (override.get("rules") or {}):
                    if name not in self.rules:
                        self.rules[name] = None

    def findings(self, spec: Any) -> dict[str, list[Violation]]:
        from gates.style.compile import compile_rules
        from gates.style.runner import run_rules

        spec_file = spec.documents[""].path if "" in spec.documents else spec.path
        out: dict[str, list[Violation]] = {}
        for loaded, compiled in zip(self.loaded, self.compiled):
            rules, pointers = loaded.for_file(spec_file)
            forced = frozenset(name for name, *_rest in pointers)
            if rules is not loaded.rules or forced:
                compiled = compile_rules(rules, forced)
            for f in run_rules(spec, compiled, pointers, frozenset(loaded.formats)):
                out.setdefault(f.rule, []).append(Violation(
                    f.pointer, f.message, subject=f.rule + " " + "/".join(map(str, f.path)),
                    severity=SEVERITY[f.severity]))
        return out


_engines: dict[tuple[Any, ...], Engine] = {}


def _engine(paths: tuple[str, ...], allow_remote: tuple[str, ...]) -> Engine:
    key = (paths, allow_remote, tuple(_mtime(p) for p in paths))
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = Engine(paths, allow_remote)
    return engine


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


class _Check:
    """One ruleset rule as a gatekeeper rule check: all rules run in one walk, on first use
    per spec (`Spec.memo`), and each check hands out its own findings."""

    __gatekeeper_options__: dict[str, Any] = {}

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name

    def __call__(self, spec: Any) -> list[Violation]:
        found = spec.memo(("gates.style", id(self.engine)), lambda: self._compute(spec))
        return found.get(self.name, [])

    def _compute(self, spec: Any) -> dict[str, list[Violation]]:
        found = _from_helper(spec)  # computed by the helper process, if one ran and succeeded
        return self.engine.findings(spec) if found is None else found


# ---------------------------------------------------------------------- helper process
# A ruleset's walks are most of a big spec's check (Stripe with `extends: spectral:oas`: 0.6 s
# of 2.3 s of CPU) and depend on the spec alone, so the gate declares them as its
# `Gate.helper`: the command line may run them in a helper process beside the check, on the
# spec the check loaded (forked after the load, for a YAML spec) or on a copy of its own (a
# JSON spec), while the other gates run (gatekeeper.orchestration.helper_process; measured in
# benchmarks/README.md, "Helper processes"). The findings cross by marshal as plain values,
# with the line and column the helper found for each (the helper has time to spare; the
# check's process then searches for none: Stripe's 474 findings, about 9 ms).

_SEVERITY_NAMES = {severity: severity.value for severity in Severity}


def _helper_of(engine: Engine) -> Any:
    def helper(spec: Any) -> bytes:
        import marshal

        return marshal.dumps([(rule, [(v.pointer.file, v.pointer.tokens, v.message, v.subject,
                                       _SEVERITY_NAMES[v.severity], _line_column(spec, v))
                                      for v in found])
                              for rule, found in engine.findings(spec).items()])
    return helper


def _line_column(spec: Any, violation: Violation) -> tuple[int, int]:
    where = spec.location(violation.pointer)
    return where.line, where.column


def _no_ruleset(spec: Any) -> None:
    """Without a configured ruleset there is nothing to compute (the helper ends at once)."""
    return None


def _from_helper(spec: Any) -> dict[str, list[Violation]] | None:
    data = helper_result(spec, "style")
    if data is None:
        return None
    import marshal

    out: dict[str, list[Violation]] = {}
    try:
        for rule, found in marshal.loads(data):
            violations = out[rule] = []
            for file, tokens, message, subject, severity, (line, column) in found:
                pointer = Pointer(file, tokens)
                violations.append(Violation(pointer, message, subject=subject,
                                            severity=Severity(severity)))
                spec.remember_location(pointer, line, column)  # what the helper found
    except Exception:  # noqa: BLE001 - computed here instead
        return None
    return out


def _docs(name: str, definition: Any) -> str:
    if name == "unrecognized-format" and definition is None:
        return ("## What it does\nReports a document that matches none of the formats the "
                "ruleset names (`oas2`, `oas3`, `oas3_0`, `oas3_1`), as Spectral does; rules "
                "limited to formats then do not run.")
    if definition is None:
        return (f"## What it does\nRule `{name}` of the configured Spectral ruleset (defined "
                "in an override).")
    lines = ["## What it does", (definition.description or f"Spectral rule `{name}`.").strip(),
             "", "## Where it comes from",
             f"Rule `{name}` of the Spectral ruleset, defined at {definition.where}; "
             f"severity `{definition.severity}`"
             f"{'' if definition.enabled else ' (disabled in the ruleset)'}."]
    if definition.documentation_url:
        lines += ["", "## Documentation", definition.documentation_url]
    return "\n".join(lines)


def _never(spec: Any) -> bool:
    """Without a ruleset the gate has nothing to check and stays out of the report."""
    return False


def configure(config: Any) -> Gate:
    paths = ruleset_paths(config)
    if not paths:
        return GATE
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise ConfigError(f"{missing[0]}: ruleset not found")
    allow = tuple(config.settings.get("ruleset-allow-remote") or ())
    engine = _engine(tuple(os.path.abspath(p) for p in paths), allow)
    # a rule an override turns on for some files is selected: for the other files it is
    # not compiled, so it finds nothing there (Engine.findings)
    switched_on = {name for loaded in engine.loaded for override in loaded.overrides
                   for name, body in (override.get("rules") or {}).items()
                   if body not in ("off", -1, False)}
    rules = []
    for name, definition in engine.rules.items():
        severity = SEVERITY.get(definition.severity, Severity.WARNING) \
            if definition is not None else Severity.WARNING
        enabled = definition is None or name in switched_on or (
            definition.enabled and definition.severity != "off")
        rules.append(Rule(id=f"style/{name}", severity=severity, check=_Check(engine, name),
                          recommended=enabled, docs=_docs(name, definition)))
    return GATE.replace(rules=tuple(rules), applies=None, mandatory=True,
                        helper=_helper_of(engine))


GATE = Gate("style", title="Style guide (Spectral ruleset)", rules=(), description=DESCRIPTION,
            applies=_never, configure=configure, helper=_no_ruleset)
