"""The ``load`` section for people: a few terminal lines, the HTML scorecard's view (with the
geometry of its latency-over-time chart, drawn as inline SVG by
``reports/templates/_load.html.j2``), and the Markdown summary line.

Each reads the typed section (`gatekeeper.sections.load.LoadSection`): a report file edited
by hand renders, it does not crash.
"""

from __future__ import annotations

from gatekeeper.report import Report
from gatekeeper.safe_text import terminal_safe
from gatekeeper.sections.load import LoadSection, load_section, read_load

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.sections.load import TimelinePoint

__all__ = ["html_view", "markdown_lines", "terminal_text"]


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def terminal_text(section: LoadSection) -> str:
    """Per-operation p50/p95/p99, throughput and errors, under the run's shape."""
    totals = section.totals
    budget = section.options.latency_budget_ms
    lines = [f"Load test: {_num(section.users)} users for {_num(section.duration_s)} s"
             + (f" on {_num(section.workers)} workers" if section.workers else "")
             + f", {_num(totals.requests)} requests ({_num(totals.rps)}/s), "
             f"{_num(totals.errors)} errors; stopped: {terminal_safe(str(section.stop_reason))}"]
    lines.append(f"  {'operation':<40} {'requests':>9} {'p50':>7} {'p95':>7} {'p99':>7} "
                 f"{'errors':>7}")
    for op in section.operations:
        over = budget is not None and (op.p95 or 0) > budget
        lines.append(f"  {terminal_safe(str(op.name))[:40]:<40} {_num(op.requests):>9} "
                     f"{_num(op.p50):>7} {_num(op.p95):>7} {_num(op.p99):>7} "
                     f"{_num(op.errors):>7}{'  over budget' if over else ''}")
    lines.append(f"  {'all requests':<40} {_num(totals.requests):>9} {_num(totals.p50):>7} "
                 f"{_num(totals.p95):>7} {_num(totals.p99):>7} {_num(totals.errors):>7}"
                 f"   (ms; p95 budget {_num(budget)} ms)")
    for item in section.skipped[:10]:
        lines.append(f"  not load-tested: {terminal_safe(str(item.operation))}: "
                     f"{terminal_safe(str(item.reason))}")
    return "\n".join(lines) + "\n"


def markdown_lines(section: LoadSection | None) -> list[str]:
    """The load test in one line of the Markdown summary; none without a load test."""
    if section is None:
        return []
    totals = section.totals
    budget = section.options.latency_budget_ms
    return [f"**Load test**: {_num(section.users)} users, {_num(totals.requests)} requests "
            f"({_num(totals.rps)}/s), p95 {_num(totals.p95)} ms (budget {_num(budget)} ms), "
            f"p99 {_num(totals.p99)} ms, {_num(totals.errors)} errors."]


def html_view(source: Any) -> dict[str, Any]:
    """What ``_load.html.j2`` shows; ``present`` is False when the run had no load test.
    `source`: a report, or the section's JSON form."""
    data = load_section(source) if isinstance(source, Report) else read_load(source)
    if data is None:
        return {"present": False}
    budget = data.options.latency_budget_ms
    return {
        "present": True,
        "users": data.users, "workers": data.workers,
        "duration": data.duration_s, "stop_reason": str(data.stop_reason or ""),
        "interrupted": bool(data.interrupted),
        "totals": data.totals, "budget": budget,
        "error_budget": data.options.error_rate_budget_percent,
        "operations": [(op, budget is not None and op.p95 is not None and op.p95 > budget)
                       for op in data.operations],
        "skipped": data.skipped,
        "errors": data.errors[:10],
        "chart": _chart(data.timeline, budget),
    }


def _chart(timeline: list[TimelinePoint], budget: Any, width: float = 560,
           height: float = 160) -> dict[str, Any]:
    """Polylines for p95 (ms) and requests/s over time, scaled into the SVG's box."""
    points = [p for p in timeline if p.t is not None]
    if len(points) < 2:
        return {"present": False}
    t0 = float(points[0].t)
    span = max(float(points[-1].t) - t0, 1e-9)
    rps: list[float] = []
    previous = None
    for p in points:
        if previous is None:
            rps.append(0.0)
        else:
            dt = float(p.t) - float(previous.t)
            rps.append(max(0.0, (float(p.requests or 0) - float(previous.requests or 0))
                           / dt) if dt > 0 else 0.0)
        previous = p
    p95 = [float(p.p95) if isinstance(p.p95, (int, float)) else None for p in points]
    top = max([v for v in p95 if v is not None]
              + ([float(budget)] if isinstance(budget, (int, float)) else [1.0]))
    top_rps = max(rps + [1.0])
    left, right, upper, lower = 40.0, width - 40.0, 10.0, height - 24.0

    def x(t: float) -> float:
        return left + (t - t0) / span * (right - left)

    def y(value: float, scale: float) -> float:
        return lower - value / scale * (lower - upper)

    p95_line = " ".join(f"{x(float(p.t)):.1f},{y(v, top * 1.1):.1f}"
                        for p, v in zip(points, p95) if v is not None)
    rps_line = " ".join(f"{x(float(p.t)):.1f},{y(v, top_rps * 1.1):.1f}"
                        for p, v in zip(points, rps))
    budget_y = (f"{y(float(budget), top * 1.1):.1f}" if isinstance(budget, (int, float))
                else None)
    return {"present": True, "width": width, "height": height, "p95": p95_line, "rps": rps_line,
            "budget_y": budget_y, "left": left, "right": right, "lower": lower, "upper": upper,
            "top_ms": round(top * 1.1), "top_rps": round(top_rps * 1.1), "seconds": round(span)}
