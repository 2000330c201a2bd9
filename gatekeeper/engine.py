"""run(spec, gates, config) -> Report. Pure: no I/O, no printing.

Each enabled rule sees the same `Spec` and yields `Violation`s; the engine stamps on the rule
id, the configured severity, the location and a fingerprint, applies in-spec waivers
(``x-gatekeeper-ignore`` on the node or any ancestor), computes each gate's metric against its
threshold, and decides pass or fail. An exception inside a rule becomes a
``gatekeeper/rule-crashed`` finding and the run goes on (tests pass ``raise_errors=True``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from gatekeeper.config import Config, did_you_mean
from gatekeeper.errors import ConfigError
from gatekeeper.gate import (NO_DEFAULT, Gate, Rule, Violation, cleandoc, gates_with_helpers,
                             options_of)
from gatekeeper.pointer import Pointer
from gatekeeper.report import (
    FINDING_ORDER,
    Finding,
    GateResult,
    Metric,
    Report,
    RuleInfo,
    Severity,
    SpecInfo,
)
from gatekeeper.version import __version__

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["run", "selected_rules", "validate_config", "rule_catalogue"]

WAIVER_KEY = "x-gatekeeper-ignore"
CRASH_RULE = "gatekeeper/rule-crashed"


def _matches(rule_id: str, selectors: Iterable[str]) -> bool:
    return any(rule_id == s or rule_id.startswith(s.rstrip("/") + "/") for s in selectors)


def selected_rules(gate: Gate, config: Config) -> list[Rule]:
    """Rules of `gate` that run: recommended ones (or `select`), plus extend-select, minus
    ignore and rules configured ``off``. A rule named explicitly runs even if not
    recommended."""
    out = []
    for r in gate.rules:
        explicit = r.id in (config.select or ()) or r.id in config.extend_select
        if config.select is not None:
            chosen = explicit or (_matches(r.id, config.select) and r.recommended)
        else:
            chosen = r.recommended
        chosen = chosen or explicit or (_matches(r.id, config.extend_select) and r.recommended)
        if not chosen or _matches(r.id, config.ignore) or config.rule(r.id).off:
            continue
        out.append(r)
    return out


def gate_selected(gate: Gate, config: Config) -> bool:
    if gate.opt_in and not any(s == gate.name or s.startswith(gate.name + "/")
                               for s in (*(config.select or ()), *config.extend_select)):
        return False
    return config.selects_gate(gate.name)


def validate_config(config: Config, gates: Sequence[Gate]) -> None:
    """Reject unknown gates, rules and options with a "did you mean"."""
    src = config.source or "config"
    names = {g.name for g in gates}
    rule_ids = {r.id for g in gates for r in g.rules}
    rule_ids |= {g.below_threshold_rule for g in gates if g.metric is not None}
    selectors = names | rule_ids
    for key, values in (("select", config.select or ()), ("extend-select", config.extend_select),
                        ("ignore", config.ignore)):
        for value in values:
            if value not in selectors:
                raise ConfigError(f"{src}: `{key}` names unknown gate or rule `{value}`"
                                  f"{did_you_mean(value, selectors)}")
    by_name = {g.name: g for g in gates}
    for name, gc in config.gates.items():
        gate = by_name.get(name)
        if gate is None:
            raise ConfigError(f"{src}: unknown gate `gates.{name}`{did_you_mean(name, names)}")
        defaults = gate.option_defaults()
        for opt in gc.options:
            if opt not in defaults:
                allowed = {k.replace('_', '-') for k in defaults} | {"fail-under", "weight",
                                                                     "enabled"}
                key = opt.replace("_", "-")
                raise ConfigError(f"{src}: unknown key `gates.{name}.{key}`"
                                  f"{did_you_mean(key, allowed)}")
            _check_type(src, f"gates.{name}.{opt}", gc.options[opt], defaults[opt])
    for rule_id, rc in config.rules.items():
        if rule_id not in rule_ids:
            raise ConfigError(f"{src}: unknown rule `rules.\"{rule_id}\"`"
                              f"{did_you_mean(rule_id, rule_ids)}")
        rule = next((r for g in gates for r in g.rules if r.id == rule_id), None)
        defaults = rule.options if rule is not None else {}
        for opt, value in rc.options.items():
            if opt not in defaults:
                key = opt.replace("_", "-")
                allowed = {k.replace("_", "-") for k in defaults} | {"severity"}
                raise ConfigError(f"{src}: unknown option `{key}` for rule `{rule_id}`"
                                  f"{did_you_mean(key, allowed)}; it takes: "
                                  f"{', '.join(sorted(allowed))}")
            _check_type(src, f"rules.\"{rule_id}\".{opt}", value, defaults[opt])


def _check_type(src: str, where: str, value: Any, default: Any) -> None:
    if default is None or default is NO_DEFAULT:
        return
    ok_types: tuple[type, ...]
    if isinstance(default, bool):
        ok_types = (bool,)
    elif isinstance(default, (int, float)):
        ok_types = (int, float)
    elif isinstance(default, (list, tuple, frozenset, set)):
        ok_types = (list,)
    else:
        ok_types = (type(default),)
    if not isinstance(value, ok_types) or (ok_types == (int, float) and isinstance(value, bool)):
        raise ConfigError(f"{src}: `{where}` must be {ok_types[0].__name__.replace('dict', 'a table')}"
                          f", got {value!r}")


def _call(fn: Any, spec: Any, available: dict[str, Any]) -> Any:
    wanted = options_of(fn)
    kwargs = {k: _coerce(v, wanted[k]) for k, v in available.items() if k in wanted}
    return fn(spec, **kwargs)


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(value)
    if isinstance(default, frozenset) and isinstance(value, list):
        return frozenset(value)
    return value


#: Lists whose items a subject names: their indices leave the fingerprint when a subject is
#: given, so inserting a parameter before another does not make the other one "new".
_INDEXED_LISTS = frozenset({"parameters", "servers", "tags", "security", "allOf", "oneOf",
                            "anyOf", "prefixItems"})


try:  # CPython's own SHA-1; `hashlib` loads OpenSSL first (about 3 ms of every start-up)
    from _sha1 import sha1 as _sha1
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import sha1 as _sha1


def fingerprint(rule_id: str, pointer: Pointer, subject: str | None,
                fragment: str | None = None) -> str:
    """Stable under line shifts, reordering, reformatting and file renames: rule, pointer
    fragment (list indices dropped where the subject names the item), normalised subject.
    `fragment`: ``pointer.fragment`` when the caller has it already."""
    if fragment is None:
        fragment = pointer.fragment
    if subject and not _INDEXED_LISTS.isdisjoint(pointer.tokens):
        # The escaped tokens are the fragment's parts ("/" is escaped inside a token): not
        # escaped again one by one (half of `fingerprint`'s time on Stripe's findings, cProfile).
        tokens = pointer.tokens
        escaped = fragment[2:].split("/")
        fragment = "#/" + "/".join(
            "*" if i and t.isdigit() and tokens[i - 1] in _INDEXED_LISTS else escaped[i]
            for i, t in enumerate(tokens))
    basis = "\x1f".join((rule_id, fragment, " ".join((subject or "").split())))
    return _sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _waivable(spec: Any, file: str) -> bool:
    """Whether a finding in `file` may be waived: its text may hold `WAIVER_KEY` (looked for
    once a spec). A canonical JSON text (`Document.canonical`) can hold it only as written,
    so one `in` settles it without `_may_hold_waiver`'s look for escaped spellings (Graph
    beta's 47 MB: 71 ms)."""
    doc = spec.documents.get(file)
    return doc is not None and spec.memo(("engine.waivable", file), lambda: (
        WAIVER_KEY in doc.text if doc.canonical else _may_hold_waiver(doc.text)))


def _waiver(spec: Any, pointer: Pointer, rule_id: str, gate: str) -> str | None:
    """Why the finding of `rule_id` at `pointer` is waived, or None; for a pointer into a
    file that `_waivable` admits (the caller asks it once a file)."""
    node = spec.documents[pointer.file].data
    chain = [node]
    for token in pointer.tokens:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            break
        chain.append(node)
    for node in chain:
        if isinstance(node, dict) and WAIVER_KEY in node:
            value = node[WAIVER_KEY]
            values = [value] if isinstance(value, str) else value if isinstance(value, list) \
                else []
            if value is True or any(v in (rule_id, gate, "*") for v in values if isinstance(v, str)):
                return WAIVER_KEY
    return None


#: `WAIVER_KEY` in a double-quoted key with some of its characters escaped (``\x2d``,
#: ``\u002D``, ``\U0000002d``): the only spellings of it that do not hold it literally.
_WAIVER_ESCAPED = re.compile("".join(
    f"(?:{re.escape(c)}|\\\\(?:x|u00|U000000)(?i:{ord(c):02x}))" for c in WAIVER_KEY))
#: Each escaped spelling holds one of these; it is at most this many characters long.
_ESCAPES, _ESCAPED_SPAN = ("\\x", "\\u00", "\\U000000"), 10 * len(WAIVER_KEY)
#: A backslash before a line break or one of `_ESCAPES`: where a `WAIVER_KEY` not written
#: literally must have one.
_BACKSLASH = re.compile(r"\\(?:[\r\n]|x|u00|U000000)")
#: Escapes looked around at most (a few milliseconds): a text with more (a JSON document
#: written with every accented letter as `\u00..`) is walked per finding, as before.
_ESCAPES_MAX = 2_000


def _may_hold_waiver(text: str | None) -> bool:
    """Whether a document's text may hold a `WAIVER_KEY` key: literally, in a key with
    escaped characters, or across an escaped line break (YAML joins ``"x-gate\\`` and
    ``keeper-ignore"``). False settles that no finding in it is waived.

    Speed: looking for the waiver on every finding's path from the root took about 0.2 s of
    Graph beta's 38k findings and 0.07 s of Stripe's 6k (cProfile). Here the literal key is
    one `in` and everything else one `_BACKSLASH` scan, which the regex engine runs from its
    literal first character: 71 ms on Graph beta's 47 MB text, 12 ms on GitHub's, 5 ms on
    Stripe's, where an `in` or `find` per two-character needle (``\\\n``, ``\\x``, ...)
    took 340, 48 and 30 ms (process time, 3 runs each)."""
    if not text or WAIVER_KEY in text:
        return True
    seen = 0
    for match in _BACKSLASH.finditer(text):
        at = match.start()
        if text[at + 1] in "\r\n":
            return True
        seen += 1
        if seen > _ESCAPES_MAX or _WAIVER_ESCAPED.search(
                text, max(0, at - _ESCAPED_SPAN), at + _ESCAPED_SPAN):
            return True  # past _ESCAPES_MAX: the walk per finding, as before
    return False


def rule_catalogue(gates: Sequence[Gate], config: Config) -> tuple[RuleInfo, ...]:
    out = []
    for gate in gates:
        enabled = {r.id for r in selected_rules(gate, config)} \
            if not gate.opt_in or gate_selected(gate, config) else set()
        for r in gate.rules:
            rc = config.rule(r.id)
            out.append(RuleInfo(id=r.id, gate=gate.name, severity=rc.severity or r.severity,
                                summary=r.summary, docs=r.docs, enabled=r.id in enabled,
                                options={k: _jsonable(v) for k, v in r.options.items()}))
        if gate.metric is not None:
            out.append(below_threshold_info(gate, config))
    return tuple(out)


def below_threshold_info(gate: Gate, config: Config) -> RuleInfo:
    threshold = _threshold(gate, config)
    doc = cleandoc(gate.metric.__doc__ or "") if gate.metric else ""
    pct = f"{threshold * 100:g} %" if threshold is not None else "its threshold"
    docs = (f"## What it does\nFails the `{gate.name}` gate when its metric is below {pct}.\n\n"
            f"## Why is this bad?\nThe gate's threshold is the quality bar the team agreed on."
            f"\n\n## How the metric is computed\n{doc}\n\n## Options\n"
            f"`[gates.{gate.name}] fail-under = <percent>` sets the threshold.")
    return RuleInfo(id=gate.below_threshold_rule, gate=gate.name, severity=Severity.ERROR,
                    summary=f"The {gate.title.lower()} metric is below its threshold", docs=docs,
                    enabled=threshold is not None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, frozenset, set)):
        return sorted(value) if isinstance(value, (frozenset, set)) else list(value)
    return value


def _threshold(gate: Gate, config: Config) -> float | None:
    gc = config.gate(gate.name)
    if gc.fail_under is not None:
        return gc.fail_under / 100
    return gate.threshold


def run(spec: Any, gates: Sequence[Gate], config: Config, *, raise_errors: bool = False,
        generated_at: str | None = None) -> Report:
    active = [g for g in gates if gate_selected(g, config)
              and (g.applies is None or g.applies(spec))]
    from gatekeeper.loader import paused_gc

    # A gate whose costly part a helper process computes meanwhile (`Gate.helper`) runs
    # last; the report keeps the registry's order.
    late = gates_with_helpers(spec)
    rules = rule_catalogue(active, config)  # before the gates: nothing waits on it later
    by_gate = {}
    with paused_gc():  # rules build many small objects; one collection afterwards suffices
        for gate in sorted(active, key=lambda g: g.name in late):
            by_gate[gate.name] = _run_gate(spec, gate, config, raise_errors)
            _drop_private_memos(spec, gate.name)
        results = [by_gate[gate.name]() for gate in active]  # located meanwhile, maybe
    info = SpecInfo(path=spec.path, title=spec.title, api_version=spec.api_version,
                    openapi_version=spec.openapi_version, operations=len(spec.operations),
                    files=len(spec.documents))
    return Report(tool_version=__version__, spec=info, gates=tuple(results),
                  rules=rules, fail_on=config.fail_on,
                  fail_under=config.fail_under, generated_at=generated_at)


def _drop_private_memos(spec: Any, gate_name: str) -> None:
    """Forget what the gate `gate_name` kept on the spec for itself once it has run: the
    `Spec.memo` entries whose key (or a tuple key's first item) starts with ``"<gate>."``.
    A memo that other gates read is named otherwise (``"shared.<gate>. ..."``; see
    CONTRIBUTING.md, "Add a rule"). The memory goes to the gates after it: Graph beta's
    documentation coverage (300,000 elements) took the check's peak RSS from 621 to 591 MB."""
    forget = getattr(spec, "forget_memos", None)  # a spec-like object may keep no memos
    if forget is not None:
        forget(gate_name + ".")


def _run_gate(spec: Any, gate: Gate, config: Config, raise_errors: bool
              ) -> Callable[[], GateResult]:
    """Runs the gate's rules and metric; returns the function that gives its result once its
    findings are located (`Spec.locations`, which may locate them beside the next gates)."""
    gc = config.gate(gate.name)
    gate_options = {**gate.options, **gc.options}
    findings: dict[tuple[str, Pointer, str], tuple[Any, ...]] = {}
    # file -> `_waivable`, here once a file, not once a finding: `_waiver`'s own look took
    # about 1 us a finding that no waiver can cover (38 ms of Graph beta's 38k findings).
    waivable: dict[str, bool] = {}

    def add(rule_id: str, severity: Severity, v: Violation) -> None:
        key = (rule_id, v.pointer, v.message)
        if key in findings:
            return
        file = v.pointer.file
        if file not in waivable:
            waivable[file] = _waivable(spec, file)
        waived = _waiver(spec, v.pointer, rule_id, gate.name) if waivable[file] else None
        fragment = v.pointer.fragment  # once for both the pointer text and the fingerprint
        # `Finding`'s fields but the first (its location, found at the end) in its order, for
        # arguments by position: by keyword the call took about 1 us more (timeit: 1.2 to 1.7
        # us against 0.3 to 0.7), 35 ms of Graph beta's 38k findings.
        findings[key] = (
            v.pointer, rule_id, severity, v.message, v.pointer.file + fragment,
            gate.name, waived, fingerprint(rule_id, v.pointer, v.subject, fragment), v.extra)

    for r in selected_rules(gate, config):
        rc = config.rule(r.id)
        options = {**gate_options, **rc.options}
        try:
            for v in _call(r.check, spec, options):
                severity = rc.severity or v.severity or r.severity
                add(r.id, severity, v)
        except Exception as exc:
            if raise_errors:
                raise
            add(CRASH_RULE, Severity.ERROR,
                Violation(spec.root, f"rule `{r.id}` crashed: {type(exc).__name__}: "
                                     f"{str(exc)[:300]}", subject=r.id))

    metric: Metric | None = None
    threshold = _threshold(gate, config)
    if gate.metric is not None:
        try:
            metric = _call(gate.metric, spec, gate_options)
        except Exception as exc:
            if raise_errors:
                raise
            add(CRASH_RULE, Severity.ERROR,
                Violation(spec.root, f"metric of gate `{gate.name}` crashed: "
                                     f"{type(exc).__name__}: {str(exc)[:300]}",
                          subject=gate.name))
        if metric is not None and threshold is not None and metric.value < threshold - 1e-12:
            add(gate.below_threshold_rule, Severity.ERROR,
                Violation(spec.root, f"{metric.label} is {metric.value * 100:.1f} %, below the "
                                     f"{threshold * 100:g} % threshold",
                          subject=gate.below_threshold_rule))
    found = list(findings.values())
    located = spec.locations([f[0] for f in found])

    def result() -> GateResult:
        ordered = tuple(sorted((Finding(where, *f[1:]) for where, f in zip(located(), found)),
                               key=FINDING_ORDER))
        failing = any(f.waived is None and f.severity.rank >= config.fail_on.rank
                      for f in ordered)
        weight = gc.weight if gc.weight is not None else gate.weight
        return GateResult(name=gate.name, title=gate.title, description=gate.description,
                          findings=ordered, metric=metric, threshold=threshold,
                          passed=not failing, mandatory=gate.mandatory, weight=weight)
    return result
