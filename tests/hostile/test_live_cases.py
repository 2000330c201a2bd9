"""Hostile cases 39 to 41: the live audit (`gatekeeper audit`) against a loopback service.

The "service" is a trusted loopback server given as --base-url; the recorder stands in for
the attacker's server, named by the spec's `servers`, and must record nothing.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from .conftest import CANARY_SECRET, run_gatekeeper
from .test_cases import BAD_CHARS

TOKEN = "gk-live-" + CANARY_SECRET


class _Service(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        self.server.log.append((self.command, self.path))  # type: ignore[attr-defined]
        if self.path.startswith("/api/slow"):
            time.sleep(30)  # far beyond the request timeout; the thread is a daemon
            body = b"{}"
        elif self.path.startswith("/api/echo"):
            body = json.dumps({"you_sent": self.headers.get("Authorization", "")}).encode()
        else:
            body = b'{"items": []}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _reply

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture(scope="module")
def service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    server.daemon_threads = True
    server.log = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _needs_audit(tmp_path, guard_dir, recorder):
    run = run_gatekeeper(["audit", "--help"], cwd=tmp_path, guard_dir=guard_dir,
                         port=recorder.port)
    if run.code != 0:
        pytest.skip("`gatekeeper audit` does not exist yet (owned by the live-audit engineer)")


def _spec(canary_port: int, paths: str) -> str:
    return f"""openapi: 3.1.0
info:
  title: Live hostile case
  version: 1.0.0
servers:
  - url: http://127.0.0.1:{canary_port}/canary/39/api
paths:
{paths}"""


GET_ITEMS = """  /api/items:
    get:
      responses:
        "200":
          description: Items.
          content:
            application/json:
              schema: {type: object}
"""


def _audit(args, tmp_path, guard_dir, recorder, service, **kw):
    ports = f"{recorder.port},{service.server_address[1]}"
    return run_gatekeeper(["audit", "spec.yaml", *args], cwd=tmp_path, guard_dir=guard_dir,
                          port=ports, env={"GK_TOKEN": TOKEN}, **kw)


def _no_leak(texts):
    forms = (TOKEN, base64.b64encode(TOKEN.encode()).decode(), quote(TOKEN, safe=""))
    for text in texts:
        for form in forms:
            assert form not in text, "G5/R19 credential leaked"
        assert BAD_CHARS.search(text) is None or text.startswith("{")


def test_39_spec_servers_never_contacted(tmp_path, guard_dir, recorder, service):
    (tmp_path / "spec.yaml").write_text(_spec(recorder.port, GET_ITEMS))
    recorder.clear()
    service.log.clear()
    base = f"http://127.0.0.1:{service.server_address[1]}"
    run = _audit(["--base-url", base, "--header-env", "Authorization=GK_TOKEN",
                  "--max-examples", "2", "--rate-limit", "0"], tmp_path, guard_dir, recorder,
                 service, timeout=60)
    assert run.code in (0, 1), run.stderr[-1500:]
    assert "Traceback" not in run.stderr
    assert not run.guard, run.guard
    assert recorder.hits == [], f"canary hit: {recorder.hits}"
    assert service.log, "the audit sent nothing to the trusted base URL"
    assert not any(p.startswith("/canary/39") for _, p in service.log)
    _no_leak([run.stdout, run.stderr])

    # A credential without a trusted origin: refused, nothing sent anywhere.
    service.log.clear()
    run = _audit(["--header-env", "Authorization=GK_TOKEN"], tmp_path, guard_dir, recorder,
                 service)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "--base-url" in run.stderr
    run = run_gatekeeper(["check", "spec.yaml", "--header-env", "Authorization=GK_TOKEN"],
                         cwd=tmp_path, guard_dir=guard_dir, port=recorder.port,
                         env={"GK_TOKEN": TOKEN})
    assert run.code == 2 and "credentials are only sent to" in run.stderr, run.stderr
    assert recorder.hits == [] and service.log == []


def test_40_read_only_by_default(tmp_path, guard_dir, recorder, service):
    paths = GET_ITEMS.replace("    get:", """    post:
      responses: {"201": {description: made}}
    put:
      responses: {"200": {description: put}}
    patch:
      responses: {"200": {description: patched}}
    delete:
      responses: {"204": {description: gone}}
    get:""") + """  /admin/reset-database:
    post:
      responses: {"204": {description: wiped}}
"""
    (tmp_path / "spec.yaml").write_text(_spec(recorder.port, paths))
    recorder.clear()
    service.log.clear()
    base = f"http://127.0.0.1:{service.server_address[1]}"
    run = _audit(["--base-url", base, "--max-examples", "2", "--rate-limit", "0"], tmp_path,
                 guard_dir, recorder, service, timeout=60)
    assert run.code in (0, 1), run.stderr[-1500:]
    methods = {m for m, _ in service.log}
    assert methods and methods <= {"GET", "HEAD", "OPTIONS"}, methods
    assert not any(p.startswith("/admin") for _, p in service.log)
    out = run.stdout + run.stderr
    assert re.search(r"not audited \(\d+\):(\n    .*)*\n    POST /admin/reset-database: write method", out), \
        out[-2000:]
    assert recorder.hits == []


def test_41_timeout_and_redaction(tmp_path, guard_dir, recorder, service):
    paths = """  /api/slow:
    get:
      responses: {"200": {description: slow}}
  /api/echo:
    get:
      responses:
        "200":
          description: Echo.
          content:
            application/json:
              schema: {type: object}
"""
    (tmp_path / "spec.yaml").write_text(_spec(recorder.port, paths))
    recorder.clear()
    service.log.clear()
    base = f"http://127.0.0.1:{service.server_address[1]}"
    report = tmp_path / "live.json"
    log = tmp_path / "requests.log"
    run = _audit(["--base-url", base, "--header-env", "Authorization=GK_TOKEN",
                  "--request-timeout", "2", "--max-examples", "1", "--rate-limit", "0",
                  "--log-file", str(log), "--format", "json", "-o", str(report)],
                 tmp_path, guard_dir, recorder, service, timeout=90)
    assert run.code in (0, 1), run.stderr[-1500:]
    assert "Traceback" not in run.stderr
    text = report.read_text()
    json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert "timeout" in text.lower(), text[:2000]
    assert any(p.startswith("/api/echo") for _, p in service.log)
    _no_leak([run.stdout, run.stderr, text, log.read_text() if log.exists() else ""])
    assert recorder.hits == []
    # The default per-request timeout is 10 s or less.
    help_text = run_gatekeeper(["audit", "--help"], cwd=tmp_path, guard_dir=guard_dir,
                               port=recorder.port).stdout
    assert "default 10)" in " ".join(help_text.split())


def test_11_external_value_and_docs_never_fetched_by_the_audit(tmp_path, guard_dir, recorder,
                                                               service):
    canary = f"http://127.0.0.1:{recorder.port}/canary/11"
    paths = f"""  /api/items:
    get:
      externalDocs: {{url: '{canary}/op-docs'}}
      responses:
        "200":
          description: Items.
          content:
            application/json:
              schema: {{type: object}}
              examples:
                remote: {{externalValue: '{canary}/example.json'}}
"""
    (tmp_path / "spec.yaml").write_text(_spec(recorder.port, paths).replace(
        "paths:\n", f"externalDocs: {{url: '{canary}/docs'}}\npaths:\n"))
    recorder.clear()
    service.log.clear()
    base = f"http://127.0.0.1:{service.server_address[1]}"
    run = _audit(["--base-url", base, "--max-examples", "2", "--rate-limit", "0"], tmp_path,
                 guard_dir, recorder, service, timeout=60)
    assert run.code in (0, 1), run.stderr[-1500:]
    assert service.log and not run.guard
    assert recorder.hits == [], f"canary hit: {recorder.hits}"
