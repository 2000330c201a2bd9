"""Fixtures for the hostile-input suite (R25 of docs/hardening.md).

* `recorder`: a real HTTP server thread on 127.0.0.1 standing in for the attacker's server
  (the canary). It records every connection, HTTP or not; hostile runs must leave it empty.
* `socket_guard`: fails any ``connect()`` made in this process other than to the recorder.
  Child processes get the same guard through a ``sitecustomize`` module put first on
  ``PYTHONPATH``; a blocked attempt is appended to a log file the test reads back.
* `gk`: runs the real CLI in a subprocess and measures its wall time and peak RSS (per child,
  via ``os.wait4``), returning a `Run`.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CANARY_SECRET = "GK-CANARY-" + secrets.token_hex(8)


# --------------------------------------------------------------------------- recorder


class _Handler(BaseHTTPRequestHandler):
    server_version = "canary"

    def handle(self) -> None:  # record the connection before trying to read HTTP
        self.server.hits.append(("<connect>", self.client_address[0]))  # type: ignore[attr-defined]
        try:
            super().handle()
        except Exception:  # noqa: BLE001 - TLS handshakes etc. are "<not-http>"
            self.server.hits.append(("<not-http>", ""))  # type: ignore[attr-defined]

    def _reply(self) -> None:
        self.server.hits.append((self.command, self.path))  # type: ignore[attr-defined]
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/target.yaml")
            self.end_headers()
            return
        body = b"CANARY-REMOTE-CONTENT: yes\ntype: object\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _reply

    def send_error(self, code, message=None, explain=None):  # noqa: ANN001 - not-HTTP bytes
        self.server.hits.append(("<not-http>", str(code)))  # type: ignore[attr-defined]

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


class Recorder:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.hits = []  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def hits(self) -> list[tuple[str, str]]:
        return list(self.server.hits)  # type: ignore[attr-defined]

    def clear(self) -> None:
        self.server.hits.clear()  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def recorder():
    rec = Recorder()
    yield rec
    rec.close()


# --------------------------------------------------------------------------- socket guard

_GUARD_SOURCE = '''
import os, socket
_LOG = os.environ.get("GK_GUARD_LOG")
_ALLOWED = {("127.0.0.1", int(p)) for p in os.environ.get("GK_GUARD_PORT", "0").split(",")}
_orig_connect, _orig_connect_ex = socket.socket.connect, socket.socket.connect_ex

def _check(sock, address):
    if sock.family == socket.AF_UNIX:
        return
    if isinstance(address, tuple) and tuple(address[:2]) in _ALLOWED:
        return
    if _LOG:
        with open(_LOG, "a") as fh:
            fh.write(repr(address) + "\\n")
    raise ConnectionRefusedError("socket guard: connect(%r) refused" % (address,))

def connect(self, address):
    _check(self, address)
    return _orig_connect(self, address)

def connect_ex(self, address):
    _check(self, address)
    return _orig_connect_ex(self, address)

socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
'''


@pytest.fixture(scope="session")
def guard_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard")
    (path / "sitecustomize.py").write_text(_GUARD_SOURCE, encoding="utf-8")
    return path


@pytest.fixture
def socket_guard(monkeypatch, recorder):
    """In-process guard: any connect() other than to the recorder fails the test."""
    blocked: list[object] = []
    orig_connect, orig_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock, address) -> None:  # noqa: ANN001
        if sock.family == socket.AF_UNIX:
            return
        if isinstance(address, tuple) and tuple(address[:2]) == ("127.0.0.1", recorder.port):
            return
        blocked.append(address)
        raise ConnectionRefusedError(f"socket guard: connect({address!r}) refused")

    def connect(self, address):  # noqa: ANN001, ANN202
        check(self, address)
        return orig_connect(self, address)

    def connect_ex(self, address):  # noqa: ANN001, ANN202
        check(self, address)
        return orig_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield blocked
    assert not blocked, f"network connections attempted: {blocked}"


# --------------------------------------------------------------------------- CLI runner


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float
    guard: str  # blocked connect() attempts in the child (empty when none)
    cpu: float = 0.0  # user + system seconds of the child


def run_gatekeeper(args: list[str], *, cwd: Path, guard_dir: Path, port: int | str,
                   timeout: float = 60, env: dict[str, str] | None = None) -> Run:
    """Run ``python -m gatekeeper ARGS`` and measure it (wall time, peak RSS of that child)."""
    guard_log = Path(tempfile.mkstemp(prefix="gk-guard-")[1])
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
    repo = str(Path(__file__).resolve().parents[2])
    full_env.update({
        "NO_COLOR": "1",
        "GATEKEEPER_CANARY_SECRET": CANARY_SECRET,
        "GK_GUARD_LOG": str(guard_log),
        "GK_GUARD_PORT": str(port),
        "PYTHONPATH": os.pathsep.join([str(guard_dir), repo, full_env.get("PYTHONPATH", "")]),
        "COLUMNS": "200",
        **(env or {}),
    })
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        import subprocess

        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "gatekeeper", *args], cwd=cwd,
                                env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = start + timeout
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    guard = guard_log.read_text()
    guard_log.unlink()
    code = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    if seconds > timeout:
        code = 124
    return Run(tuple(args), code, stdout, stderr, seconds, rusage.ru_maxrss / 1024, guard,
               rusage.ru_utime + rusage.ru_stime)


#: How much a busy machine may stretch a run's wall time before the test calls it a hang.
MAX_SLACK = 4.0


def hang_bound(budget: float) -> float:
    """The wall-clock limit of a run whose budget is `budget` seconds of CPU on an idle
    2-core machine: four times the budget plus a minute.

    Tests judge a run's cost by its CPU time (the child's user + system time, which other
    processes on the machine do not stretch) against the unscaled budget. Wall time depends
    on everything else the machine is doing (two CPU hogs beside the suite triple it), so it
    only has to stay under this bound, which exists to catch hangs.
    """
    return budget * MAX_SLACK + 60.0


@pytest.fixture
def gk(guard_dir, recorder):
    def call(args: list[str], cwd: Path, **kw) -> Run:
        return run_gatekeeper(args, cwd=cwd, guard_dir=guard_dir, port=recorder.port, **kw)
    return call
