"""The showcase scorecard in real headless Chromium.

Needs the Debian package ``chromium`` (``.ci/run`` installs it; this test installs nothing and
is skipped, with the reason, when /usr/bin/chromium is absent). It renders the page, takes a
screenshot, dumps the DOM, and checks that the browser logged no console message at all (the
page runs no script, so any message is a CSP violation, a blocked load or an error) and that
every gate's card is there.

``GATEKEEPER_SCREENSHOT=docs/scorecard.png pytest tests/test_html_chromium.py`` also copies the
screenshot there (how docs/scorecard.png is refreshed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from gatekeeper.config import Config
from gatekeeper.engine import run
from gatekeeper.registry import all_gates
from gatekeeper.reporters import html
from gatekeeper.spec import load

CHROMIUM = Path(os.environ.get("GATEKEEPER_CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install the Debian package `chromium` "
           "(apt-get install -y chromium) to run the browser test")

#: Console output that means the page did not render cleanly.
BAD = re.compile(r":CONSOLE|Uncaught|Refused|Content Security Policy|net::ERR_", re.I)


def _chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-default-apps", "--mute-audio",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *extra, url]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env,
                          cwd=tmp_path)


@pytest.fixture(scope="module")
def scorecard(tmp_path_factory):
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        report = run(load("sample_specs/showcase.yaml"), all_gates(), Config())
    finally:
        os.chdir(old)
    folder = tmp_path_factory.mktemp("scorecard")
    page = folder / "scorecard.html"
    page.write_text(html.render(report), encoding="utf-8")
    return report, page


def test_showcase_scorecard_renders_in_chromium(scorecard, tmp_path):
    report, page = scorecard
    shot = tmp_path / "scorecard.png"
    out = _chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2400",
                    "--hide-scrollbars")
    assert shot.exists(), out.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    bad = [line for line in out.stderr.splitlines() if BAD.search(line)]
    assert not bad, "\n".join(bad)
    target = os.environ.get("GATEKEEPER_SCREENSHOT")
    if target:
        shutil.copyfile(shot, ROOT / target)


def test_dom_has_every_gate_card_and_no_console_errors(scorecard, tmp_path):
    report, page = scorecard
    out = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    assert "<main" in dom and "Bookshop API" in dom
    for gate in report.gates:
        assert f'id="card-{html.anchor(gate.name)}"' in dom, gate.name
        assert f'id="gate-{html.anchor(gate.name)}"' in dom, gate.name
    assert "<script" not in dom
    bad = [line for line in out.stderr.splitlines() if BAD.search(line)]
    assert not bad, "\n".join(bad)


def test_console_check_is_not_vacuous(tmp_path):
    """A page that breaks its own CSP is caught by the same check."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
                    f'content="{html.CSP}"></head><body><script>x()</script></body></html>',
                    encoding="utf-8")
    out = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert any(BAD.search(line) for line in out.stderr.splitlines())


# ------------------------------------------------------------------ measured in the browser
# The page runs no script; to measure it, a copy without the policy gets one audit script
# that opens every <details>, then writes what it measured into a data attribute that
# --dump-dom prints: the contrast of every piece of text against what is really behind it
# (HTML backgrounds, or the SVG shape under an SVG label), the verdict beside the score, and
# boxes whose content overflows them.

AUDIT_JS = r"""
(function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  function rgba(s) {
    var m = /rgba?\(([^)]+)\)/.exec(s || ''); if (!m) return null;
    var p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function blend(fg, bg) { var a = fg[3]; return [0, 1, 2].map(function (i) {
    return fg[i] * a + bg[i] * (1 - a); }).concat([1]); }
  function lum(c) { var f = function (v) { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); }
  function ratio(a, b) { var x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  function htmlBg(el) {
    var layers = [];
    for (var e = el; e && e.nodeType === 1; e = e.parentElement) {
      if (e instanceof SVGElement && !(e instanceof SVGSVGElement)) continue;
      var c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    var bg = [255, 255, 255, 1];
    for (var i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  }
  function opacity(el) { var o = 1;
    for (var e = el; e && e.nodeType === 1; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o; }
  function svgBgs(text) {   // the fill of the topmost shape under points along the label
    var svg = text.ownerSVGElement, box = text.getBBox(), out = [];
    var shapes = Array.prototype.slice.call(svg.querySelectorAll('rect'));
    [0.1, 0.5, 0.9].forEach(function (t) {
      var x = box.x + box.width * t, y = box.y + box.height / 2, bg = htmlBg(svg);
      shapes.forEach(function (r) { var b = r.getBBox();
        if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height) {
          var c = rgba(getComputedStyle(r).fill); if (c) bg = blend(c, bg); } });
      out.push(bg);
    });
    return out;
  }
  var low = [], checked = 0;
  document.querySelectorAll('body *').forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim(); });
    if (!own || !el.getClientRects().length) return;
    var cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') return;
    var svgText = el instanceof SVGElement;
    var fg = rgba(svgText ? cs.fill : cs.color); if (!fg) return;
    var bgs = svgText ? svgBgs(el) : [htmlBg(el)];
    fg[3] = fg[3] * opacity(el);
    checked++;
    bgs.forEach(function (bg) { var r = ratio(blend(fg, bg), bg);
      if (r < 4.5) low.push({text: el.textContent.trim().slice(0, 40), ratio: Math.round(r * 100) / 100,
                             tag: el.tagName, cls: String(el.getAttribute('class') || '')}); });
  });
  var overflow = [];
  document.querySelectorAll('.panel, .card, td, .hero').forEach(function (el) {
    var ox = getComputedStyle(el).overflowX;
    if (ox === 'auto' || ox === 'scroll') return;
    if (el.scrollWidth > el.clientWidth + 1) overflow.push({cls: String(el.getAttribute('class') || el.tagName),
      text: el.textContent.trim().slice(0, 60), over: el.scrollWidth - el.clientWidth});
  });
  var hero = document.querySelector('.hero'), ring = hero && hero.querySelectorAll('.score circle')[1];
  var badge = hero && hero.querySelector('.verdict.big');
  var why = hero && hero.querySelector('.score-why');
  var scoreText = hero && hero.querySelector('.score svg text');
  var cards = Array.prototype.map.call(document.querySelectorAll('.card'), function (c) {
    var v = c.querySelector('.verdict'), m = c.querySelector('.metric-value'), f = c.querySelector('.meter > .fill');
    return {verdict: v.textContent.trim().toLowerCase(), verdictColor: getComputedStyle(v).color,
            metric: m ? m.textContent.trim() : '', metricColor: m ? getComputedStyle(m).color : '',
            fill: f ? getComputedStyle(f).backgroundColor : '', text: c.textContent.replace(/\s+/g, ' ')};
  });
  document.body.setAttribute('data-audit', JSON.stringify({
    checked: checked, low: low, overflow: overflow, cards: cards,
    verdict: badge ? badge.textContent.trim() : null,
    verdictColor: badge ? getComputedStyle(badge).color : null,
    ring: ring ? getComputedStyle(ring).stroke : null,
    score: scoreText ? scoreText.textContent.trim() : null,
    why: why && why.getClientRects().length ? why.textContent.trim() : null,
    bytes: document.documentElement.outerHTML.length}));
})();
"""


def _audit(tmp_path: Path, page: Path) -> dict:
    import html as std_html
    import json

    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text, count=1)
    probe = tmp_path / f"audit-{page.name}"
    probe.write_text(text.replace("</body>", f"<script>{AUDIT_JS}</script></body>"), "utf-8")
    out = _chromium(tmp_path, probe.as_uri(), "--window-size=1280,1600", "--dump-dom")
    m = re.search(r'data-audit="([^"]*)"', out.stdout)
    assert m, out.stderr[-2000:]
    return json.loads(std_html.unescape(m.group(1)))


def _consistent(audit: dict, report) -> None:
    """The hero's verdict, ring and note agree; every card's colours follow its verdict."""
    assert audit["verdict"].lower() == ("passed" if report.passed else "failed")
    assert audit["ring"] == audit["verdictColor"], audit  # the ring wears the verdict's colour
    score = report.score
    if score is not None:
        assert audit["score"] == f"{score:.1f}"
        if not report.passed and score >= 50:
            assert audit["why"] and audit["why"].startswith("Failed"), audit
        if report.passed and score < 50:
            assert audit["why"] and audit["why"].startswith("Passed"), audit
    colours = {c["verdict"]: c["verdictColor"] for c in audit["cards"]}
    for card in audit["cards"]:
        if card["fill"]:
            assert card["fill"] == colours[card["verdict"]], card
        other = [v for k, v in colours.items() if k != card["verdict"]]
        assert card["metricColor"] not in other, card  # no red figure on a passing card
        if card["verdict"] == "pass" and card["metric"].endswith("%") \
                and float(card["metric"].split()[0]) < 50:
            assert "informational" in card["text"], card  # "PASS 0.0 %" says why


def test_showcase_text_contrast_and_verdict_in_the_browser(scorecard, tmp_path):
    report, page = scorecard
    audit = _audit(tmp_path, page)
    assert audit["checked"] > 200
    assert audit["low"] == [], audit["low"][:10]
    assert audit["overflow"] == [], audit["overflow"][:10]
    _consistent(audit, report)


def _stripe_report():
    from conftest import CORPUS

    path = CORPUS / "stripe" / "spec3.yaml"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return run(load(str(path)), all_gates(), Config())


def test_stripe_page_is_small_grouped_and_readable(tmp_path):
    report = _stripe_report()
    page = tmp_path / "stripe.html"
    page.write_text(html.render(report), encoding="utf-8")
    size = page.stat().st_size
    assert size < 1_500_000, size
    text = page.read_text(encoding="utf-8")
    # grouped by rule, count first, details collapsed
    groups = re.findall(r'<details class="rule-group[^"]*">\s*<summary><span class="sev [^"]+">'
                        r'(\w+)</span> <span class="n">(\d+)</span>', text)
    assert groups and sum(int(n) for _, n in groups) == len(report.findings)
    assert '<details class="rule-group' in text and "<details open" not in text
    assert "more findings of this rule" in text
    audit = _audit(tmp_path, page)
    assert audit["low"] == [], audit["low"][:10]
    assert audit["overflow"] == [], audit["overflow"][:10]
    _consistent(audit, report)
    shots = os.environ.get("GATEKEEPER_SCREENSHOTS")
    if shots:
        _chromium(tmp_path, page.as_uri(), f"--screenshot={Path(shots) / 'stripe.png'}",
                  "--window-size=1280,2000", "--hide-scrollbars")


def test_compare_page_base_column_stays_in_its_card(tmp_path):
    from gatekeeper.orchestration.compare import run_check

    base_dir = tmp_path / ("a-very-long-folder-name-for-the-base-" * 3)
    base_dir.mkdir()
    head_text = (ROOT / "sample_specs" / "showcase.yaml").read_text(encoding="utf-8")
    base = base_dir / "showcase-base-with-a-long-file-name.yaml"
    base.write_text(head_text.replace("paths:\n", "paths:\n  /removed/operation/with/a/long/"
                                      "path/{id}:\n    get:\n      responses:\n        '200':"
                                      "\n          description: ok\n", 1), encoding="utf-8")
    head = tmp_path / "showcase.yaml"
    head.write_text(head_text, encoding="utf-8")
    report = run_check(load(str(head)), str(head), all_gates(), Config(),
                       base_file=str(base))
    assert report.sections["compare"]["breaking"], "the removed operation is breaking"
    page = tmp_path / "compare.html"
    page.write_text(html.render(report), encoding="utf-8")
    audit = _audit(tmp_path, page)
    assert audit["overflow"] == [], audit["overflow"][:10]
    assert audit["low"] == [], audit["low"][:10]


def test_rule_docs_are_rendered_markdown_without_injection(tmp_path):
    from gatekeeper.report import RuleInfo, Severity

    docs = ("## What it does\nFlags `x`.\n\n<script>alert(1)</script>\n\n"
            "[bad](javascript:alert(1)) [good](https://example.com/a) "
            "![img](https://example.com/i.png) <img src=x onerror=alert(1)>\n\n"
            "```yaml\npaths: {}\n```")
    out = str(html.rule_docs_html(docs))
    assert "<h2>What it does</h2>" in out and "<code>x</code>" in out
    assert "<pre><code" in out
    assert "<script" not in out and "<img" not in out and "href=\"javascript" not in out
    assert '<a href="https://example.com/a">good</a>' in out
    report, _ = _showcase()
    info = report.rules[0]
    report = report.replace(rules=(RuleInfo(id=info.id, gate=info.gate, severity=Severity.ERROR,
                                            summary=info.summary, docs=docs),
                                   *report.rules[1:]))
    page = tmp_path / "docs.html"
    page.write_text(html.render(report), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert "## What it does" not in text.split('id="rules"', 1)[1]
    out = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    bad = [line for line in out.stderr.splitlines() if BAD.search(line)]
    assert not bad, "\n".join(bad)


def _showcase():
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return run(load("sample_specs/showcase.yaml"), all_gates(), Config()), None
    finally:
        os.chdir(old)


def test_locations_link_to_the_repository_in_github_actions(monkeypatch, tmp_path):
    report, _ = _showcase()
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/api")
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ROOT))
    text = html.render(report)
    f = report.findings[0]
    assert (f'href="https://github.com/acme/api/blob/0123456789abcdef0123456789abcdef01234567/'
            f'sample_specs/showcase.yaml#L{f.location.line}"') in text
    monkeypatch.delenv("GITHUB_SHA")
    assert "github.com/acme" not in html.render(report)
