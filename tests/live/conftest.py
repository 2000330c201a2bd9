"""Fixtures for the live audit: the demo service in a real uvicorn process on 127.0.0.1.

No mocks: the audit talks HTTP to a real server started with ``python -m gatekeeper.demo
--port 0`` (the OS picks a free port; the first stdout line names it), and the tests read
that server's own access log.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("httpx")
pytest.importorskip("schemathesis")
pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

ROOT = Path(__file__).resolve().parents[2]
DEMO_SPEC = ROOT / "gatekeeper" / "demo" / "openapi.yaml"
CHAOS_SPEC = ROOT / "gatekeeper" / "demo" / "chaos.yaml"


@dataclass
class Demo:
    url: str
    token: str
    access_log: Path
    process: subprocess.Popen

    def requests(self) -> list[dict]:
        if not self.access_log.exists():
            return []
        return [json.loads(line) for line in self.access_log.read_text().splitlines() if line.strip()]


#: The demo's slow endpoint and the latency budget the tests audit with: far apart, so a
#: loaded CI machine cannot push a clean endpoint over budget, nor the slow one under it.
SLOW_MS = 800
LATENCY_BUDGET_MS = 500


def start_demo(tmp_path: Path, token: str | None = None) -> Demo:
    token = token or "demo-" + secrets.token_urlsafe(16)
    log = tmp_path / f"access-{secrets.token_hex(4)}.log"
    env = {**os.environ, "GATEKEEPER_DEMO_TOKEN": token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper.demo", "--host", "127.0.0.1", "--port", "0", "--access-log", str(log),
         "--slow-ms", str(SLOW_MS)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, text=True)
    line = proc.stdout.readline()
    if "serving on " not in line:
        proc.kill()
        raise RuntimeError(f"demo did not start: {line!r}")
    url = line.strip().split("serving on ", 1)[1]
    _wait_ready(url)
    return Demo(url=url, token=token, access_log=log, process=proc)


def _wait_ready(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("demo did not answer /health")


def stop(demo: Demo) -> None:
    demo.process.terminate()
    try:
        demo.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        demo.process.kill()
        demo.process.wait(timeout=5)
    if demo.process.stdout:
        demo.process.stdout.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = start_demo(tmp_path_factory.mktemp("demo"))
    yield d
    stop(d)


@pytest.fixture
def fresh_demo(tmp_path):
    """A demo of its own, so its access log holds only this test's traffic."""
    d = start_demo(tmp_path)
    yield d
    stop(d)


def gatekeeper(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], check=False, capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=timeout)


#: Fast but still bounded settings for tests (the defaults are for real services).
FAST = ("--rate-limit", "0", "--progress", "off", "--latency-budget", str(LATENCY_BUDGET_MS))


@pytest.fixture(scope="session")
def kit():
    """The helpers above, as a fixture: test modules import nothing from this conftest."""
    from types import SimpleNamespace

    return SimpleNamespace(ROOT=ROOT, DEMO_SPEC=DEMO_SPEC, CHAOS_SPEC=CHAOS_SPEC, FAST=FAST, SLOW_MS=SLOW_MS,
                           LATENCY_BUDGET_MS=LATENCY_BUDGET_MS, gatekeeper=gatekeeper, start_demo=start_demo,
                           stop=stop)
