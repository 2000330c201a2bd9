"""The live audit against the real demo service: findings, verdict and report."""

from __future__ import annotations

import json

import pytest

SEEDED = {
    ("live/auth-not-enforced", "#/paths/~1reports/get"),
    ("live/latency-budget-exceeded", "#/paths/~1exports/get"),
    ("live/server-error", "#/paths/~1stats~1{metric}/get"),
    ("live/error-body-mismatch", "#/paths/~1invoices~1{invoiceId}/get"),
}
CLEAN = {
    "#/paths/~1health/get",
    "#/paths/~1pets/get",
    "#/paths/~1pets~1{petId}/get",
    "#/paths/~1me/get",
    "#/paths/~1search/get",
}


def _live(report: dict) -> dict:
    return next(g for g in report["gates"] if g["name"] == "live")


def _audit_json(kit, demo, tmp_path, *extra: str, env: dict | None = None):
    out = tmp_path / "report.json"
    proc = kit.gatekeeper("audit", str(kit.DEMO_SPEC), "--base-url", demo.url, *kit.FAST, "--format", "json",
                      "-o", str(out), *extra, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(out.read_text())


def test_seeded_defects_found_with_credentials_and_clean_endpoints_clean(demo, tmp_path, kit):
    proc, report = _audit_json(kit, demo, tmp_path, "--header-env", "Authorization=DEMO_AUTH",
                               env={"DEMO_AUTH": f"Bearer {demo.token}"})
    assert proc.returncode == 1
    findings = _live(report)["findings"]
    found = {(f["rule"], f["pointer"]) for f in findings}
    assert SEEDED <= found, found
    on_clean = [f for f in findings if f["pointer"] in CLEAN]
    assert on_clean == []
    # every finding of an operation names it and carries a reproduction
    for f in findings:
        if f["pointer"] != "#" and f["rule"] != "live/operation-not-audited":
            assert f["extra"]["curl"].startswith("curl -X GET"), f
            assert f["line"] > 1


@pytest.fixture(scope="module")
def anonymous_audit(kit, demo, tmp_path_factory):
    """One audit without credentials, shared by the tests that only read its report."""
    return _audit_json(kit, demo, tmp_path_factory.mktemp("anonymous"))[1]


def test_seeded_defects_found_without_credentials(anonymous_audit):
    report = anonymous_audit
    findings = _live(report)["findings"]
    found = {(f["rule"], f["pointer"]) for f in findings}
    assert SEEDED <= found
    assert [f for f in findings if f["pointer"] in CLEAN] == []
    auth = {row["operation"]: row for row in report["sections"]["live"]["auth"]}
    assert auth["GET /reports"]["no_credentials"] == 200
    assert auth["GET /reports"]["enforced"] is False
    assert auth["GET /pets"] == {**auth["GET /pets"], "no_credentials": 401, "invalid_credentials": 401,
                                 "enforced": True}


def test_live_section_carries_latency_error_rate_and_rate_limit(anonymous_audit, kit):
    live = anonymous_audit["sections"]["live"]
    assert live["partial"] is False
    ops = {row["operation"]: row for row in live["latency"]["operations"]}
    assert ops["GET /exports"]["p95_ms"] >= kit.SLOW_MS and ops["GET /exports"]["within_budget"] is False
    assert ops["GET /health"]["within_budget"] is True and ops["GET /health"]["count"] >= 5
    assert live["budgets"]["latency_p95_ms"] == kit.LATENCY_BUDGET_MS
    assert live["latency"]["overall"]["count"] == sum(r["count"] for r in ops.values())
    assert sum(b["count"] for b in live["latency"]["histogram"]) == live["latency"]["overall"]["count"]
    assert live["error_rate"]["errors"] >= 1 and live["error_rate"]["within_budget"] is False
    assert live["rate_limits"] == [{"operation": "GET /search", "documented_headers": ["Retry-After"],
                                    "provoked": True, "requests": live["rate_limits"][0]["requests"],
                                    "missing_headers": []}]


def test_live_report_validates_against_the_shipped_schema(anonymous_audit, kit):
    """sections.live is described by gatekeeper/schemas/report.schema.json (required keys)."""
    import jsonschema
    import referencing

    schema = json.loads((kit.ROOT / "gatekeeper" / "schemas" / "report.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=referencing.Registry())
    report = json.loads(json.dumps(anonymous_audit))
    assert [e.message for e in validator.iter_errors(report)] == []
    del report["sections"]["live"]["latency"]["overall"]["p95_ms"]
    assert any("'p95_ms' is a required property" in e.message for e in validator.iter_errors(report))


def test_scorecard_shows_rate_limits_and_skipped_as_tables(anonymous_audit):
    """The live section's rate limits and skipped operations are tables, not raw JSON."""
    from gatekeeper.reporters.html import live_view

    view = live_view(anonymous_audit["sections"]["live"])
    assert view["rate_limits"][0]["operation"] == "GET /search" and view["rate_limits"][0]["provoked"]
    assert view["skipped"] and all(row["reason"] for row in view["skipped"])
    assert not {k for k, _ in view["other"]} & {"rate_limits", "skipped"}


def test_default_audit_sends_no_writes_and_allow_writes_does(fresh_demo, tmp_path, kit):
    _, report = _audit_json(kit, fresh_demo, tmp_path)
    methods = {r["method"] for r in fresh_demo.requests()}
    assert methods and methods <= {"GET", "HEAD", "OPTIONS"}, methods
    skipped = {s["operation"] for s in report["sections"]["live"]["skipped"]}
    assert skipped == {"POST /pets", "DELETE /pets/{petId}"}

    before = len(fresh_demo.requests())
    _, report = _audit_json(kit, fresh_demo, tmp_path, "--allow-writes", "--header-env", "Authorization=DEMO_AUTH",
                            env={"DEMO_AUTH": f"Bearer {fresh_demo.token}"})
    later = fresh_demo.requests()[before:]
    assert {"POST", "DELETE"} <= {r["method"] for r in later}
    assert any(r["method"] == "POST" and r["status"] == 201 for r in later)
    assert report["sections"]["live"]["skipped"] == []
    clean_writes = {"#/paths/~1pets/post", "#/paths/~1pets~1{petId}/delete"}
    assert [f for f in _live(report)["findings"] if f["pointer"] in clean_writes] == []

    before = len(fresh_demo.requests())
    _, report = _audit_json(kit, fresh_demo, tmp_path, "--allow-method", "post")
    later = {r["method"] for r in fresh_demo.requests()[before:]}
    assert "POST" in later and "DELETE" not in later
    assert [s["operation"] for s in report["sections"]["live"]["skipped"]] == ["DELETE /pets/{petId}"]


def test_check_live_gives_one_report_with_static_and_live_gates(demo, tmp_path, kit):
    out, html = tmp_path / "check.json", tmp_path / "scorecard.html"
    proc = kit.gatekeeper("check", str(kit.DEMO_SPEC), "--live", demo.url, *kit.FAST, "--format", "json", "-o", str(out),
                      "--report", f"html={html}")
    assert "Traceback" not in proc.stderr
    report = json.loads(out.read_text())
    names = [g["name"] for g in report["gates"]]
    assert "live" in names and "validity" in names and len(names) >= 3
    live = report["sections"]["live"]
    assert live["latency"]["histogram"] and live["auth"]

    # one scorecard: static gates, live gate, latency per operation and the auth probe table
    text = _html_text(html.read_text())
    for title in (g["title"] for g in report["gates"]):
        assert title in text
    for row in live["latency"]["operations"]:
        assert row["operation"] in text
    assert "bearerAuth" in text and "p95" in text


def _html_text(page: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    Text().feed(page)
    return " ".join(parts)


def test_terminal_output_and_progress_and_nothing_written_to_the_working_folder(demo, kit, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(kit.ROOT)}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "audit", str(kit.DEMO_SPEC), "--base-url", demo.url,
                           "--rate-limit", "0", "--progress", "plain", "--latency-budget",
                           str(kit.LATENCY_BUDGET_MS)], check=False, capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 1
    assert "live/server-error" in proc.stdout and "GET /stats/{metric}" in proc.stdout
    assert "requests sent" in proc.stderr and "s left" in proc.stderr
    assert "[9/9]" in proc.stderr
    # the live summary: latency table, auth probe table, what was skipped
    assert "OVER    GET /exports" in proc.stdout
    assert "GET /reports: 200 / 200  NOT ENFORCED" in proc.stdout
    assert "\n    POST /pets: write method" in proc.stdout.split("not audited (", 1)[1]
    assert list(tmp_path.iterdir()) == []  # no .hypothesis, no cache, no log
