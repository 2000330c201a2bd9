"""The authoring API for gates: `Gate`, `rule`, `Rule`, `Violation`.

A rule is a plain function ``check(spec, *, option=default, ...) -> Iterator[Violation]``
decorated with `@rule`. It knows nothing of severities, rule ids or line numbers: the engine
stamps those on, so configuration cannot be bypassed. Options are keyword-only parameters;
configuration values are forwarded to them by name (``min-words`` in TOML is ``min_words``).
A gate option (``[gates.docs] operation-text = "summary"``) is forwarded to every rule and to
the metric of that gate that declares a parameter of that name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from gatekeeper.pointer import Pointer
from gatekeeper.record import Record
from gatekeeper.report import Metric, Severity

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["NO_DEFAULT", "Gate", "Rule", "Violation", "helper_result", "rule"]

#: The "default" of a keyword-only option declared without one.
NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "<no default>"})()

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*/[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Violation(Record):
    """What a rule yields: where (the thing that should change) and what is wrong.

    `subject` is a short, stable description of what the finding is about (for example
    ``"GET /pets"`` or ``"Pet.name"``); it feeds the finding's fingerprint, so it must not
    contain line numbers or anything that changes with unrelated edits. Defaults to the
    pointer. `severity`: a rule may lower or raise one finding (rare; documented).
    """

    __slots__ = ("pointer", "message", "subject", "severity", "extra")

    def __init__(self, pointer: Pointer, message: str, subject: str | None = None,
                 severity: Severity | None = None,
                 extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.pointer = pointer
        self.message = message
        self.subject = subject
        self.severity = severity
        self.extra = extra


class Rule(Record):
    """A check function with its id and default severity. ``docs`` defaults to the
    function's docstring, cleaned (read on demand: a check never needs it)."""

    __slots__ = ("id", "severity", "check", "recommended", "_docs")
    _not_compared = ("_docs",)

    def __init__(self, id: str, severity: Severity, check: Callable[..., Iterator[Violation]],
                 recommended: bool = True, docs: str | None = None) -> None:
        self.id = id
        self.severity = severity
        self.check = check
        self.recommended = recommended
        self._docs = docs

    @property
    def docs(self) -> str:
        if self._docs is None:
            self._docs = cleandoc(self.check.__doc__ or "")
        return self._docs

    @property
    def gate(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def summary(self) -> str:
        return summary_of(self.docs)

    @property
    def options(self) -> dict[str, Any]:
        return options_of(self.check)

    def __call__(self, spec: Any, **options: Any) -> Iterator[Violation]:
        return self.check(spec, **options)


def rule(id: str, *, severity: Severity | str = Severity.WARNING, recommended: bool = True):
    """Turn a check function into a `Rule`. Registers nothing globally."""
    if not _RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} must be '<gate>/<problem>' in kebab-case")
    sev = Severity(severity)

    def wrap(fn: Callable[..., Iterator[Violation]]) -> Rule:
        return Rule(id=id, severity=sev, check=fn, recommended=recommended)

    return wrap


class Gate(Record):
    """One concern: its rules, an optional metric and the metric's default threshold.

    `threshold` is a ratio in [0, 1]. `mandatory` gates fail the run whatever the score.
    `options`: the gate-level options, declared once for all its rules (name -> default).
    The engine forwards a gate option to every rule and to the metric that asks for it:
    a function asks by declaring a keyword-only parameter of that name, and may leave its
    default out (``*, exempt_methods``): the gate's default is filled in when the gate is
    built. A function that takes ``**options`` asks for all of them. An option no function
    declares is still accepted in the config (a gate-wide setting such as compat's `today`).
    `applies`: whether the gate applies to a run at all (e.g. `compat` only when a base spec
    is given); a gate that does not apply is left out of the report. None: always.
    `opt_in`: the gate runs only when ``select`` or ``extend-select`` names it or one of its
    rules (an advisory gate that must not cost time or change reports of those who did not
    ask for it); once selected, its severities apply as written.
    `configure`: for a gate whose rules come from the configuration rather than from code
    (a file of rule definitions the config names): called with the run's `Config`, it returns
    the gate to run, with those rules (`gatekeeper.registry.gates_for` calls it once per run,
    before rules are selected, validated or listed). It may raise `ConfigError`.

    For comparisons with a base spec (``check --base``, ``gatekeeper diff``):
    `compares_base`: the gate itself compares the spec with ``spec.base``; a comparison runs
    it on the head only, lists its findings as the change's breaking changes, and
    ``gatekeeper diff`` runs it. `base_facts`: ``fn(base_spec, head_spec) -> dict`` of facts
    a comparison records beside the findings (e.g. that the major version went up).
    `compare_metric`: the key under which a comparison reports this gate's metric before and
    after (e.g. ``"coverage"``).

    For speed (see "Start-up" in CONTRIBUTING.md):
    `helper`: ``fn(spec) -> bytes``, a costly part of the gate that depends on the spec alone (a
    check against a large compiled JSON Schema, say). The command line may run it in a helper
    process beside the one that checks the spec, on another core, from its own copy of the spec;
    the engine then runs this gate after the others, and its rules read the bytes with
    `helper_result` (None: no helper ran or it failed, so they compute the same thing
    themselves). Only built-in gates listed in ``gates.WITH_HELPER`` get a helper process (the
    command line starts it before it imports any gate).
    `warm_up`: ``fn()``, done once in a batch's parent before it forks one worker per spec, so
    that every worker inherits it instead of doing it again (compiling schemas). It must not
    depend on the spec or the configuration; a failure is ignored.
    """

    __slots__ = ("name", "title", "rules", "metric", "threshold", "description", "mandatory",
                 "weight", "options", "applies", "opt_in", "compares_base", "base_facts",
                 "compare_metric", "configure", "helper", "warm_up")

    def __init__(self, name: str, title: str, rules: tuple[Rule, ...] = (),
                 metric: Callable[..., Metric] | None = None, threshold: float | None = None,
                 description: str = "", mandatory: bool = False, weight: float = 1.0,
                 options: dict[str, Any] | None = None,
                 applies: Callable[[Any], bool] | None = None, opt_in: bool = False,
                 compares_base: bool = False,
                 base_facts: Callable[[Any, Any], dict[str, Any]] | None = None,
                 compare_metric: str | None = None,
                 configure: Callable[[Any], Gate] | None = None,
                 helper: Callable[[Any], bytes] | None = None,
                 warm_up: Callable[[], None] | None = None) -> None:
        self.name = name
        self.title = title
        self.rules = rules
        self.metric = metric
        self.threshold = threshold
        self.description = description
        self.mandatory = mandatory
        self.weight = weight
        self.options = {} if options is None else options
        self.applies = applies
        self.opt_in = opt_in
        self.compares_base = compares_base
        self.base_facts = base_facts
        self.compare_metric = compare_metric
        self.configure = configure
        self.helper = helper
        self.warm_up = warm_up
        for fn in [r.check for r in rules] + ([metric] if metric is not None else []):
            _take_gate_options(name, fn, self.options)

    @property
    def below_threshold_rule(self) -> str:
        return f"{self.name}/below-threshold"

    def option_defaults(self) -> dict[str, Any]:
        """Every option a rule or the metric of this gate declares, with its default."""
        found: dict[str, Any] = dict(self.options)
        for r in self.rules:
            found.update(r.options)
        if self.metric is not None:
            found.update(options_of(self.metric))
        return found


#: Where a spec keeps the helper processes running for its gates (gate name -> a handle
#: whose ``result()`` waits for the bytes, or None when the helper failed).
_HELPERS = "gate.helpers"


def helper_result(spec: Any, gate: str) -> bytes | None:
    """In a rule of a gate that declares `Gate.helper`: the bytes its helper process
    computed for `spec` (waiting for them if need be), or None when no helper ran for this
    spec or it failed (then compute them in this process)."""
    handle = spec.memo(_HELPERS, dict).get(gate)
    return handle.result() if handle is not None else None


def attach_helper(spec: Any, gate: str, handle: Any) -> None:
    """Let `helper_result` find `handle` for `gate` on `spec` (the command line does this);
    the engine runs such a gate after the others, so that the helper's work overlaps them."""
    spec.memo(_HELPERS, dict)[gate] = handle


def gates_with_helpers(spec: Any) -> dict[str, Any]:
    """The gates whose helper runs for `spec` (name -> handle): the engine runs them last."""
    return spec.memo(_HELPERS, dict)


def _take_gate_options(gate: str, fn: Callable[..., Any], options: dict[str, Any]) -> None:
    """Give `fn` the gate's defaults for the options it declares without one, or all the
    gate's options when it takes ``**options`` (listed in ``__gatekeeper_options__``, so that
    the config can reach them and the rule catalogue shows them)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    own = options_of(fn)
    missing = [k for k, v in own.items() if v is NO_DEFAULT]
    if missing:
        unknown = [k for k in missing if k not in options]
        if unknown:
            raise ValueError(f"`{fn.__name__}` of gate `{gate}` declares option "
                             f"`{unknown[0]}` without a default: give it one, or declare it "
                             f"once for the gate in `Gate(options={{...}})`")
        fn.__kwdefaults__ = {**(fn.__kwdefaults__ or {}), **{k: options[k] for k in missing}}
    if code.co_flags & 0x08 and options:  # CO_VARKEYWORDS: `**options`
        fn.__gatekeeper_options__ = {  # type: ignore[attr-defined]
            **options_of(fn), **{k: v for k, v in options.items() if k not in own}}


def options_of(fn: Callable[..., Any]) -> dict[str, Any]:
    """The keyword-only parameters of a rule or metric with their defaults (`NO_DEFAULT`
    when there is none), in order. A function may also list them in
    ``__gatekeeper_options__`` (options it takes through ``**kwargs``).

    Read from the code object rather than `inspect.signature`: importing `inspect` costs
    about 4 ms of every run's start-up, and this is called for every rule of every run."""
    declared = getattr(fn, "__gatekeeper_options__", None)
    if declared is not None:
        return dict(declared)
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    code = getattr(fn, "__code__", None)
    if code is None:  # a callable object: the general (slower) path
        import inspect

        return {name: NO_DEFAULT if p.default is inspect.Parameter.empty else p.default
                for name, p in inspect.signature(fn).parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}
    names = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    defaults = fn.__kwdefaults__ or {}
    return {name: defaults.get(name, NO_DEFAULT) for name in names}


def cleandoc(doc: str) -> str:
    """`inspect.cleandoc`, line for line (tests compare the two on every rule): the first
    line without leading blanks, the others without their common indentation, and no blank
    lines at either end. Here because importing `inspect` costs about 4 ms of start-up."""
    lines = doc.expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()),
                 default=None)
    lines[0] = lines[0].lstrip()
    if margin is not None:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def summary_of(docs: str) -> str:
    """The first sentence under '## What it does' (or the first line)."""
    lines = [ln.strip() for ln in docs.splitlines()]
    for i, ln in enumerate(lines):
        if ln.lower().startswith("## what it does"):
            body = [x for x in lines[i + 1:] if x]
            if body:
                text = " ".join(body[:3]).split(". ")[0]
                return text.rstrip(".")
    return next((ln for ln in lines if ln and not ln.startswith("#")), "")
