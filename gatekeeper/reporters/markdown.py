"""The Markdown summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``, from
``reports/templates/summary.md.j2``. Every value from the spec is Markdown-escaped and
HTML-escaped by construction (`gatekeeper.reporters.html.markdown_environment`)."""

from __future__ import annotations

from gatekeeper.report import Report

__all__ = ["MAX_FINDINGS", "render", "render_many"]

#: Findings listed per spec; the rest are counted (comments have a size limit).
MAX_FINDINGS = 50


def render_many(reports: list[Report], *, max_findings: int = MAX_FINDINGS) -> str:
    from gatekeeper.reporters.html import markdown_environment

    from gatekeeper.reporters.compare_markdown import compare_sections

    template = markdown_environment().get_template("summary.md.j2")
    text = template.render(reports=list(reports), max_findings=max_findings)
    return text + compare_sections(reports) + _load_lines(reports)  # --base, baseline, load


def _load_lines(reports: list[Report]) -> str:
    from gatekeeper.loadtest.view import markdown_lines

    lines = [line for r in reports for line in markdown_lines(r.sections.get("load"))]
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def render(report: Report, *, max_findings: int = MAX_FINDINGS, **_: object) -> str:
    return render_many([report], max_findings=max_findings)
