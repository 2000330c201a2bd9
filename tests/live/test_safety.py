"""The live audit's safety rails (docs/hardening.md R19 to R22): secrets, timeouts, dropped connections,
budgets, Ctrl-C, trusted origins. Real servers on 127.0.0.1 only."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import quote

import pytest


def _live_findings(report: dict) -> list[dict]:
    return next(g for g in report["gates"] if g["name"] == "live")["findings"]


# ---------------------------------------------------------------------------- acceptance 3

def test_credential_from_env_appears_in_no_output(tmp_path, kit):
    secret = secrets.token_urlsafe(24)
    demo = kit.start_demo(tmp_path, token=secret)
    try:
        header_value = f"Bearer {secret}"
        env = {"GK_TEST_TOKEN": header_value}
        json_out, log_out = tmp_path / "report.json", tmp_path / "audit.log"
        common = ("--base-url", demo.url, "--rate-limit", "0", "--header-env", "Authorization=GK_TEST_TOKEN")
        runs = [
            kit.gatekeeper("audit", str(kit.DEMO_SPEC), *common, "--progress", "plain", "--log-file", str(log_out),
                       env=env),
            kit.gatekeeper("audit", str(kit.DEMO_SPEC), *common, "--progress", "off", "--format", "json",
                       "-o", str(json_out), env=env),
        ]
        # The credential really went out and really came back (GET /me and the 404 of
        # GET /invoices/{invoiceId} echo it), so redaction had something to do.
        assert any(r["path"] == "/me" and r["status"] == 200 for r in demo.requests())
        assert "[REDACTED]" in json_out.read_text()

        # Every other reporter the project has, fed the same report through the library.
        from gatekeeper import Config, load
        from gatekeeper.live import AuditOptions, Credentials, audit_report
        from gatekeeper.reporters import REPORTERS, render

        opts = AuditOptions(base_url=demo.url, rate_limit=0,
                            credentials=Credentials.from_flags(["Authorization=GK_TEST_TOKEN"], environ=env))
        lib_report, _ = audit_report(load(str(kit.DEMO_SPEC)), opts, Config())
        rendered = {name: render(name, lib_report) for name in REPORTERS}

        texts = {"log": log_out.read_text(), "json": json_out.read_text(), **{f"render:{k}": v
                                                                             for k, v in rendered.items()}}
        for i, run in enumerate(runs):
            texts[f"stdout{i}"], texts[f"stderr{i}"] = run.stdout, run.stderr
        assert texts["log"].count("\n") > 50  # one line per request
        forms = {secret, header_value, base64.b64encode(secret.encode()).decode(),
                 base64.b64encode(header_value.encode()).decode(), quote(secret, safe=""),
                 quote(header_value, safe="")}
        for name, text in texts.items():
            for form in forms:
                assert form not in text, f"{form!r} leaked into {name}"
    finally:
        kit.stop(demo)


# ---------------------------------------------------------------------------- acceptance 4

def test_endpoint_that_never_answers_is_a_timeout_and_drops_are_findings(demo, tmp_path, kit):
    out = tmp_path / "chaos.json"
    started = time.monotonic()
    proc = kit.gatekeeper("audit", str(kit.CHAOS_SPEC), "--base-url", demo.url, *kit.FAST, "--request-timeout", "1",
                      "--max-duration", "20", "--format", "json", "-o", str(out))
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1
    found = {(f["rule"], f["pointer"]) for f in _live_findings(json.loads(out.read_text()))}
    assert ("live/timeout", "#/paths/~1hang/get") in found
    assert ("live/connection-failed", "#/paths/~1drop/get") in found
    assert not any(p == "#/paths/~1health/get" for _, p in found)
    assert elapsed < 20


def test_time_budget_bounds_the_run_even_with_a_long_request_timeout(demo, tmp_path, kit):
    out = tmp_path / "budget.json"
    started = time.monotonic()
    proc = kit.gatekeeper("audit", str(kit.CHAOS_SPEC), "--base-url", demo.url, *kit.FAST, "--request-timeout", "60",
                      "--max-duration", "3", "--format", "json", "-o", str(out))
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr
    report = json.loads(out.read_text())
    live = report["sections"]["live"]
    assert live["partial"] is True and "time budget" in live["stop_reason"]
    rules = {f["rule"] for f in _live_findings(report)}
    # GET /hang was cut by the run's end, not timed out (60 s): no timeout finding, no error
    # rate; nothing got an answer, so the run audited nothing and fails for that.
    assert "live/timeout" not in rules and "live/audit-incomplete" in rules
    assert "live/nothing-audited" in rules and proc.returncode == 1
    assert live["requests"]["by_outcome"]["cut"] == 1 and live["error_rate"]["errors"] == 0
    # Hang detection only: without the budget the run would wait 60 s on GET /hang; the stop
    # reason above shows the budget ended it. A busy 2-core runner needs room for the rest.
    assert elapsed < 45, elapsed


def test_a_server_that_is_not_there_gives_findings_not_a_crash(tmp_path, kit):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "refused.json"
    proc = kit.gatekeeper("audit", str(kit.CHAOS_SPEC), "--base-url", f"http://127.0.0.1:{port}", *kit.FAST,
                      "--request-timeout", "1", "--format", "json", "-o", str(out))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    rules = {f["rule"] for f in _live_findings(json.loads(out.read_text()))}
    assert "live/connection-failed" in rules


def test_ctrl_c_ends_with_a_partial_report(demo, tmp_path, kit):
    out = tmp_path / "partial.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", "audit", str(kit.CHAOS_SPEC), "--base-url", demo.url, "--rate-limit",
         "0", "--progress", "plain", "--request-timeout", "60", "--format", "json", "-o", str(out)],
        cwd=kit.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"},
        start_new_session=True)
    # "live audit: 3 operations, ..." comes just before the first request, GET /hang, which
    # never answers; press Ctrl-C while the audit waits for it. A terminal sends SIGINT to
    # the whole foreground process group, so the test does too.
    seen = []
    for line in proc.stderr:  # lines before it (a library's warning) are not the point
        seen.append(line)
        if line.startswith("live audit: 3 operations"):
            break
    assert seen and seen[-1].startswith("live audit: 3 operations"), seen
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=120)  # hang detection only
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 130
    assert "interrupted" in stderr
    live = json.loads(out.read_text())["sections"]["live"]
    assert live["partial"] is True and live["stop_reason"].startswith("interrupted")
    assert [row["operation"] for row in live["not_audited"]] == ["GET /hang", "GET /drop", "GET /health"]


# ---------------------------------------------------------------------------- R20, R21

class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def _any(self) -> None:
        type(self).hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canary():
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()
    server.server_close()


def test_spec_urls_are_never_contacted_and_credentials_stay_on_the_base_url(demo, canary, tmp_path, kit):
    canary_url, hits = canary
    text = kit.DEMO_SPEC.read_text()
    text = text.replace("  - url: http://127.0.0.1:8000", f"  - url: {canary_url}/canary/39")
    text = text.replace(
        "      operationId: getHealth\n",
        "      operationId: getHealth\n"
        f"      externalDocs: {{url: '{canary_url}/canary/docs'}}\n", 1)
    text = text.replace(
        "            maxLength: 40\n",
        "            maxLength: 40\n"
        f"          examples:\n            remote: {{externalValue: '{canary_url}/canary/example'}}\n", 1)
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text)
    out = tmp_path / "report.json"
    proc = kit.gatekeeper("audit", str(spec), "--base-url", demo.url, *kit.FAST, "--header-env",
                      "Authorization=DEMO_AUTH", "--format", "json", "-o", str(out),
                      env={"DEMO_AUTH": f"Bearer {demo.token}", "HTTP_PROXY": canary_url,
                           "HTTPS_PROXY": canary_url, "ALL_PROXY": canary_url})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(out.read_text())["sections"]["live"]["requests"]["sent"] > 20
    assert hits == []


def test_redirects_to_another_host_are_not_followed(canary, tmp_path, kit):
    canary_url, hits = canary

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", canary_url + "/canary/redirected")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spec = tmp_path / "redirect.yaml"
        spec.write_text("openapi: 3.0.3\ninfo: {title: r, version: '1'}\npaths:\n  /go:\n    get:\n"
                        "      responses:\n        '302': {description: elsewhere}\n")
        proc = kit.gatekeeper("audit", str(spec), "--base-url", f"http://127.0.0.1:{server.server_address[1]}",
                          *kit.FAST, "--format", "json")
        assert "Traceback" not in proc.stderr
        assert hits == []
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_without_a_live_url_are_refused(kit):
    proc = kit.gatekeeper("check", str(kit.DEMO_SPEC), "--header-env", "Authorization=DEMO_AUTH",
                      env={"DEMO_AUTH": "Bearer x"})
    assert proc.returncode == 2
    assert "credentials are only sent to" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unset_credential_variable_is_one_line_and_exit_2(kit):
    env = {k: v for k, v in os.environ.items() if k != "GK_NOT_SET"}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "audit", str(kit.DEMO_SPEC), "--base-url",
                           "http://127.0.0.1:9", "--header-env", "Authorization=GK_NOT_SET"],
                          check=False, capture_output=True, text=True, env=env, cwd=kit.ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("--header-env Authorization=GK_NOT_SET: environment variable GK_NOT_SET "
                                   "is not set")


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:80x", "--base-url has an invalid port"),
    ("ftp://127.0.0.1/", "--base-url must be an http or https URL"),
    ("http://user:pw@127.0.0.1:9/", "--base-url must not carry credentials"),
])
def test_bad_base_urls_are_one_line_and_exit_2(kit, url, message):
    proc = kit.gatekeeper("audit", str(kit.DEMO_SPEC), "--base-url", url)
    assert proc.returncode == 2
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1
