"""R8: remote references are opt-in (--allow-remote-ref PREFIX) and fenced: https only,
DNS resolved once with private addresses refused, no redirects, 5 s, 5 MB, 50 fetches, no
credentials or proxies. A self-signed TLS server on 127.0.0.1 stands in for the remote."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gatekeeper import load
from gatekeeper import remote
from gatekeeper.errors import SpecError
from gatekeeper.loader import Limits

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"


class _Remote(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.server.seen.append((self.path, dict(self.headers)))  # type: ignore[attr-defined]
        port = self.server.canary  # type: ignore[attr-defined]
        if self.path.startswith("/api/redirect"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{port}/stolen")
            self.end_headers()
            return
        bodies = {
            "/api/pet.yaml": b"Pet:\n  type: object\n  description: REMOTE-PET\n"
                             b"  properties:\n    tag: {$ref: 'common/tag.yaml#/Tag'}\n",
            "/api/common/tag.yaml": b"Tag: {type: string, description: REMOTE-TAG}\n",
            "/api/evil.yaml": b"X: {$ref: 'file:///etc/passwd'}\n",
            "/api/escape.yaml": b"X: {$ref: '../../outside/secret.yaml'}\n",
            "/api/big.yaml": b"x: '" + b"a" * (6 * 1024 * 1024) + b"'\n",
        }
        body = bodies.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory, recorder):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Remote)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    server.canary = recorder.port  # type: ignore[attr-defined]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, cert
    server.shutdown()
    server.server_close()


@pytest.fixture
def trust(monkeypatch, tls_server):
    server, cert = tls_server
    monkeypatch.setattr(remote, "_context", lambda: ssl.create_default_context(cafile=str(cert)))
    server.seen.clear()
    return server


def _spec(tmp_path, ref: str):
    (tmp_path / "spec.yaml").write_text(HEAD + f"components: {{schemas: {{R: {{$ref: '{ref}'}}}}}}\n")
    return str(tmp_path / "spec.yaml")


def test_r8_defaults_refuse_without_any_lookup(tmp_path, socket_guard, monkeypatch):
    looked_up = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: looked_up.append(a) or [])
    with pytest.raises(SpecError, match="--allow-remote-ref"):
        load(_spec(tmp_path, "https://127.0.0.1:9/x.yaml#/X"))
    assert looked_up == []


@pytest.mark.parametrize("ref, why", [
    ("https://example.com/apix/x.yaml#/X", "not under an --allow-remote-ref prefix"),
    ("https://example.com/api/../secret.yaml#/X", "not under an --allow-remote-ref prefix"),
    ("https://user:pw@example.com/api/x.yaml#/X", "user info"),
    ("http://example.com/api/x.yaml#/X", "only https"),
    ("https://example.com.evil.test/api/x.yaml#/X", "not under"),
])
def test_r8_prefix_is_exact_after_normalisation(tmp_path, socket_guard, monkeypatch, ref, why):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("DNS lookup"))
    limits = Limits(allow_remote_refs=("https://example.com/api/",))
    with pytest.raises(SpecError, match=why):
        load(_spec(tmp_path, ref), limits=limits)


def test_r8_name_resolving_to_loopback_is_refused(tmp_path, socket_guard, tls_server):
    server, _ = tls_server
    port = server.server_address[1]
    limits = Limits(allow_remote_refs=(f"https://localhost:{port}/api/",))
    with pytest.raises(SpecError, match=r"resolves to (127\.0\.0\.1|::1), a private"):
        load(_spec(tmp_path, f"https://localhost:{port}/api/pet.yaml#/Pet"), limits=limits)
    assert socket_guard == [] and server.seen == []


def test_r8_allowed_fetch_resolves_and_fences_the_fetched_document(tmp_path, trust):
    port = trust.server_address[1]
    limits = Limits(allow_remote_refs=(f"https://localhost:{port}/api/",),
                    allow_private_networks=True)
    spec = load(_spec(tmp_path, f"https://localhost:{port}/api/pet.yaml#/Pet"), limits=limits)
    value, ptr = spec.resolve(spec.raw["components"]["schemas"]["R"],
                              spec.root.join("components", "schemas", "R"))
    assert value["description"] == "REMOTE-PET" and ptr.file.endswith("/api/pet.yaml")
    tag, _ = spec.resolve(value["properties"]["tag"], ptr)
    assert tag["description"] == "REMOTE-TAG"
    for path, headers in trust.seen:
        lowered = {k.lower() for k in headers}
        assert not lowered & {"authorization", "cookie", "proxy-authorization"}, headers
    for doc, why in (("evil.yaml", "unsupported reference scheme|only https"),
                     ("escape.yaml", "not under")):
        with pytest.raises(SpecError, match=why):
            load(_spec(tmp_path, f"https://localhost:{port}/api/{doc}#/X"), limits=limits)


def test_r8_redirects_are_not_followed(tmp_path, trust, recorder):
    port = trust.server_address[1]
    limits = Limits(allow_remote_refs=(f"https://localhost:{port}/api/",),
                    allow_private_networks=True)
    recorder.clear()
    with pytest.raises(SpecError, match="HTTP 302 redirect not followed"):
        load(_spec(tmp_path, f"https://localhost:{port}/api/redirect#/X"), limits=limits)
    assert recorder.hits == []


def test_r8_size_cap(tmp_path, trust):
    port = trust.server_address[1]
    with pytest.raises(SpecError, match="larger than 5 MB"):
        remote.fetch(f"https://localhost:{port}/api/big.yaml", allow_private=True)


def test_r8_timeout_against_a_tarpit():
    assert remote.TIMEOUT == 5.0 and remote.MAX_BYTES == 5 * 1024 * 1024
    assert remote.MAX_FETCHES == 50
    tarpit = socket.socket()
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(5)  # accepts (kernel backlog), never answers the TLS handshake
    port = tarpit.getsockname()[1]
    start = time.monotonic()
    try:
        with pytest.raises(SpecError, match="timed out after 1 s"):
            remote.fetch(f"https://127.0.0.1:{port}/x.yaml", allow_private=True, timeout=1.0)
    finally:
        tarpit.close()
    assert time.monotonic() - start < 10  # 1 s timeout; the rest is margin for a busy machine


def test_r8_proxy_variables_are_ignored(tmp_path, trust, recorder, monkeypatch):
    proxy = f"http://127.0.0.1:{recorder.port}"
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"):
        monkeypatch.setenv(var, proxy)
    recorder.clear()
    port = trust.server_address[1]
    limits = Limits(allow_remote_refs=(f"https://localhost:{port}/api/",),
                    allow_private_networks=True)
    load(_spec(tmp_path, f"https://localhost:{port}/api/pet.yaml#/Pet"), limits=limits)
    assert recorder.hits == [] and trust.seen


def test_r8_cli_flag(tmp_path, gk, recorder):
    (tmp_path / "spec.yaml").write_text(
        HEAD + "components: {schemas: {R: {$ref: "
        f"'https://127.0.0.1:{recorder.port}/api/x.yaml#/X'}}}}}}\n")
    recorder.clear()
    run = gk(["check", "spec.yaml", "--allow-remote-ref",
              f"https://127.0.0.1:{recorder.port}/api/"], cwd=tmp_path)
    assert run.code == 2 and "a private or loopback address" in run.stderr, run.stderr
    assert recorder.hits == [] and not run.guard
