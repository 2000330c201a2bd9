"""The typed views of ``Report.sections`` (gatekeeper/sections.py): they read what
``check --base-file ... --baseline ...`` writes and give back the same JSON, they agree with the
shipped report schema, and odd JSON (a merged report written by hand) reads with defaults."""

from __future__ import annotations

import json
import pickle

import pytest
import yaml

from conftest import ROOT, SAMPLES, run_cli
from gatekeeper.report import Report, SpecInfo
from gatekeeper.sections import (BaselineSection, CompareGate, CompareSection, Counts, Delta,
                                 RatchetDrop, baseline_section, compare_section)

SCHEMA = json.loads((ROOT / "gatekeeper" / "schemas" / "report.schema.json").read_text())


@pytest.fixture(scope="module")
def sections(tmp_path_factory) -> dict:
    """The sections of a comparison with a ratchet and a baseline that waives, has expired
    and has stale entries."""
    path = tmp_path_factory.mktemp("baseline") / "baseline.yaml"
    run_cli("baseline", str(SAMPLES / "showcase.yaml"), "-o", str(path), "--reason", "legacy",
            "--owner", "team-a")
    data = yaml.safe_load(path.read_text())
    data["entries"][0]["expires"] = "2000-01-01"
    data["entries"].append({"rule": "docs/undocumented-operation", "fingerprint": "0" * 16,
                            "pointer": "#/paths/~1gone/get"})
    path.write_text(yaml.safe_dump(data))
    result = run_cli("check", str(SAMPLES / "showcase.yaml"), "--base-file",
                     str(SAMPLES / "petstore.yaml"), "--baseline", str(path), "--ratchet",
                     "--format", "json")
    return json.loads(result.stdout)["sections"]


def test_compare_section_reads_and_writes_back_what_check_writes(sections):
    data = sections["compare"]
    c = CompareSection.from_json(data)
    assert c.to_json() == data and list(c.to_json()) == list(data)
    assert c.base == str(SAMPLES / "petstore.yaml") and c.base_found and c.ratchet
    assert c.counts.new == data["counts"]["new"] > 0
    assert c.score == Delta.from_json(data["score"]) and c.score.after == data["score"]["after"]
    assert [g.name for g in c.gates] == [g["name"] for g in data["gates"]]
    assert c.breaking and c.breaking_blocking == data["breaking_blocking"]
    assert c.ratchet_dropped and isinstance(c.ratchet_dropped[0], RatchetDrop)
    assert c.new_fingerprints() == {f["fingerprint"] for g in data["gates"] for f in g["new"]}
    assert pickle.loads(pickle.dumps(c)) == c


def test_baseline_section_reads_and_writes_back_what_check_writes(sections):
    data = sections["baseline"]
    b = BaselineSection.from_json(data)
    assert b.to_json() == data and list(b.to_json()) == list(data)
    assert b.waivers and b.expired and [e["fingerprint"] for e in b.stale] == ["0" * 16]
    assert (b.entries, b.waived) == (data["entries"], data["waived"])


def test_records_name_the_keys_of_the_shipped_schema():
    """The typed fields and the schema describe the same JSON: a key added to one is added to
    the other."""
    defs = SCHEMA["$defs"]
    compare = defs["compare_section"]["properties"]
    gate = compare["gates"]["items"]["properties"]
    for record, props in ((CompareSection, compare), (CompareGate, gate),
                          (BaselineSection, defs["baseline_section"]["properties"]),
                          (Delta, compare["score"]["properties"])):
        fields = {name for name, _read, _default in record._fields}
        assert set(props) <= fields, (record.__name__, set(props) - fields)


def test_odd_json_reads_with_defaults_and_keeps_unknown_keys():
    c = CompareSection.from_json({"gates": "x", "score": None, "plugin": {"a": 1},
                                  "ratchet_dropped": [None]})
    assert c.gates == [] and c.score == Delta() and c.counts == Counts()
    assert c.ratchet_dropped == [RatchetDrop()] and c.coverage is None and not c.base_found
    assert c.to_json()["plugin"] == {"a": 1}
    g = CompareGate.from_json({"counts": None, "new": [1, {"fingerprint": "f"}]})
    assert g.counts.new == 0 and g.new == [{"fingerprint": "f"}]
    assert BaselineSection.from_json([]) == BaselineSection()


def test_a_report_without_the_section_has_no_view():
    info = SpecInfo("a.yaml", "", "", "3.1.0", 0)
    assert compare_section(Report("1", info, (), ())) is None
    odd = Report("1", info, (), (), sections={"compare": "x", "baseline": {}})
    assert compare_section(odd) is None and baseline_section(odd) is None
    assert Report("1", info, (), ()).new_fingerprints() == frozenset()
