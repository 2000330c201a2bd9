"""Every report format: snapshots on the showcase spec, schema and strict-parser checks, and the
hostile-text spec (docs/hardening.md R15 to R18; the hostile suite's cases 26 and 27).

Update the snapshots after an intended change with ``pytest tests/test_reporters.py
--snapshot-update`` and review the diff like code.
"""

from __future__ import annotations

from html.parser import HTMLParser
import json
import os
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from gatekeeper.config import Config
from gatekeeper.engine import run
from gatekeeper.registry import all_gates
from gatekeeper.report import Report, Severity
from gatekeeper.reporters import REPORTERS, github, gitlab, html, junit, markdown, sarif, terminal
from gatekeeper.outputs import github_actions, parse_report_args, render_for
from gatekeeper.spec import load

from conftest import ROOT, run_cli

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"
HOSTILE = "tests/data/hostile_text.yaml"
SHOWCASE = "sample_specs/showcase.yaml"
PETSTORE = "sample_specs/petstore.yaml"


@contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _report(rel: str) -> Report:
    """Run every gate on a spec named relative to the repo root (R18: relative paths)."""
    with _cwd(ROOT):
        return run(load(rel), all_gates(), Config())


@pytest.fixture(scope="module")
def showcase() -> Report:
    return _report(SHOWCASE)


@pytest.fixture(scope="module")
def petstore() -> Report:
    return _report(PETSTORE)


@pytest.fixture(scope="module")
def hostile() -> Report:
    return _report(HOSTILE)


def _strict_json(text: str):
    def reject(name: str):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=reject)


# ------------------------------------------------------------------ snapshots (acceptance 4)
def _ext(suffix: str) -> type[SingleFileSnapshotExtension]:
    return type(f"Snapshot_{suffix}", (SingleFileSnapshotExtension,),
                {"_write_mode": WriteMode.TEXT, "file_extension": suffix})


#: The snapshot file's extension per format (for an editor's highlighting); others: .txt
FORMATS = {
    "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "gitlab": "json",
    "html": "html",
}


def _quiet_rules_left_out(report: Report) -> Report:
    """The report with only the rules that found something in its catalogue: the snapshots
    embed the catalogue (SARIF rules, JUnit test cases), and a new rule that finds nothing in
    the showcase must not make every snapshot change."""
    fired = {f.rule for g in report.gates for f in g.findings}
    return report.replace(rules=tuple(r for r in report.rules if r.id in fired))


def _render(name: str, report: Report) -> str:
    report = _quiet_rules_left_out(report)
    if name == "terminal":
        return terminal.render(report, color=False)
    return render_for(name, [report])


SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_reporters"


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_snapshot_showcase(name, showcase, snapshot, request):
    """Every format renders the showcase deterministically, with no local path, as its
    snapshot records. A new reporter module has no snapshot yet: its other checks run, and
    the test is skipped with the command that writes one (the module alone is a working
    format; the snapshot is the review of its output)."""
    text = _render(name, showcase)
    assert text == _render(name, showcase), "rendering is not deterministic"
    assert str(ROOT) not in text and "file://" not in text  # R18
    suffix = FORMATS.get(name, "txt")
    recorded = SNAPSHOTS / f"test_snapshot_showcase[{name}].{suffix}"
    if not recorded.exists() and not request.config.option.update_snapshots:
        pytest.skip(f"no snapshot of the {name} format yet: run `python -m pytest "
                    f"tests/test_reporters.py --snapshot-update -k {name}` and review it")
    assert text == snapshot(extension_class=_ext(suffix))


def test_portfolio_snapshot(showcase, petstore, snapshot):
    text = html.render_portfolio([showcase, petstore])
    assert text == snapshot(extension_class=_ext("html"))


# ------------------------------------------------------------------ SARIF (acceptance 2)
def _sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema,
                                      format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("which", ["showcase", "petstore", "hostile", "many"])
def test_sarif_validates_against_the_official_schema(which, showcase, petstore, hostile):
    reports = {"showcase": [showcase], "petstore": [petstore], "hostile": [hostile],
               "many": [showcase, petstore, hostile]}[which]
    data = _strict_json(render_for("sarif", reports))
    errors = sorted(_sarif_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    run_ = data["runs"][0]
    assert len(run_["results"]) == sum(len(g.findings) for r in reports for g in r.gates)
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    for result in run_["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["properties"]["pointer"].startswith("#")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_sarif_schema_check_is_not_vacuous(showcase):
    data = _strict_json(sarif.render(showcase))
    data["runs"][0]["results"][0]["level"] = "fatal"
    assert list(_sarif_validator().iter_errors(data))


def test_sarif_levels_and_rule_docs(showcase):
    data = _strict_json(sarif.render(showcase))
    levels = {r["level"] for r in data["runs"][0]["results"]}
    assert levels <= {"error", "warning", "note"}
    rules = {r["id"]: r for r in data["runs"][0]["tool"]["driver"]["rules"]}
    info = next(r for r in showcase.rules if r.docs)
    assert rules[info.id]["help"]["markdown"] == info.docs
    assert rules[info.id]["shortDescription"]["text"] == info.summary


# ------------------------------------------------------------------ JUnit (acceptance 2)
def _parse_junit(text: str) -> ET.Element:
    # ElementTree's expat parser is strict: undefined entities, invalid characters or
    # mismatched tags raise ParseError.
    return ET.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("which", ["showcase", "petstore", "hostile"])
def test_junit_parses_and_counts_passed_and_failed_rules(which, showcase, petstore, hostile):
    report = {"showcase": showcase, "petstore": petstore, "hostile": hostile}[which]
    root = _parse_junit(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [g.name for g in report.gates]
    total = failed = 0
    for suite, gate in zip(suites, report.gates):
        cases = suite.findall("testcase")
        failing = [c for c in cases if c.find("failure") is not None]
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(failing)
        # a case per enabled rule of the gate, so passed rules count too
        enabled = {r.id for r in report.rules if r.gate == gate.name and r.enabled}
        assert enabled <= {c.get("name") for c in cases}
        # the suite fails exactly when its gate fails
        assert (len(failing) > 0) == (not gate.passed), gate.name
        total += len(cases)
        failed += len(failing)
    assert int(root.get("tests")) == total and int(root.get("failures")) == failed
    passed = total - failed
    if which == "petstore":
        assert failed == 0 and passed == total > 0
    else:
        assert failed > 0 and passed > 0


def test_junit_strips_xml_invalid_characters():
    assert junit.xml_safe("a\x00b\x1bc\ud800d\uffff") == "a\\x00b\\x1bc\\ud800d\\uffff"
    assert "\n" in junit.xml_safe("two\nlines")


# ------------------------------------------------------------------ other formats
def test_json_formats_are_strict(showcase, hostile):
    for report in (showcase, hostile):
        for name in ("json", "sarif", "gitlab"):
            _strict_json(render_for(name, [report]))


def test_json_sections_are_written_as_strict_json(showcase):
    """Sections (and metric details) that are strict JSON already are written as given; any
    other shape as its strict-JSON view: non-finite floats as strings, tuples as lists, keys
    as strings."""
    from gatekeeper.reporters import json as json_reporter

    plain = {"a": [1, 2.5, None, True, {"b": "c"}], "d": {}}
    odd = {"inf": float("inf"), "nan": [float("nan")], "pair": (1, (2, 3)), 4: {5: -float("inf")}}
    data = json.loads(json_reporter.render(showcase.replace(sections={"p": plain, "o": odd})))
    assert data["sections"] == {"p": plain, "o": {"inf": "inf", "nan": ["nan"],
                                                  "pair": [1, [2, 3]], "4": {"5": "-inf"}}}


def test_gitlab_code_quality_shape(showcase):
    issues = _strict_json(gitlab.render(showcase))
    assert len(issues) == len(showcase.findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
        assert not issue["location"]["path"].startswith("/")


def test_github_annotations_one_line_per_finding(showcase):
    lines = github.render(showcase, max_annotations=0, include_info=True).splitlines()
    assert len(lines) == len(showcase.findings)
    assert all(re.match(r"::(error|warning|notice) file=[^:]+,line=\d+,col=\d+,title=", line)
               for line in lines)


def test_github_escaping():
    from gatekeeper.report import Finding, Location

    f = Finding(Location("a,b:c.yaml", 3, 4), "x/y", Severity.INFO, "50% done\n::error::x",
                "#/p")
    line = github.annotation(f)
    assert line.startswith("::notice file=a%2Cb%3Ac.yaml,line=3,col=4,title=x/y::50%25 done")
    assert "\n" not in line


def test_markdown_escapes_spec_text(hostile):
    text = markdown.render(hostile)
    assert "<script" not in text and "<svg" not in text and "<iframe" not in text
    assert "&lt;script&gt;" in text
    for line in text.splitlines():
        assert not line.startswith(("::", "##[", "##vso["))
    # a table row stays one row: spec text can neither add lines nor add cells
    rows = [line for line in text.splitlines() if "undocumented\\-tag" in line]
    assert len(rows) == 3
    assert {len(re.findall(r"(?<!\\)\|", line)) for line in rows} == {5}


def test_markdown_many_specs(showcase, petstore):
    text = markdown.render_many([showcase, petstore])
    assert text.count("## ") == 2


# ------------------------------------------------------------------ hostile text (acceptance 3)
class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse_html(text: str) -> _Collector:
    c = _Collector()
    c.feed(text)
    c.close()
    return c


#: Every element gatekeeper's templates emit; anything else came from spec text.
TEMPLATE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
    "article", "div", "span", "svg", "path", "circle", "rect", "text", "h1", "h2", "h3", "h4",
    "p", "details", "summary", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "colgroup", "col", "strong", "a", "code", "pre", "ul", "li", "dl", "dt", "dd", "input",
    "label", "br",
    "em", "ol", "blockquote", "hr",  # the rule docs' Markdown (ours, never spec text)
}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _assert_inert_html(page: str, report: Report, extra_svg: int = 0) -> _Collector:
    doc = _parse_html(page)
    tags = [t for t, _ in doc.tags]
    assert set(tags) <= TEMPLATE_TAGS, set(tags) - TEMPLATE_TAGS
    for bad in ("script", "iframe", "img", "object", "embed", "form", "base", "link"):
        assert bad not in tags
    assert tags.count("style") == 1
    charts = sum(1 for g in report.gates if g.metric is not None and g.metric.breakdown)
    # logo, score ring, one chart per breakdown (+ the live latency histogram)
    assert tags.count("svg") == 2 + charts + extra_svg
    for tag, attrs in doc.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "src", (tag, name)
            if name == "href":
                assert value.startswith(("#", "http://", "https://")), value
    csp = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv") ==
           "Content-Security-Policy"]
    assert csp and csp[0]["content"] == html.CSP
    assert not CONTROL.search(page)
    return doc


def test_hostile_html_has_no_element_or_attribute_from_the_spec(hostile):
    page = html.render(hostile)
    doc = _assert_inert_html(page, hostile)
    text = "".join(doc.text)
    assert "{{ 7*7 }}" in text  # template syntax stays literal (never 49)
    assert "<script>alert('prop')</script>" in text  # shown as text, not markup
    assert "javascript:alert(1)" in text


def test_hostile_portfolio_is_inert(hostile, showcase):
    page = html.render_portfolio([hostile, showcase])
    doc = _parse_html(page)
    for tag, attrs in doc.tags:
        assert tag in TEMPLATE_TAGS
        assert not any(k.startswith("on") for k in attrs)
    ids = [a["id"] for _, a in doc.tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids in the portfolio"


def test_linkify_only_http():
    out = str(html.linkify("see https://ex.example/a?b=1&c=2 and javascript:alert(1) "
                           "data:text/html,x HTTP://UP.example/\"onmouseover=x"))
    doc = _parse_html(out)
    hrefs = [a["href"] for t, a in doc.tags if t == "a"]
    assert hrefs == ["https://ex.example/a?b=1&c=2", "HTTP://UP.example/"]
    assert html.http_url("javascript:alert(1)") is None
    assert html.http_url(" https://ok.example/x ") == "https://ok.example/x"


def test_hostile_terminal_output_has_no_control_characters(hostile):
    text = terminal.render(hostile, color=False)
    assert not CONTROL.search(text)
    assert not re.search("\r(?!\n)", text)
    for line in text.splitlines():
        assert not line.startswith(("::", "##[", "##vso["))
    assert "{{ 7*7 }}" in text


def test_hostile_github_annotations_cannot_forge_commands(hostile):
    text = github.render(hostile, max_annotations=0, include_info=True)
    lines = text.splitlines()
    assert len(lines) == len(hostile.findings)
    assert all(re.match(r"::(error|warning|notice) file=", line) for line in lines)
    assert not CONTROL.search(text)
    assert "::add-mask::" not in text.replace("%3A", ":").split("::", 2)[0]


def test_hostile_machine_formats_stay_valid(hostile):
    for name in ("json", "sarif", "gitlab"):
        data = _strict_json(render_for(name, [hostile]))
        assert data is not None
    raw = render_for("json", [hostile])
    assert "\x1b" not in raw and "\\u001b" in raw  # JSON keeps ESC escaped
    root = _parse_junit(junit.render(hostile))
    assert root.findall(".//failure")
    assert not CONTROL.search(junit.render(hostile))


# ------------------------------------------------------------------ live section
LIVE = {
    "base_url": "http://127.0.0.1:8000",
    "partial": False, "stop_reason": None, "duration_s": 3.2,
    "requests": {"sent": 180, "max": 1000, "unsendable": 2,
                 "by_outcome": {"2xx": 120, "3xx": 0, "4xx": 50, "5xx": 4, "timeout": 1,
                                "connection": 0}},
    "budgets": {"latency_p95_ms": 200, "error_rate": 0.001},
    "latency": {"overall": {"count": 180, "p50_ms": 12.5, "p95_ms": 80.1, "p99_ms": 210.0,
                            "max_ms": 305.2},
                "histogram": [{"le_ms": 5, "count": 3}, {"le_ms": 50, "count": 150},
                              {"le_ms": None, "count": 27}],
                "operations": [{"operation": "GET /pets<script>", "pointer": "#/paths/~1pets/get",
                                "count": 9, "p50_ms": 10, "p95_ms": 300, "p99_ms": 301,
                                "max_ms": 302, "within_budget": False,
                                "statuses": {"200": 9}}]},
    "error_rate": {"errors": 4, "total": 180, "rate": 0.022, "budget": 0.001,
                   "within_budget": False},
    "auth": [{"operation": "GET /pets", "schemes": ["bearerAuth"], "no_credentials": 401,
              "invalid_credentials": 200, "enforced": False, "note": "javascript:alert(1)"}],
    "tools": {"schemathesis": "4.0"},
}


def test_live_section_placeholder_and_table(showcase):
    assert "No live audit in this run" in html.render(showcase)
    page = html.render(showcase.replace(sections={"live": LIVE}))
    assert "No live audit in this run" not in page
    doc = _assert_inert_html(page, showcase, extra_svg=1)
    text = "".join(doc.text)
    for needle in ("Latency", "Error rate", "Authentication probes", "GET /pets<script>",
                   "2.20 %", "80.1", "bearerAuth"):
        assert needle in text, needle


def test_live_section_of_unexpected_shape_does_not_break(showcase):
    for odd in ({"latency": "fast"}, {"auth": [1, None]}, {"error_rate": {"rate": "NaN"}},
                {"latency": {"histogram": [{"count": "x"}]}}):
        html.render(showcase.replace(sections={"live": odd}))


# ------------------------------------------------------------------ CLI
def test_parse_report_args():
    assert parse_report_args(["html=a.html", "SARIF=b.sarif"]) == [("html", "a.html"),
                                                                   ("sarif", "b.sarif")]
    from gatekeeper.errors import ConfigError

    for bad in (["html"], ["pdf=x.pdf"], ["html=a", "junit=a"], ["html="]):
        with pytest.raises(ConfigError):
            parse_report_args(bad)
    with pytest.raises(ConfigError, match="spec being checked"):
        parse_report_args(["html=spec.yaml"], inputs=["spec.yaml"])


def test_cli_writes_several_reports_and_still_prints(tmp_path):
    spec = ROOT / SHOWCASE
    out = run_cli("check", str(spec), "--report", f"html={tmp_path / 'card.html'}",
                  "--report", f"sarif={tmp_path / 'r.sarif'}", "--report",
                  f"junit={tmp_path / 'junit.xml'}", env={"GITHUB_ACTIONS": "false"})
    assert out.returncode == 1, out.stderr
    assert "FAILED" in out.stdout and "::error" not in out.stdout
    assert "<!DOCTYPE html>" in (tmp_path / "card.html").read_text(encoding="utf-8")
    _strict_json((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    _parse_junit((tmp_path / "junit.xml").read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.html", "junit.xml", "r.sarif"]


def test_cli_portfolio_for_several_specs(tmp_path):
    out = run_cli("check", SHOWCASE, PETSTORE, "-q", "--report", f"html={tmp_path / 'p.html'}",
                  cwd=ROOT, env={"GITHUB_ACTIONS": "false"})
    assert out.returncode == 1, out.stderr
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "API portfolio" in page and page.count('class="spec-section"') == 2


@pytest.mark.parametrize("flag", ["--report=html=", "-o", "--output=", "--pr-summary="])
def test_cli_refuses_to_overwrite_the_spec(tmp_path, flag):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes((ROOT / PETSTORE).read_bytes())
    args = [flag, str(spec)] if not flag.endswith("=") else [f"{flag}{spec}"]
    out = run_cli("check", str(spec), "--format", "sarif", *args)
    assert out.returncode == 2
    assert "that is a spec being checked; refusing to overwrite it" in out.stderr
    assert spec.read_bytes() == (ROOT / PETSTORE).read_bytes()


#: JSON may escape a lone surrogate, which Python reads into a str UTF-8 cannot encode.
LONE_SURROGATE = ('{"openapi": "3.0.3", "info": {"title": "x\\ud800y", "version": "1.0.0", '
                  '"description": "d"}, "paths": {}}')


@pytest.mark.parametrize("fmt", ["terminal", "json", "sarif", "junit", "markdown", "github",
                                 "html"])
def test_a_lone_surrogate_in_the_spec_is_written_by_every_format(tmp_path, fmt):
    spec = tmp_path / "spec.json"
    spec.write_text(LONE_SURROGATE, encoding="utf-8")
    out = run_cli("check", str(spec), "--format", fmt, env={"GITHUB_ACTIONS": "false"})
    assert out.returncode in (0, 1), out.stderr  # checked, not "could not run"
    assert "internal error" not in out.stderr
    if fmt == "json":  # the same text back, as a JSON escape
        assert json.loads(out.stdout)["spec"]["title"] == "x\ud800y"


def test_cli_github_actions(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n", encoding="utf-8")
    out = run_cli("check", SHOWCASE, "-q", cwd=ROOT,
                  env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert out.returncode == 1, out.stderr
    assert re.search(r"^::error file=sample_specs/showcase.yaml,line=\d+", out.stdout, re.M)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("previous step\n") and "gatekeeper: Bookshop API failed" in text


def test_github_actions_helper_off_outside_actions(showcase):
    import io

    buf = io.StringIO()
    assert not github_actions([showcase], environ={}, stream=buf)
    assert buf.getvalue() == ""


def test_terminal_colour_only_on_a_tty_without_no_color():
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert terminal.use_color(Tty(), environ={})
    assert not terminal.use_color(Tty(), environ={"NO_COLOR": "1"})
    assert terminal.use_color(Tty(), environ={"NO_COLOR": ""})  # empty: the convention keeps colour
    assert not terminal.use_color(io.StringIO(), environ={})


def test_terminal_summary_table(showcase):
    text = terminal.render(showcase, color=False, max_findings=0)
    assert "\x1b" not in text
    header = next(line for line in text.splitlines() if line.strip().startswith("Gate "))
    assert header.split() == ["Gate", "Result", "Metric", "Threshold", "Errors", "Warnings",
                              "Info", "Waived"]
    for g in showcase.gates:
        row = next(line for line in text.splitlines() if line.startswith(f"  {g.title} "))
        assert ("PASS" if g.passed else "FAIL") in row
    coloured = terminal.render(showcase, color=True, max_findings=0)
    assert "\x1b[" in coloured


def test_cli_report_of_a_spec_that_does_not_load_says_so(tmp_path):
    target = tmp_path / "card.html"
    out = run_cli("check", str(tmp_path / "missing.yaml"), "--report", f"html={target}")
    assert out.returncode == 2
    page = target.read_text()
    assert "Could not be checked" in page and "missing.yaml" in page
    assert "Passed" not in page


def test_empty_report_renders_in_every_format():
    from gatekeeper.report import SpecInfo

    empty = Report(tool_version="0", spec=SpecInfo(path="x.yaml", title="", api_version="",
                                                    openapi_version="3.1.0", operations=0),
                   gates=(), rules=())
    for name in REPORTERS:
        if name != "terminal":
            render_for(name, [empty])
    _strict_json(sarif.render(empty))
    _parse_junit(junit.render(empty))
