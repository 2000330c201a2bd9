"""What a load run measured, from Locust's own statistics.

Percentiles are computed from Locust's response-time histogram (milliseconds, rounded the way
Locust rounds them: exact below 100 ms, two significant digits above), per operation and over
all requests, so they match what Locust itself reports for the same run. Errors are what the
performance gate counts: 5xx answers, timeouts and failed connections.

`LoadResult.section()` is the report's ``load`` section (plain JSON; docs/report-format.md
describes each key, and the reporters read it through the records of `gatekeeper.sections.load`,
which a key added here must join):

``{"base_url", "options": {...}, "stop_reason", "interrupted", "duration_s", "users", "workers",
"totals": {"requests", "errors", "error_rate", "rps", "p50", "p95", "p99", "max"},
"operations": [{"name", "method", "requests", "errors", "error_rate", "rps", "p50", "p95",
"p99", "max", "pointer"}], "timeline": [{"t", "users", "rps", "p50", "p95", "requests",
"failures"}], "skipped": [{"operation", "reason"}], "errors": [{"error", "count"}]}``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoadResult", "OperationFigures", "percentile"]


def percentile(histogram: Mapping[float, int], fraction: float) -> float | None:
    """The smallest response time with at least ``fraction`` of the requests at or below it."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted = fraction * total
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= wanted:
            return float(value)
    return float(max(histogram))


@dataclass
class OperationFigures:
    name: str
    method: str
    requests: int
    errors: int
    duration_s: float
    histogram: dict[float, int]
    max_ms: float
    pointer: str = ""

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "method": self.method, "requests": self.requests,
            "errors": self.errors, "error_rate": round(self.error_rate, 6),
            "rps": round(self.requests / self.duration_s, 2) if self.duration_s > 0 else 0.0,
            "p50": percentile(self.histogram, 0.50), "p95": percentile(self.histogram, 0.95),
            "p99": percentile(self.histogram, 0.99), "max": round(self.max_ms, 1),
            "pointer": self.pointer,
        }


@dataclass
class LoadResult:
    base_url: str
    options: dict[str, Any]
    operations: list[OperationFigures] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "finished"
    duration_s: float = 0.0
    users: int = 0
    workers: int = 0
    interrupted: bool = False

    @classmethod
    def from_locust(cls, stats: Sequence[Mapping[str, Any]], *, base_url: str,
                    options: dict[str, Any], pointers: Mapping[str, str]) -> LoadResult:
        """From the entries of Locust's ``--json-file`` output."""
        result = cls(base_url=base_url, options=options)
        start = min((float(e.get("start_time") or 0) for e in stats), default=0.0)
        end = max((float(e.get("last_request_timestamp") or 0) for e in stats), default=0.0)
        duration = max(end - start, 1e-9) if stats else 0.0
        result.duration_s = round(duration, 3)
        for entry in stats:
            histogram = {float(k): int(v) for k, v in (entry.get("response_times") or {}).items()}
            name = str(entry.get("name", ""))
            result.operations.append(OperationFigures(
                name=name, method=str(entry.get("method", "")),
                requests=int(entry.get("num_requests") or 0),
                errors=int(entry.get("num_failures") or 0), duration_s=duration,
                histogram=histogram, max_ms=float(entry.get("max_response_time") or 0),
                pointer=pointers.get(name, "")))
        result.operations.sort(key=lambda o: o.name)
        return result

    @property
    def total_requests(self) -> int:
        return sum(o.requests for o in self.operations)

    @property
    def total_errors(self) -> int:
        return sum(o.errors for o in self.operations)

    def totals(self) -> dict[str, Any]:
        histogram: dict[float, int] = {}
        for op in self.operations:
            for value, count in op.histogram.items():
                histogram[value] = histogram.get(value, 0) + count
        requests = self.total_requests
        return {
            "requests": requests, "errors": self.total_errors,
            "error_rate": round(self.total_errors / requests, 6) if requests else 0.0,
            "rps": round(requests / self.duration_s, 2) if self.duration_s > 0 else 0.0,
            "p50": percentile(histogram, 0.50), "p95": percentile(histogram, 0.95),
            "p99": percentile(histogram, 0.99),
            "max": round(max((o.max_ms for o in self.operations), default=0.0), 1),
        }

    def section(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "options": dict(self.options),
            "stop_reason": self.stop_reason,
            "interrupted": self.interrupted,
            "duration_s": self.duration_s,
            "users": self.users,
            "workers": self.workers,
            "totals": self.totals(),
            "operations": [o.as_json() for o in self.operations],
            "timeline": list(self.timeline),
            "skipped": list(self.skipped),
            "errors": list(self.errors),
        }
