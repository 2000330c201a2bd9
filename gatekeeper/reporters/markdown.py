"""The Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``, from
``reports/templates/summary.md.j2``. Every value from the spec is Markdown-escaped and
HTML-escaped by construction (`gatekeeper.reporters.html.markdown_environment`).

Findings are listed new and most severe first (`Report.prioritised_findings`), at most
`MAX_FINDINGS` per spec; the whole summary is at most `MAX_CHARS` characters for any input
(a GitHub comment holds 65,536), with a last line saying what was left out
(docs/reports-in-ci.md)."""

from __future__ import annotations

from gatekeeper.report import Report
from gatekeeper.reporters._pr_summary import MAX_CHARS, cap, compare_sections

__all__ = ["MAX_CHARS", "MAX_FINDINGS", "cap", "render", "render_many"]

#: Findings listed per spec; the rest are counted (comments have a size limit).
MAX_FINDINGS = 50


def render_many(reports: list[Report], *, max_findings: int = MAX_FINDINGS,
                max_chars: int = MAX_CHARS) -> str:
    from gatekeeper.reporters.html import markdown_environment

    template = markdown_environment().get_template("summary.md.j2")
    reports = list(reports)
    # Fewer rows per spec before cutting text: a portfolio keeps every spec's verdict.
    for rows in dict.fromkeys((max_findings, min(max_findings, 10), 0)):
        text = template.render(reports=reports, max_findings=rows)
        text += compare_sections(reports)  # --base / baseline results, when there are any
        text += _load_lines(reports)  # the load test's figures, when the run had one
        if len(text) <= max_chars:
            return text
    return cap(text, max_chars)


def _load_lines(reports: list[Report]) -> str:
    if not any("load" in r.sections for r in reports):  # no import of the records without one
        return ""
    from gatekeeper.reporters._load import markdown_lines
    from gatekeeper.sections.load import load_section

    lines = [line for r in reports for line in markdown_lines(load_section(r))]
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def render(report: Report, *, max_findings: int = MAX_FINDINGS, **_: object) -> str:
    return render_many([report], max_findings=max_findings)
