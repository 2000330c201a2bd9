"""gatekeeper: a quality gate for OpenAPI documents.

The public API for gate authors and for using gatekeeper as a library. Importing it pulls in
no CLI, terminal, template or HTTP library (a test holds us to that).
"""

from __future__ import annotations

# Names are imported on first use (PEP 562): `import gatekeeper` alone, as the command line's
# supervisor process does before it forks the worker that checks the spec (R12), stays cheap.
_HOME = {
    "Config": "config", "discover": "config", "load_config": "config",
    "run": "engine",
    "ConfigError": "errors", "InputError": "errors", "SpecError": "errors",
    "Gate": "gate", "Rule": "gate", "Violation": "gate", "rule": "gate",
    "Limits": "loader",
    "Pointer": "pointer",
    "Finding": "report", "GateResult": "report", "Location": "report", "Metric": "report",
    "MetricPart": "report", "Report": "report", "RuleInfo": "report", "Severity": "report",
    "SpecInfo": "report",
    "Operation": "spec", "Spec": "spec", "load": "spec",
    "__version__": "version",
}


def __getattr__(name: str) -> object:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'gatekeeper' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"gatekeeper.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = sorted(_HOME)  # the public names are those `_HOME` places
