"""The typed ``live`` section: what a live audit observed (``gatekeeper audit``,
``gatekeeper check --live URL``).

`gatekeeper.live.result.LiveResult.section` writes it; docs/report-format.md describes each
key, and the shipped report schema (``$defs/live_section``) its JSON types. The reporters read
it through `live_section` and these records, never through `gatekeeper.live` (which needs the
``live`` extra to import).

A field the views show as "not measured" when its key is missing defaults to None; a nested
object whose absence the views tell apart (``error_rate``, ``focus``, ``latency.overall``...)
defaults to the record of ``{}``, for which `SectionRecord.given` is false.
"""

from __future__ import annotations

from gatekeeper.sections import (SectionRecord, _any, _blank, _false, _list, _mapping, _none,
                                 _records, _zero)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.report import Report

__all__ = ["AuditCoverage", "AuthProbe", "ErrorRate", "Focus", "HistogramBucket", "Latency",
           "LatencyFigures", "LiveBudgets", "LiveRequests", "LiveSection", "Methods",
           "NotAudited", "OperationLatency", "RateLimitProbe", "live_section", "read_live"]


class LiveRequests(SectionRecord):
    """Requests sent (answered or failed, not cut), the ``max`` allowed, the ``unsendable``
    ones, and ``by_outcome``: counts keyed ``2xx`` ... ``5xx``, ``timeout``, ``connection``,
    ``cut``."""

    __slots__ = ("sent", "max", "unsendable", "by_outcome", "keys", "extra")
    _fields = (("sent", _any, _none), ("max", _any, _none), ("unsendable", _any, _none),
               ("by_outcome", _mapping, dict))
    if TYPE_CHECKING:
        sent: int | None
        max: int | None
        unsendable: int | None
        by_outcome: dict[str, int]


class LiveBudgets(SectionRecord):
    """The audit's budgets: p95 latency per operation (ms), error rate (a fraction), request
    timeout and duration (s), requests, rate (requests/s)."""

    __slots__ = ("latency_p95_ms", "error_rate", "request_timeout_s", "max_duration_s",
                 "max_requests", "rate_limit_per_s", "keys", "extra")
    _fields = (("latency_p95_ms", _any, _none), ("error_rate", _any, _none),
               ("request_timeout_s", _any, _none), ("max_duration_s", _any, _none),
               ("max_requests", _any, _none), ("rate_limit_per_s", _any, _none))
    if TYPE_CHECKING:
        latency_p95_ms: float | None
        error_rate: float | None
        request_timeout_s: float | None
        max_duration_s: float | None
        max_requests: int | None
        rate_limit_per_s: float | None


class LatencyFigures(SectionRecord):
    """Answered requests and their latency percentiles (ms; None without answers)."""

    __slots__ = ("count", "p50_ms", "p95_ms", "p99_ms", "max_ms", "keys", "extra")
    _fields = (("count", _any, _none), ("p50_ms", _any, _none), ("p95_ms", _any, _none),
               ("p99_ms", _any, _none), ("max_ms", _any, _none))
    if TYPE_CHECKING:
        count: int | None
        p50_ms: float | None
        p95_ms: float | None
        p99_ms: float | None
        max_ms: float | None


class HistogramBucket(SectionRecord):
    """Requests answered within ``le_ms`` (None: the last bucket, slower than every bound)."""

    __slots__ = ("le_ms", "count", "keys", "extra")
    _fields = (("le_ms", _any, _none), ("count", _any, _none))
    if TYPE_CHECKING:
        le_ms: float | None
        count: int | None


class OperationLatency(SectionRecord):
    """One operation's latency (the `LatencyFigures` keys), its verdict against the p95
    budget (None: nothing answered), its answers by status or transport outcome, and notes."""

    __slots__ = ("operation", "pointer", "count", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                 "within_budget", "statuses", "notes", "keys", "extra")
    _fields = (("operation", _any, _none), ("pointer", _any, _none), ("count", _any, _none),
               ("p50_ms", _any, _none), ("p95_ms", _any, _none), ("p99_ms", _any, _none),
               ("max_ms", _any, _none), ("within_budget", _any, _none),
               ("statuses", _mapping, dict), ("notes", _list, list))
    if TYPE_CHECKING:
        operation: str | None
        pointer: str | None
        count: int | None
        p50_ms: float | None
        p95_ms: float | None
        p99_ms: float | None
        max_ms: float | None
        within_budget: bool | None
        statuses: dict[str, int]
        notes: list[str]


class Latency(SectionRecord):
    """Latency over all answered requests, as a histogram, and per operation."""

    __slots__ = ("overall", "histogram", "operations", "keys", "extra")
    _fields = (("overall", LatencyFigures, _blank(LatencyFigures)),
               ("histogram", _records(HistogramBucket), list),
               ("operations", _records(OperationLatency), list))
    if TYPE_CHECKING:
        overall: LatencyFigures
        histogram: list[HistogramBucket]
        operations: list[OperationLatency]


class ErrorRate(SectionRecord):
    """Errors (5xx, timeouts, failed connections) among ``total`` requests, their ``rate``
    and ``budget`` (fractions) and the verdict."""

    __slots__ = ("errors", "total", "rate", "budget", "within_budget", "keys", "extra")
    _fields = (("errors", _any, _none), ("total", _any, _none), ("rate", _any, _none),
               ("budget", _any, _none), ("within_budget", _any, _none))
    if TYPE_CHECKING:
        errors: int | None
        total: int | None
        rate: float | None
        budget: float | None
        within_budget: bool | None


class AuthProbe(SectionRecord):
    """An operation that declares security, probed without and with invalid credentials:
    each probe's status (or transport outcome), and whether authentication was enforced
    (None: neither shown nor refuted)."""

    __slots__ = ("operation", "schemes", "no_credentials", "invalid_credentials", "enforced",
                 "note", "keys", "extra")
    _fields = (("operation", _any, _none), ("schemes", _list, list),
               ("no_credentials", _any, _none), ("invalid_credentials", _any, _none),
               ("enforced", _any, _none), ("note", _any, str))
    if TYPE_CHECKING:
        operation: str | None
        schemes: list[str]
        no_credentials: int | str | None
        invalid_credentials: int | str | None
        enforced: bool | None
        note: str


class RateLimitProbe(SectionRecord):
    """A declared rate limit: the headers the document names, whether a 429 was provoked, with
    how many requests, and the documented headers the 429 lacked."""

    __slots__ = ("operation", "documented_headers", "provoked", "requests", "missing_headers",
                 "keys", "extra")
    _fields = (("operation", _any, str), ("documented_headers", _list, list),
               ("provoked", _any, _none), ("requests", _any, _none),
               ("missing_headers", _list, list))
    if TYPE_CHECKING:
        operation: str
        documented_headers: list[str]
        provoked: bool | None
        requests: int | None
        missing_headers: list[str]


class Methods(SectionRecord):
    """The HTTP methods the audit was allowed to send (``"all"`` with ``--allow-writes``)."""

    __slots__ = ("allowed", "writes_allowed", "keys", "extra")
    _fields = (("allowed", _any, _none), ("writes_allowed", _any, _none))
    if TYPE_CHECKING:
        allowed: str | list[str] | None
        writes_allowed: bool | None


class NotAudited(SectionRecord):
    """An operation the audit did not test, and why."""

    __slots__ = ("operation", "reason", "keys", "extra")
    _fields = (("operation", _any, str), ("reason", _any, str))
    if TYPE_CHECKING:
        operation: str
        reason: str


class AuditCoverage(SectionRecord):
    """Operations planned, and audited (at least one request answered or failed)."""

    __slots__ = ("planned", "audited", "keys", "extra")
    _fields = (("planned", _any, _none), ("audited", _any, _none))
    if TYPE_CHECKING:
        planned: int | None
        audited: int | None


class Focus(SectionRecord):
    """What ``--focus-failures`` spent: on which operations, in how many rounds and requests,
    and the findings before and after."""

    __slots__ = ("operations", "rounds", "requests", "findings_before", "findings_after",
                 "keys", "extra")
    _fields = (("operations", _list, list), ("rounds", _any, _none), ("requests", _any, _none),
               ("findings_before", _any, _none), ("findings_after", _any, _none))
    if TYPE_CHECKING:
        operations: list[str]
        rounds: int | None
        requests: int | None
        findings_before: int | None
        findings_after: int | None


class LiveSection(SectionRecord):
    """``sections["live"]``: what one live audit observed. docs/report-format.md describes
    each key. ``skipped`` lists the operations left out by the method rules, ``not_audited``
    every operation not tested (a report of an older shape has only ``skipped``);
    ``auth_probes`` is an older name of ``auth``; ``focus`` is there only with
    ``--focus-failures``."""

    __slots__ = ("base_url", "partial", "stop_reason", "duration_s", "requests", "budgets",
                 "latency", "error_rate", "auth", "auth_probes", "rate_limits", "methods",
                 "skipped", "not_audited", "operations", "credentials", "tools", "focus",
                 "keys", "extra")
    _fields = (("base_url", _any, str), ("partial", _any, _false),
               ("stop_reason", _any, _none), ("duration_s", _any, _zero),
               ("requests", LiveRequests, _blank(LiveRequests)),
               ("budgets", LiveBudgets, _blank(LiveBudgets)),
               ("latency", Latency, _blank(Latency)),
               ("error_rate", ErrorRate, _blank(ErrorRate)),
               ("auth", _records(AuthProbe), list), ("auth_probes", _records(AuthProbe), list),
               ("rate_limits", _records(RateLimitProbe), list),
               ("methods", Methods, _blank(Methods)),
               ("skipped", _records(NotAudited), list),
               ("not_audited", _records(NotAudited), list),
               ("operations", AuditCoverage, _blank(AuditCoverage)),
               ("credentials", _list, list), ("tools", _mapping, dict),
               ("focus", Focus, _blank(Focus)))
    if TYPE_CHECKING:
        base_url: str
        partial: bool
        stop_reason: str | None
        duration_s: float
        requests: LiveRequests
        budgets: LiveBudgets
        latency: Latency
        error_rate: ErrorRate
        auth: list[AuthProbe]
        auth_probes: list[AuthProbe]
        rate_limits: list[RateLimitProbe]
        methods: Methods
        skipped: list[NotAudited]
        not_audited: list[NotAudited]
        operations: AuditCoverage
        credentials: list[str]
        tools: dict[str, str]
        focus: Focus

    def auth_rows(self) -> list[AuthProbe]:
        """The auth probes, under their current name or the older one."""
        return self.auth if "auth" in self.keys else self.auth_probes


def read_live(data: Any) -> LiveSection | None:
    """The typed section of a ``live`` JSON object; None for anything else or an empty one."""
    return LiveSection.from_json(data) if data and isinstance(data, dict) else None


def live_section(report: Report) -> LiveSection | None:
    """The typed ``live`` section of `report`, None when it has none (no live audit)."""
    return read_live(report.sections.get("live"))
