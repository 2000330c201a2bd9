"""A misbehaving service on 127.0.0.1 for the live audit's tests, and a proxy that counts.

`FaultServer` is a real HTTP server (stdlib, one thread per connection) whose routes each
reproduce one way a real service broke the audit: non-ASCII header bytes, headers trickled
one byte a second, a credential echoed back in long and shortened bodies, a session cookie
that would authenticate later requests, validation before authentication (422), a 304
without Content-Type, an answer slower than the audit's time budget. It counts every
request it receives, so tests compare the audit's request budget with what the server saw.

`CountingProxy` answers every request (CONNECT included) with 502 and counts it: with
``HTTP_PROXY`` pointing at it, an audit that honoured the environment would show up there.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

PAD = "x" * 170  # puts a secret across the report's 200-character excerpt


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: list[tuple[str, bytes]] = (),
              content_type: str | None = "application/json") -> None:
        try:
            self.wfile.write(f"HTTP/1.1 {status} X\r\n".encode())
            if content_type:
                self.wfile.write(f"Content-Type: {content_type}\r\n".encode())
            for name, value in headers:
                self.wfile.write(name.encode() + b": " + value + b"\r\n")
            if status != 304:
                self.wfile.write(f"Content-Length: {len(body)}\r\n".encode())
            self.wfile.write(b"\r\n")
            if status != 304 and self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def _authorized(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.server.secret}"

    def do_GET(self) -> None:
        self.server.count(self)
        path = self.path.split("?", 1)[0]
        if self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))
        if path == "/ok":
            self._send(200, b'{"items": []}')
        elif path == "/nonascii":
            self._send(200, b'{"items": []}', [("Content-Disposition", 'attachment; filename="café"'.encode()),
                                                ("X-Latin", "ñandú".encode("latin-1"))])
        elif path == "/tarpit":
            self._tarpit()
        elif path == "/echo":  # the credential inside a value the schema says is an integer
            auth = self.headers.get("Authorization", "")
            self._send(200, json.dumps({"count": PAD + auth}).encode())
        elif path == "/echo500":
            auth = self.headers.get("Authorization", "")
            body = json.dumps({"error": PAD + auth, "b64": base64.b64encode(auth.encode()).decode(),
                               "url": quote(auth, safe="")})
            self._send(500, body.encode())
        elif path == "/login":
            self._send(200, b'{"items": []}', [("Set-Cookie", f"session={self.server.cookie}; Path=/".encode())])
        elif path == "/private":  # a session cookie would open it: it must never be replayed
            opened = self._authorized() or f"session={self.server.cookie}" in (self.headers.get("Cookie") or "")
            self._send(200 if opened else 401, b'{"items": []}' if opened else b'{"error": "who are you"}')
        elif path == "/validate":  # validates before it authenticates
            self._send(200 if self._authorized() else 422, b'{"items": []}' if self._authorized()
                       else b'{"error": "query invalid"}')
        elif path == "/notmod":
            self._send(304, content_type=None, headers=[("ETag", b'"v1"')])
        elif path == "/slow":
            time.sleep(self.server.slow_s)
            self._send(200, b'{"items": []}')
        else:
            self._send(404, b'{"error": "no such path"}')

    do_HEAD = do_OPTIONS = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _tarpit(self) -> None:
        """Status line, then one header byte a second: every read gets data, none ends."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Trickle: ")
            self.wfile.flush()
            for _ in range(150):
                time.sleep(1)
                self.wfile.write(b"a")
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret: str, cookie: str, slow_s: float = 6.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret, self.cookie, self.slow_s = secret, cookie, slow_s
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def count(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append((handler.command, handler.path, dict(handler.headers.items())))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _refuse(self) -> None:
        self.server.hits.append((self.command, self.path))  # type: ignore[attr-defined]
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_CONNECT = _refuse


class CountingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.hits: list[tuple[str, str]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def spec(*paths: str, secured: tuple[str, ...] = ()) -> str:
    """An OpenAPI 3.1 document (JSON) with one GET per route, documented as the service is
    meant to behave; ``secured`` routes require a bearer token."""
    doc: dict = {"openapi": "3.1.0", "info": {"title": "faults", "version": "1"},
                 "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                 "paths": {}}
    for path in paths:
        responses = {"200": {"description": "ok", "content": {"application/json": {"schema": _SCHEMAS.get(
            path, {"type": "object"})}}}}
        if path == "/notmod":
            responses["304"] = {"description": "not modified"}
        op: dict = {"responses": responses}
        if path in secured:
            op["security"] = [{"bearer": []}]
            op["responses"]["401"] = {"description": "no"}
        if path == "/echo500":
            op["parameters"] = [{"name": "n", "in": "query", "schema": {"type": "integer"}}]
        if path == "/bad/{n}":  # a type no generator knows: no request can be made
            op["parameters"] = [{"name": "n", "in": "path", "required": True, "schema": {"type": "int"}}]
        doc["paths"][path] = {"get": op}
    return json.dumps(doc, indent=1)


_SCHEMAS = {"/echo": {"type": "object", "properties": {"count": {"type": "integer"}}}}
