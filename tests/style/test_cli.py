"""The style gate as a user runs it: --ruleset, the config file, broken rulesets, several
specs, report formats, waivers and baselines."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT, SAMPLES

RULESETS = SAMPLES / "style" / "rulesets"
PETSTORE = str(SAMPLES / "petstore.yaml")

CONTACT = """\
rules:
  info-contact:
    description: Every API names a contact
    severity: error
    given: $.info
    then: {field: contact, function: truthy}
  operation-id-kebab:
    given: "$.paths[*][*].operationId"
    then: {function: casing, functionOptions: {type: kebab}}
"""


@pytest.mark.parametrize("name, line, words", [
    ("bad-yaml", 6, "invalid YAML"),
    ("unknown-function", 7, "unknown function `titleCase`"),
    ("invalid-jsonpath", 4, "invalid JSONPath"),
    ("unknown-severity", 5, "unknown severity 'fatal'"),
    ("bad-options", 7, '"casing" function and its "type" option'),
    ("unknown-alias", 4, "alias `Operation` does not exist"),
    ("remote-extends", 2, "remote ruleset https://rulesets.example.com/api-style.yaml refused"),
])
def test_broken_ruleset_exits_2_with_one_line_naming_file_and_line(cli, name, line,
                                                                   words) -> None:
    result = cli("check", PETSTORE, "--ruleset", f"sample_specs/style/rulesets/{name}.yaml",
                 cwd=ROOT)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sample_specs/style/rulesets/{name}.yaml:{line}: "), lines[0]
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_error_findings_fail_the_run_and_show_in_json(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT)
    result = cli("check", PETSTORE, "--ruleset", str(tmp_path / "r.yaml"), "--format", "json")
    report = json.loads(result.stdout)
    style = next(g for g in report["gates"] if g["name"] == "style")
    assert style["mandatory"] is True
    assert {f["rule"] for f in style["findings"]} >= {"style/operation-id-kebab"}
    petstore = (SAMPLES / "petstore.yaml").read_text()
    if "contact" not in petstore:
        assert result.returncode == 1
        assert any(f["rule"] == "style/info-contact" and f["severity"] == "error"
                   for f in style["findings"])


def test_without_a_ruleset_the_gate_is_not_in_the_report(cli) -> None:
    result = cli("check", PETSTORE, "--format", "json")
    assert result.returncode == 0
    assert "style" not in {g["name"] for g in json.loads(result.stdout)["gates"]}


def test_sarif_has_the_rules_and_results(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT.replace("Every API", "SARIF, every API"))
    sarif = tmp_path / "out.sarif"
    result = cli("check", PETSTORE, "--ruleset", str(tmp_path / "r.yaml"),
                 "--report", f"sarif={sarif}")
    assert result.returncode in (0, 1), result.stderr
    run = json.loads(sarif.read_text())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "style/operation-id-kebab" in rules
    assert "SARIF, every API" in json.dumps(rules.get("style/info-contact", {}))
    assert any(r["ruleId"] == "style/operation-id-kebab" for r in run["results"])


def test_config_ruleset_relative_to_the_config_and_auto_discovery(cli, tmp_path) -> None:
    (tmp_path / "style").mkdir()
    (tmp_path / "style" / "team.yaml").write_text(CONTACT)
    shutil.copy(PETSTORE, tmp_path / "api.yaml")
    (tmp_path / "gatekeeper.toml").write_text('ruleset = ["style/team.yaml"]\n')
    result = cli("check", "api.yaml", "--format", "json", cwd=tmp_path)
    gates = {g["name"]: g for g in json.loads(result.stdout)["gates"]}
    assert any(f["rule"] == "style/operation-id-kebab" for f in gates["style"]["findings"])

    (tmp_path / "gatekeeper.toml").write_text('ruleset = "auto"\n')
    (tmp_path / ".spectral.yaml").write_text(CONTACT.replace("operation-id-kebab",
                                                             "found-by-discovery"))
    result = cli("check", "api.yaml", "--format", "json", cwd=tmp_path)
    gates = {g["name"]: g for g in json.loads(result.stdout)["gates"]}
    assert any(f["rule"] == "style/found-by-discovery" for f in gates["style"]["findings"])


def test_several_specs_in_one_run(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT)
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(PETSTORE, tmp_path / name)
    result = cli("check", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"),
                 "--ruleset", str(tmp_path / "r.yaml"), "--format", "json")
    reports = json.loads(result.stdout)["reports"]
    assert len(reports) == 2
    for report in reports:
        style = next(g for g in report["gates"] if g["name"] == "style")
        assert any(f["rule"] == "style/operation-id-kebab" for f in style["findings"])


def test_findings_are_waivable_in_the_spec(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT)
    text = (SAMPLES / "petstore.yaml").read_text()
    spec = tmp_path / "api.yaml"
    spec.write_text(text.replace("info:\n", "info:\n  x-gatekeeper-ignore: [style]\n", 1)
                    .replace("paths:\n", "x-gatekeeper-ignore: [style/operation-id-kebab]\n"
                             "paths:\n", 1))
    result = cli("check", str(spec), "--ruleset", str(tmp_path / "r.yaml"), "--format", "json")
    style = next(g for g in json.loads(result.stdout)["gates"] if g["name"] == "style")
    assert not style["findings"]
    assert {f["rule"] for f in style["waived"]} == {"style/operation-id-kebab"}
    assert result.returncode == 0


def test_findings_are_baselinable(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT)
    spec = tmp_path / "api.yaml"
    shutil.copy(PETSTORE, spec)
    baseline = tmp_path / "baseline.yaml"
    result = cli("baseline", str(spec), "--ruleset", str(tmp_path / "r.yaml"),
                 "--output", str(baseline), "--reason", "legacy")
    assert result.returncode == 0, result.stderr
    assert "style/operation-id-kebab" in baseline.read_text()
    result = cli("check", str(spec), "--ruleset", str(tmp_path / "r.yaml"), "--baseline",
                 str(baseline), "--format", "json")
    style = next(g for g in json.loads(result.stdout)["gates"] if g["name"] == "style")
    assert not style["findings"] and style["waived"]
    assert result.returncode == 0


def test_rules_lists_the_ruleset_rules(cli, tmp_path) -> None:
    (tmp_path / "r.yaml").write_text(CONTACT)
    result = cli("rules", "--ruleset", str(tmp_path / "r.yaml"))
    assert result.returncode == 0, result.stderr
    assert "style/info-contact" in result.stdout and "style/operation-id-kebab" in result.stdout


def test_an_invalid_31_document_with_many_schemas_is_linted_without_a_blow_up(cli,
                                                                             tmp_path) -> None:
    """`oas3-schema` explains an invalid 3.1 document with jsonschema, which follows
    `$dynamicRef: "#meta"` once per Schema Object. Its root schema used to sit uncrawled in
    the reference registry, so every one of those lookups crawled OpenAPI's whole schema
    again: 3,000 schemas took 49 s of CPU, 4.8 s after (busy machine). The bound is CPU time
    with a wide margin (a busy runner does not stretch it): it catches the blow-up, not speed."""
    import resource

    schemas = "".join(f"    S{i}: {{type: object, description: d, properties: "
                      f"{{a: {{type: string, description: d}}}}}}\n" for i in range(3000))
    spec = tmp_path / "many.yaml"
    spec.write_text('openapi: 3.1.0\ninfo: {version: "1.0", description: No title.}\n'
                    "paths: {}\ncomponents:\n  schemas:\n" + schemas)
    (tmp_path / "r.yaml").write_text("extends: [[spectral:oas, all]]\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = cli("check", str(spec), "--ruleset", str(tmp_path / "r.yaml"), "--format", "json",
                 timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert result.returncode == 1, result.stderr
    style = next(g for g in json.loads(result.stdout)["gates"] if g["name"] == "style")
    assert [(f["rule"], f["pointer"]) for f in style["findings"]
            if f["rule"] == "style/oas3-schema"] == [("style/oas3-schema", "#/info")]
    assert cpu < 30, f"{cpu:.1f} s of CPU"
