"""The typed ``load`` section: what a load test measured (``gatekeeper check --live URL
--load``, ``gatekeeper load``).

`gatekeeper.loadtest.result.LoadResult.section` writes it; docs/report-format.md describes
each key. The reporters read it through `load_section` and these records, never through
`gatekeeper.loadtest`.

Every figure defaults to None: the views print a missing figure as a dash (``–``) and a
missing name as ``None``, as they did when they read the dict.
"""

from __future__ import annotations

from gatekeeper.sections import SectionRecord, _any, _blank, _false, _none, _records

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.report import Report

__all__ = ["LoadErrorCount", "LoadFigures", "LoadOperation", "LoadSection", "LoadSettings",
           "NotLoadTested", "TimelinePoint", "load_section", "read_load"]


class LoadSettings(SectionRecord):
    """The options of the run (`LoadOptions.summary`): users, spawn rate, limits, budgets
    (``latency_budget_ms``, ``error_rate_budget_percent``, ``min_rps``), ``read_only``,
    ``distributed`` and ``workers``."""

    __slots__ = ("users", "spawn_rate", "max_duration_s", "max_requests", "think_time_s",
                 "target_rps", "request_timeout_s", "latency_budget_ms",
                 "error_rate_budget_percent", "min_rps", "read_only", "distributed", "workers",
                 "keys", "extra")
    _fields = (("users", _any, _none), ("spawn_rate", _any, _none),
               ("max_duration_s", _any, _none), ("max_requests", _any, _none),
               ("think_time_s", _any, _none), ("target_rps", _any, _none),
               ("request_timeout_s", _any, _none), ("latency_budget_ms", _any, _none),
               ("error_rate_budget_percent", _any, _none), ("min_rps", _any, _none),
               ("read_only", _any, _none), ("distributed", _any, _none),
               ("workers", _any, _none))
    if TYPE_CHECKING:
        users: int | None
        spawn_rate: float | None
        max_duration_s: float | None
        max_requests: int | None
        think_time_s: list[float] | None
        target_rps: float | None
        request_timeout_s: float | None
        latency_budget_ms: float | None
        error_rate_budget_percent: float | None
        min_rps: float | None
        read_only: bool | None
        distributed: bool | None
        workers: int | None


class LoadFigures(SectionRecord):
    """Requests, errors (5xx, timeouts, failed connections), ``error_rate`` (a fraction),
    requests per second and response-time percentiles and maximum (ms), over all requests."""

    __slots__ = ("requests", "errors", "error_rate", "rps", "p50", "p95", "p99", "max", "keys",
                 "extra")
    _fields = (("requests", _any, _none), ("errors", _any, _none), ("error_rate", _any, _none),
               ("rps", _any, _none), ("p50", _any, _none), ("p95", _any, _none),
               ("p99", _any, _none), ("max", _any, _none))
    if TYPE_CHECKING:
        requests: int | None
        errors: int | None
        error_rate: float | None
        rps: float | None
        p50: float | None
        p95: float | None
        p99: float | None
        max: float | None


class LoadOperation(SectionRecord):
    """One operation's figures (the `LoadFigures` keys) under its Locust ``name``, with its
    ``method`` and ``pointer``."""

    __slots__ = ("name", "method", "requests", "errors", "error_rate", "rps", "p50", "p95", "p99",
                 "max", "pointer", "keys", "extra")
    _fields = (("name", _any, _none), ("method", _any, _none), ("requests", _any, _none),
               ("errors", _any, _none), ("error_rate", _any, _none), ("rps", _any, _none),
               ("p50", _any, _none), ("p95", _any, _none), ("p99", _any, _none),
               ("max", _any, _none), ("pointer", _any, _none))
    if TYPE_CHECKING:
        name: str | None
        method: str | None
        requests: int | None
        errors: int | None
        error_rate: float | None
        rps: float | None
        p50: float | None
        p95: float | None
        p99: float | None
        max: float | None
        pointer: str | None


class TimelinePoint(SectionRecord):
    """One progress sample: seconds since the start (``t``), users, requests per second,
    p50 and p95 (ms), and the requests and failures so far."""

    __slots__ = ("t", "users", "rps", "p50", "p95", "requests", "failures", "keys", "extra")
    _fields = (("t", _any, _none), ("users", _any, _none), ("rps", _any, _none),
               ("p50", _any, _none), ("p95", _any, _none), ("requests", _any, _none),
               ("failures", _any, _none))
    if TYPE_CHECKING:
        t: float | None
        users: int | None
        rps: float | None
        p50: float | None
        p95: float | None
        requests: int | None
        failures: int | None


class NotLoadTested(SectionRecord):
    """An operation left out of the request mix, and why."""

    __slots__ = ("operation", "reason", "keys", "extra")
    _fields = (("operation", _any, _none), ("reason", _any, _none))
    if TYPE_CHECKING:
        operation: str | None
        reason: str | None


class LoadErrorCount(SectionRecord):
    """An error Locust recorded, and how many times."""

    __slots__ = ("error", "count", "keys", "extra")
    _fields = (("error", _any, _none), ("count", _any, _none))
    if TYPE_CHECKING:
        error: str | None
        count: int | None


class LoadSection(SectionRecord):
    """``sections["load"]``: what one load test measured. docs/report-format.md describes
    each key."""

    __slots__ = ("base_url", "options", "stop_reason", "interrupted", "duration_s", "users",
                 "workers", "totals", "operations", "timeline", "skipped", "errors", "keys",
                 "extra")
    _fields = (("base_url", _any, _none), ("options", LoadSettings, _blank(LoadSettings)),
               ("stop_reason", _any, _none), ("interrupted", _any, _false),
               ("duration_s", _any, _none), ("users", _any, _none), ("workers", _any, _none),
               ("totals", LoadFigures, _blank(LoadFigures)),
               ("operations", _records(LoadOperation), list),
               ("timeline", _records(TimelinePoint), list),
               ("skipped", _records(NotLoadTested), list),
               ("errors", _records(LoadErrorCount), list))
    if TYPE_CHECKING:
        base_url: str | None
        options: LoadSettings
        stop_reason: str | None
        interrupted: bool
        duration_s: float | None
        users: int | None
        workers: int | None
        totals: LoadFigures
        operations: list[LoadOperation]
        timeline: list[TimelinePoint]
        skipped: list[NotLoadTested]
        errors: list[LoadErrorCount]


def read_load(data: Any) -> LoadSection | None:
    """The typed section of a ``load`` JSON object; None for anything else or an empty one."""
    return LoadSection.from_json(data) if data and isinstance(data, dict) else None


def load_section(report: Report) -> LoadSection | None:
    """The typed ``load`` section of `report`, None when it has none (no load test)."""
    return read_load(report.sections.get("load"))
