"""The ``load`` section of a real load test, read through its typed records
(`gatekeeper.sections.load`): every key the run writes, at any depth, is a field of a record,
and the records give the JSON back as it was written."""

from __future__ import annotations

from tests.conftest import unknown_keys
from tests.load.conftest import LOAD_SPEC, json_report, run_gatekeeper


def test_the_typed_load_section_knows_every_key_a_load_test_writes(load_demo, tmp_path):
    from gatekeeper.sections.load import read_load

    report = tmp_path / "load.json"
    result = run_gatekeeper("load", str(LOAD_SPEC), "--base-url", load_demo, "-u", "2", "-t", "3",
                            "--report", f"json={report}", "--progress", "off")
    assert "Traceback" not in result.stderr, result.stderr
    data = json_report(report)["sections"]["load"]
    section = read_load(data)
    assert section is not None and unknown_keys(section) == []
    assert section.to_json() == data and list(section.to_json()) == list(data)
    assert section.operations and section.timeline and section.totals.requests > 0
    assert section.options.latency_budget_ms == data["options"]["latency_budget_ms"]
