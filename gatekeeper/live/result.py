"""What one live audit observed, and the JSON-safe section the reports show.

`LiveResult.section()` is the value of ``Report.sections["live"]`` (and so of ``sections.live``
in the JSON report). Its shape, which the HTML scorecard reads::

    {
      "base_url": "http://127.0.0.1:8000",
      "partial": false, "stop_reason": null,            # e.g. "interrupted (Ctrl-C)"
      "duration_s": 3.2,
      "requests": {"sent": 180, "max": 1000, "unsendable": 2,
                   "by_outcome": {"2xx": 120, "3xx": 0, "4xx": 50, "5xx": 4,
                                  "timeout": 1, "connection": 0}},
      "budgets": {"latency_p95_ms": 200, "error_rate": 0.001, "request_timeout_s": 10,
                  "max_duration_s": 300, "max_requests": 1000, "rate_limit_per_s": 10},
      "latency": {"overall": {"count", "p50_ms", "p95_ms", "p99_ms", "max_ms"},
                  "histogram": [{"le_ms": 5, "count": 3}, ..., {"le_ms": null, "count": 0}],
                  "operations": [{"operation": "GET /pets", "pointer": "#/paths/~1pets/get",
                                  "count", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                                  "within_budget": true, "statuses": {"200": 9, "401": 2},
                                  "notes": []}]},
      "error_rate": {"errors": 4, "total": 180, "rate": 0.022, "budget": 0.001,
                     "within_budget": false},
      "auth": [{"operation": "GET /pets", "schemes": ["bearerAuth"], "no_credentials": 401,
                "invalid_credentials": 401, "enforced": true, "note": ""}],
      "rate_limits": [{"operation": "GET /search", "documented_headers": ["Retry-After"],
                       "provoked": true, "requests": 0, "missing_headers": []}],
      "methods": {"allowed": ["GET", "HEAD", "OPTIONS"], "writes_allowed": false},
      "skipped": [{"operation": "POST /pets", "reason": "write method; ..."}],
      "not_audited": [],                                # planned but not reached (partial)
      "operations": {"planned": 9, "audited": 9},
      "credentials": ["Authorization from $API_TOKEN"],   # names and sources, never values
      "tools": {"schemathesis": "4.32.5"}
    }

Every string in it has passed through the run's `Redactor`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gatekeeper.live import stats as lstats
from gatekeeper.live.safety import SAFE_METHODS, Redactor

if TYPE_CHECKING:
    from gatekeeper.live.fuzz import CheckFailure
    from gatekeeper.live.runner import AuditOptions
    from gatekeeper.live.transport import Exchange, Sender

__all__ = ["AuthRow", "LiveResult", "Observation", "Observations", "OperationStats"]


@dataclass
class Observation:
    """One finding to be: the first occurrence of a rule on an operation, and a count."""

    rule: str
    operation: str | None  # label, or None for the whole API
    pointer: Any  # gatekeeper.Pointer
    message: str
    extra: dict[str, str]
    count: int = 1


class Observations:
    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.items: dict[tuple[str, str | None], Observation] = {}

    def add(self, rule: str, op: Any | None, message: str, ex: Exchange | None, sender: Sender | None,
            **extra: str) -> None:
        label = op.label if op is not None else None
        key = (rule, label)
        if key in self.items:
            self.items[key].count += 1
            return
        facts: dict[str, str] = {}
        if ex is not None:
            facts["request"] = f"{ex.method} {ex.url}"
            facts["outcome"] = str(ex.status) if ex.error is None else ex.error
            if ex.status is not None and ex.content_type:
                facts["content_type"] = ex.content_type
            if ex.body:
                facts["response_excerpt"] = ex.body_excerpt()
            if sender is not None:
                facts["curl"] = sender.curl(ex)
            facts["elapsed_ms"] = f"{ex.elapsed * 1000:.1f}"
        facts.update(extra)
        pointer = op.pointer if op is not None else None
        self.items[key] = Observation(rule, label, pointer, self.redactor.redact(message),
                                      {k: self.redactor.redact(v) for k, v in facts.items()})

    def check_failure(self, op: Any, failure: CheckFailure, ex: Exchange, sender: Sender, *,
                      negative: bool) -> None:
        from gatekeeper.live.fuzz import check_rule

        rule = check_rule(failure.check, ex.status)
        detail = "; ".join(line.strip() for line in failure.message.splitlines() if line.strip())
        if rule == "live/server-error":
            kind = "an invalid" if negative else "a valid"
            message = f"`{op.label}` answered {ex.status} to {kind} request"
        elif rule == "live/auth-not-enforced":
            what = "without credentials" if "without authentication" in failure.title else \
                "with generated (invalid) credentials"
            message = f"`{op.label}` accepted a request {what} with {ex.status}; expected 401 or 403"
        elif rule == "live/error-body-mismatch":
            message = f"`{op.label}` answered {ex.status} with an error body the document does not declare: " \
                      f"{failure.title}" + (f" ({detail})" if detail else "")
        else:
            message = f"`{op.label}`: {failure.title}" + (f" ({detail})" if detail else "")
        if len(message) > 400:
            message = message[:397] + "..."
        self.add(rule, op, message, ex, sender, check=failure.check, code=failure.code)


@dataclass
class AuthRow:
    operation: str
    schemes: list[str]
    no_credentials: int | str | None = None
    invalid_credentials: int | str | None = None
    note: str = ""

    @property
    def enforced(self) -> bool | None:
        values = [self.no_credentials, self.invalid_credentials]
        if any(v is None or isinstance(v, str) for v in values):
            return None
        return all(v in (401, 403) for v in values)

    def to_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "schemes": self.schemes, "no_credentials": self.no_credentials,
                "invalid_credentials": self.invalid_credentials, "enforced": self.enforced, "note": self.note}


@dataclass
class OperationStats:
    label: str
    pointer: Any
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    answered: int = 0
    transport_failures: int = 0
    unsendable: int = 0
    notes: set[str] = field(default_factory=set)

    def record(self, ex: Exchange) -> None:
        if not ex.sent:
            self.unsendable += 1
            return
        if ex.error is not None:
            self.transport_failures += 1
            self.statuses[ex.error] += 1
            return
        self.answered += 1
        self.statuses[str(ex.status)] += 1
        if ex.retried:
            self.notes.add(f"a dropped connection was retried once ({ex.retried})")
        if ex.purpose != "rate-limit":
            self.latencies.append(ex.elapsed)


@dataclass
class LiveResult:
    base_url: str
    options: AuditOptions
    redactor: Redactor
    schemathesis_version: str = ""
    planned: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    auth: list[AuthRow] = field(default_factory=list)
    rate_limits: list[dict[str, Any]] = field(default_factory=list)
    operations: dict[str, OperationStats] = field(default_factory=dict)
    stop_reason: str | None = None
    duration: float = 0.0
    observations: Observations = field(init=False)
    _section: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.observations = Observations(self.redactor)

    @property
    def partial(self) -> bool:
        return self.stop_reason is not None

    def stop(self, reason: str) -> None:
        self.stop_reason = reason

    def stats_for(self, op: Any) -> OperationStats:
        if op.label not in self.operations:
            self.operations[op.label] = OperationStats(op.label, op.pointer)
        return self.operations[op.label]

    def finish(self, sender: Sender, spec: Any) -> None:
        """Compute latency and error-rate verdicts once the traffic is over."""
        opts = self.options
        exchanges = sender.exchanges
        by_label = {op.label: op for op in spec.operations}
        sent = [ex for ex in exchanges if ex.sent]
        answered_latencies = [ex.elapsed for ex in sent if ex.error is None and ex.purpose != "rate-limit"]
        outcomes: Counter = Counter()
        for ex in sent:
            if ex.error == "timeout":
                outcomes["timeout"] += 1
            elif ex.error is not None:
                outcomes["connection"] += 1
            else:
                outcomes[f"{(ex.status or 0) // 100}xx"] += 1
        op_rows = []
        for label, st in self.operations.items():
            summary = lstats.summary(st.latencies)
            p95 = summary["p95_ms"]
            within = p95 is None or p95 <= opts.latency_budget_ms
            op_rows.append({"operation": label, "pointer": str(st.pointer), **summary, "within_budget": within,
                            "statuses": dict(sorted(st.statuses.items())), "notes": sorted(st.notes)})
            if not within and label in by_label:
                slowest = max((ex for ex in exchanges if ex.operation == label and ex.error is None
                               and ex.purpose != "rate-limit"), key=lambda ex: ex.elapsed, default=None)
                self.observations.add(
                    "live/latency-budget-exceeded", by_label[label],
                    f"`{label}` p95 latency is {p95:g} ms over {summary['count']} requests, "
                    f"over the {opts.latency_budget_ms:g} ms budget", slowest, sender,
                    p50_ms=str(summary["p50_ms"]), p95_ms=str(p95), p99_ms=str(summary["p99_ms"]))
        errors = sum(1 for ex in sent if ex.error is not None or (ex.status or 0) >= 500)
        total = len(sent)
        rate = errors / total if total else 0.0
        within_rate = rate <= opts.error_rate_budget + 1e-12
        if not within_rate:
            self.observations.add(
                "live/error-rate-exceeded", None,
                f"Server error rate is {rate * 100:.2f} % ({errors} of {total} requests answered 5xx, timed out "
                f"or failed), over the {opts.error_rate_budget * 100:g} % budget", None, None)
        not_audited = [label for label in self.planned if label not in self.done]
        if self.partial:
            reached = len(self.done)
            self.observations.add(
                "live/audit-incomplete", None,
                f"The audit stopped early: {self.stop_reason}; {reached} of {len(self.planned)} operations "
                f"completed", None, None, not_audited=", ".join(not_audited))
        methods = sorted(SAFE_METHODS | {m.upper() for m in opts.allow_methods})
        self._section = self.redactor.redact_data({
            "base_url": self.base_url,
            "partial": self.partial,
            "stop_reason": self.stop_reason,
            "duration_s": round(self.duration, 2),
            "requests": {"sent": total, "max": opts.max_requests,
                         "unsendable": sum(1 for ex in exchanges if not ex.sent),
                         "by_outcome": {k: outcomes.get(k, 0) for k in
                                        ("2xx", "3xx", "4xx", "5xx", "timeout", "connection")}},
            "budgets": {"latency_p95_ms": opts.latency_budget_ms, "error_rate": opts.error_rate_budget,
                        "request_timeout_s": opts.request_timeout, "max_duration_s": opts.max_duration,
                        "max_requests": opts.max_requests, "rate_limit_per_s": opts.rate_limit},
            "latency": {"overall": lstats.summary(answered_latencies),
                        "histogram": lstats.histogram(answered_latencies),
                        "operations": op_rows},
            "error_rate": {"errors": errors, "total": total, "rate": round(rate, 6),
                           "budget": opts.error_rate_budget, "within_budget": within_rate},
            "auth": [row.to_dict() for row in self.auth],
            "rate_limits": self.rate_limits,
            "methods": {"allowed": "all" if opts.allow_writes else methods, "writes_allowed": opts.allow_writes},
            "skipped": self.skipped,
            "not_audited": not_audited,
            "operations": {"planned": len(self.planned), "audited": len(self.done)},
            "credentials": list(opts.credentials.sources),
            "tools": {"schemathesis": self.schemathesis_version},
        })

    def section(self) -> dict[str, Any]:
        return self._section
