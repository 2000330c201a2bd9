"""The live audit: drive a running service from its OpenAPI document and gate what it does.

Schemathesis generates requests and judges answers with its checks (`gatekeeper.live.fuzz`);
our own httpx probes check authentication enforcement, latency percentiles, the error rate,
error bodies and declared rate limits (`gatekeeper.live.runner`). Every request goes through
one client with the safety rails of docs/hardening.md R19 to R22 (`gatekeeper.live.transport`,
`gatekeeper.live.safety`, `gatekeeper.live.budget`). The observations become the ``live`` gate
(`gatekeeper.live.gate`) and the ``live`` section of the report (`gatekeeper.live.result`).

httpx and Schemathesis are imported only inside this package, and only when an audit runs
(the ``live`` extra: ``pip install '.[live]'`` in a checkout of gatekeeper).

Library use::

    from gatekeeper import load, run, Config
    from gatekeeper.live import AuditOptions, Credentials, audit_report

    spec = load("openapi.yaml")
    report, result = audit_report(spec, AuditOptions(base_url="http://127.0.0.1:8000"), Config())
    print(report.passed, result.section()["requests"])
"""

from __future__ import annotations

from typing import Any

from gatekeeper.live.gate import GATE_NAME, live_gate
from gatekeeper.live.result import LiveResult
from gatekeeper.live.runner import AuditError, AuditOptions, run_audit
from gatekeeper.live.safety import CredentialError, Credentials, Redactor

__all__ = [
    "GATE_NAME",
    "AuditError",
    "AuditOptions",
    "CredentialError",
    "Credentials",
    "LiveResult",
    "Redactor",
    "attach",
    "audit_report",
    "live_gate",
    "run_audit",
]


def attach(report: Any, result: LiveResult) -> Any:
    """The report with the live section added (the gate itself comes from `live_gate`)."""
    return report.replace(sections={**report.sections, GATE_NAME: result.section()})


def audit_report(spec: Any, options: AuditOptions, config: Any, *, static_report: Any = None,
                 progress: Any = None, raise_errors: bool = False) -> tuple[Any, LiveResult]:
    """Run the audit and the engine over the live gate; with ``static_report`` (the report of
    the static gates, however it was made: comparison, baseline...) the live gate is appended
    to it, so static and live results are one report."""
    from gatekeeper.engine import run

    result = run_audit(spec, options, progress=progress)
    report = run(spec, (live_gate(result),), config, raise_errors=raise_errors)
    if static_report is not None:
        report = static_report.replace(gates=(*static_report.gates, *report.gates),
                         rules=(*static_report.rules, *report.rules))
    return attach(report, result), result
