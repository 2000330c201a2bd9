"""The ``perf`` gate: the figures of one load run against the performance budgets.

Budgets (flags or the ``[load]`` config table): p95 latency per operation and overall
(``latency-budget``, 200 ms), error rate (``error-rate-budget``, 0.1 % of requests: 5xx answers,
timeouts and failed connections) and, optionally, a minimum throughput (``min-rps``). The gate
is mandatory whenever a load test ran: a run that measured nothing, or stopped because the
service stopped answering, fails rather than passes. Its metric is the share of load-tested
operations within the latency and error budgets.

Each rule is a function with its docs in its docstring; `perf_gate` binds them to one run's
`LoadResult` (unbound, they form the catalogue `gatekeeper rules` and `explain` show).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gatekeeper.gate import Gate, Violation, rule
from gatekeeper.loadtest.result import LoadResult
from gatekeeper.report import Metric, Severity

__all__ = ["GATE_NAME", "Budgets", "perf_gate", "perf_gate_catalogue"]

GATE_NAME = "perf"
DESCRIPTION = ("Performance under load: the spec's operations, driven concurrently by a load test "
               "derived from the document, answer within the latency budget (p95) with an error "
               "rate under budget.")

#: Below this many requests an operation's p95 says little; it is reported, not judged.
MIN_SAMPLES = 20


@dataclass(frozen=True)
class Budgets:
    latency_ms: float = 200.0
    error_rate: float = 0.001  # a fraction: 0.001 is 0.1 %
    min_rps: float | None = None


def _pointer(spec: Any, pointer_text: str) -> Any:
    from gatekeeper.pointer import Pointer

    if not pointer_text:
        return spec.root
    try:
        return Pointer.parse(pointer_text) if hasattr(Pointer, "parse") else spec.root
    except Exception:  # a pointer we wrote ourselves; fall back to the root rather than fail
        return spec.root


def operation_p95_over_budget(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    Checks that each load-tested operation's 95th-percentile latency under load is within the
    latency budget (`--latency-budget`, 200 ms by default).

    ## Why is this bad?
    The service level promise is about what 95 % of requests see at the concurrency you ship;
    an operation that is fast alone but slow under load breaks it for its callers exactly when
    traffic peaks.

    ## Example
    `GET /reports` p95 is 910 ms at 50 users (1,204 requests), budget 200 ms.
    """
    for op in result.operations:
        data = op.as_json()
        p95 = data["p95"]
        if op.requests >= MIN_SAMPLES and p95 is not None and p95 > budgets.latency_ms:
            yield Violation(_pointer(spec, op.pointer),
                            f"`{op.name}` p95 is {p95:g} ms at {result.users} users "
                            f"({op.requests} requests), budget {budgets.latency_ms:g} ms",
                            subject=op.name)


def overall_p95_over_budget(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    Checks that the 95th-percentile latency over all requests of the load test is within the
    latency budget.

    ## Why is this bad?
    "95 % of requests under 200 ms" is a promise about the service as a whole; a few slow,
    heavily used operations break it even when most operations are fast.

    ## Example
    p95 over 8,204 requests is 350 ms at 50 users, budget 200 ms.
    """
    totals = result.totals()
    p95 = totals["p95"]
    if totals["requests"] >= MIN_SAMPLES and p95 is not None and p95 > budgets.latency_ms:
        yield Violation(spec.root, f"p95 over {totals['requests']} requests is {p95:g} ms at "
                        f"{result.users} users, budget {budgets.latency_ms:g} ms",
                        subject="overall p95")


def error_rate_over_budget(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    Checks that the share of failed requests under load (5xx answers, timeouts, failed
    connections) is within the error-rate budget (`--error-rate-budget`, 0.1 % by default).
    4xx answers are the service's to give and do not count.

    ## Why is this bad?
    Errors that appear only under concurrency (pool exhaustion, lock timeouts, overload
    shedding) are invisible to one-request-at-a-time checks and hit users at peak traffic.

    ## Example
    Error rate 2.1 % (43 of 2,040 requests: 40 `HTTP 503`, 3 timeouts), budget 0.1 %.
    """
    totals = result.totals()
    if totals["requests"] and totals["error_rate"] > budgets.error_rate:
        kinds = ", ".join(f"{e['count']} {e['error']}" for e in result.errors[:5])
        yield Violation(spec.root, f"error rate {totals['error_rate'] * 100:.2f} % "
                        f"({totals['errors']} of {totals['requests']} requests"
                        f"{': ' + kinds if kinds else ''}), budget {budgets.error_rate * 100:g} %",
                        subject="error rate")


def throughput_below_target(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    With `--min-rps`, checks that the load test reached at least that many requests per
    second over the run.

    ## Why is this bad?
    A service that meets its latency budget only because it cannot accept more work does not
    meet the capacity it is planned for.

    ## Example
    Throughput 41.5 requests/s, target at least 100.
    """
    rps = result.totals()["rps"]
    if budgets.min_rps and result.total_requests and rps < budgets.min_rps:
        yield Violation(spec.root, f"throughput {rps:g} requests/s, target at least "
                        f"{budgets.min_rps:g}", subject="throughput")


def nothing_measured(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    Fails a load test that measured nothing (no operation could be load-tested, or no
    request got an answer) or that ended because the service stopped answering.

    ## Why is this bad?
    A performance gate that measured nothing has not been passed; reporting it as passed
    would merge an unchecked claim.

    ## Example
    No request was sent: all 4 operations are writes (pass `--allow-writes` to load-test them).
    """
    answered = result.total_requests - result.total_errors
    if not result.operations or result.total_requests == 0:
        reasons = "; ".join(f"{s['operation']}: {s['reason']}" for s in result.skipped[:3])
        yield Violation(spec.root, "the load test measured nothing" +
                        (f" ({reasons})" if reasons else f" ({result.stop_reason})"),
                        subject="nothing measured")
    elif answered == 0 or result.stop_reason.startswith("the service stopped answering"):
        yield Violation(spec.root, f"the load test ended early: {result.stop_reason}",
                        subject="nothing measured")


def not_load_tested(spec: Any, result: LoadResult, budgets: Budgets) -> Iterator[Violation]:
    """## What it does
    Lists the operations the load test left out, with the reason (a write method while the
    test is read-only, no valid request could be built from the document, a weight of 0), and
    operations that got too few requests for a meaningful p95.

    ## Why is this bad?
    An operation that was not measured has no verdict; the report says so rather than count
    it as passed. Add an example for its required inputs, or allow its method.

    ## Example
    `POST /pets` was not load-tested: write method; pass --allow-writes to load-test it.
    """
    for item in result.skipped:
        yield Violation(spec.root, f"`{item['operation']}` was not load-tested: {item['reason']}",
                        subject=item["operation"])
    for op in result.operations:
        if 0 < op.requests < MIN_SAMPLES:
            yield Violation(_pointer(spec, op.pointer),
                            f"`{op.name}` got only {op.requests} requests under load (fewer than "
                            f"{MIN_SAMPLES}): its p95 is not judged", subject=op.name)


_RULES: tuple[tuple[str, Severity, Callable[..., Iterator[Violation]]], ...] = (
    ("perf/nothing-measured", Severity.ERROR, nothing_measured),
    ("perf/operation-p95-over-budget", Severity.ERROR, operation_p95_over_budget),
    ("perf/overall-p95-over-budget", Severity.ERROR, overall_p95_over_budget),
    ("perf/error-rate-over-budget", Severity.ERROR, error_rate_over_budget),
    ("perf/throughput-below-target", Severity.ERROR, throughput_below_target),
    ("perf/not-load-tested", Severity.INFO, not_load_tested),
)


def _bind(rule_id: str, severity: Severity, check: Callable[..., Iterator[Violation]],
          result: LoadResult | None, budgets: Budgets):
    def bound(spec: Any) -> Iterator[Violation]:
        if result is None:
            return iter(())
        return check(spec, result, budgets)

    bound.__doc__ = check.__doc__
    bound.__name__ = check.__name__
    return rule(rule_id, severity=severity)(bound)


def perf_gate(result: LoadResult | None = None, budgets: Budgets | None = None) -> Gate:
    """The perf gate bound to ``result`` (unbound: the catalogue, for ``rules``/``explain``)."""
    budgets = budgets or Budgets()
    rules = tuple(_bind(rid, sev, check, result, budgets) for rid, sev, check in _RULES)

    def within_budget(spec: Any) -> Metric:
        """Share of load-tested operations within the latency and error budgets."""
        if result is None:
            return Metric.ratio(0, 0, "operations within budget under load")
        judged = [o for o in result.operations if o.requests >= MIN_SAMPLES]
        good = [o for o in judged if (o.as_json()["p95"] or 0) <= budgets.latency_ms
                and o.error_rate <= budgets.error_rate]
        return Metric.ratio(len(good), len(judged), "operations within budget under load",
                            failing=sorted({o.name for o in judged} - {o.name for o in good}))

    return Gate(GATE_NAME, title="Performance under load", rules=rules, metric=within_budget,
                threshold=None, description=DESCRIPTION, mandatory=result is not None)


def perf_gate_catalogue() -> Gate:
    return perf_gate(None)
