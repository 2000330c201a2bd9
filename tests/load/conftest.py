"""Fixtures for the load test: real HTTP servers on 127.0.0.1, started by the tests.

The load demo (`gatekeeper.demo.load_demo`) runs in its own uvicorn process; the counting
server runs in a thread of the test process and counts every request it receives, so budgets
are checked by what the server saw, not by what the tool says it sent.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import importlib.util

# Never import Locust here: it patches the standard library with gevent on import.
if importlib.util.find_spec("locust") is None:
    pytest.skip("Locust is not installed (in a checkout of gatekeeper, pip install '.[load]')",
                allow_module_level=True)
pytest.importorskip("uvicorn")

ROOT = Path(__file__).resolve().parents[2]
LOAD_SPEC = ROOT / "gatekeeper" / "demo" / "load.yaml"


@pytest.fixture(scope="session")
def load_demo():
    proc = subprocess.Popen([sys.executable, "-m", "gatekeeper.demo.load_demo", "--port", "0",
                             "--pool", "2", "--hold-ms", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    if "serving on " not in line:
        proc.kill()
        raise RuntimeError(f"load demo did not start: {line!r}")
    url = line.strip().split("serving on ", 1)[1]
    _wait(url + "/status")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class CountingServer:
    """Answers every GET with a small JSON body after ``delay`` seconds (or a 500 when
    ``status`` says so) and records each request's path and headers."""

    def __init__(self, delay: float = 0.0, status: int = 200, body: bytes = b'{"ok": true}'):
        self.delay, self.status, self.body = delay, status, body
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                with outer.lock:
                    outer.requests.append((self.path, dict(self.headers.items())))
                if outer.delay:
                    time.sleep(outer.delay)
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a load generator that stops mid-request closes sockets: not an error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_server():
    servers: list[CountingServer] = []

    def start(**kwargs) -> CountingServer:
        server = CountingServer(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_gatekeeper(*args: str, env: dict | None = None, timeout: float = 180,
                   cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT)


def json_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
