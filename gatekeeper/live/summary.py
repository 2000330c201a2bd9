"""A plain-text view of ``report.sections["live"]`` for the terminal.

Printed first by the terminal reporter (`gatekeeper.reporters.terminal`) whenever a report
has a live section (``gatekeeper audit``, ``gatekeeper check --live``): latency per operation
against the budget, the error rate, the auth probe table, rate limits, skipped operations and,
for a partial run, why it stopped. Every value that came from the spec (operation labels)
passes through ``terminal_safe`` (R15).
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_text"]


def _safe(text: object) -> str:
    from gatekeeper.safe_text import terminal_safe

    return terminal_safe(str(text))


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def render_text(section: dict[str, Any] | None) -> str:
    if not section:
        return ""
    out: list[str] = []
    req = section.get("requests", {})
    budgets = section.get("budgets", {})
    head = f"Live audit of {_safe(section.get('base_url', ''))}: {req.get('sent', 0)} requests in " \
           f"{section.get('duration_s', 0):g} s"
    if section.get("partial"):
        head += f"  PARTIAL: {_safe(section.get('stop_reason'))}"
    out.append(head)
    lat = section.get("latency", {})
    overall = lat.get("overall", {})
    out.append(f"  latency  p50 {_ms(overall.get('p50_ms'))} ms  p95 {_ms(overall.get('p95_ms'))} ms  "
               f"p99 {_ms(overall.get('p99_ms'))} ms  (budget p95 {budgets.get('latency_p95_ms', 200):g} ms "
               "per operation)")
    rows = lat.get("operations", [])
    if rows:
        width = min(48, max(len(_safe(r["operation"])) for r in rows))
        for r in rows:
            statuses = r.get("statuses") or {}
            if "timeout" in statuses:
                mark = "TIMEOUT"  # never "ok" beside a request that got no answer in time
            elif any(not str(k)[:1].isdigit() for k in statuses):
                mark = "FAILED"
            elif any(str(k).startswith("5") for k in statuses):
                mark = "5xx"  # the latency may be fine; the answers were not
            elif r.get("within_budget") is None:
                mark = "-"
            else:
                mark = "ok" if r.get("within_budget") else "OVER"
            out.append(f"    {mark:<7} {_safe(r['operation']):<{width}}  n={r.get('count', 0):<4} "
                       f"p50 {_ms(r.get('p50_ms')):>7}  p95 {_ms(r.get('p95_ms')):>7}  p99 {_ms(r.get('p99_ms')):>7} ms")
    er = section.get("error_rate", {})
    if er:
        verdict = "ok" if er.get("within_budget") else "OVER BUDGET"
        out.append(f"  error rate  {er.get('rate', 0) * 100:.2f} % ({er.get('errors', 0)} of {er.get('total', 0)}), "
                   f"budget {er.get('budget', 0) * 100:g} %  {verdict}")
    auth = section.get("auth", [])
    if auth:
        out.append("  auth probes (no credentials / invalid credentials -> expected 401 or 403)")
        for row in auth:
            enforced = {True: "enforced", False: "NOT ENFORCED", None: "inconclusive"}[row.get("enforced")]
            note = f" ({_safe(row['note'])})" if row.get("note") else ""
            out.append(f"    {_safe(row['operation'])}: {row.get('no_credentials')} / "
                       f"{row.get('invalid_credentials')}  {enforced}{note}")
    for row in section.get("rate_limits", []):
        state = "429 observed" if row.get("provoked") else "not provoked"
        missing = row.get("missing_headers") or []
        out.append(f"  rate limit  {_safe(row['operation'])}: {state}"
                   + (f", missing {', '.join(_safe(h) for h in missing)}" if missing else ""))
    focus = section.get("focus")
    if focus:
        out.append(f"  focus on failures: {focus.get('requests', 0)} more requests in {focus.get('rounds', 0)} "
                   f"round(s) to {len(focus.get('operations', []))} operation(s); findings "
                   f"{focus.get('findings_before', 0)} -> {focus.get('findings_after', 0)}")
    ops = section.get("operations") or {}
    not_audited = [row for row in section.get("not_audited", []) if isinstance(row, dict)] or \
        [row for row in section.get("skipped", []) if isinstance(row, dict)]  # a report of an older shape
    if ops:
        out.append(f"  operations audited: {ops.get('audited', 0)} of "
                   f"{ops.get('planned', 0) + len(section.get('skipped', []))}")
    if not_audited:
        out.append(f"  not audited ({len(not_audited)}):")
        out.extend(f"    {_safe(row.get('operation', ''))}: {_safe(row.get('reason', ''))}" for row in not_audited)
    if ops and not ops.get("audited"):
        out.append("  NOTHING AUDITED: no operation got a request the server answered; this run proves nothing")
    return "\n".join(out) + "\n"
