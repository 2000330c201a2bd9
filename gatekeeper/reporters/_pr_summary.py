"""Pull-request summary in Markdown: verdict, score and coverage deltas, new and fixed findings,
breaking changes, baseline waivers. Reads only the ``compare`` and
``baseline`` sections (through `gatekeeper.sections`) and the report model; everything from the spec is escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from gatekeeper.report import Report
from gatekeeper.sections import Delta, baseline_section, compare_section

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MAX_CHARS", "body", "cap", "compare_sections", "escape", "render", "render_many"]

#: Characters of a whole summary, below GitHub's 65,536 for a comment or a job summary.
MAX_CHARS = 60_000
_DETAILS = re.compile(r"<details\b|</details>")
MAX_ROWS = 50
_RANK = {"error": 3, "warning": 2, "info": 1}


def escape(text: Any) -> str:
    """Safe inside a Markdown table cell or line: no HTML, no table breaks, no mentions."""
    s = str(text)
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("\r", " "),
                 ("\n", " "), ("@", "@\u200b"), ("[", "\\["), ("]", "\\]")):
        s = s.replace(a, b)
    return s


def _num(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:g}{unit}"


def _delta(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if abs(value) < 0.005:
        return " (±0)"
    return f" ({value:+.1f}{unit})"


def _finding_rows(items: list[dict[str, Any]], title: str) -> list[str]:
    if not items:
        return []
    out = [f"<details><summary>{escape(title)} ({len(items)})</summary>", "",
           "| severity | rule | location | message |", "|---|---|---|---|"]
    for f in items[:MAX_ROWS]:
        out.append(f"| {escape(f['severity'])} | `{escape(f['rule'])}` | "
                   f"{escape(f['file'])}:{f['line']} | {escape(f['message'])} |")
    if len(items) > MAX_ROWS:
        out.append(f"| | | | … and {len(items) - MAX_ROWS} more |")
    out += ["", "</details>", ""]
    return out


def render(report: Report) -> str:
    if report.error is not None:
        return (f"### gatekeeper: {escape(report.spec.path)} could not be checked\n\n"
                f"{escape(report.error)}\n")
    verdict = "✅ passed" if report.passed else "❌ failed"
    head = f"### gatekeeper: {escape(report.spec.path)} {verdict}\n\n"
    waived = [f.to_dict() for f in report.waived]
    return (head + body(report) + "\n".join(_finding_rows(waived, "Waived findings"))
            ).rstrip() + "\n"


def compare_sections(reports: Sequence[Report]) -> str:
    """The compare and baseline parts alone, for appending to the main Markdown summary."""
    out = []
    for r in reports:
        text = body(r)
        if text.strip():
            out.append(f"\n#### Change review: `{escape(r.spec.path)}`\n\n{text}")
    return "".join(out)


def body(report: Report) -> str:
    c = compare_section(report)
    lines: list[str] = []
    if c:
        base = escape(c.base or "base")
        score, cov = c.score, c.coverage or Delta()
        n = c.counts
        if not c.base_found:
            lines += [f"No spec at `{base}`: the spec is new, every finding counts as new.", ""]
        lines += [
            "| | base | head |", "|---|---|---|",
            f"| score | {_num(score.before)} | {_num(score.after)}{_delta(score.delta)} |",
            f"| documentation coverage | {_num(cov.before, ' %')} | "
            f"{_num(cov.after, ' %')}{_delta(cov.delta, ' pts')} |",
            f"| findings | {n.fixed + n.unchanged} | {n.new + n.unchanged} |",
            "",
            f"Compared with `{base}`: **{n.new} new**, {n.fixed} fixed, {n.unchanged} unchanged"
            + (" (only new findings fail)" if c.new_only else "") + ".",
            "",
        ]
        gates = [g for g in c.gates if g.metric_after is not None
                 or g.counts.new or g.counts.fixed or g.counts.unchanged]
        if gates:
            lines += ["| gate | metric | new | fixed |", "|---|---|---|---|"]
            for g in gates:
                metric = "" if g.metric_after is None else \
                    f"{_num(g.metric_before, ' %')} → {_num(g.metric_after, ' %')}"
                lines.append(f"| {escape(g.name)} | {metric} | {g.counts.new} | "
                             f"{g.counts.fixed} |")
            lines.append("")
        for d in c.ratchet_dropped:
            lines += [f"Ratchet: **{escape(d.gate)}** dropped from {d.before:g} % to "
                      f"{d.after:g} % (tolerance {d.tolerance:g} points).", ""]
        breaking = c.breaking
        if breaking:
            allowed = c.major_bump
            head = f"#### Breaking changes ({len(breaking)})"
            lines += [head + (f": allowed by the major version bump ({escape(allowed)})"
                              if allowed else ""), ""]
            for f in breaking[:MAX_ROWS]:
                lines.append(f"- `{escape(f['rule'])}` [{escape(str(f.get('severity')))}] "
                             f"{escape(f['file'])}:{f['line']}: {escape(f['message'])}")
            lines.append("")
            if c.base:
                lines += [f"Changelog for API consumers: `gatekeeper diff {escape(c.base)} "
                          f"{escape(report.spec.path)} --format markdown`", ""]
        else:
            lines += ["No breaking changes.", ""] if c.base_found else []
        new = sorted((f for g in c.gates for f in g.new),  # most severe first
                     key=lambda f: -_RANK.get(f["severity"], 0))
        fixed = [f for g in c.gates for f in g.fixed]
        lines += _finding_rows(new, "New findings")
        lines += _finding_rows(fixed, "Fixed findings")
    b = baseline_section(report)
    if b:
        lines += [f"Baseline `{escape(b.file)}`: {b.waived} finding(s) waived, "
                  f"{len(b.expired)} expired, {len(b.stale)} stale.", ""]
        for e in b.expired:
            lines.append(f"- expired {escape(e.get('expires'))}: `{escape(e['rule'])}` at "
                         f"`{escape(e['pointer'])}` (owner {escape(e.get('owner') or 'none')})")
        for e in b.stale:
            lines.append(f"- stale: `{escape(e['rule'])}` at `{escape(e['pointer'])}` "
                         "matches nothing; remove it")
        if b.expired or b.stale:
            lines.append("")
        waivers = b.waivers
        if waivers:
            lines += [f"<details><summary>Baseline waivers ({len(waivers)})</summary>", "",
                      "| rule | location | reason | owner | expires |", "|---|---|---|---|---|"]
            for e in waivers[:MAX_ROWS]:
                where = f"{escape(e['file'])}:{e['line']}" if "file" in e else ""
                lines.append(f"| `{escape(e['rule'])}` | {where} `{escape(e['pointer'])}` | "
                             f"{escape(e.get('reason') or '–')} | {escape(e.get('owner') or '–')}"
                             f" | {escape(e.get('expires') or 'never')} |")
            if len(waivers) > MAX_ROWS:
                lines.append(f"| | | | | … and {len(waivers) - MAX_ROWS} more |")
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n" if lines else ""


def render_many(reports: Sequence[Report]) -> str:
    """Every spec's summary; at most `MAX_CHARS` characters in all (a pull-request comment's
    limit), with a last line saying what was cut."""
    return cap("\n".join(render(r) for r in reports))


def cap(text: str, limit: int = MAX_CHARS) -> str:
    """`text` cut at a line boundary so that it, the closing tags of the ``<details>`` left
    open and a last line saying how much was cut, fit in `limit` characters (the Markdown
    summary's and the pull-request summary's bound)."""
    if len(text) <= limit:
        return text
    room = max(0, limit - 400)
    cut = text.rfind("\n", 0, room)
    kept = text[:cut + 1] if cut >= 0 else ""
    left_lines = text[len(kept):].count("\n") + 1
    depth = 0
    for tag in _DETAILS.findall(kept):
        depth = depth + 1 if tag != "</details>" else max(0, depth - 1)
    note = (f"\n**…summary cut at {limit:,} characters: {len(text) - len(kept):,} characters "
            f"({left_lines:,} lines) left out.** The SARIF, JSON and HTML reports have every "
            "finding.\n")
    return kept + "\n</details>\n" * depth + note
