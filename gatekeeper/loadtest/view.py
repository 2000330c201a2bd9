"""The ``load`` section for people: a few terminal lines, the HTML scorecard's view (with the
geometry of its latency-over-time chart, drawn as inline SVG by ``reports/templates/_load.html.j2``),
and the Markdown summary lines. Every function reads the section's documented JSON form
(`gatekeeper.loadtest.result`) defensively: a report file edited by hand renders, it does not crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["load_view", "markdown_lines", "terminal_text"]


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def terminal_text(section: Any) -> str:
    """Per-operation p50/p95/p99, throughput and errors, under the run's shape."""
    data = _dict(section)
    if not data:
        return ""
    from gatekeeper.safe_text import terminal_safe

    totals = _dict(data.get("totals"))
    options = _dict(data.get("options"))
    budget = options.get("latency_budget_ms")
    lines = [f"Load test: {_num(data.get('users'))} users for {_num(data.get('duration_s'))} s"
             + (f" on {_num(data.get('workers'))} workers" if data.get("workers") else "")
             + f", {_num(totals.get('requests'))} requests ({_num(totals.get('rps'))}/s), "
             f"{_num(totals.get('errors'))} errors; stopped: {terminal_safe(str(data.get('stop_reason')))}"]
    lines.append(f"  {'operation':<40} {'requests':>9} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>7}")
    for op in _list(data.get("operations")):
        op = _dict(op)
        over = budget is not None and (op.get("p95") or 0) > budget
        lines.append(f"  {terminal_safe(str(op.get('name')))[:40]:<40} {_num(op.get('requests')):>9} "
                     f"{_num(op.get('p50')):>7} {_num(op.get('p95')):>7} {_num(op.get('p99')):>7} "
                     f"{_num(op.get('errors')):>7}{'  over budget' if over else ''}")
    lines.append(f"  {'all requests':<40} {_num(totals.get('requests')):>9} {_num(totals.get('p50')):>7} "
                 f"{_num(totals.get('p95')):>7} {_num(totals.get('p99')):>7} {_num(totals.get('errors')):>7}"
                 f"   (ms; p95 budget {_num(budget)} ms)")
    for item in _list(data.get("skipped"))[:10]:
        item = _dict(item)
        lines.append(f"  not load-tested: {terminal_safe(str(item.get('operation')))}: "
                     f"{terminal_safe(str(item.get('reason')))}")
    return "\n".join(lines) + "\n"


def markdown_lines(section: Any) -> list[str]:
    data = _dict(section)
    if not data:
        return []
    totals = _dict(data.get("totals"))
    budget = _dict(data.get("options")).get("latency_budget_ms")
    return [f"**Load test**: {_num(data.get('users'))} users, {_num(totals.get('requests'))} requests "
            f"({_num(totals.get('rps'))}/s), p95 {_num(totals.get('p95'))} ms (budget {_num(budget)} ms), "
            f"p99 {_num(totals.get('p99'))} ms, {_num(totals.get('errors'))} errors."]


def load_view(section: Any) -> dict[str, Any]:
    """What ``_load.html.j2`` shows; ``present`` is False when the run had no load test."""
    data = _dict(section)
    if not data:
        return {"present": False}
    totals = _dict(data.get("totals"))
    options = _dict(data.get("options"))
    budget = options.get("latency_budget_ms")
    operations = []
    for op in _list(data.get("operations")):
        op = _dict(op)
        p95 = op.get("p95")
        operations.append({**op, "over": budget is not None and p95 is not None and p95 > budget})
    return {
        "present": True,
        "users": data.get("users"), "workers": data.get("workers"),
        "duration": data.get("duration_s"), "stop_reason": str(data.get("stop_reason") or ""),
        "interrupted": bool(data.get("interrupted")),
        "totals": totals, "budget": budget,
        "error_budget": options.get("error_rate_budget_percent"),
        "operations": operations,
        "skipped": [_dict(s) for s in _list(data.get("skipped"))],
        "errors": [_dict(e) for e in _list(data.get("errors"))][:10],
        "chart": _chart(_list(data.get("timeline")), budget),
        "num": _num,
    }


def _chart(timeline: list[Any], budget: Any, width: float = 560, height: float = 160) -> dict[str, Any]:
    """Polylines for p95 (ms) and requests/s over time, scaled into the SVG's box."""
    points = [_dict(p) for p in timeline if _dict(p).get("t") is not None]
    if len(points) < 2:
        return {"present": False}
    t0 = float(points[0]["t"])
    span = max(float(points[-1]["t"]) - t0, 1e-9)
    rps: list[float] = []
    previous = None
    for p in points:
        if previous is None:
            rps.append(0.0)
        else:
            dt = float(p["t"]) - float(previous["t"])
            rps.append(max(0.0, (float(p.get("requests") or 0) - float(previous.get("requests") or 0))
                           / dt) if dt > 0 else 0.0)
        previous = p
    p95 = [float(p["p95"]) if isinstance(p.get("p95"), (int, float)) else None for p in points]
    top = max([v for v in p95 if v is not None] + ([float(budget)] if isinstance(budget, (int, float)) else [1.0]))
    top_rps = max(rps + [1.0])
    left, right, upper, lower = 40.0, width - 40.0, 10.0, height - 24.0

    def x(t: float) -> float:
        return left + (t - t0) / span * (right - left)

    def y(value: float, scale: float) -> float:
        return lower - value / scale * (lower - upper)

    p95_line = " ".join(f"{x(float(p['t'])):.1f},{y(v, top * 1.1):.1f}"
                        for p, v in zip(points, p95) if v is not None)
    rps_line = " ".join(f"{x(float(p['t'])):.1f},{y(v, top_rps * 1.1):.1f}" for p, v in zip(points, rps))
    budget_y = (f"{y(float(budget), top * 1.1):.1f}" if isinstance(budget, (int, float)) else None)
    return {"present": True, "width": width, "height": height, "p95": p95_line, "rps": rps_line,
            "budget_y": budget_y, "left": left, "right": right, "lower": lower, "upper": upper,
            "top_ms": round(top * 1.1), "top_rps": round(top_rps * 1.1), "seconds": round(span)}
