"""The HTML scorecard: one self-contained page (inline CSS and SVG, no script, no network).

This module is the only place that creates a Jinja environment (docs/hardening.md R16):
``autoescape=True`` unconditionally (never ``select_autoescape``, which skips ``*.html.j2``),
``StrictUndefined`` so a typo fails a test instead of printing an empty cell, no ``|safe`` on
data, no ``from_string`` on data. Links are made only from ``http``/``https`` URLs. The page
carries a Content-Security-Policy that forbids every script, frame, font and remote image.

Templates receive exactly ``{"report": report}`` (``{"reports": [...]}`` for the portfolio);
everything they need beyond the model comes from the filters registered in `_filters`.
"""

from __future__ import annotations

import math
import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from gatekeeper.report import Finding, GateResult, Report, RuleInfo, Severity
from gatekeeper.reporters._html_text import num as _num
from gatekeeper.reporters._html_text import percent, safe_text
from gatekeeper.reporters._html_text import visible as _visible
from gatekeeper.reporters._live import html_view as live_view
from gatekeeper.reporters._load import html_view as load_view
from gatekeeper.sections import Delta, baseline_section, compare_section

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CSP", "environment", "render", "render_portfolio", "markdown_environment",
           "render_portfolio_page", "render_spec_section"]

#: No script at all: the filters are CSS-only (checkboxes and ``:target``).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_URL = re.compile(r"\bhttps?://[^\s<>\"'`\\\x00-\x1f\x7f]+", re.IGNORECASE)


def http_url(value: Any) -> str | None:
    """The URL if (and only if) it is a plain http(s) URL, else None."""
    text = str(value).strip()
    m = _URL.fullmatch(text)
    return text if m else None


def linkify(value: Any) -> Markup:
    """Escape `value` and turn the http(s) URLs in it (only those) into links."""
    text = _visible(str(value))
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:)]}")
        end = m.start() + len(url)
        out.append(str(escape(text[pos:m.start()])))
        out.append(f'<a href="{escape(url)}" rel="noopener noreferrer nofollow">{escape(url)}</a>')
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def code_spans(value: Any) -> Markup:
    """Escape `value` and show its backtick-quoted subjects as ``<code>`` (nothing else)."""
    parts = _visible(str(value)).split("`")
    if len(parts) % 2 == 0:  # unbalanced: show as plain text
        return Markup(escape(_visible(str(value))))
    out = []
    for i, part in enumerate(parts):
        out.append(f"<code>{escape(part)}</code>" if i % 2 else str(linkify(part)))
    return Markup("".join(out))


def severity_class(severity: Severity | str) -> str:
    return f"sev-{Severity(str(severity))}"


def anchor(text: str) -> str:
    """A safe fragment identifier for our own names (gate names, rule ids)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-") or "x"


def rules_cited(report: Report) -> list[RuleInfo]:
    """Rules that have at least one finding (active or waived), in catalogue order, plus
    synthetic entries for findings whose rule is not in the catalogue."""
    cited = {f.rule for g in report.gates for f in g.findings}
    known = [r for r in report.rules if r.id in cited]
    seen = {r.id for r in known}
    for rule_id in sorted(cited - seen):
        gate = rule_id.split("/", 1)[0]
        known.append(RuleInfo(id=rule_id, gate=gate, severity=Severity.ERROR,
                              summary="", docs=""))
    return known


def rule_summary(report: Report, rule_id: str) -> str:
    return next((r.summary for r in report.rules if r.id == rule_id), "")


def score_terms(report: Report) -> list[dict[str, Any]]:
    """The terms of the overall score: each gate with a metric and a positive weight."""
    return [{"title": g.title, "name": g.name, "value": g.metric.value, "weight": g.weight}
            for g in report.gates if g.metric is not None and g.weight > 0]


def gate_counts(g: GateResult) -> dict[str, int]:
    return {str(s): g.count(s) for s in Severity}


def findings_by_gate(report: Report) -> list[tuple[GateResult, tuple[Finding, ...]]]:
    return [(g, tuple(sorted(g.active_findings))) for g in report.gates]


def gate_verdict_reason(report: Report, g: GateResult) -> str:
    """One short line on why a gate failed or passed, from the model."""
    level = report.fail_on
    failing = [f for f in g.active_findings if f.severity.rank >= level.rank
               and not f.rule.endswith("/below-threshold")]
    below = g.metric is not None and g.threshold is not None and g.metric.value < g.threshold

    def blocking(n: int) -> str:
        if level is Severity.ERROR:
            return f"{n} error{'s' if n != 1 else ''}" if n else "no errors"
        return f"{n or 'no'} finding{'s' if n != 1 else ''} at {level} or above"

    reasons = []
    if below:
        reasons.append("metric under threshold")
    elif g.passed and g.threshold is not None:
        reasons.append("metric meets threshold")
    if failing or g.passed:
        reasons.append(blocking(len(failing)))
    return "; ".join(reasons) if reasons else "failed"


def verdict_note(report: Report) -> str:
    """A line under the score ring when the score alone would suggest the other verdict: a
    failed run with a high score, a passing run with a low one (the score weighs the
    metrics; the verdict needs every gate to pass). Empty when they agree."""
    score = report.score
    failed = [g.title for g in report.gates if not g.passed]
    if not report.passed:
        if failed:
            names = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3
                                              else "")
            gates = f"{len(failed)} gate{'s' if len(failed) != 1 else ''} failed: {names}"
        else:
            gates = f"the score is under --fail-under {report.fail_under:g}"
        return f"Failed: {gates}." if score is None or score >= 50 or not failed else ""
    if score is not None and score < 50:
        return ("Passed: no gate failed. The score only weighs the gates' metrics; "
                "metrics without a threshold do not decide the verdict.")
    return ""


#: Findings rows shown per rule (and undocumented elements per category) before "N more":
#: a spec with thousands of findings stays a page a browser opens at once; the JSON, SARIF
#: and terminal reports list every one.
MAX_ROWS_PER_GROUP = 100


def findings_by_rule(items: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """A gate's active findings grouped by rule: most severe and most frequent first."""
    groups: dict[str, list[Finding]] = {}
    for f in items:
        groups.setdefault(f.rule, []).append(f)
    out = []
    for rule_id, found in groups.items():
        worst = max(found, key=lambda f: f.severity.rank).severity
        out.append({"rule": rule_id, "severity": str(worst), "count": len(found),
                    "shown": found[:MAX_ROWS_PER_GROUP],
                    "more": max(0, len(found) - MAX_ROWS_PER_GROUP)})
    out.sort(key=lambda g: (-Severity(g["severity"]).rank, -g["count"], g["rule"]))
    return out


def source_url(file: Any, line: Any) -> str | None:
    """A link to ``file`` at ``line`` in the repository on GitHub when the report is written
    in a GitHub Actions run (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_SHA``)
    and the file is inside the workspace; None otherwise (the location stays text)."""
    import os
    from urllib.parse import quote

    env = os.environ
    server, repo, sha = (env.get("GITHUB_SERVER_URL", ""), env.get("GITHUB_REPOSITORY", ""),
                         env.get("GITHUB_SHA", ""))
    if not (http_url(server) and re.fullmatch(r"[\w.-]+/[\w.-]+", repo)
            and re.fullmatch(r"[0-9a-f]{7,64}", sha)):
        return None
    text = str(file)
    if not text or re.match(r"^[A-Za-z][\w+.-]*:", text):  # a base (REF:path) or a URL
        return None
    workspace = os.path.realpath(env.get("GITHUB_WORKSPACE") or os.getcwd())
    path = os.path.realpath(text)
    if os.path.commonpath([workspace, path]) != workspace:
        return None
    rel = os.path.relpath(path, workspace).replace(os.sep, "/")
    anchor_ = f"#L{int(line)}" if isinstance(line, int) and line > 0 else ""
    return f"{server.rstrip('/')}/{repo}/blob/{sha}/{quote(rel)}{anchor_}"


def rule_docs_html(docs: Any) -> Markup:
    """A rule's Markdown documentation as HTML: CommonMark with raw HTML disabled (tags in
    the text are shown escaped), links only to http(s) URLs and in-page anchors, no
    images (the page's policy loads none)."""
    return Markup(_markdown().render(_visible(str(docs))))


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = lambda url: bool(http_url(url)) or url.startswith("#")  # type: ignore
    return md


def portfolio_gates(reports: list[Report]) -> list[tuple[str, str]]:
    """(name, title) of every gate in any report, in first-seen order: the portfolio columns."""
    seen: dict[str, str] = {}
    for r in reports:
        for g in r.gates:
            seen.setdefault(g.name, g.title)
    return list(seen.items())


def ratio_of(passed: int, total: int) -> float:
    return 1.0 if not total else passed / total


def _as_dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _points(value: Any, unit: str = "") -> str:
    """A number (already in percent or points) for a comparison cell; "n/a" when absent."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "n/a"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.1f}{unit}"


def _signed(value: Any) -> tuple[str, str]:
    """(text, css class) of a delta: ``+1.2`` good, ``-0.4`` bad, ``±0`` flat."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "", ""
    if abs(value) < 0.005:
        return "±0", "flat"
    return f"{value:+.1f}", "up" if value > 0 else "down"


def _finding_row(f: Any, cited: set[str]) -> dict[str, Any]:
    d = _as_dict(f)
    extra = _as_dict(d.get("extra"))
    severity = str(d.get("severity", "info"))
    rule_id = str(d.get("rule", ""))
    return {
        "severity": severity if severity in ("error", "warning", "info") else "info",
        "rule": rule_id, "linked": rule_id in cited, "message": str(d.get("message", "")),
        "where": f"{d.get('file', '')}:{d.get('line', '')}", "pointer": str(d.get("pointer", "")),
        "url": source_url(d.get("file", ""), d.get("line")),
        "base_where": str(extra["base"]) if "base" in extra else "",
        "base_pointer": str(extra["base_pointer"]) if "base_pointer" in extra else "",
    }


def compare_view(report: Report) -> dict[str, Any]:
    """The scorecard's view of the ``compare`` section (`gatekeeper.sections.CompareSection`:
    base comparison); ``present`` is false when the run had no base. The typed section
    tolerates missing keys; the values here are still checked, since a merged report may
    come from a JSON file written by hand."""
    data = compare_section(report)
    if data is None:
        return {"present": False}
    cited = {r.id for r in rules_cited(report)}
    score, cov, counts = data.score, data.coverage or Delta(), data.counts
    gates, new, fixed, unchanged = [], [], [], []
    for g in data.gates:
        c = g.counts
        delta, trend = _signed(g.metric_delta)
        gates.append({
            "name": str(g.name), "title": str(g.title or g.name),
            "has_metric": g.metric_after is not None or g.metric_before is not None,
            "before": _points(g.metric_before, " %"),
            "after": _points(g.metric_after, " %"), "delta": delta, "trend": trend,
            "threshold": "–" if g.threshold is None else _points(g.threshold, " %"),
            "new": c.new, "fixed": c.fixed, "unchanged": c.unchanged,
        })
        new += [_finding_row(f, cited) for f in g.new]
        fixed += [_finding_row(f, cited) for f in g.fixed]
        unchanged += [_finding_row(f, cited) for f in g.unchanged]
    score_delta, score_trend = _signed(score.delta)
    cov_delta, cov_trend = _signed(cov.delta)
    return {
        "present": True,
        "base": str(data.base or "the base"),
        "base_found": bool(data.base_found),
        "base_error": str(data.base_error or ""),
        "score_before": _points(score.before), "score_after": _points(score.after),
        "score_delta": score_delta, "score_trend": score_trend,
        "coverage_before": _points(cov.before, " %"),
        "coverage_after": _points(cov.after, " %"),
        "coverage_delta": cov_delta, "coverage_trend": cov_trend,
        "counts": {"new": counts.new, "fixed": counts.fixed, "unchanged": counts.unchanged},
        "gates": gates, "new": new, "fixed": fixed, "unchanged": unchanged,
        "breaking": [_finding_row(f, cited) for f in data.breaking],
        "breaking_blocking": data.breaking_blocking,
        "major_bump": str(data.major_bump or ""),
        "new_only": bool(data.new_only), "ratchet": bool(data.ratchet),
        "ratchet_dropped": [
            {"gate": str(d.gate), "before": _points(d.before, " %"),
             "after": _points(d.after, " %"), "tolerance": _num(d.tolerance)}
            for d in data.ratchet_dropped],
    }


def baseline_view(report: Report) -> dict[str, Any]:
    """The page's view of the ``baseline`` section (`gatekeeper.sections.BaselineSection`):
    the entries that waived findings, and the expired and stale ones."""
    data = baseline_section(report)
    if data is None:
        return {"present": False}

    def entry(d: dict[str, Any]) -> dict[str, str]:
        where = f"{d['file']}:{d['line']}" if "file" in d and "line" in d else ""
        return {k: str(d.get(k) or "") for k in ("rule", "pointer", "reason", "owner", "expires",
                                                 "message")} | {"where": where}

    return {
        "present": True, "file": str(data.file or ""),
        "entries": data.entries, "waived": data.waived, "today": str(data.today or ""),
        "waivers": [entry(e) for e in data.waivers],
        "expired": [entry(e) for e in data.expired],
        "stale": [entry(e) for e in data.stale],
    }


def _filters(env: Environment) -> None:
    """Every filter and global the templates use, registered in one place."""
    env.filters.update(
        percent=percent, severity_class=severity_class, anchor=anchor, linkify=linkify,
        code_spans=code_spans, safe_text=safe_text, http_url=http_url, num=_num,
        rule_docs_html=rule_docs_html,
    )
    env.globals.update(
        rules_cited=rules_cited, rule_summary=rule_summary, score_terms=score_terms,
        gate_counts=gate_counts, gate_verdict_reason=gate_verdict_reason,
        portfolio_gates=portfolio_gates, verdict_note=verdict_note,
        findings_by_rule=findings_by_rule, source_url=source_url,
        MAX_ROWS=MAX_ROWS_PER_GROUP,
        findings_by_gate=findings_by_gate, ratio_of=ratio_of,
        live_view=live_view, compare_view=compare_view, baseline_view=baseline_view,
        load_view=load_view,
        CSP=CSP, severities=[str(s) for s in Severity],
    )


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    _filters(env)
    return env


# ------------------------------------------------------------------ Markdown
# ``<``, ``>`` and ``&`` are left to HTML escaping: a backslash before an entity would show it.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_escape(value: Any) -> str:
    """Spec text as inert Markdown: one line, punctuation backslash-escaped, ``@`` mentions
    broken, control characters made visible. HTML escaping is applied after this by
    autoescape, which GitHub and GitLab render back to the literal characters."""
    text = _visible(str(value)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = text.replace("\u2028", " ").replace("\u2029", " ")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@\u2060")


def md_code_spans(value: Any) -> Markup:
    """A message for Markdown: text escaped, backtick-quoted subjects as inline ``<code>``
    (whose content Markdown still parses, so it is escaped the same way)."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:
        return Markup(escape(md_escape(value)))
    return Markup("".join(f"<code>{escape(md_escape(part))}</code>" if i % 2
                          else str(escape(md_escape(part))) for i, part in enumerate(parts)))


def _md_finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return md_escape(value)


@cache
def markdown_environment() -> Environment:
    """Environment for Markdown templates: every ``{{ }}`` value is Markdown-escaped by
    ``finalize`` and then HTML-escaped by autoescape (both by construction)."""
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True, finalize=_md_finalize)
    _filters(env)
    env.filters["md_code_spans"] = md_code_spans
    return env


# ------------------------------------------------------------------ entry points
def render(report: Report, **_: object) -> str:
    return environment().get_template("scorecard.html.j2").render(report=report)


def render_portfolio(reports: list[Report] | tuple[Report, ...]) -> str:
    """The portfolio page of reports in memory: what a batch streams
    (`gatekeeper.stream.HtmlWriter`), built here in one go."""
    from gatekeeper.portfolio import DETAIL_LIMIT, SpecSummary

    summaries = [SpecSummary.of_report(i, r) for i, r in enumerate(reports)]
    detailed = len(reports) <= DETAIL_LIMIT
    sections = [render_spec_section(r, i + 1) for i, r in enumerate(reports)
                if detailed and r.error is None]
    first = reports[0] if reports else None
    before, after = render_portfolio_page(
        summaries, version=first.tool_version if first else "",
        generated_at=first.generated_at if first else None,
        detailed=detailed and bool(sections), links={}, shard=None)
    return before + "".join(sections) + after


def _common_folder(summaries: list[Any]) -> str:
    """The folder every spec path starts with, with its trailing separator ("" if none):
    the table shows the paths without it."""
    paths = [s.path for s in summaries]
    if len(paths) < 2:
        return ""
    first, last = min(paths), max(paths)
    size = 0
    for a, b in zip(first, last):
        if a != b:
            break
        size += 1
    common = first[:size]
    cut = max(common.rfind("/"), common.rfind("\\"))
    return common[:cut + 1] if cut >= 0 else ""


def render_spec_section(report: Report, number: int) -> str:
    """One spec's full section of the portfolio page; its ids start with ``s<number>-``."""
    return environment().get_template("_portfolio_section.html.j2").render(
        report=report, number=number)


def render_portfolio_page(summaries: Any, *, version: str, generated_at: str | None,
                          detailed: bool, links: dict[int, str] | None = None,
                          shard: str | None = None) -> tuple[str, str]:
    """The portfolio page from per-spec summaries (`gatekeeper.portfolio.SpecSummary`): the
    table, worst first, with filters. Returned in two parts: the spec sections go between
    them (`detailed`: there are some; rows then link to them, else to `links`)."""
    import secrets

    from gatekeeper.portfolio import Totals, worst_first

    summaries = list(summaries)
    columns: dict[str, list[Any]] = {}
    for s in summaries:
        for g in s.gates:
            column = columns.setdefault(g.name, [g.title, 0])
            column[1] += 0 if g.passed else 1
    mark = f"gatekeeper-sections-{secrets.token_hex(16)}"  # no spec text can be this
    page = environment().get_template("portfolio.html.j2").render(
        totals=Totals.of(summaries), rows=worst_first(summaries),
        folder=_common_folder(summaries),
        columns=[(name, title, failing) for name, (title, failing) in columns.items()],
        detailed=detailed, links=links or {}, version=version, generated_at=generated_at,
        shard=shard, details_mark=mark)
    before, after = page.split(mark, 1)
    return before, after


def render_many(reports: list[Report]) -> str:
    if len(reports) == 1:
        return render(reports[0])
    return render_portfolio(reports)
