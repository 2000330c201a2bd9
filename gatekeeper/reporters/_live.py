"""The ``live`` section for people: the terminal's summary and the HTML scorecard's view.

Both read the typed section (`gatekeeper.sections.live.LiveSection`), which tolerates a
report edited by hand or merged from JSON files; the values are still checked where a wrong
kind would break the text. Every value that came from the spec or the server (operation
labels, notes, headers) passes through ``terminal_safe`` or the page's ``safe_text`` (R15).
"""

from __future__ import annotations

from gatekeeper.report import Report
from gatekeeper.reporters._html_text import compact, num, percent, safe_text
from gatekeeper.safe_text import terminal_safe
from gatekeeper.sections.live import LiveSection, live_section, read_live

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.sections.live import HistogramBucket, NotAudited, OperationLatency

__all__ = ["html_view", "terminal_text"]


def _safe(text: object) -> str:
    return terminal_safe(str(text))


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def _get(record: Any, name: str, default: Any) -> Any:
    """The field, or `default` where its key was missing: the terminal's defaults (0 requests,
    a 200 ms budget) are not the records' (None: the page prints a dash)."""
    return getattr(record, name) if name in record.keys else default


def terminal_text(section: LiveSection) -> str:
    """Printed first by the terminal reporter: latency per operation against the budget, the
    error rate, the auth probe table, rate limits, what was not audited and, for a partial
    run, why it stopped."""
    out = [_headline(section)]
    rows = section.latency.operations
    width = min(48, max((len(_safe(r.operation)) for r in rows), default=0))
    out += [f"    {_mark(r):<7} {_safe(r.operation):<{width}}  n={_get(r, 'count', 0):<4} "
            f"p50 {_ms(r.p50_ms):>7}  p95 {_ms(r.p95_ms):>7}  p99 {_ms(r.p99_ms):>7} ms"
            for r in rows]
    er = section.error_rate
    if er.given():
        verdict = "ok" if er.within_budget else "OVER BUDGET"
        out.append(f"  error rate  {_get(er, 'rate', 0) * 100:.2f} % ({_get(er, 'errors', 0)} "
                   f"of {_get(er, 'total', 0)}), budget {_get(er, 'budget', 0) * 100:g} %  "
                   f"{verdict}")
    if section.auth:
        out.append("  auth probes (no credentials / invalid credentials -> expected 401 or 403)")
    for row in section.auth:
        enforced = {True: "enforced", False: "NOT ENFORCED"}.get(row.enforced, "inconclusive")
        note = f" ({_safe(row.note)})" if row.note else ""
        out.append(f"    {_safe(row.operation)}: {row.no_credentials} / "
                   f"{row.invalid_credentials}  {enforced}{note}")
    for limit in section.rate_limits:
        state = "429 observed" if limit.provoked else "not provoked"
        missing = limit.missing_headers
        out.append(f"  rate limit  {_safe(limit.operation)}: {state}"
                   + (f", missing {', '.join(_safe(h) for h in missing)}" if missing else ""))
    out += _focus_and_coverage(section)
    return "\n".join(out) + "\n"


def _headline(section: LiveSection) -> str:
    head = f"Live audit of {_safe(section.base_url)}: {_get(section.requests, 'sent', 0)} " \
           f"requests in {section.duration_s:g} s"
    if section.partial:
        head += f"  PARTIAL: {_safe(section.stop_reason)}"
    overall = section.latency.overall
    budget = _get(section.budgets, "latency_p95_ms", 200)
    return head + f"\n  latency  p50 {_ms(overall.p50_ms)} ms  p95 {_ms(overall.p95_ms)} ms  " \
        f"p99 {_ms(overall.p99_ms)} ms  (budget p95 {budget:g} ms per operation)"


def _mark(row: OperationLatency) -> str:
    statuses = row.statuses
    if "timeout" in statuses:
        return "TIMEOUT"  # never "ok" beside a request that got no answer in time
    if any(not str(k)[:1].isdigit() for k in statuses):
        return "FAILED"
    if any(str(k).startswith("5") for k in statuses):
        return "5xx"  # the latency may be fine; the answers were not
    if row.within_budget is None:
        return "-"
    return "ok" if row.within_budget else "OVER"


def _focus_and_coverage(section: LiveSection) -> list[str]:
    out = []
    focus = section.focus
    if focus.given():
        out.append(f"  focus on failures: {_get(focus, 'requests', 0)} more requests in "
                   f"{_get(focus, 'rounds', 0)} round(s) to {len(focus.operations)} "
                   f"operation(s); findings {_get(focus, 'findings_before', 0)} -> "
                   f"{_get(focus, 'findings_after', 0)}")
    ops = section.operations
    # A report of an older shape has no not_audited: its skipped operations stand for it.
    not_audited = _rows(section.not_audited) or _rows(section.skipped)
    if ops.given():
        out.append(f"  operations audited: {_get(ops, 'audited', 0)} of "
                   f"{_get(ops, 'planned', 0) + len(section.skipped)}")
    if not_audited:
        out.append(f"  not audited ({len(not_audited)}):")
        out.extend(f"    {_safe(row.operation)}: {_safe(row.reason)}" for row in not_audited)
    if ops.given() and not ops.audited:
        out.append("  NOTHING AUDITED: no operation got a request the server answered; "
                   "this run proves nothing")
    return out


def _rows(rows: list[NotAudited]) -> list[NotAudited]:
    """The rows read from JSON objects (an entry of another kind is no row)."""
    return [row for row in rows if row.given()]


#: The keys `html_view` shows in panels of their own; the others go to "Audit details".
_SHOWN = frozenset({"latency", "error_rate", "auth", "auth_probes", "budgets", "requests",
                    "rate_limits", "skipped"})


def html_view(source: Any) -> dict[str, Any]:
    """What ``_live.html.j2`` shows; ``present`` is false when the run had no live audit.
    `source`: a report, or the section's JSON form."""
    data = live_section(source) if isinstance(source, Report) else read_live(source)
    if data is None:
        return {"present": False}
    overall, budgets, er = data.latency.overall, data.budgets, data.error_rate
    other = [(safe_text(k), num(v) if not isinstance(v, (dict, list, tuple)) else
              safe_text(compact(v))) for k, v in data.to_json().items() if k not in _SHOWN]
    return {
        "present": True,
        "overall": [(k, num(getattr(overall, k))) for k in ("count", "p50_ms", "p95_ms",
                                                            "p99_ms", "max_ms")
                    if k in overall.keys],
        "latency_budget": num(budgets.latency_p95_ms),
        "histogram": _bars(data.latency.histogram),
        "operations": data.latency.operations,
        "error_rate": er,
        "error_rate_text": percent(er.rate, 2) if isinstance(er.rate, (int, float)) else "–",
        "error_budget_text": (percent(er.budget, 2) if isinstance(er.budget, (int, float))
                              else "–"),
        "auth": data.auth_rows(),
        "requests": [(safe_text(k), num(v)) for k, v in data.requests.by_outcome.items()],
        "sent": num(data.requests.sent),
        "rate_limits": [{
            "operation": safe_text(r.operation),
            "documented": [safe_text(h) for h in r.documented_headers],
            "provoked": r.provoked if isinstance(r.provoked, bool) else None,
            "requests": num(r.requests),
            "missing": [safe_text(h) for h in r.missing_headers],
        } for r in data.rate_limits],
        "skipped": [{"operation": safe_text(r.operation), "reason": safe_text(r.reason)}
                    for r in data.skipped],
        "other": other,
    }


def _bars(histogram: list[HistogramBucket]) -> list[dict[str, Any]]:
    """The latency histogram's bars, each scaled to the fullest bucket."""
    counts = [b.count if isinstance(b.count, int) else 0 for b in histogram]
    peak = max((c for b, c in zip(histogram, counts) if isinstance(b.count, int)), default=0)
    return [{"label": f"≤{num(b.le_ms)}" if b.le_ms is not None else "more",
             "count": count, "ratio": (count / peak) if peak else 0.0}
            for b, count in zip(histogram, counts)]
