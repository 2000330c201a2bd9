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

TYPE_CHECKING = False  # annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.loadtest.result import LoadResult
    from gatekeeper.loadtest.runner import LoadOptions

#: The public names, each imported from its module on first use (PEP 562): the command line
#: imports `gatekeeper.loadtest.command` to register ``gatekeeper load``, and importing the
#: modules below with it (the plan pulls in the live audit's package) took 44 to 67 ms of
#: every command that goes through the typer app (``diff``, ``rules``, ``audit``, ...).
_LAZY = {
    "GATE_NAME": "gate", "Budgets": "gate", "perf_gate": "gate", "perf_gate_catalogue": "gate",
    "LoadPlan": "plan", "build_plan": "plan", "LoadResult": "result", "LoadError": "runner",
    "LoadOptions": "runner", "locustfile_text": "runner", "run_load": "runner",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
    from gatekeeper.loadtest.gate import Budgets, perf_gate
    from gatekeeper.loadtest.runner import run_load

    result = run_load(spec, options, progress=progress)
    budgets = Budgets(latency_ms=options.latency_budget_ms, error_rate=options.error_rate_budget,
                      min_rps=options.min_rps)
    report = run(spec, (perf_gate(result, budgets),), config, raise_errors=raise_errors)
    if static_report is not None:
        report = static_report.replace(gates=(*static_report.gates, *report.gates),
                                       rules=(*static_report.rules, *report.rules),
                                       sections=dict(static_report.sections))
    return report.replace(sections={**report.sections, "load": result.section()}), result
