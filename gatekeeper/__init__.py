"""gatekeeper: a quality gate for OpenAPI documents.

The public API for gate authors and for using gatekeeper as a library. Importing it pulls in
no CLI, terminal, template or HTTP library (a test holds us to that).
"""

from __future__ import annotations

from gatekeeper.config import Config, discover, load_config
from gatekeeper.engine import run
from gatekeeper.errors import ConfigError, InputError, SpecError
from gatekeeper.gate import Gate, Rule, Violation, rule
from gatekeeper.loader import Limits
from gatekeeper.pointer import Pointer
from gatekeeper.report import (
    Finding,
    GateResult,
    Location,
    Metric,
    MetricPart,
    Report,
    RuleInfo,
    Severity,
    SpecInfo,
)
from gatekeeper.spec import Operation, Spec, load
from gatekeeper.version import __version__

__all__ = [
    "Config",
    "ConfigError",
    "Finding",
    "Gate",
    "GateResult",
    "InputError",
    "Limits",
    "Location",
    "Metric",
    "MetricPart",
    "Operation",
    "Pointer",
    "Report",
    "Rule",
    "RuleInfo",
    "Severity",
    "Spec",
    "SpecError",
    "SpecInfo",
    "Violation",
    "__version__",
    "discover",
    "load",
    "load_config",
    "rule",
    "run",
]
