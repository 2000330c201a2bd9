"""The report sections of other stages in every view: ``compare`` (``--base``), ``baseline`` and
``live`` in the HTML scorecard, the Markdown summary and the terminal (issues 4, 5 and 6)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from gatekeeper.orchestration.compare import run_check
from gatekeeper.config import Config
from gatekeeper.registry import all_gates
from gatekeeper.report import Report
from gatekeeper.reporters import html, markdown, terminal
from gatekeeper.spec import load
from test_reporters import LIVE, _assert_inert_html, _parse_html

SHOWCASE = "sample_specs/showcase.yaml"
PETSTORE = "sample_specs/petstore.yaml"
HOSTILE = "tests/data/hostile_text.yaml"
TODAY = dt.date(2026, 6, 1)


def _check(head: str, base_file: str | None = None, baseline: str | None = None) -> Report:
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return run_check(load(head), head, all_gates(), Config(), base_file=base_file,
                         baseline=baseline, today=TODAY)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def compared() -> Report:
    return _check(SHOWCASE, base_file=PETSTORE)


@pytest.fixture(scope="module")
def baselined(tmp_path_factory) -> Report:
    """The showcase with a baseline: two waiving entries (one with owner and expiry), one
    expired, one stale."""
    plain = _check(SHOWCASE)
    findings = sorted(plain.findings)
    entries = [
        {"rule": findings[0].rule, "fingerprint": findings[0].fingerprint,
         "pointer": findings[0].pointer, "reason": "legacy <b>API</b>", "owner": "team-a",
         "expires": "2027-01-31"},
        {"rule": findings[1].rule, "fingerprint": findings[1].fingerprint,
         "pointer": findings[1].pointer},
        {"rule": findings[2].rule, "fingerprint": findings[2].fingerprint,
         "pointer": findings[2].pointer, "owner": "team-b", "expires": "2026-01-01"},
        {"rule": "docs/undocumented-operation", "fingerprint": "0" * 16,
         "pointer": "#/paths/~1gone/get"},
    ]
    path = tmp_path_factory.mktemp("baseline") / "baseline.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "entries": entries}))
    return _check(SHOWCASE, base_file=PETSTORE, baseline=str(path))


# ------------------------------------------------------------------ HTML: compare
def test_scorecard_has_no_change_review_without_a_base(compared):
    plain = compared.replace(sections={})
    page = html.render(plain)
    assert 'id="compare"' not in page and 'id="baseline"' not in page


def test_scorecard_change_review(compared):
    page = html.render(compared)
    doc = _assert_inert_html(page, compared)
    text = " ".join(doc.text)
    c = compared.sections["compare"]
    assert 'id="compare"' in page and "Change review" in text
    assert f"{c['score']['before']:.1f} → {c['score']['after']:.1f}" in text
    assert f"{c['score']['delta']:+.1f}" in text
    # every gate's metric before and after, and the new/fixed counts
    for g in c["gates"]:
        if g["metric_after"] is not None:
            assert f"{g['metric_after']:.1f} %" in text, g["name"]
    # every breaking change with both locations
    for f in c["breaking"]:
        assert f"{f['file']}:{f['line']}" in text and f["extra"]["base"] in text
    new_rules = {f["rule"] for g in c["gates"] for f in g["new"]}
    assert all(r in text for r in new_rules)
    ids = [a["id"] for _, a in doc.tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_change_review_lists_fixed_findings():
    # the base is the showcase (worse): head petstore fixes everything
    fixed = _check(PETSTORE, base_file=SHOWCASE)
    page = html.render(fixed)
    text = " ".join(_parse_html(page).text)
    n = fixed.sections["compare"]["counts"]["fixed"]
    assert n > 0 and re.search(rf"Fixed findings\s+{n}\b", text)
    assert "The change introduced no finding." in text


def test_change_review_when_the_base_cannot_be_read(tmp_path):
    broken = tmp_path / "base.yaml"
    broken.write_text("openapi: [unclosed\n")
    report = _check(PETSTORE, base_file=str(broken))
    assert report.sections["compare"]["base_found"] is False
    text = " ".join(_parse_html(html.render(report)).text)
    assert "the spec is new, so every finding counts as new" in text


def test_change_review_is_inert_for_hostile_text():
    report = _check(HOSTILE, base_file=PETSTORE)
    assert report.sections["compare"]["counts"]["new"] > 0
    page = html.render(report)
    _assert_inert_html(page, report)
    assert "<script>alert" not in page


def test_change_review_in_the_portfolio_has_unique_ids(compared):
    page = html.render_portfolio([compared, compared])
    ids = [a["id"] for _, a in _parse_html(page).tags if "id" in a]
    assert len(ids) == len(set(ids))
    assert 'id="s1-compare"' in page and 'id="s2-compare"' in page


def test_change_review_of_unexpected_shape_does_not_break(compared):
    for odd in ({"gates": "x"}, {"score": None, "gates": [{"counts": None, "new": [1]}]},
                {"breaking": [{"extra": "x"}], "ratchet_dropped": [None]}):
        html.render(compared.replace(sections={"compare": odd}))


# ------------------------------------------------------------------ HTML + Markdown: baseline
def test_scorecard_lists_baseline_waivers_expired_and_stale(baselined):
    b = baselined.sections["baseline"]
    assert (len(b["waivers"]), len(b["expired"]), len(b["stale"])) == (2, 1, 1)
    page = html.render(baselined)
    doc = _assert_inert_html(page, baselined)
    text = " ".join(doc.text)
    assert 'id="baseline"' in page
    for needle in ("waiving", "expired", "stale", "team-a", "2027-01-31", "team-b",
                   "legacy <b>API</b>", "#/paths/~1gone/get", "no longer waives"):
        assert needle in text, needle
    assert "<b>API" not in page  # reason shown as text


def test_markdown_summary_lists_waived_findings_and_baseline_waivers(baselined):
    text = markdown.render(baselined)
    assert "Waived findings (2)" in text
    assert "Baseline waivers (2)" in text
    assert "| team-a | 2027-01-31 |" in text
    assert "expired" in text and "stale" in text
    assert "<b>" not in text  # the reason is escaped


# ------------------------------------------------------------------ HTML: live tables
LIVE_MORE = {
    **LIVE,
    "rate_limits": [{"operation": "GET /search<i>", "documented_headers": ["Retry-After"],
                     "provoked": True, "requests": 12, "missing_headers": ["RateLimit-Reset"]},
                    {"operation": "GET /slow", "documented_headers": [], "provoked": False,
                     "requests": 20, "missing_headers": []}],
    "skipped": [{"operation": "POST /pets", "reason": "write method; pass --allow-writes"}],
}


def test_live_rate_limits_and_skipped_are_tables(compared):
    page = html.render(compared.replace(sections={"live": LIVE_MORE}))
    doc = _assert_inert_html(page, compared, extra_svg=1)
    text = " ".join(doc.text)
    assert "Declared rate limits" in text and "Not audited" in text
    for needle in ("GET /search<i>", "Retry-After", "RateLimit-Reset", "not verified",
                   "POST /pets", "write method; pass --allow-writes"):
        assert needle in text, needle
    assert '"documented_headers"' not in text and "rate_limits" not in text  # no raw JSON


# ------------------------------------------------------------------ terminal
def test_terminal_renders_the_live_summary_first():
    from gatekeeper.reporters._live import terminal_text
    from gatekeeper.sections.live import read_live

    report = _check(PETSTORE).replace(sections={"live": LIVE_MORE})
    out = terminal.render(report)
    assert out.startswith(terminal_text(read_live(LIVE_MORE)) + "\n")
    assert "rate limit  GET /search<i>: 429 observed, missing RateLimit-Reset" in out
    assert "not audited (1):\n    POST /pets: write method" in out
    assert "Live audit" not in terminal.render(_check(PETSTORE))


def test_terminal_shows_the_compare_summary(compared, baselined):
    out = terminal.render(compared)
    c = compared.sections["compare"]
    tail = out[out.index("FAILED"):]
    assert f"{c['counts']['new']} new, {c['counts']['fixed']} fixed" in tail
    assert f"({c['score']['delta']:+.1f})" in tail
    assert f"breaking changes: {len(c['breaking'])}" in tail
    out = terminal.render(baselined)
    assert "1 expired, 1 stale" in out and "no longer waived" in out


def test_terminal_compare_summary_is_terminal_safe(compared):
    section = {**compared.sections["compare"], "base": "evil\x1b]0;title\x07ref"}
    out = terminal.render(compared.replace(sections={"compare": section}))
    assert "\x1b" not in out and "\x07" not in out


def test_cli_terminal_output_shows_the_compare_summary_once(tmp_path: Path):
    result = run_cli("check", SHOWCASE, "--base-file", PETSTORE, cwd=ROOT)
    assert result.returncode == 1
    assert result.stdout.count("compare with sample_specs/petstore.yaml:") == 1
    assert result.stdout.index("FAILED") < result.stdout.index("compare with")
