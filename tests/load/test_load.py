"""The load test and the perf gate, against real servers on 127.0.0.1.

Verdicts are judged with budgets far from what the servers do (the degrading endpoint queues
for a pool of 2 connections held 30 ms each: ~35 ms alone, ~450 ms at 30 users; the budget is
300 ms), so a busy CI machine cannot flip them. Time bounds only catch hangs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import interruptible
from tests.load.conftest import LOAD_SPEC, ROOT, free_port, json_report, run_gatekeeper

BUDGET = ["--latency-budget", "300"]

STEADY_SPEC = """\
openapi: 3.0.3
info: {title: steady, version: 1.0.0}
paths:
  /status:
    get:
      responses:
        "200": {description: ok}
"""

ITEMS_SPEC = """\
openapi: 3.0.3
info: {title: items, version: 1.0.0}
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
paths:
  /items:
    get:
      responses:
        "200": {description: ok}
  /items/{itemId}:
    get:
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string, pattern: "^[a-z]+$"}, example: abc}
      responses:
        "200": {description: ok}
  /orders:
    post:
      responses:
        "201": {description: created}
"""


def _spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_degrading_endpoint_passes_alone_and_fails_under_concurrency(load_demo, tmp_path):
    alone = run_gatekeeper("load", str(LOAD_SPEC), "--base-url", load_demo, "-u", "1", "-t", "4",
                           *BUDGET, "--report", f"json={tmp_path / 'alone.json'}")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    crowd = run_gatekeeper("load", str(LOAD_SPEC), "--base-url", load_demo, "-u", "30", "-t", "5",
                           *BUDGET, "--report", f"json={tmp_path / 'crowd.json'}")
    assert crowd.returncode == 1, crowd.stdout + crowd.stderr
    assert "perf/operation-p95-over-budget" in crowd.stdout
    assert "GET /reports/{reportId}" in crowd.stdout
    section = json_report(tmp_path / "crowd.json")["sections"]["load"]
    by_name = {op["name"]: op for op in section["operations"]}
    assert by_name["GET /reports/{reportId}"]["p95"] > 300
    assert by_name["GET /status"]["p95"] < 300  # the steady endpoint stays within budget
    assert section["users"] == 30 and section["totals"]["requests"] > 0
    assert section["timeline"], "the run records figures over time"


def test_steady_endpoint_passes_at_low_and_high_concurrency(load_demo, tmp_path):
    spec = _spec(tmp_path, STEADY_SPEC)
    for users in ("1", "30"):
        result = run_gatekeeper("load", spec, "--base-url", load_demo, "-u", users, "-t", "4", *BUDGET)
        assert result.returncode == 0, (users, result.stdout + result.stderr)
        assert "PASSED" in result.stdout


def test_master_and_two_workers_give_the_local_verdict(load_demo, tmp_path):
    port = free_port()
    report = tmp_path / "distributed.json"
    master = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", "load", str(LOAD_SPEC), "--base-url", load_demo,
         "-u", "30", "-t", "5", *BUDGET, "--master", "--expect-workers", "2",
         "--master-bind-port", str(port), "--report", f"json={report}", "--progress", "off"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"})
    time.sleep(1.5)
    workers = [subprocess.Popen([sys.executable, "-m", "gatekeeper", "load-worker", "--master-host",
                                 "127.0.0.1", "--master-port", str(port)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    try:
        out, err = master.communicate(timeout=180)
    finally:
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert master.returncode == 1, out + err
    assert "perf/operation-p95-over-budget" in out
    section = json_report(report)["sections"]["load"]
    assert section["workers"] == 2
    assert section["totals"]["requests"] > 0


def test_ctrl_c_stops_the_load_and_writes_the_partial_report(load_demo, tmp_path):
    report = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", "load", str(LOAD_SPEC), "--base-url", load_demo,
         "-u", "5", "-t", "120", "--progress", "plain", "--report", f"json={report}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"}, preexec_fn=interruptible)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # wait for the first figures: the load is running
        line = proc.stderr.readline()
        if line.startswith("load: ") or not line:
            break
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)  # hang detection only
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running 60 s after Ctrl-C:\n{err[-3000:]}") from None
    assert proc.returncode == 130, out + err
    assert time.monotonic() - started < 60
    assert "partial" in err
    section = json_report(report)["sections"]["load"]
    assert section["interrupted"] is True
    assert section["totals"]["requests"] > 0


def test_max_requests_is_what_the_server_counts(counting_server, tmp_path):
    server = counting_server()
    result = run_gatekeeper("load", _spec(tmp_path, ITEMS_SPEC), "--base-url", server.url,
                            "-u", "5", "-t", "30", "--max-requests", "40")
    assert result.returncode in (0, 1), result.stderr
    assert 0 < len(server.requests) <= 40
    assert "--max-requests 40 reached" in result.stdout + result.stderr or len(server.requests) == 40


def test_max_duration_bounds_the_run_against_a_slow_server(counting_server, tmp_path):
    server = counting_server(delay=5.0)
    started = time.monotonic()
    result = run_gatekeeper("load", _spec(tmp_path, STEADY_SPEC), "--base-url", server.url,
                            "-u", "3", "-t", "3", "--request-timeout", "30")
    elapsed = time.monotonic() - started
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert elapsed < 3 + 15 + 30, elapsed  # duration + grace + start-up on a busy machine


def test_a_service_that_does_not_answer_ends_the_run_and_fails(tmp_path):
    port = free_port()  # nothing listens there
    started = time.monotonic()
    result = run_gatekeeper("load", _spec(tmp_path, STEADY_SPEC), "--base-url",
                            f"http://127.0.0.1:{port}", "-u", "5", "-t", "60")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "perf/nothing-measured" in result.stdout
    assert "stopped answering" in result.stdout
    assert time.monotonic() - started < 50  # ended well before its 60 s


def test_read_only_by_default_and_write_only_spec_measures_nothing(counting_server, tmp_path):
    server = counting_server()
    write_only = ITEMS_SPEC.split("  /items:")[0] + "  /orders:" + ITEMS_SPEC.split("  /orders:")[1]
    result = run_gatekeeper("load", _spec(tmp_path, write_only), "--base-url", server.url, "-t", "3")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "perf/nothing-measured" in result.stdout
    assert "write method" in result.stdout
    assert server.requests == []


def test_credentials_reach_the_server_and_no_output_shows_them(counting_server, tmp_path):
    secret = "sk-live-" + "Zq81xPw0Lm3n" * 2
    server = counting_server(status=500, body=json.dumps({"echo": secret}).encode())
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "junit", "html", "markdown")}
    args = [a for fmt, path in outputs.items() for a in ("--report", f"{fmt}={path}")]
    result = run_gatekeeper("load", _spec(tmp_path, ITEMS_SPEC), "--base-url", server.url,
                            "-u", "2", "-t", "3", "--header-env", "X-Api-Key=LOAD_SECRET",
                            "--progress", "plain", *args, env={"LOAD_SECRET": secret})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "perf/error-rate-over-budget" in result.stdout
    assert server.requests and all(h.get("X-Api-Key") == secret for _, h in server.requests)
    texts = [result.stdout, result.stderr, *(p.read_text(encoding="utf-8") for p in outputs.values())]
    for text in texts:
        for i in range(len(secret) - 7):
            assert secret[i:i + 8] not in text


def test_generated_locustfile_runs_with_plain_locust_and_names_no_secret(counting_server, tmp_path):
    server = counting_server()
    locustfile = tmp_path / "locustfile.py"
    result = run_gatekeeper("load", _spec(tmp_path, ITEMS_SPEC), "--base-url", server.url,
                            "--header-env", "X-Api-Key=LOAD_SECRET", "--write-locustfile",
                            str(locustfile), env={"LOAD_SECRET": "value-never-written"})
    assert result.returncode == 0, result.stderr
    text = locustfile.read_text(encoding="utf-8")
    assert "value-never-written" not in text and "LOAD_SECRET" in text
    stats = tmp_path / "plain"
    plain = subprocess.run([sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
                            "-u", "2", "-r", "2", "-t", "3s", "--host", server.url,
                            "--json-file", str(stats), "--only-summary"],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path,
                           env={**os.environ, "LOAD_SECRET": "from-env"})
    assert plain.returncode == 0, plain.stderr[-2000:]
    names = {entry["name"] for entry in json.loads(Path(str(stats) + ".json").read_text())}
    assert names == {"GET /items", "GET /items/{itemId}"}  # the write is left out
    assert {h.get("X-Api-Key") for _, h in server.requests} == {"from-env"}
    assert any(path == "/items/abc" for path, _ in server.requests)  # the document's example


def test_users_from_config_are_capped_unless_given_on_the_command_line(counting_server, tmp_path):
    server = counting_server()
    (tmp_path / "gatekeeper.toml").write_text("[load]\nusers = 5000\n", encoding="utf-8")
    spec = _spec(tmp_path, STEADY_SPEC)
    result = run_gatekeeper("load", spec, "--base-url", server.url, "-t", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert "--users 5000" in result.stderr
    assert server.requests == []


def test_idle_audit_passes_while_check_live_load_fails_the_perf_gate(load_demo, tmp_path):
    (tmp_path / "gatekeeper.toml").write_text("[load]\nusers = 30\nmax-duration = 5\n",
                                              encoding="utf-8")
    audit = run_gatekeeper("audit", str(LOAD_SPEC), "--base-url", load_demo, *BUDGET,
                           "--progress", "off", cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    report = tmp_path / "check.json"
    check = run_gatekeeper("check", str(LOAD_SPEC), "--live", load_demo, "--load", *BUDGET,
                           "--progress", "off",
                           "--report", f"json={report}", cwd=tmp_path)
    assert check.returncode == 1, check.stdout + check.stderr
    gates = {g["name"]: g["passed"] for g in json_report(report)["gates"]}
    assert gates["live"] is True and gates["perf"] is False
    assert json_report(report)["sections"]["load"]["users"] == 30


def test_load_needs_live(tmp_path):
    result = run_gatekeeper("check", str(LOAD_SPEC), "--load")
    assert result.returncode == 2
    assert "--load needs --live" in result.stderr
