"""GitHub Actions workflow commands: ``::error``/``::warning``/``::notice`` annotations of the
active findings, printed automatically when ``GITHUB_ACTIONS=true``: at most
`MAX_ANNOTATIONS`, new and most severe first, info findings left out by default, and a last
notice saying what was left out. A spec that could not be checked is an ``::error`` with
its reason.

Every value is escaped the way the Actions runner unescapes it (``%``, CR, LF, and in
properties also ``:`` and ``,``), after `terminal_safe`, so spec text can neither end the
command early nor start a line of its own (a forged ``::error::`` or ``::add-mask::`` stays
inside the message: CVE-2020-15228, docs/hardening.md R15).
"""

from __future__ import annotations

from gatekeeper.report import Finding, Report, Severity
from gatekeeper.safe_text import terminal_safe

__all__ = ["MAX_ANNOTATIONS", "annotation", "render", "render_many", "unchecked_annotation"]

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return terminal_safe(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = (f"file={_prop(f.location.file)},line={f.location.line},col={f.location.column},"
             f"title={_prop(f.rule)}")
    return f"::{_LEVEL[f.severity]} {props}::{_data(f.message)} ({_data(f.pointer)})"


#: Annotations printed per run. GitHub shows 10 errors and 10 warnings of a step and 50 of a
#: job; the rest only lengthen the log (docs/reports-in-ci.md).
MAX_ANNOTATIONS = 50


def unchecked_annotation(report: Report) -> str:
    return (f"::error file={_prop(report.spec.path)},title=gatekeeper/could-not-be-checked::"
            f"{_data(report.error or 'could not be checked')}")


def render(report: Report, **options: object) -> str:
    return render_many([report], **options)  # type: ignore[arg-type]


def render_many(reports: list[Report], *, max_annotations: int = MAX_ANNOTATIONS,
                include_info: bool = False) -> str:
    """Specs that could not be checked first (always), then findings new and most severe
    first, at most `max_annotations` lines in all (0: no cap); info findings only with
    `include_info`. A last notice says what was left out."""
    lines = [unchecked_annotation(r) for r in reports if r.error is not None]
    ranked: list[tuple[bool, int, int, Finding]] = []
    for r in reports:  # across specs: each spec's new findings, then by severity
        new = r.new_fingerprints()
        for f in r.prioritised_findings():
            ranked.append((f.fingerprint not in new if new else False, -f.severity.rank,
                           len(ranked), f))
    ranked.sort(key=lambda item: item[:3])
    shown = [f for *_, f in ranked if include_info or f.severity is not Severity.INFO]
    room = max(0, max_annotations - len(lines)) if max_annotations else len(shown)
    lines += [annotation(f) for f in shown[:room]]
    over_cap = len(shown) - min(room, len(shown))
    hidden_info = len(ranked) - len(shown)
    if over_cap or hidden_info:
        kind = "" if include_info else " error and warning"
        parts = [f"{over_cap} more{kind} findings (over the cap of {max_annotations})"
                 ] if over_cap else []
        if hidden_info:
            parts.append(f"{hidden_info} info findings")
        lines.append(f"::notice title=gatekeeper::{_data(' and '.join(parts))} not annotated; "
                     "the SARIF, JSON and HTML reports list every finding")
    return "".join(line + "\n" for line in lines)
