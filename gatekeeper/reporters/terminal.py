"""The terminal view: ruff-style finding lines, then a per-gate summary.

Colour is gatekeeper's own and only when stdout is a TTY and ``NO_COLOR`` is unset; every
spec-derived string goes through `terminal_safe`.
"""

from __future__ import annotations

from collections import Counter

from gatekeeper.report import Finding, GateResult, Report, Severity
from gatekeeper.safe_text import terminal_safe
from gatekeeper.sections import baseline_section, compare_section

_COLORS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "dim": "2", "bold": "1",
           "cyan": "36"}
_SEV_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(_COLORS[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def finding_line(f: Finding, paint: _Paint, width: int | None = None) -> str:
    """``file:line:col rule [severity] message``; on a long (minified) line, where the
    column says little, a short path to the element follows (``at GET /pets > responses >
    200``); with `width`, the line wraps with an indent instead of running past it."""
    sev = paint(f"[{f.severity}]", _SEV_COLOR[f.severity])
    head = f"{paint(terminal_safe(str(f.location)), 'bold')} {paint(f.rule, 'cyan')} {sev} "
    message = terminal_safe(f.message)
    if f.location.column > MINIFIED_COLUMN:
        path = short_path(f.pointer)
        if path:
            message += f"  (at {terminal_safe(path)})"
    if width is None:
        return head + message
    location = terminal_safe(str(f.location))
    plain = len(f"{location} {f.rule} [{f.severity}] ")
    if plain > width - 20:  # a narrow terminal: location, then rule and severity, then text
        head = (f"{paint(location, 'bold')}\n    {paint(f.rule, 'cyan')} {sev}\n    ")
        plain = 4
    return _wrap(head, plain, message, width)


#: A finding whose column is past this is on a long line (minified JSON): its pointer, as a
#: short path, is shown with it.
MINIFIED_COLUMN = 120
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace",
                      "query"})


def short_path(pointer: str, limit: int = 6) -> str:
    """``#/paths/~1pets/get/responses/200`` -> ``GET /pets > responses > 200`` (at most
    `limit` steps, the middle elided)."""
    from gatekeeper.pointer import PointerError, parse_fragment

    try:
        tokens = list(parse_fragment(pointer.partition("#")[2] if "#" in pointer else pointer))
    except PointerError:
        return ""
    if len(tokens) >= 3 and tokens[0] in ("paths", "webhooks") and tokens[2] in _METHODS:
        tokens = [f"{tokens[2].upper()} {tokens[1]}", *tokens[3:]]
    if len(tokens) > limit:
        tokens = [*tokens[:2], "…", *tokens[-(limit - 3):]]
    return " > ".join(tokens)


def _wrap(head: str, head_len: int, text: str, width: int) -> str:
    """`head` (printed `head_len` columns wide) then `text`, wrapped at `width` columns with
    continuation lines indented by four."""
    import textwrap

    room = width - head_len
    if len(text) <= room:
        return head + text
    first, *rest = textwrap.wrap(text, width=room, break_long_words=True,
                                 break_on_hyphens=False) or [""]
    tail = " ".join(rest)
    more = textwrap.wrap(tail, width=max(20, width - 4), break_long_words=True,
                         break_on_hyphens=False) if tail else []
    return head + first + "".join("\n    " + line for line in more)


def _bar(value: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


def use_color(stream: object = None, environ: dict[str, str] | None = None) -> bool:
    """Colour only for a TTY and only when ``NO_COLOR`` is unset or empty
    (https://no-color.org)."""
    import os
    import sys

    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):  # the convention: a non-empty value; NO_COLOR= keeps colour
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


_HEAD = ("Gate", "Result", "Metric", "Threshold", "Errors", "Warnings", "Info", "Waived")


def summary_table(report: Report, paint: _Paint, width: int | None = None) -> list[str]:
    """The per-gate table: verdict, metric against threshold (with a bar), counts by severity;
    composite metrics list their categories underneath. With `width`, what does not fit goes:
    the bar, then the Waived and Threshold columns, then gate titles are shortened."""
    if width is not None:
        return _narrow_table(report, paint, width)
    rows = []
    for g in report.gates:
        metric = f"{g.metric.value * 100:5.1f} %" if g.metric is not None else "–"
        threshold = f"{g.threshold * 100:g} %" if g.threshold is not None else "–"
        rows.append((g, [terminal_safe(g.title), "PASS" if g.passed else "FAIL", metric, threshold,
                         str(g.count(Severity.ERROR)), str(g.count(Severity.WARNING)),
                         str(g.count(Severity.INFO)), str(len(g.waived_findings))]))
    widths = [max(len(_HEAD[i]), *(len(r[1][i]) for r in rows)) if rows else len(_HEAD[i])
              for i in range(len(_HEAD))]
    bar_w = 12

    def fmt(cells: list[str]) -> str:
        out = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        out += [c.rjust(w) for c, w in zip(cells[2:], widths[2:])]
        return "  ".join(out)

    head = fmt(list(_HEAD))
    lines = ["  " + paint(head, "dim")]
    for g, cells in rows:
        text = fmt(cells)
        verdict = cells[1].ljust(widths[1])
        painted = paint(verdict, "green" if g.passed else "red", "bold")
        first = cells[0].ljust(widths[0])
        bar = _bar(g.metric.value, bar_w) if g.metric is not None else " " * bar_w
        lines.append(f"  {first}  {painted}{text[len(first) + 2 + len(verdict):]}  "
                     f"{paint(bar, 'green' if g.passed else 'red') if g.metric else bar}".rstrip())
        if g.metric is not None and g.metric.breakdown:
            for part in g.metric.breakdown:
                if part.total == 0:
                    continue
                lines.append(paint(f"    {terminal_safe(part.name.replace('_', ' ')):<20} "
                                   f"{part.passed:>6}/{part.total:<6} "
                                   f"{part.ratio * 100:5.1f} %  weight {part.weight:g}", "dim"))
    return lines


def _narrow_table(report: Report, paint: _Paint, width: int) -> list[str]:
    full = summary_table(report, _Paint(False))
    if max(len(line) for line in full) <= width:
        return summary_table(report, paint)
    head = ("Gate", "Result", "Metric", "Threshold", "Err", "Warn", "Info", "Waived")
    rows = []
    for g in report.gates:
        rows.append((g, [terminal_safe(g.title), "PASS" if g.passed else "FAIL",
                         f"{g.metric.value * 100:.1f} %" if g.metric is not None else "–",
                         f"{g.threshold * 100:g} %" if g.threshold is not None else "–",
                         str(g.count(Severity.ERROR)), str(g.count(Severity.WARNING)),
                         str(g.count(Severity.INFO)), str(len(g.waived_findings))]))
    keep = list(range(len(head)))
    for drop in (7, 3):  # Waived, then Threshold
        if _table_width(head, rows, keep) <= width - 2:
            break
        keep.remove(drop)
    widths = {i: max(len(head[i]), *(len(r[1][i]) for r in rows)) for i in keep}
    over = _table_width(head, rows, keep) - (width - 2)
    if over > 0:
        widths[0] = max(6, widths[0] - over)

    def cell(i: int, text: str) -> str:
        if len(text) > widths[i]:
            text = text[: widths[i] - 1] + "…"
        return text.ljust(widths[i]) if i < 2 else text.rjust(widths[i])

    lines = ["  " + paint("  ".join(cell(i, head[i]) for i in keep).rstrip(), "dim")]
    for g, cells in rows:
        parts = [cell(i, cells[i]) for i in keep]
        parts[1] = paint(parts[1], "green" if g.passed else "red", "bold")
        lines.append(("  " + "  ".join(parts)).rstrip())
    return lines


def _table_width(head: tuple[str, ...], rows: list, keep: list[int]) -> int:
    return sum(max(len(head[i]), *(len(r[1][i]) for r in rows)) for i in keep) + \
        2 * (len(keep) - 1)


def live_summary(report: Report) -> str:
    """The live audit's view (`gatekeeper.reporters._live`), when the run had one: latency,
    error rate, auth probes, rate limits, what was not audited."""
    if "live" not in report.sections:  # the records are imported only when there is one
        return ""
    from gatekeeper.reporters._live import terminal_text
    from gatekeeper.sections.live import live_section

    section = live_section(report)
    return "" if section is None else terminal_text(section)


def load_summary(report: Report) -> str:
    """The load test's figures (`gatekeeper.reporters._load`), when the run had one."""
    if "load" not in report.sections:  # the records are imported only when there is one
        return ""
    from gatekeeper.reporters._load import terminal_text
    from gatekeeper.sections.load import load_section

    section = load_section(report)
    return "" if section is None else terminal_text(section)


def compare_summary(report: Report) -> str:
    """A few plain lines on ``sections["compare"]`` (``--base``/``--base-file``): new, fixed
    and unchanged findings, the score delta, metric deltas, ratchet drops, breaking changes;
    and on ``sections["baseline"]``: waived, expired and stale entries."""
    t = terminal_safe
    lines = []
    c = compare_section(report)
    if c:
        base = t(str(c.base or "base"))
        if c.deleted:
            lines.append(f"compare: the change deletes this spec; compared with {base} as an "
                         "API without operations")
        if not c.base_found:
            lines.append(f"compare: no spec at {base}: every finding is new"
                         + (f" ({t(str(c.base_error))})" if c.base_error else ""))
        n = c.counts
        score = c.score
        delta = "" if score.delta is None else f", score {score.before} -> " \
            f"{score.after} ({score.delta:+.1f})"
        lines.append(f"compare with {base}: {n.new} new, {n.fixed} fixed, "
                     f"{n.unchanged} unchanged{delta}")
        for g in c.gates:
            if g.metric_delta:
                lines.append(f"  {t(g.name)}: {g.metric_before} % -> "
                             f"{g.metric_after} % ({g.metric_delta:+.2f})")
        for d in c.ratchet_dropped:
            lines.append(f"  ratchet: {t(d.gate)} dropped {d.before} -> {d.after}")
        if c.breaking:
            levels = Counter(str(f.get("severity")) for f in c.breaking)
            lines.append(f"breaking changes: {len(c.breaking)}"
                         + (f" (allowed: {t(str(c.major_bump))})" if c.major_bump
                            else f" ({levels['error']} breaking, {levels['warning']} "
                                 f"potentially breaking, {levels['info']} info)"))
    b = baseline_section(report)
    if b:
        lines.append(f"baseline {t(b.file)}: {b.waived} waived, {len(b.expired)} "
                     f"expired, {len(b.stale)} stale")
        for e in b.expired:
            who = f" (owner {t(e['owner'])})" if e.get("owner") else ""
            lines.append(f"  expired {e.get('expires')}{who}: {t(e['rule'])} at "
                         f"{t(e['pointer'])} no longer waived")
        for e in b.stale:
            lines.append(f"  stale: {t(e['rule'])} at {t(e['pointer'])} matches nothing; "
                         "remove it")
    return "\n".join(lines) + ("\n" if lines else "")


def render(report: Report, *, color: bool = False, max_findings: int | None = None,
           show_info: bool = True, width: int | None = None,
           min_severity: Severity | None = None, show_waived: bool = False) -> str:
    """The live summary (if any), the finding lines, the per-gate table and the verdict, then
    the compare and baseline summary (if any).

    `max_findings`: 0 for the summary alone (``-q``). `width`: the terminal's columns (None:
    lines as long as they are). `min_severity`: only findings at or above it are listed (the
    gates and the verdict do not change). `show_waived`: list the waived findings too, with
    what waived them."""
    live = live_summary(report) + load_summary(report)
    if min_severity is None and not show_info:
        min_severity = Severity.WARNING
    return (live + "\n" if live else "") + _main(
        report, color=color, max_findings=max_findings, width=width,
        min_severity=min_severity, show_waived=show_waived) + compare_summary(report)


#: The same rule and message printed this many times; further repeats are counted instead.
REPEATS_SHOWN = 3


def _main(report: Report, *, color: bool, max_findings: int | None, width: int | None = None,
          min_severity: Severity | None = None, show_waived: bool = False) -> str:
    paint = _Paint(color)
    if report.error is not None:  # nothing was checked: the reason, and no verdict of gates
        return (paint(terminal_safe(report.spec.path), "bold") + "\n"
                + paint("COULD NOT BE CHECKED", "red", "bold") + "  "
                + terminal_safe(report.error.splitlines()[0] if report.error else "") + "\n")
    lines: list[str] = []
    findings = [f for f in report.findings
                if min_severity is None or f.severity.rank >= min_severity.rank]
    shown = findings if max_findings is None else findings[:max_findings]
    seen: dict[tuple[str, str], int] = {}
    for f in shown:
        key = (f.rule, f.message)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= REPEATS_SHOWN:
            lines.append(finding_line(f, paint, width))
    for (rule_id, message), count in seen.items():
        if count > REPEATS_SHOWN:
            lines.append(paint(f"... {count - REPEATS_SHOWN} more {rule_id} findings with the "
                               f"same message: {terminal_safe(message)}", "dim"))
    if 0 < len(shown) < len(findings):
        lines.append(paint(f"... {len(findings) - len(shown)} more findings (use --format json "
                           "or --report for all of them)", "dim"))
    hidden = len(report.findings) - len(findings)
    if hidden and max_findings != 0:
        lines.append(paint(f"... {hidden} findings below {min_severity} not listed", "dim"))
    if show_waived and report.waived:
        lines.append(paint(f"waived ({len(report.waived)}):", "bold"))
        for f in report.waived:
            line = finding_line(f, paint, None if width is None else width - 2)
            lines.append(f"  {line}  {paint('waived: ' + terminal_safe(f.waived or ''), 'dim')}")
    if lines:
        lines.append("")
    spec = report.spec
    title = terminal_safe(f"{spec.title or spec.path} {spec.api_version}".strip())
    about = (f"{title}  (OpenAPI {terminal_safe(spec.openapi_version)}, "
             f"{spec.operations} operations)")
    path = terminal_safe(spec.path)
    if width is not None and len(path) + 2 + len(about) > width:
        lines.append(paint(path, "bold"))
        lines.append(_wrap("  ", 2, about, width))
    else:
        lines.append(paint(path, "bold") + f"  {about}")
    lines.extend(summary_table(report, paint, width))
    score = report.score
    verdict = paint("PASSED", "green", "bold") if report.passed else paint("FAILED", "red", "bold")
    counts = report.severity_counts()
    summary = f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    score_text = f"score {score:.1f}/100" if score is not None else "no score"
    lines.append(f"{verdict}  {score_text}  ({summary})")
    if report.below_fail_under:  # the gates alone would pass: say what failed the run
        lines.append(paint(f"the score {score:.1f} is under fail-under {report.fail_under:g}",
                           "red"))
    return "\n".join(lines) + "\n"
