"""From command-line flags and ``[tool.gatekeeper.live]`` to `AuditOptions`.

The config table may set budgets only::

    [tool.gatekeeper.live]
    latency-budget = 200        # ms, p95 per operation
    error-rate-budget = 0.1     # percent of requests
    request-timeout = 10        # s
    max-duration = 300          # s, whole audit
    max-requests = 1000
    rate-limit = 10             # requests per second, 0 = unlimited
    max-examples = 10           # generated cases per operation

The base URL, credentials, allowed methods and allowed hosts come only from flags and
environment variables, never from a file in the checkout under test (R19, R20, R23).
Flags override the table.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from gatekeeper.live.runner import AuditOptions
from gatekeeper.live.safety import Credentials, Redactor

__all__ = ["CONFIG_KEYS", "build_options", "log_to_file"]

#: config key -> (AuditOptions field, converter from the written value)
CONFIG_KEYS: dict[str, tuple[str, Any]] = {
    "latency-budget": ("latency_budget_ms", float),
    "error-rate-budget": ("error_rate_budget", lambda pct: float(pct) / 100),
    "request-timeout": ("request_timeout", float),
    "max-duration": ("max_duration", float),
    "max-requests": ("max_requests", int),
    "rate-limit": ("rate_limit", float),
    "max-examples": ("max_examples", int),
}


def _number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(value)


def build_options(base_url: str, flags: Mapping[str, Any], settings: Mapping[str, Any] | None = None,
                  *, source: str = "config") -> AuditOptions:
    """``flags`` uses the config key names (``latency-budget``, ...) plus ``header-env``,
    ``header``, ``allow-writes``, ``allow-method``, ``allow-host``, ``trust-env``, ``insecure``,
    ``seed`` and ``focus-failures``; a value of None means "not given"."""
    from gatekeeper.config import stage_settings

    fields = stage_settings(settings, flags, CONFIG_KEYS, section="live", source=source,
                            hint="credentials, base URL and allowed methods are flags only",
                            invalid="must be a number, got", check=_number)
    credentials = Credentials.from_flags(flags.get("header-env") or (), flags.get("header") or ())
    return AuditOptions(
        base_url=base_url,
        credentials=credentials,
        allow_writes=bool(flags.get("allow-writes")),
        allow_methods=tuple(m.strip().upper() for m in flags.get("allow-method") or () if m.strip()),
        allow_hosts=tuple(h.strip() for h in flags.get("allow-host") or () if h.strip()),
        trust_env=bool(flags.get("trust-env")),
        insecure=bool(flags.get("insecure")),
        seed=flags.get("seed"),
        focus_failures=bool(flags.get("focus-failures")),
        **fields,
    )


class _RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.redact(record.getMessage())
        record.args = ()
        return True


def log_to_file(path: str, redactor: Redactor) -> logging.Handler:
    """Send the audit's request log (one line per request) to ``path``, redacted."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(_RedactingFilter(redactor))
    logger = logging.getLogger("gatekeeper.live")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return handler
