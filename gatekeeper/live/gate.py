"""The ``live`` gate: the observations of one audit as a `gatekeeper.Gate`.

The engine then treats live findings like static ones: it stamps severities (configurable
under ``[rules]``), file:line locations at the operation's pointer, fingerprints and
``x-gatekeeper-ignore`` waivers, and decides pass or fail with ``fail-on``. The gate's metric is
the share of audited operations with no error-level live finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gatekeeper.gate import Gate, Violation, rule
from gatekeeper.live.result import LiveResult
from gatekeeper.live.rules import LIVE_RULES, LiveRule
from gatekeeper.report import Metric, Severity

__all__ = ["GATE_NAME", "live_gate", "live_gate_catalogue"]

GATE_NAME = "live"
DESCRIPTION = ("Live audit: the running service, driven from its document by Schemathesis and "
               "gatekeeper's own probes, keeps the document's and the team's promises: "
               "authentication enforced, no server errors, latency and error rate within budget, "
               "structured error bodies.")


def _severity_of(info: LiveRule, message: str) -> Severity | None:
    """One finding's own level, where it differs from the rule's. An operation left out by
    policy (a write in a read-only audit) is information; one the audit meant to test and
    could not (no request could be generated or sent, the budget ran out) is a gap in what
    the verdict covers: a warning, shown wherever warnings are (CI annotations too)."""
    if info.id == "live/operation-not-audited" and "write method" not in message:
        return Severity.WARNING
    return None


def _bind(info: LiveRule, result: LiveResult | None):
    def check(spec: Any) -> Iterator[Violation]:
        if result is None:
            return
        for obs in result.observations.items.values():
            if obs.rule != info.id:
                continue
            message = obs.message if obs.count == 1 else f"{obs.message} (seen {obs.count} times)"
            extra = tuple(sorted({**obs.extra, "occurrences": str(obs.count)}.items()))
            yield Violation(obs.pointer if obs.pointer is not None else spec.root, message,
                            subject=obs.operation or info.id, extra=extra,
                            severity=_severity_of(info, obs.message))

    check.__doc__ = info.docs
    check.__name__ = info.id.split("/", 1)[1].replace("-", "_")
    return rule(info.id, severity=info.severity)(check)


def live_gate(result: LiveResult | None = None) -> Gate:
    """The live gate bound to ``result`` (unbound: the catalogue, for ``rules``/``explain``)."""
    rules = tuple(_bind(info, result) for info in LIVE_RULES)

    def kept_promises(spec: Any) -> Metric:
        """Share of audited operations with no error-level live finding."""
        if result is None:
            return Metric.ratio(0, 0, "operations that kept their promises live")
        severities = {info.id: info.severity for info in LIVE_RULES}
        failing = {obs.operation for obs in result.observations.items.values()
                   if obs.operation is not None and severities.get(obs.rule) is Severity.ERROR}
        audited = result.audited
        passed = sum(1 for label in audited if label not in failing)
        return Metric.ratio(passed, len(audited), "operations that kept their promises live",
                            failing=sorted(failing & set(audited)))

    return Gate(GATE_NAME, title="Live audit", rules=rules, metric=kept_promises, threshold=None,
                description=DESCRIPTION)


def live_gate_catalogue() -> Gate:
    return live_gate(None)
