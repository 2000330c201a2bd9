"""The live audit against a misbehaving service: one scenario per way a real server broke it.

Every test runs the real command line against `faults.FaultServer` on 127.0.0.1 and checks
what a user sees: the exit code, that the run ended (a generous bound: hang detection, not
speed), that no 8-character run of the credential reached stdout, stderr, any report or the
request log in any encoding, and that the server saw no more requests than allowed.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from .faults import CountingProxy, FaultServer, spec

SECRET = "gk-" + secrets.token_urlsafe(27)  # 39 characters
COOKIE = "sess-" + secrets.token_urlsafe(18)
FORMATS = ("json", "sarif", "junit", "html", "markdown", "github", "gitlab")
ALL = ("/ok", "/nonascii", "/echo", "/echo500", "/login", "/private", "/validate", "/notmod", "/bad/{n}")


@pytest.fixture
def server():
    s = FaultServer(SECRET, COOKIE).start()
    yield s
    s.stop()


@pytest.fixture
def proxy():
    p = CountingProxy()
    yield p
    p.stop()


def _fragments(secret: str) -> set[str]:
    """Every 8-character run of the secret, raw and in the encodings a report may use."""
    runs = {secret[i:i + 8] for i in range(len(secret) - 7)}
    out = set(runs)
    for run in runs:
        out |= {quote(run, safe=""), json.dumps(run)[1:-1]}
    out.add(base64.b64encode(secret.encode()).decode()[:12])
    out.add(base64.b64encode(f"Bearer {secret}".encode()).decode()[8:20])
    return out


class Run:
    def __init__(self, proc, elapsed: float, folder: Path) -> None:
        self.proc, self.elapsed, self.folder = proc, elapsed, folder

    @property
    def code(self) -> int:
        return self.proc.returncode

    def report(self) -> dict:
        return json.loads((self.folder / "report.json").read_text())

    @property
    def live(self) -> dict:
        return self.report()["sections"]["live"]

    def rules(self) -> set[str]:
        return {f["rule"] for g in self.report()["gates"] for f in g["findings"]}

    def texts(self) -> dict[str, str]:
        out = {"stdout": self.proc.stdout, "stderr": self.proc.stderr}
        for path in self.folder.iterdir():
            out[path.name] = path.read_text(encoding="utf-8", errors="replace")
        return out

    def assert_no_secret(self, *secrets_: str) -> None:
        for secret in secrets_:
            for name, text in self.texts().items():
                leaked = [f for f in _fragments(secret) if f in text]
                assert not leaked, f"{name} holds {leaked[:3]}"


def _audit(kit, tmp_path: Path, server: FaultServer, paths: tuple[str, ...], *flags: str,
           env: dict | None = None, secured: tuple[str, ...] = ()) -> Run:
    folder = tmp_path / "out"
    folder.mkdir()
    doc = tmp_path / "spec.json"
    doc.write_text(spec(*paths, secured=secured))
    reports = [f"--report={fmt}={folder / ('report.' + fmt)}" for fmt in FORMATS]
    started = time.monotonic()
    proc = kit.gatekeeper("audit", str(doc), "--base-url", server.url, "--rate-limit", "0", "--progress", "plain",
                          "--header-env", "Authorization=FAULT_TOKEN", "--log-file", str(folder / "requests.log"),
                          *reports, *flags, env={"FAULT_TOKEN": f"Bearer {SECRET}", **(env or {})}, timeout=180)
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    (folder / "report.json").write_text((folder / "report.json").read_text())
    return Run(proc, elapsed, folder)


def test_every_fault_at_once_behind_a_proxy_and_a_netrc(kit, tmp_path, server, proxy):
    """Non-ASCII headers, an echoed secret, a session cookie, validation before auth, a 304,
    an operation no request can be made for; proxy variables and a ~/.netrc in the
    environment that must not be used."""
    home = tmp_path / "home"
    home.mkdir()
    netrc_secret = "netrc-" + secrets.token_urlsafe(18)
    (home / ".netrc").write_text(f"machine 127.0.0.1 login someone password {netrc_secret}\n")
    (home / ".netrc").chmod(0o600)
    env = {"HOME": str(home), "NETRC": str(home / ".netrc"), "HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url,
           "ALL_PROXY": proxy.url, "http_proxy": proxy.url, "https_proxy": proxy.url, "NO_PROXY": "",
           "no_proxy": ""}
    run = _audit(kit, tmp_path, server, ALL, "--max-requests", "150", "--max-duration", "60", env=env,
                 secured=("/private", "/validate"))
    assert run.code == 1, run.proc.stdout[-3000:]  # /echo500 is a real server error
    assert run.elapsed < 120
    assert proxy.hits == []
    assert 0 < len(server.requests) <= 150
    assert not any("Basic" in h.get("Authorization", "") for _, _, h in server.requests)  # no .netrc
    run.assert_no_secret(SECRET, COOKIE, netrc_secret)
    live = run.live
    findings = [f for g in run.report()["gates"] for f in g["findings"]]
    by_rule = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    # the cookie set by /login was never replayed: /private refused both probes
    auth = {row["operation"]: row for row in live["auth"]}
    assert auth["GET /private"]["no_credentials"] == 401 and auth["GET /private"]["enforced"] is True
    assert not any("session=" in h.get("Cookie", "") for _, _, h in server.requests)
    # 422 before authentication proves nothing either way
    assert auth["GET /validate"]["no_credentials"] == 422 and auth["GET /validate"]["enforced"] is None
    assert "live/auth-not-enforced" not in by_rule
    # a 304 has no Content-Type to miss; non-ASCII headers are read, not a crash
    assert not any("/notmod" in f["message"] for f in findings if f["rule"] != "live/operation-not-audited")
    ops = {row["operation"]: row for row in live["latency"]["operations"]}
    assert ops["GET /nonascii"]["statuses"] == {"200": ops["GET /nonascii"]["count"]} and ops["GET /nonascii"]["count"]
    # the echo: found, and the secret redacted before the excerpt was cut
    assert any(f["rule"] == "live/server-error" and "/echo500" in f["message"] for f in findings)
    # the operation no request could be made for is "not audited", with a reason, everywhere
    not_audited = {row["operation"]: row["reason"] for row in live["not_audited"]}
    assert not_audited.get("GET /bad/{n}")
    assert live["operations"]["audited"] == len(ALL) - 1
    for name, text in run.texts().items():
        if name not in ("requests.log", "stderr"):
            assert "/bad/" in text and "no request was generated" in text, name
    assert "not audited (1):" in run.proc.stdout
    # one line per request in the log, as many as the server saw
    assert len((run.folder / "requests.log").read_text().splitlines()) == len(server.requests)


def test_header_tarpit_is_bounded_by_the_request_deadline_and_the_run(kit, tmp_path, server):
    run = _audit(kit, tmp_path, server, ("/tarpit", "/ok"), "--request-timeout", "2", "--max-duration", "8")
    assert run.elapsed < 8 + 5 + 10  # D + 5 s, plus start-up on a busy machine
    assert run.code == 1
    live = run.live
    assert "live/timeout" in run.rules()
    assert live["operations"]["audited"] == 2  # the timeout is an answer of sorts; /ok went on
    tarpit = next(r for r in live["latency"]["operations"] if r["operation"] == "GET /tarpit")
    assert "timeout" in tarpit["statuses"]
    assert "TIMEOUT GET /tarpit" in run.proc.stdout and "ok      GET /tarpit" not in run.proc.stdout
    run.assert_no_secret(SECRET)


def test_tarpit_past_the_run_deadline_ends_the_run_with_a_report(kit, tmp_path, server):
    run = _audit(kit, tmp_path, server, ("/tarpit",), "--request-timeout", "60", "--max-duration", "4")
    assert run.elapsed < 4 + 5 + 10
    assert run.code == 1
    live = run.live
    assert live["partial"] and "time budget" in live["stop_reason"]
    assert "live/timeout" not in run.rules()  # cut by the audit, not slow by the server's fault
    assert live["error_rate"]["errors"] == 0 and live["requests"]["by_outcome"]["cut"] == 1
    assert "live/nothing-audited" in run.rules()


def test_duration_edge_is_no_timeout_and_no_error(kit, tmp_path, server):
    run = _audit(kit, tmp_path, server, ("/ok", "/slow"), "--request-timeout", "30", "--max-duration", "3",
                 "--max-examples", "2")
    assert run.elapsed < 3 + 5 + 10
    live = run.live
    assert live["partial"] is True
    assert "live/timeout" not in run.rules() and "live/error-rate-exceeded" not in run.rules()
    assert live["error_rate"]["errors"] == 0
    not_audited = {row["operation"]: row["reason"] for row in live["not_audited"]}
    assert "GET /slow" in not_audited and "time budget" in not_audited["GET /slow"]
    assert run.code == 0 or "live/nothing-audited" not in run.rules()


def test_write_only_document_audits_nothing_and_fails(kit, tmp_path, server):
    folder = tmp_path / "out"
    folder.mkdir()
    doc = tmp_path / "spec.json"
    data = json.loads(spec("/ok", "/login"))
    data["paths"] = {p: {"post": op["get"], "delete": op["get"]} for p, op in data["paths"].items()}
    doc.write_text(json.dumps(data))
    proc = kit.gatekeeper("audit", str(doc), "--base-url", server.url, "--progress", "off", "--format", "json",
                          "-o", str(folder / "r.json"))
    assert proc.returncode == 1
    report = json.loads((folder / "r.json").read_text())
    live = report["sections"]["live"]
    assert live["operations"]["audited"] == 0 and len(live["not_audited"]) == 4
    rules = {f["rule"] for g in report["gates"] for f in g["findings"]}
    assert "live/nothing-audited" in rules
    assert server.requests == []
    terminal = kit.gatekeeper("audit", str(doc), "--base-url", server.url, "--progress", "off")
    assert terminal.returncode == 1 and "NOTHING AUDITED" in terminal.stdout
    assert "PASSED" not in terminal.stdout


@pytest.mark.parametrize("budget", [5, 12])
def test_request_budget_is_what_the_server_sees(kit, tmp_path, server, budget):
    run = _audit(kit, tmp_path, server, ALL, "--max-requests", str(budget), secured=("/private", "/validate"))
    assert len(server.requests) <= budget
    assert run.live["requests"]["sent"] <= budget
    assert run.live["partial"] is True
    run.assert_no_secret(SECRET, COOKIE)


def test_focus_failures_spends_the_budget_left_on_the_failing_operation(kit, tmp_path, server):
    run = _audit(kit, tmp_path, server, ("/ok", "/echo500"), "--max-requests", "80", "--focus-failures")
    live = run.live
    assert live["focus"]["operations"] == ["GET /echo500"] and live["focus"]["requests"] > 0
    assert len(server.requests) == 80  # all of it, and no more, counted by the server
    assert live["partial"] is False  # every operation was audited before the focus began
    extra = [p for _, p, _ in server.requests[-live["focus"]["requests"]:]]
    assert all(p.startswith("/echo500") for p in extra)
    assert "focus on failures:" in run.proc.stdout
    run.assert_no_secret(SECRET)


def test_a_crash_under_debug_exits_2_not_the_gate_failed_code(capsys):
    from gatekeeper.cli import _guarded
    from gatekeeper.live import AuditError

    def crash() -> int:
        raise RuntimeError("a bug of ours")

    def bad_input() -> int:
        raise AuditError("--base-url must be an http or https URL")

    assert _guarded(crash, debug=True) == 2
    assert "RuntimeError: a bug of ours" in capsys.readouterr().err  # the traceback, with --debug
    assert _guarded(bad_input, debug=True) == 2
    assert _guarded(crash, debug=False) == 2
