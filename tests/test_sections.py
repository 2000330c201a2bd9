"""The typed views of ``Report.sections`` (the package gatekeeper/sections/): they read what
``check --base-file ... --baseline ...`` writes and give back the same JSON, they agree with the
shipped report schema, and odd JSON (a merged report written by hand) reads with defaults.
The live and load sections of real runs are read back in tests/live/test_live_section.py and
tests/load/test_load_section.py (they need the servers)."""

from __future__ import annotations

import json
import pickle

import pytest
import yaml

from conftest import ROOT, SAMPLES, run_cli, unknown_keys
from gatekeeper.report import Report, SpecInfo
from gatekeeper.sections import (BaselineSection, CompareGate, CompareSection, Counts, Delta,
                                 RatchetDrop, baseline_section, compare_section)
from gatekeeper.sections.live import (AuditCoverage, AuthProbe, ErrorRate, Focus,
                                      HistogramBucket, Latency, LatencyFigures, LiveBudgets,
                                      LiveRequests, LiveSection, Methods, NotAudited,
                                      OperationLatency, RateLimitProbe, live_section, read_live)
from gatekeeper.sections.load import LoadSection, load_section, read_load
from test_reporters import LIVE

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


# ------------------------------------------------------------------ live and load
LOAD = {
    "base_url": "http://127.0.0.1:8000",
    "options": {"users": 5, "spawn_rate": 5.0, "max_duration_s": 4.0, "max_requests": None,
                "think_time_s": None, "target_rps": None, "request_timeout_s": 10.0,
                "latency_budget_ms": 200.0, "error_rate_budget_percent": 0.1, "min_rps": None,
                "read_only": True, "distributed": False, "workers": 0},
    "stop_reason": "finished", "interrupted": False, "duration_s": 4.01, "users": 5,
    "workers": 0,
    "totals": {"requests": 263, "errors": 0, "error_rate": 0.0, "rps": 65.6, "p50": 35.0,
               "p95": 86.0, "p99": 110.0, "max": 120.4},
    "operations": [{"name": "GET /status", "method": "GET", "requests": 263, "errors": 0,
                    "error_rate": 0.0, "rps": 65.6, "p50": 35.0, "p95": 86.0, "p99": 110.0,
                    "max": 120.4, "pointer": "#/paths/~1status/get"}],
    "timeline": [{"t": 1.0, "users": 5, "rps": 0.0, "p50": None, "p95": None, "requests": 77,
                  "failures": 0}],
    "skipped": [{"operation": "POST /items", "reason": "write method"}],
    "errors": [{"error": "500 Server Error", "count": 2}],
}


def test_live_and_load_sections_read_and_write_back_their_json():
    live = LiveSection.from_json(LIVE)
    assert live.to_json() == LIVE and list(live.to_json()) == list(LIVE)
    assert unknown_keys(live) == []
    assert live.requests.by_outcome["2xx"] == 120 and live.latency.overall.p95_ms == 80.1
    assert [b.le_ms for b in live.latency.histogram] == [5, 50, None]
    assert live.latency.operations[0].statuses == {"200": 9}
    assert live.auth_rows()[0].enforced is False and live.error_rate.given()
    assert not live.focus.given() and not live.operations.given()
    load = LoadSection.from_json(LOAD)
    assert load.to_json() == LOAD and unknown_keys(load) == []
    assert load.options.latency_budget_ms == 200.0 and load.operations[0].p95 == 86.0
    assert load.timeline[0].p95 is None and load.errors[0].count == 2
    assert pickle.loads(pickle.dumps(live)) == live


def _properties(schema: dict) -> set:
    return set(schema.get("properties", {})).union(
        *(_properties(part) for part in schema.get("allOf", ())))


def test_live_records_name_the_keys_of_the_shipped_schema():
    live = SCHEMA["$defs"]["live_section"]["properties"]
    latency = live["latency"]["properties"]
    for record, schema in ((LiveSection, SCHEMA["$defs"]["live_section"]),
                           (LiveRequests, live["requests"]), (LiveBudgets, live["budgets"]),
                           (Latency, live["latency"]), (LatencyFigures, latency["overall"]),
                           (HistogramBucket, latency["histogram"]["items"]),
                           (OperationLatency, latency["operations"]["items"]),
                           (ErrorRate, live["error_rate"]), (AuthProbe, live["auth"]["items"]),
                           (RateLimitProbe, live["rate_limits"]["items"]),
                           (Methods, live["methods"]), (NotAudited, live["skipped"]["items"]),
                           (NotAudited, live["not_audited"]["items"]),
                           (AuditCoverage, live["operations"]), (Focus, live["focus"])):
        fields = {name for name, _read, _default in record._fields}
        assert _properties(schema) <= fields, (record.__name__, _properties(schema) - fields)


def test_odd_live_and_load_json_reads_with_defaults():
    live = LiveSection.from_json({"latency": "fast", "auth": [1, None], "error_rate": [],
                                  "auth_probes": [{"operation": "GET /a"}], "plugin": 1})
    assert live.latency == Latency.from_json({}) and not live.latency.overall.given()
    assert live.auth == [AuthProbe.from_json({})] * 2 and live.auth_rows() == live.auth
    assert not live.error_rate.given() and live.error_rate.rate is None
    assert live.duration_s == 0 and live.base_url == "" and live.to_json()["plugin"] == 1
    older = LiveSection.from_json({"auth_probes": [{"operation": "GET /a"}]})
    assert [row.operation for row in older.auth_rows()] == ["GET /a"]
    load = LoadSection.from_json({"totals": None, "operations": [None, {"name": "a"}],
                                  "timeline": "x"})
    assert load.totals.p95 is None and not load.options.given() and load.timeline == []
    assert [op.name for op in load.operations] == [None, "a"]


def test_a_report_without_live_or_load_has_no_view():
    info = SpecInfo("a.yaml", "", "", "3.1.0", 0)
    assert live_section(Report("1", info, (), ())) is None
    odd = Report("1", info, (), (), sections={"live": {}, "load": "x"})
    assert live_section(odd) is None and load_section(odd) is None
    assert read_live(None) is None and read_load([1]) is None
    assert live_section(Report("1", info, (), (), sections={"live": LIVE})) == read_live(LIVE)
