"""What one live audit observed, and the JSON-safe section the reports show.

`LiveResult.section()` is the value of ``Report.sections["live"]`` (and so of ``sections.live``
in the JSON report). Its shape (docs/report-format.md describes each key; the reporters read it
through the records of `gatekeeper.sections.live`, which a key added here must join)::

    {
      "base_url": "http://127.0.0.1:8000",
      "partial": false, "stop_reason": null,            # e.g. "interrupted (Ctrl-C)"
      "duration_s": 3.2,
      "requests": {"sent": 180, "max": 1000, "unsendable": 2,
                   "by_outcome": {"2xx": 120, "3xx": 0, "4xx": 50, "5xx": 4,
                                  "timeout": 1, "connection": 0, "cut": 0}},
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
      "not_audited": [{"operation": "POST /pets", "reason": "write method; ..."},
                      {"operation": "GET /a/{id}", "reason": "no request was sent: ..."}],
      "operations": {"planned": 9, "audited": 8},       # audited: at least one answer or failure
      "credentials": ["Authorization from $API_TOKEN"],   # names and sources, never values
      "tools": {"schemathesis": "4.32.5"},
      "focus": {"operations": ["GET /stats/{metric}"], "rounds": 12,   # only with --focus-failures
                "requests": 380, "findings_before": 5, "findings_after": 6}
    }

Every string in it has passed through the run's `Redactor`.

``cut`` counts requests the audit itself stopped at the end of its time budget: they are no
timeout of the server's and are left out of the error rate. An operation is audited when at
least one of its requests reached the server and was not cut; every other operation is in
``not_audited`` with the reason, and reported by the ``live/operation-not-audited`` rule.
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
        self.items: dict[tuple[str, str | None, str | None], Observation] = {}

    def add(self, rule: str, op: Any | None, message: str, ex: Exchange | None, sender: Sender | None,
            **extra: str) -> None:
        label = op.label if op is not None else None
        outcome = None if ex is None else (str(ex.status) if ex.error is None else ex.error)
        key = (rule, label, outcome)  # a 500 and a 503 are two findings, each with its count
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
                facts["response_excerpt"] = ex.body_excerpt(self.redactor)
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
        elif rule == "live/error-body-mismatch":
            message = f"`{op.label}` answered {ex.status} with an error body the document does not declare: " \
                      f"{failure.title}" + (f" ({detail})" if detail else "")
        else:
            message = f"`{op.label}`: {failure.title}" + (f" ({detail})" if detail else "")
        message = self.redactor.shorten(message, 397)  # redacted first: no cut-off secret survives
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
        """True: both probes got 401/403; False: one was accepted (2xx); None: not shown either
        way (no answer, or a status such as 422 that a server may give before authenticating)."""
        values = [self.no_credentials, self.invalid_credentials]
        if any(isinstance(v, int) and 200 <= v < 300 for v in values):
            return False
        if all(v in (401, 403) for v in values):
            return True
        return None

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
    cut: int = 0  # stopped by the end of the audit's time budget
    transport_failures: int = 0
    unsendable: int = 0
    notes: set[str] = field(default_factory=set)

    def record(self, ex: Exchange) -> None:
        if not ex.sent:
            self.unsendable += 1
            return
        if ex.cut:
            self.cut += 1
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
    focus: dict[str, Any] | None = None  # what --focus-failures spent, when it ran
    no_cases: dict[str, str] = field(default_factory=dict)  # operation -> why nothing was generated
    observations: Observations = field(init=False)
    _section: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.observations = Observations(self.redactor)

    @property
    def audited(self) -> list[str]:
        """Operations at least one request of which reached the server and was not cut."""
        return [label for label in self.done if label in self.operations
                and (self.operations[label].answered or self.operations[label].transport_failures)]

    def not_audited(self) -> list[dict[str, str]]:
        """Every operation the audit did not test, with the reason."""
        rows = [dict(row) for row in self.skipped]
        listed = {row["operation"] for row in rows}
        audited = set(self.audited)
        for label in self.planned:
            if label in audited or label in listed:
                continue
            st = self.operations.get(label)
            if label not in self.done:
                if st is not None and st.cut:
                    reason = f"its only requests were cut by the end of the audit ({self.stop_reason})"
                else:
                    reason = f"not reached: {self.stop_reason or 'the audit stopped'}"
            elif st is not None and st.unsendable:
                notes = "; ".join(sorted(st.notes))
                reason = f"no request could be sent ({st.unsendable} generated, none sendable" + \
                    (f": {notes}" if notes else "") + ")"
            else:
                reason = self.no_cases.get(label) or "no request was generated: the document gives no " \
                    "value the generator can produce for its parameters or body"
            rows.append({"operation": label, "reason": reason})
        return rows

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
        sent = [ex for ex in exchanges if ex.sent and not ex.cut]
        answered_latencies = [ex.elapsed for ex in sent if ex.error is None and ex.purpose != "rate-limit"]
        outcomes: Counter = Counter(cut=sum(1 for ex in exchanges if ex.cut))
        for ex in sent:
            if ex.error == "timeout":
                outcomes["timeout"] += 1
            elif ex.error is not None:
                outcomes["connection"] += 1
            else:
                outcomes[f"{(ex.status or 0) // 100}xx"] += 1
        op_rows = self._operation_rows(sender, by_label)
        errors = sum(1 for ex in sent if ex.error is not None or (ex.status or 0) >= 500)
        total = len(sent)
        rate = errors / total if total else 0.0
        within_rate = rate <= opts.error_rate_budget + 1e-12
        if not within_rate:
            self.observations.add(
                "live/error-rate-exceeded", None,
                f"Server error rate is {rate * 100:.2f} % ({errors} of {total} requests answered 5xx, timed out "
                f"or failed), over the {opts.error_rate_budget * 100:g} % budget", None, None)
        not_audited, audited = self._coverage(by_label)
        methods = sorted(SAFE_METHODS | {m.upper() for m in opts.allow_methods})
        self._section = self.redactor.redact_data({
            "base_url": self.base_url,
            "partial": self.partial,
            "stop_reason": self.stop_reason,
            "duration_s": round(self.duration, 2),
            "requests": {"sent": total, "max": opts.max_requests,
                         "unsendable": sum(1 for ex in exchanges if not ex.sent),
                         "by_outcome": {k: outcomes.get(k, 0) for k in
                                        ("2xx", "3xx", "4xx", "5xx", "timeout", "connection", "cut")}},
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
            "operations": {"planned": len(self.planned), "audited": len(audited)},
            "credentials": list(opts.credentials.sources),
            "tools": {"schemathesis": self.schemathesis_version},
            **({"focus": self.focus} if self.focus is not None else {}),
        })

    def _operation_rows(self, sender: Sender, by_label: dict[str, Any]) -> list[dict[str, Any]]:
        """Each operation's latency figures against the p95 budget; an observation for each
        operation over it."""
        opts = self.options
        exchanges = sender.exchanges
        op_rows = []
        for label, st in self.operations.items():
            summary = lstats.summary(st.latencies)
            p95 = summary["p95_ms"]
            within = p95 is None or p95 <= opts.latency_budget_ms
            if summary["count"] == 0:
                within = None  # nothing answered: no verdict
            op_rows.append({"operation": label, "pointer": str(st.pointer), **summary, "within_budget": within,
                            "statuses": dict(sorted(st.statuses.items())), "notes": sorted(st.notes)})
            if within is False and label in by_label:
                slowest = max((ex for ex in exchanges if ex.operation == label and ex.error is None
                               and ex.purpose != "rate-limit"), key=lambda ex: ex.elapsed, default=None)
                self.observations.add(
                    "live/latency-budget-exceeded", by_label[label],
                    f"`{label}` p95 latency is {p95:g} ms over {summary['count']} requests, "
                    f"over the {opts.latency_budget_ms:g} ms budget", slowest, sender,
                    p50_ms=str(summary["p50_ms"]), p95_ms=str(p95), p99_ms=str(summary["p99_ms"]))
        return op_rows

    def _coverage(self, by_label: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
        """Observations for an audit that stopped early, for each operation not audited and
        for an audit that tested nothing; returns (the not-audited rows, the audited
        operations)."""
        not_reached = [label for label in self.planned if label not in self.done]
        not_audited = self.not_audited()
        if self.partial:
            reached = len(self.done)
            self.observations.add(
                "live/audit-incomplete", None,
                f"The audit stopped early: {self.stop_reason}; {reached} of {len(self.planned)} operations "
                f"completed", None, None, not_audited=", ".join(not_reached))
        for row in not_audited:
            op = by_label.get(row["operation"])
            self.observations.add("live/operation-not-audited", op,
                                  f"`{row['operation']}` was not audited: {row['reason']}", None, None)
        audited = self.audited
        if not audited:
            total_ops = len(self.planned) + len(self.skipped)
            self.observations.add(
                "live/nothing-audited", None,
                f"The audit tested none of the {total_ops} operation(s): no request reached the server "
                f"for any of them (see the not-audited list for why); this run proves nothing",
                None, None)
        return not_audited, audited

    def section(self) -> dict[str, Any]:
        return self._section
