"""A spec that could not be checked is shown, with its reason, by every format, and nothing says
the run passed; an empty input or an unwritable output path ends the run before any spec is
checked; a run that fails only on fail-under says so (docs/reports-in-ci.md)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

DATA = Path(__file__).parent / "data"
PETSTORE = ROOT / "sample_specs" / "petstore.yaml"
REASON = "invalid YAML"  # what the loader says about `broken.yaml`


@pytest.fixture(scope="module")
def broken_beside_good(tmp_path_factory):
    """One run of an unloadable spec beside a good one, every format written."""
    folder = tmp_path_factory.mktemp("outcomes")
    (folder / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [unclosed\n")
    args = ["check", "broken.yaml", str(PETSTORE), "--format", "json"]
    for name, file in (("sarif", "s.sarif"), ("junit", "j.xml"), ("markdown", "m.md"),
                       ("html", "h.html"), ("github", "g.txt"), ("gitlab", "gl.json"),
                       ("json", "r.json")):
        args += ["--report", f"{name}={folder / file}"]
    result = run_cli(*args, cwd=folder,
                     env={"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": ""})
    terminal = run_cli("check", "broken.yaml", str(PETSTORE), cwd=folder)
    return folder, result, terminal


def test_exit_code_and_stderr_name_the_broken_spec(broken_beside_good):
    _, result, _ = broken_beside_good
    assert result.returncode == 2
    assert "broken.yaml" in result.stderr and REASON in result.stderr


@pytest.mark.parametrize("source", ["stdout", "r.json"])
def test_json_keeps_the_broken_spec_and_does_not_pass(broken_beside_good, source):
    folder, result, _ = broken_beside_good
    data = json.loads(result.stdout if source == "stdout" else (folder / source).read_text())
    assert data["passed"] is False
    broken = [r for r in data["reports"] if r["spec"]["path"] == "broken.yaml"]
    assert len(broken) == 1 and broken[0]["passed"] is False
    assert broken[0]["outcome"] == "error" and REASON in broken[0]["error"]


def test_sarif_says_the_run_did_not_succeed(broken_beside_good):
    folder, _, _ = broken_beside_good
    run = json.loads((folder / "s.sarif").read_text())["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert any(n["level"] == "error" and REASON in n["message"]["text"]
               and n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               == "broken.yaml" for n in notes)
    specs = {s["path"]: s for s in run["properties"]["specs"]}
    assert specs["broken.yaml"]["passed"] is False


def test_junit_has_an_error_for_the_broken_spec(broken_beside_good):
    folder, _, _ = broken_beside_good
    root = ET.fromstring((folder / "j.xml").read_text())
    assert int(root.get("errors")) == 1
    errors = root.findall(".//testcase/error")
    assert len(errors) == 1 and REASON in errors[0].get("message")
    suite = next(s for s in root.findall("testsuite") if s.find(".//error") is not None)
    assert suite.get("file") == "broken.yaml" and suite.get("errors") == "1"


def test_markdown_headline_and_section_say_it_was_not_checked(broken_beside_good):
    folder, _, _ = broken_beside_good
    text = (folder / "m.md").read_text()
    first = text.lstrip().splitlines()[0]
    assert first.startswith("# ❌") and "1 could not be checked" in first
    assert "broken\\.yaml could not be checked" in text and REASON in text
    assert "passed" not in first.replace("1 passed", "")


def test_github_annotation_carries_the_reason(broken_beside_good):
    folder, _, _ = broken_beside_good
    lines = (folder / "g.txt").read_text().splitlines()
    assert lines[0].startswith("::error file=broken.yaml,title=gatekeeper/could-not-be-checked::")
    assert REASON in lines[0]


def test_gitlab_has_a_blocker_for_the_broken_spec(broken_beside_good):
    folder, _, _ = broken_beside_good
    issues = json.loads((folder / "gl.json").read_text())
    blocker = [i for i in issues if i["check_name"] == "gatekeeper/could-not-be-checked"]
    assert len(blocker) == 1 and blocker[0]["severity"] == "blocker"
    assert blocker[0]["location"]["path"] == "broken.yaml" and REASON in blocker[0]["description"]


def test_html_portfolio_shows_not_checked_and_the_reason(broken_beside_good):
    folder, _, _ = broken_beside_good
    page = (folder / "h.html").read_text()
    assert "1 could not be checked" in page and "Could not be checked" in page
    assert REASON in page
    first_verdict = page[page.index('<span class="verdict big'):][:60]
    assert "fail" in first_verdict and "Failed" in first_verdict  # the portfolio's verdict


def test_terminal_lists_the_broken_spec(broken_beside_good):
    _, _, terminal = broken_beside_good
    assert terminal.returncode == 2
    assert "COULD NOT BE CHECKED" in terminal.stdout and REASON in terminal.stdout
    assert "1 could not be loaded" in terminal.stdout


def test_one_unloadable_spec_prints_a_json_report_that_says_so(tmp_path):
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [unclosed\n")
    result = run_cli("check", "broken.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["passed"] is False and data["outcome"] == "error"
    assert data["spec"]["path"] == "broken.yaml" and REASON in data["error"]
    assert result.stderr.startswith("broken.yaml:")


def test_a_timed_out_spec_gets_reports_that_say_so(tmp_path):
    """The supervised check is stopped by --timeout: the reports asked for say why."""
    from tests.hostile.cases import c36

    c36(tmp_path, 0)  # 5,000 operations: far more than 0.05 s of work
    result = run_cli("check", "spec.yaml", "--timeout", "0.05", "--format", "json",
                     "--report", "sarif=s.sarif", "--pr-summary", "pr.md", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "error" and "time" in data["error"], data
    invocation = json.loads((tmp_path / "s.sarif").read_text())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "could not be checked" in (tmp_path / "pr.md").read_text()


# ------------------------------------------------------------------ empty input, outputs
def test_empty_folder_exits_2_with_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.yaml").write_text("title: not a spec\n")
    result = run_cli("check", "empty", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("empty: no OpenAPI spec in this folder")


def test_glob_matching_nothing_exits_2_with_one_line(tmp_path):
    result = run_cli("check", "specs/*.yaml", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("specs/*.yaml: the pattern matches no file")


@pytest.mark.parametrize("flags", [["--report", "html=/nonexistent/dir/x.html"],
                                   ["-o", "/nonexistent/x.json"],
                                   ["--pr-summary", "/nonexistent/pr.md"],
                                   ["--report", "sarif=."]])
def test_bad_output_path_is_refused_before_any_spec_is_checked(tmp_path, flags):
    # A spec that takes seconds to check: a refusal that came after the work would be late,
    # and a spec the loader would refuse proves that loading never started.
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [unclosed\n")
    result = run_cli("check", "broken.yaml", *flags, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert REASON not in result.stderr and "internal error" not in result.stderr
    assert flags[1].split("=")[-1] in lines[0]


def test_a_run_failing_only_fail_under_says_why(tmp_path):
    (tmp_path / "gatekeeper.toml").write_text("fail-under = 99.9\n[gates.docs]\nfail-under = 0\n")
    spec = ROOT / "sample_specs" / "showcase.yaml"
    result = run_cli("check", str(spec), "--select", "docs", "--ignore", "docs/category-below-floor",
                     "--config", "gatekeeper.toml",
                     cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASS" in result.stdout and "FAIL " not in result.stdout  # every gate passed
    assert "is under fail-under 99.9" in result.stdout


def _other_formats() -> list[str]:
    from gatekeeper.reporters import REPORTERS

    return [name for name in REPORTERS if name != "terminal"]


@pytest.mark.parametrize("fmt", _other_formats())
@pytest.mark.parametrize("specs", [["broken.yaml"], ["broken.yaml", "petstore.yaml"]],
                         ids=["one-spec", "two-specs"])
def test_every_report_format_works_with_format_as_with_report(tmp_path, fmt, specs):
    """`--format F` prints the document `--report F=PATH` writes (a new reporter module is
    usable both ways), including the unloadable spec and the failing exit code."""
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.0\ninfo: [unclosed\n")
    (tmp_path / "petstore.yaml").write_text(PETSTORE.read_text())
    env = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": ""}
    printed = run_cli("check", *specs, "--format", fmt, cwd=tmp_path, env=env)
    written = run_cli("check", *specs, "--report", f"{fmt}={tmp_path / 'out'}", "-q",
                      cwd=tmp_path, env=env)
    assert printed.returncode == written.returncode == 2, printed.stderr
    assert "broken.yaml" in printed.stderr and REASON in printed.stderr
    assert printed.stdout == (tmp_path / "out").read_text()
    if fmt != "github":  # annotations are a stream of lines; the others are documents
        shown = printed.stdout.replace("\\.", ".")  # Markdown escapes the dot
        assert printed.stdout.strip() and "broken.yaml" in shown
