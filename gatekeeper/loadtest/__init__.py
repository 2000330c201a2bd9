"""The load test: the spec's operations under concurrent load, on Locust, judged by the
``perf`` gate.

`gatekeeper.loadtest.plan` derives the request mix from the document (read-only by default, valid
requests only, from the document's examples, defaults and bounds); `gatekeeper.loadtest.locustfile`
is the self-contained locustfile that carries it; `gatekeeper.loadtest.runner` runs it under Locust
in a child process within hard budgets (locally, or as the master of Locust's distributed mode);
`gatekeeper.loadtest.result` turns Locust's statistics into figures; `gatekeeper.loadtest.gate` judges
them (p95 per operation and overall, error rate, optional throughput).

Locust is imported only in the child process, and only when a load test runs (the ``load``
extra: ``in a checkout of gatekeeper, pip install '.[load]'``).

Library use::

    from gatekeeper import load, Config
    from gatekeeper.loadtest import LoadOptions, load_report

    report, result = load_report(load("openapi.yaml"),
                                 LoadOptions(base_url="http://127.0.0.1:8000", users=20), Config())
"""

from __future__ import annotations

from typing import Any

from gatekeeper.loadtest.gate import GATE_NAME, Budgets, perf_gate, perf_gate_catalogue
from gatekeeper.loadtest.plan import LoadPlan, build_plan
from gatekeeper.loadtest.result import LoadResult
from gatekeeper.loadtest.runner import LoadError, LoadOptions, locustfile_text, run_load

__all__ = [
    "GATE_NAME",
    "Budgets",
    "LoadError",
    "LoadOptions",
    "LoadPlan",
    "LoadResult",
    "build_plan",
    "load_report",
    "locustfile_text",
    "perf_gate",
    "perf_gate_catalogue",
    "run_load",
]


def load_report(spec: Any, options: LoadOptions, config: Any, *, static_report: Any = None,
                progress: Any = None, raise_errors: bool = False) -> tuple[Any, LoadResult]:
    """Run the load test and the engine over the perf gate; with ``static_report`` the perf
    gate and the ``load`` section are added to it, so every result is one report."""
    from gatekeeper.engine import run

    result = run_load(spec, options, progress=progress)
    budgets = Budgets(latency_ms=options.latency_budget_ms, error_rate=options.error_rate_budget,
                      min_rps=options.min_rps)
    report = run(spec, (perf_gate(result, budgets),), config, raise_errors=raise_errors)
    if static_report is not None:
        report = static_report.replace(gates=(*static_report.gates, *report.gates),
                                       rules=(*static_report.rules, *report.rules),
                                       sections=dict(static_report.sections))
    return report.replace(sections={**report.sections, "load": result.section()}), result
