"""The CI formats against their schemas and the limits of the services that read them: SARIF
(official 2.1.0 schema, unique stable fingerprints, URIs relative to the repository root, a
cap), JUnit (a common JUnit XSD, names unique per spec), the JSON schema for every document,
the pull-request Markdown (at most 60,000 characters) and the GitHub annotations (capped,
new and most severe first, info left out by default), each with a line saying what was left
out (docs/reports-in-ci.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.report import Finding, GateResult, Location, Report, Severity, SpecInfo
from gatekeeper.reporters import github, junit, markdown, sarif
from gatekeeper.outputs import render_for

from conftest import CORPUS, ROOT, needs_corpus, run_cli

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads((ROOT / "gatekeeper" / "schemas" / "report.schema.json").read_text())


def _finding(i: int, severity: Severity = Severity.WARNING, *, file: str = "api.yaml",
             fingerprint: str | None = None, message: str | None = None) -> Finding:
    return Finding(Location(file, 10 + i, 3), f"docs/rule-{i % 4}", severity,
                   message or f"finding {i}", f"#/paths/~1r{i}/get", gate="docs",
                   fingerprint=fingerprint if fingerprint is not None else f"fp-{i}")


def _report(findings: list[Finding], path: str = "api.yaml", sections=None,
            fail_under: float | None = None) -> Report:
    gate = GateResult(name="docs", title="Docs", description="", findings=tuple(findings),
                      metric=None, threshold=None,
                      passed=not any(f.severity is Severity.ERROR for f in findings))
    return Report(tool_version="t", spec=SpecInfo(path=path, title="T", api_version="1",
                                                  openapi_version="3.1.0", operations=1),
                  gates=(gate,), rules=(), sections=sections, fail_under=fail_under)


def _mixed(n: int, path: str = "api.yaml") -> Report:
    """`n` findings in file order: info first, the errors last (the order that hid errors)."""
    sev = [Severity.INFO] * (n * 6 // 10) + [Severity.WARNING] * (n * 3 // 10)
    sev += [Severity.ERROR] * (n - len(sev))
    return _report([_finding(i, s, file=path) for i, s in enumerate(sev)], path)


def _with_new(report: Report, new: list[Finding]) -> Report:
    """`report` compared with a base that had every finding but `new` (`--base`)."""
    from gatekeeper.orchestration.compare import diff

    base = _report([f for f in report.findings if f not in new], report.spec.path)
    return report.replace(sections={"compare": diff(base, report)})


# ------------------------------------------------------------------ JUnit against the XSD
@pytest.fixture(scope="module")
def junit_schema():
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(DATA / "junit-10.xsd"))


@pytest.fixture(scope="module")
def real_reports():
    from gatekeeper.config import Config
    from gatekeeper.engine import run
    from gatekeeper.registry import all_gates
    from gatekeeper.spec import load

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return [run(load(p), all_gates(), Config()) for p in
                ("sample_specs/showcase.yaml", "sample_specs/petstore.yaml",
                 "tests/data/hostile_text.yaml")]
    finally:
        os.chdir(old)


def _junit_cases(reports: list[Report], junit_schema) -> list:
    import xml.etree.ElementTree as ET

    text = render_for("junit", reports)
    junit_schema.validate(text)
    return ET.fromstring(text).findall(".//testcase")


def test_junit_validates_single_portfolio_unchecked_and_fail_under(real_reports, junit_schema):
    showcase, petstore, hostile = real_reports
    unchecked = Report.unchecked("broken.yaml", "broken.yaml:3:1: invalid YAML")
    _junit_cases([showcase], junit_schema)
    _junit_cases([hostile], junit_schema)
    _junit_cases([unchecked], junit_schema)
    _junit_cases([showcase.replace(fail_under=99.0)], junit_schema)
    _junit_cases([showcase, petstore, hostile, unchecked], junit_schema)


def test_junit_xsd_check_is_not_vacuous(real_reports, junit_schema):
    import xmlschema

    text = render_for("junit", real_reports[:1]).replace("<testcase ", '<testcase file="x" ', 1)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema.validate(text)


def test_junit_names_are_unique_per_spec_in_a_portfolio(real_reports, junit_schema):
    showcase, petstore, _ = real_reports
    other = showcase.replace(spec=showcase.spec.replace(path="copy/showcase.yaml"))
    cases = _junit_cases([showcase, petstore, other], junit_schema)
    keys = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(keys) == len(set(keys))


def test_junit_fail_under_alone_is_a_failure(real_reports, junit_schema):
    import xml.etree.ElementTree as ET

    petstore = real_reports[1]
    passing = petstore.replace(fail_under=50.0)
    failing = petstore.replace(gates=tuple(g.replace(metric=g.metric.replace(value=0.1))
                                           if g.metric is not None else g
                                           for g in petstore.gates), fail_under=50.0)
    assert all(g.passed for g in failing.gates) and not failing.passed
    root = ET.fromstring(junit.render(failing))
    junit_schema.validate(junit.render(failing))
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["gatekeeper/fail-under"]
    assert "under fail-under 50" in failures[0].get("message")
    assert ET.fromstring(junit.render(passing)).findall(".//failure") == []


def test_junit_is_linear_in_the_findings():
    """10,000 findings of one rule: the old reporter compared every finding with every
    failing one (50 million comparisons); this counts the work instead of timing it."""
    calls = {"n": 0}
    original = Finding.__eq__

    def counting_eq(self, other):  # noqa: ANN001, ANN202
        calls["n"] += 1
        return original(self, other)

    findings = [Finding(Location("a.yaml", i, 1), "docs/x", Severity.ERROR if i % 2 else
                        Severity.INFO, f"m{i}", f"#/p{i}") for i in range(10_000)]
    report = _report(findings)
    Finding.__eq__ = counting_eq
    try:
        junit.render(report)
    finally:
        Finding.__eq__ = original
    assert calls["n"] < 10_000, calls["n"]


# ------------------------------------------------------------------ SARIF
def _sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema,
                                      format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _valid_sarif(reports: list[Report], **kw) -> dict:
    data = sarif.to_sarif(reports, **kw)
    data = json.loads(json.dumps(data))
    errors = list(_sarif_validator().iter_errors(data))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return data["runs"][0]


def test_sarif_unchecked_and_capped_runs_validate(real_reports):
    unchecked = Report.unchecked("broken.yaml", "broken.yaml:3:1: invalid YAML")
    run_ = _valid_sarif([*real_reports, unchecked])
    assert run_["invocations"][0]["executionSuccessful"] is False
    capped = _valid_sarif([_mixed(300)], max_results=100)
    assert len(capped["results"]) == 100
    note = capped["invocations"][0]["toolExecutionNotifications"][-1]
    assert note["message"]["text"].startswith("200 of 300 findings left out")
    assert {r["level"] for r in capped["results"]} == {"error", "warning"}  # info cut first


def test_sarif_cap_keeps_new_findings_first():
    report = _mixed(300)
    new = [f for f in report.findings if f.severity is Severity.INFO][:5]
    run_ = _valid_sarif([_with_new(report, new)], max_results=50)
    kept = {r["partialFingerprints"]["gatekeeperFingerprint/v1"] for r in run_["results"]}
    assert {f.fingerprint for f in new} <= kept
    assert sum(r["level"] == "note" for r in run_["results"]) == 5


def test_sarif_fingerprints_unique_and_stable():
    shared = [_finding(i, fingerprint="same") for i in range(3)] + [_finding(3)]
    first = _valid_sarif([_report(shared)])
    again = _valid_sarif([_report(list(reversed(shared)))])

    def prints(run_):
        return {r["properties"]["pointer"]: r["partialFingerprints"]["gatekeeperFingerprint/v1"]
                for r in run_["results"]}

    assert len(set(prints(first).values())) == 4
    assert prints(first) == prints(again)  # the same finding, the same fingerprint
    assert prints(first)["#/paths/~1r0/get"] == "same"  # the first keeps the plain value


@pytest.mark.parametrize("typed, expected", [
    ("specs/api.yaml", "specs/api.yaml"),
    ("./specs/api.yaml", "specs/api.yaml"),
    ("a:b.yaml", "a%3Ab.yaml"),
    ("specs/../other/api yaml.yaml", "other/api%20yaml.yaml"),
])
def test_sarif_uris_are_relative_to_the_repository_root(tmp_path, monkeypatch, typed, expected):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    for where, path in ((tmp_path, typed), (tmp_path / "sub", "../" + typed.lstrip("./")),
                        (tmp_path / "sub", str(tmp_path / typed))):
        monkeypatch.chdir(where)
        run_ = _valid_sarif([_report([_finding(1, file=path)], path=path)])
        uri = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri == {"uri": expected, "uriBaseId": "SRCROOT"}, (where, path)
        assert run_["originalUriBaseIds"]["SRCROOT"] == {
            "description": {"text": "The repository root"}}
        assert str(tmp_path) not in json.dumps(run_)


def test_sarif_root_is_github_workspace_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    monkeypatch.chdir(tmp_path / "x")
    assert sarif.repository_root() == str(tmp_path)
    run_ = _valid_sarif([_report([_finding(1, file="api.yaml")])])
    assert run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "x/api.yaml"


@needs_corpus
def test_stripe_sarif_fingerprints_are_all_distinct(tmp_path):
    stripe = CORPUS / "stripe" / "spec3.yaml"
    out = tmp_path / "stripe.sarif"
    result = run_cli("check", str(stripe), "-q", "--report", f"sarif={out}", timeout=600)
    assert result.returncode in (0, 1), result.stderr
    run_ = json.loads(out.read_text())["runs"][0]
    prints = [r["partialFingerprints"]["gatekeeperFingerprint/v1"] for r in run_["results"]]
    left_out = [n for n in run_["invocations"][0].get("toolExecutionNotifications", [])
                if n["descriptor"]["id"] == "gatekeeper/results-left-out"]
    assert len(prints) > 1000 and len(prints) == len(set(prints))
    assert left_out or len(prints) <= sarif.MAX_RESULTS


# ------------------------------------------------------------------ JSON schema
def _json_validator():
    jsonschema = pytest.importorskip("jsonschema")
    import referencing

    return jsonschema.Draft202012Validator(SCHEMA, registry=referencing.Registry())


def test_every_json_document_validates(tmp_path, real_reports):
    from gatekeeper.reporters.json import render_many

    validator = _json_validator()
    unchecked = Report.unchecked("broken.yaml", "broken.yaml:3:1: invalid YAML")
    documents = [render_for("json", [r]) for r in [*real_reports, unchecked]]
    documents.append(render_many([*real_reports, unchecked]))
    documents.append(render_many([real_reports[1]]))
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [unclosed\n")
    showcase, petstore = (str(ROOT / "sample_specs" / n) for n in ("showcase.yaml",
                                                                    "petstore.yaml"))
    for args in (["broken.yaml"], ["broken.yaml", petstore],
                 [showcase, "--base-file", petstore], [showcase, petstore, "--fail-on", "info"]):
        documents.append(run_cli("check", *args, "--format", "json", cwd=tmp_path).stdout)
    for text in documents:
        data = json.loads(text)
        errors = list(validator.iter_errors(data))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_json_schema_check_is_not_vacuous(real_reports):
    from gatekeeper.reporters.json import render_many

    validator = _json_validator()
    many = json.loads(render_many(list(real_reports)))
    many["reports"][0]["passed"] = "yes"
    assert list(validator.iter_errors(many))
    many = json.loads(render_many(list(real_reports)))
    many["extra"] = 1
    assert list(validator.iter_errors(many))


# ------------------------------------------------------------------ Markdown
def test_markdown_is_capped_for_any_input():
    long = "x" * 5000
    reports = [_report([_finding(i, Severity.ERROR, message=f"{long} {i}", file=f"s{s}.yaml")
                        for i in range(80)], path=f"s{s}-{long}.yaml") for s in range(40)]
    text = markdown.render_many(reports)
    assert len(text) <= markdown.MAX_CHARS
    assert "summary cut at 60,000 characters" in text.splitlines()[-1]
    assert text.count("<details>") == text.count("</details>")
    huge = [_report([_finding(0, message="y" * 200_000)], path="one.yaml")]
    assert len(markdown.render_many(huge)) <= markdown.MAX_CHARS
    assert len(markdown.render_many([Report.unchecked("z" * 100_000, "z" * 100_000)])) \
        <= markdown.MAX_CHARS


def test_markdown_portfolio_keeps_every_verdict_before_cutting():
    reports = [_mixed(200, path=f"spec{s}.yaml") for s in range(15)]
    text = markdown.render_many(reports)
    assert len(text) <= markdown.MAX_CHARS
    assert all(f"spec{s}\\.yaml" in text for s in range(15))


def test_markdown_lists_most_severe_and_new_first():
    report = _mixed(200)
    text = markdown.render(report)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "<code>" in line]
    assert len(rows) == markdown.MAX_FINDINGS
    assert all(row.startswith("| error |") for row in rows[:20])  # the 20 errors first
    assert all(row.startswith("| warning |") for row in rows[20:])  # then warnings
    assert "…and 150 more" in text
    new = [f for f in report.findings if f.severity is Severity.INFO][:3]
    text = markdown.render(_with_new(report, new))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "<code>" in line]
    assert all(row.startswith("| info |") for row in rows[:3])
    assert rows[3].startswith("| error |")


def test_pr_summary_is_capped(tmp_path):
    from gatekeeper.reporters._pr_summary import render_many

    reports = [_report([_finding(0, message="y" * 70_000)], path=f"s{s}.yaml")
               for s in range(3)]
    assert len(render_many(reports)) <= markdown.MAX_CHARS


# ------------------------------------------------------------------ GitHub annotations
def test_annotations_capped_ordered_and_say_what_was_left_out():
    report = _mixed(300)
    lines = github.render(report).splitlines()
    assert len(lines) == github.MAX_ANNOTATIONS + 1
    assert all(line.startswith("::error ") for line in lines[:30])  # the 30 errors first
    assert all(line.startswith("::warning ") for line in lines[30:-1])  # 20 of 90 warnings
    assert lines[-1] == ("::notice title=gatekeeper::70 more error and warning findings (over "
                         "the cap of 50) and 180 info findings not annotated; the SARIF, JSON "
                         "and HTML reports list every finding")


def test_annotations_leave_info_out_by_default_and_put_new_first():
    report = _mixed(20)  # 12 info, 6 warnings, 2 errors
    lines = github.render(report).splitlines()
    assert [line.split(" ")[0] for line in lines] == ["::error"] * 2 + ["::warning"] * 6 + [
        "::notice"]
    assert "12 info findings not annotated" in lines[-1]
    assert len(github.render(report, include_info=True).splitlines()) == 20
    new = [f for f in report.findings if f.severity is Severity.WARNING][-1:]
    first = github.render(_with_new(report, new)).splitlines()[0]
    assert first.startswith("::warning ") and new[0].message in first


def test_annotations_in_actions_are_capped(tmp_path):
    spec = ROOT / "sample_specs" / "showcase.yaml"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = run_cli("check", str(spec), env=env)
    notices = [line for line in result.stdout.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1 and "info findings not annotated" in notices[0]
