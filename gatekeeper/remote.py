"""Remote `$ref`s, opt-in and fenced (docs/hardening.md R8).

Only with ``--allow-remote-ref PREFIX`` (repeatable, exact ``https://host/path/`` prefixes,
compared after normalisation). Each fetch:

* is https only, to a URL under an allowed prefix (no user info, dot segments resolved);
* resolves DNS once and refuses loopback, private, link-local, multicast and reserved
  addresses unless ``--allow-private-networks``; it connects to that checked address (the
  name is used only for TLS verification), so a second lookup cannot be rebound;
* follows no redirects; times out after 5 s in total; reads at most 5 MB;
* sends no credentials: ``http.client`` on a pinned socket, no proxy variables, no .netrc;
* at most 50 fetches per run (the caller counts).

The content then goes through the same loader budgets (R1 to R5) as a local file.
"""

from __future__ import annotations

import ipaddress
import posixpath
import socket
import ssl
import time
from urllib.parse import urlsplit, urlunsplit

from gatekeeper.errors import SpecError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from gatekeeper.loader import Document

__all__ = ["MAX_BYTES", "MAX_FETCHES", "TIMEOUT", "RemoteRefused", "allowed", "fetch",
           "fetch_document", "normalise"]

TIMEOUT = 5.0
MAX_BYTES = 5 * 1024 * 1024
MAX_FETCHES = 50


def normalise(url: str) -> str:
    """Lower-case scheme and host, default port dropped, dot segments resolved."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("URLs with user info are not allowed")
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, 443) else f"{host}:{port}"
    path = parts.path or "/"
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def allowed(url: str, prefixes: tuple[str, ...]) -> str | None:
    """Why `url` may not be fetched, or None."""
    try:
        norm = normalise(url)
    except ValueError as exc:
        return str(exc)
    if not norm.startswith("https://"):
        return "only https references can be allowed"
    for prefix in prefixes:
        try:
            p = normalise(prefix)
        except ValueError:
            continue
        if not p.endswith("/"):
            p += "/"
        if norm.startswith(p):
            return None
    return "not under an --allow-remote-ref prefix"


def _context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _check_address(ip: str, allow_private: bool) -> str | None:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if allow_private:
        return None
    if (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified
            or getattr(addr, "ipv4_mapped", None) is not None):
        return (f"resolves to {addr}, a private or loopback address (allow it with "
                "--allow-private-networks)")
    return None


def fetch(url: str, *, allow_private: bool = False, timeout: float = TIMEOUT,
          max_bytes: int = MAX_BYTES) -> bytes:
    """GET `url` within the fence above; raise `SpecError` (one line) on any refusal."""
    norm = normalise(url)
    parts = urlsplit(norm)
    host, port = parts.hostname or "", parts.port or 443
    deadline = time.monotonic() + timeout

    def fail(reason: str) -> SpecError:
        return SpecError(f"remote $ref {norm[:200]!r}: {reason}")

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise fail(f"cannot resolve host: {exc.strerror or exc}") from None
    addresses = [info[4][0] for info in infos]
    for ip in addresses:  # every answer must be acceptable, then use the first
        problem = _check_address(ip, allow_private)
        if problem:
            raise fail(problem)
    family, _, _, _, sockaddr = infos[0]
    request = (f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
               f"Host: {parts.netloc}\r\nUser-Agent: gatekeeper\r\nAccept: */*\r\n"
               "Connection: close\r\n\r\n").encode("ascii", "strict")
    try:
        raw = socket.socket(family, socket.SOCK_STREAM)
        raw.settimeout(max(0.01, deadline - time.monotonic()))
        raw.connect(sockaddr)
        with _context().wrap_socket(raw, server_hostname=host) as sock:
            sock.sendall(request)
            data = bytearray()
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise fail(f"timed out after {timeout:g} s")
                sock.settimeout(left)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if len(data) > max_bytes + 65536:
                    raise fail(f"larger than {max_bytes // (1024 * 1024)} MB")
    except SpecError:
        raise
    except (TimeoutError, socket.timeout):
        raise fail(f"timed out after {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise fail(f"TLS failed: {exc.reason or exc}") from None
    except (OSError, UnicodeError) as exc:
        raise fail(f"cannot fetch: {getattr(exc, 'strerror', None) or exc}") from None
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    if not sep:
        raise fail("no HTTP response")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
    if 300 <= status < 400:
        raise fail(f"HTTP {status} redirect not followed")
    if status != 200:
        raise fail(f"HTTP {status or 'error'}")
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        body = _dechunk(body)
    if len(body) > max_bytes:
        raise fail(f"larger than {max_bytes // (1024 * 1024)} MB")
    return body


class RemoteRefused(SpecError):
    """A URL that is not under an allowed prefix; `reason` says why (one phrase)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url} refused ({reason})")


def fetch_document(url: str, allow: tuple[str, ...]) -> Document:
    """Fetch `url` within the fence above and parse it with positions, as the loader reads a
    local file (UTF-8, duplicate keys and unsafe YAML tags refused).

    Raises `RemoteRefused` when `url` is not under one of the `allow` prefixes (nothing is
    fetched), and `SpecError` (one line) when the fetch or the parse fails.
    """
    reason = allowed(url, allow)
    if reason is not None:
        raise RemoteRefused(url, reason)
    from gatekeeper.loader import parse_text

    body = fetch(url)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(str(exc)) from None
    return parse_text(text, path=url, display=url, force_json=url.endswith(".json"))


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(body):
        end = body.find(b"\r\n", pos)
        if end == -1:
            break
        size = int(body[pos:end].split(b";", 1)[0] or b"0", 16)
        if size == 0:
            break
        out += body[end + 2:end + 2 + size]
        pos = end + 2 + size + 2
    return bytes(out)
