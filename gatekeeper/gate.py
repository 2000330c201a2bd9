"""The authoring API for gates: `Gate`, `rule`, `Rule`, `Violation`.

A rule is a plain function ``check(spec, *, option=default, ...) -> Iterator[Violation]``
decorated with `@rule`. It knows nothing of severities, rule ids or line numbers: the engine
stamps those on, so configuration cannot be bypassed. Options are keyword-only parameters;
configuration values are forwarded to them by name (``min-words`` in TOML is ``min_words``).
A gate option (``[gates.docs] operation-text = "summary"``) is forwarded to every rule and to
the metric of that gate that declares a parameter of that name.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.pointer import Pointer
from gatekeeper.report import Metric, Severity

__all__ = ["Gate", "Rule", "Violation", "rule"]

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*/[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule yields: where (the thing that should change) and what is wrong.

    `subject` is a short, stable description of what the finding is about (for example
    ``"GET /pets"`` or ``"Pet.name"``); it feeds the finding's fingerprint, so it must not
    contain line numbers or anything that changes with unrelated edits. Defaults to the
    pointer.
    """

    pointer: Pointer
    message: str
    subject: str | None = None
    severity: Severity | None = None  # a rule may lower or raise one finding (rare; documented)
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    check: Callable[..., Iterator[Violation]]
    recommended: bool = True
    docs: str = ""

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
        return Rule(id=id, severity=sev, check=fn, recommended=recommended,
                    docs=inspect.cleandoc(fn.__doc__ or ""))

    return wrap


@dataclass(frozen=True, slots=True)
class Gate:
    """One concern: its rules, an optional metric and the metric's default threshold.

    `threshold` is a ratio in [0, 1]. `mandatory` gates fail the run whatever the score.
    """

    name: str
    title: str
    rules: tuple[Rule, ...] = ()
    metric: Callable[..., Metric] | None = None
    threshold: float | None = None
    description: str = ""
    mandatory: bool = False
    weight: float = 1.0
    #: Extra gate-level options that no rule or metric parameter declares.
    options: dict[str, Any] = field(default_factory=dict)
    #: Whether the gate applies to a run at all (e.g. `compat` only when a base spec is
    #: given); a gate that does not apply is left out of the report. None: always.
    applies: Callable[[Any], bool] | None = None

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


def options_of(fn: Callable[..., Any]) -> dict[str, Any]:
    sig = inspect.signature(fn)
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


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
