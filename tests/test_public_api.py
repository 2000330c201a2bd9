"""The library surface: layering, public names, the JSON report contract, the rule catalogue."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import referencing
import pytest

import gatekeeper
from gatekeeper import Config, load, run
from gatekeeper.registry import builtin_gates

from conftest import ROOT, SAMPLES, run_cli

SCHEMA = json.loads((ROOT / "gatekeeper" / "schemas" / "report.schema.json").read_text())


def test_engine_does_not_import_cli_terminal_template_or_http_libraries() -> None:
    code = (
        "import sys, gatekeeper, gates\n"
        "from gatekeeper.registry import builtin_gates\n"
        f"spec = gatekeeper.load({str(SAMPLES / 'showcase.yaml')!r})\n"
        "gatekeeper.run(spec, builtin_gates(), gatekeeper.Config())\n"
        "bad = [m for m in ('typer', 'rich', 'jinja2', 'httpx', 'schemathesis', 'click')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_all_is_sorted_and_complete() -> None:
    assert gatekeeper.__all__ == sorted(gatekeeper.__all__, key=str.lower) or \
        gatekeeper.__all__ == sorted(gatekeeper.__all__)
    for name in gatekeeper.__all__:
        assert hasattr(gatekeeper, name), name


def _schema_errors(data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, registry=referencing.Registry())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def _compare_baseline(tmp_path) -> str:
    """A baseline for the showcase with waiving, expired and stale entries."""
    import yaml

    path = tmp_path / "baseline.yaml"
    run_cli("baseline", str(SAMPLES / "showcase.yaml"), "-o", str(path), "--reason", "legacy",
            "--owner", "team-a", "--expires", "2999-01-01")
    data = yaml.safe_load(path.read_text())
    data["entries"][0]["expires"] = "2000-01-01"
    data["entries"].append({"rule": "docs/undocumented-operation", "fingerprint": "0" * 16,
                            "pointer": "#/paths/~1gone/get"})
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.parametrize("sample", ["petstore.yaml", "showcase.yaml", "multifile/openapi.yaml",
                                    "compare"])
def test_json_report_validates_against_the_shipped_schema(sample: str, tmp_path) -> None:
    if sample == "compare":  # sections.compare and sections.baseline
        args = (str(SAMPLES / "showcase.yaml"), "--base-file", str(SAMPLES / "petstore.yaml"),
                "--baseline", _compare_baseline(tmp_path))
    else:
        args = (str(SAMPLES / sample),)
    result = run_cli("check", *args, "--format", "json")
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"non-strict {c}"))
    assert _schema_errors(data) == []
    if sample == "compare":
        compare, baseline = data["sections"]["compare"], data["sections"]["baseline"]
        assert compare["breaking"] and compare["counts"]["new"] > 0
        assert baseline["waivers"] and baseline["expired"] and baseline["stale"]
        # the schema names the sections' required keys: not a vacuous `object`
        del compare["counts"]
        baseline["expired"][0].pop("rule")
        errors = _schema_errors(data)
        assert any("'counts' is a required property" in e for e in errors), errors
        assert any("'rule' is a required property" in e for e in errors), errors


DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example")


def test_every_rule_is_documented_and_has_a_sample() -> None:
    samples = {p.parent.name + "/" + p.name.split(".")[0]
               for p in SAMPLES.rglob("*.yaml")}
    ids = []
    for gate in builtin_gates():
        assert gate.description, gate.name
        for r in gate.rules:
            ids.append(r.id)
            assert r.id.startswith(gate.name + "/")
            assert re.fullmatch(r"[a-z][a-z0-9-]*/[a-z][a-z0-9-]*", r.id)
            for section in DOC_SECTIONS:
                assert section in r.docs, f"{r.id} lacks {section}"
            for option in r.options:
                assert option.isidentifier()
            if gate.name not in ("live", "compat"):
                assert r.id in samples, f"{r.id} has no sample_specs/{r.id}.yaml"
    assert len(ids) == len(set(ids))


def test_rule_crash_becomes_a_finding_and_the_run_goes_on() -> None:
    from gatekeeper import Gate, rule

    @rule("boom/explodes", severity="warning")
    def explodes(spec):
        """## What it does\nx\n## Why is this bad?\ny\n## Example\nz"""
        raise RuntimeError("kaput")
        yield

    gate = Gate("boom", title="Boom", rules=(explodes,))
    report = run(load(str(SAMPLES / "petstore.yaml")), [gate], Config())
    [finding] = report.gate("boom").findings
    assert finding.rule == "gatekeeper/rule-crashed" and "kaput" in finding.message
