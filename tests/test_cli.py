"""The CLI as a user runs it: exit codes, one-line errors, located findings."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, SAMPLES, run_cli

LOCATED = re.compile(r"^\S+\.yaml:\d+:\d+ [a-z-]+/[a-z0-9-]+ \[(error|warning|info)\] ", re.M)


def test_petstore_passes() -> None:
    result = run_cli("check", str(SAMPLES / "petstore.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED" in result.stdout


def test_showcase_fails_with_located_findings() -> None:
    result = run_cli("check", "sample_specs/showcase.yaml", cwd=ROOT)
    assert result.returncode == 1
    lines = LOCATED.findall(result.stdout)
    assert lines, result.stdout
    assert "sample_specs/showcase.yaml:" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, content, message", [
    ("missing.yaml", None, "file not found"),
    ("syntax.yaml", "openapi: 3.0.3\ninfo: [unclosed\n", "invalid YAML"),
    ("workflow.yaml", "name: ci\non: [push]\njobs: {}\n", "not an OpenAPI or Swagger document"),
    ("empty.yaml", "", "file is empty"),
    ("list.yaml", "- a\n- b\n", "top level must be a mapping"),
    ("future.yaml", "openapi: 4.0.0\ninfo: {title: t, version: v}\n", "unsupported OpenAPI"),
])
def test_unusable_input_exits_2_with_one_clear_line(tmp_path, name, content, message) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = run_cli("check", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(path)) and message in lines[0]
    assert "Traceback" not in result.stderr


def test_unresolvable_ref_names_the_ref_and_its_location() -> None:
    result = run_cli("check", "tests/data/unresolvable-ref.yaml", cwd=ROOT)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert line.startswith("tests/data/unresolvable-ref.yaml:11:")
    assert "#/components/schemas/DoesNotExist" in line and len(line) < 2048


def test_json_report_shape() -> None:
    result = run_cli("check", "sample_specs/showcase.yaml", "--format", "json", cwd=ROOT)
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["passed"] is False
    docs = next(g for g in data["gates"] if g["name"] == "docs")
    assert docs["metric"]["threshold"] == 0.95
    assert {p["name"] for p in docs["metric"]["breakdown"]} >= {"operations", "parameters"}
    finding = docs["findings"][0]
    assert set(finding) >= {"rule", "severity", "message", "pointer", "file", "line", "column"}


def test_output_file_and_select(tmp_path) -> None:
    out = tmp_path / "report.json"
    result = run_cli("check", str(SAMPLES / "showcase.yaml"), "--select", "docs",
                     "--format", "json", "--output", str(out))
    assert result.stdout == ""
    data = json.loads(out.read_text())
    assert [g["name"] for g in data["gates"]] == ["docs"]


def test_ignore_and_fail_on() -> None:
    ignored = run_cli("check", str(SAMPLES / "showcase.yaml"), "--select", "docs",
                      "--ignore", "docs/undocumented-operation", "--format", "json")
    rules = {f["rule"] for g in json.loads(ignored.stdout)["gates"] for f in g["findings"]}
    assert "docs/undocumented-operation" not in rules


def test_config_unknown_key_did_you_mean(tmp_path) -> None:
    (tmp_path / "gatekeeper.toml").write_text('fail-onn = "warning"\n')
    result = run_cli("check", str(SAMPLES / "petstore.yaml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key `fail-onn`; did you mean `fail-on`?" in result.stderr


def test_config_in_pyproject_is_found_walking_up(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.gatekeeper.gates.docs]\nfail-under = 10\n"
        "[tool.gatekeeper.rules]\n\"docs/category-below-floor\" = \"off\"\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    result = run_cli("check", str(SAMPLES / "multifile" / "openapi.yaml"), "--select", "docs",
                     "--fail-on", "error", cwd=sub)
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_rule_option_lists_real_options(tmp_path) -> None:
    (tmp_path / "gatekeeper.toml").write_text(
        '[rules."docs/category-below-floor"]\nmin-categry = {operations = 90}\n')
    result = run_cli("check", str(SAMPLES / "petstore.yaml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "did you mean `min-category`" in result.stderr


def test_in_spec_waiver(tmp_path) -> None:
    text = (SAMPLES / "docs" / "undocumented-tag.yaml").read_text().replace(
        "  - name: pets\n", "  - name: pets\n    x-gatekeeper-ignore: [docs/undocumented-tag]\n")
    path = tmp_path / "waived.yaml"
    path.write_text(text)
    data = json.loads(run_cli("check", str(path), "--select", "docs/undocumented-tag",
                              "--format", "json").stdout)
    gate = data["gates"][0]
    assert [f["message"] for f in gate["waived"]] == ["`tag pets` has no description"]
    assert all("pets`" not in f["message"] for f in gate["findings"])


def test_rules_and_explain() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0 and "docs/undocumented-operation" in listing.stdout
    ids = re.findall(r"^  ([a-z-]+/[a-z0-9-]+) ", listing.stdout, re.M)
    for rule_id in ids:
        result = run_cli("explain", rule_id)
        assert result.returncode == 0, rule_id
        assert "## What it does" in result.stdout
    bad = run_cli("explain", "docs/undocumented-operatio")
    assert bad.returncode == 2 and "did you mean" in bad.stderr


def test_version_and_debug() -> None:
    assert run_cli("--version").stdout.startswith("gatekeeper ")
    result = run_cli("check", "/nonexistent/spec.yaml", "--debug")
    assert result.returncode != 0


@pytest.mark.parametrize("text", [
    "[tool.gatekeeper]\nfail-on = 'error'\n",
    "[ tool . gatekeeper ]\nfail-on = 'error'\n",
    "[tool.\"gatekeeper\"]\nfail-on = 'error'\n",
    "[tool.'gatekeeper'.gates.docs]\nfail-under = 10\n",
    "[[tool.gatekeeper.waivers]]\nrule = 'x'\n",
    "tool.gatekeeper.fail-on = 'error'\n",
    "tool . gatekeeper . fail-on = 'error'\n",
    "[tool]\ngatekeeper = { fail-on = 'error' }\n",
    "[tool]\n\"gatekeeper\" = { fail-on = 'error' }\n",
    "[tool]\ngatekeeper.fail-on = 'error'\n",
    "tool = { gatekeeper = { fail-on = 'error' } }\n",
])
def test_every_toml_spelling_of_the_table_is_found(tmp_path, text) -> None:
    import tomllib

    from gatekeeper.config import discover

    whole = text + '[project]\nname = "x"\n'
    assert "gatekeeper" in tomllib.loads(whole)["tool"], "the case is a tool.gatekeeper table"
    (tmp_path / "pyproject.toml").write_text(whole)
    assert discover(str(tmp_path)) == str(tmp_path / "pyproject.toml")


def test_a_project_that_only_depends_on_gatekeeper_is_not_configured(tmp_path) -> None:
    from gatekeeper.config import _may_configure, discover

    text = ('[project]\nname = "api"\ndependencies = ["gatekeeper-openapi>=0.1"]\n'
            '# gatekeeper runs in CI\n[tool.ruff]\nline-length = 100\n')
    (tmp_path / "pyproject.toml").write_text(text)
    assert discover(str(tmp_path)) is None
    assert not _may_configure(text.encode())
