"""Readings several gates share (docs/conventions.md): JSON media types, error responses,
sign-in and health endpoints, schema types."""

from __future__ import annotations

import functools
import re

from gatekeeper.index.records import Operation, Response

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


_ERROR_CODE = re.compile(r"^[45]([0-9]{2}|[xX]{2})$")
#: Paths that are public by nature (docs/conventions.md, Public endpoints): OAuth and sign-in endpoints.
#: Matched on the last segment (lower-cased, `-`/`_` and a file extension dropped) ...
WELL_KNOWN_AUTH_SEGMENTS = frozenset({
    "token", "authorize", "login", "signin", "signup", "register", "forgotpassword",
    "resetpassword", "passwordreset", "refreshtoken", "accesstoken", "accesstokens",
})
#: ... or on the path's end.
WELL_KNOWN_AUTH_ENDPOINTS = (
    "/oauth/token", "/oauth2/token", "/oauth2/revoke", "/oauth/revoke", "/password/reset",
    "/password/forgot", "/token/refresh",
)
#: Health probes: their 503 body is a health report, not an error format.
HEALTH_SEGMENTS = frozenset({"health", "healthz", "healthcheck", "heartbeat", "readyz",
                             "livez"})  # anywhere in the path: /heartbeat/database
HEALTH_LAST_SEGMENTS = frozenset({"ready", "liveness", "readiness", "ping"})


@functools.lru_cache(maxsize=4096)  # pure, called per response by several gates
def is_json_media(name: str) -> bool:
    """JSON-ish media (docs/conventions.md, Media types): ``application/json`` or any ``+json`` suffix."""
    essence = name.split(";", 1)[0].strip().lower()
    return essence in ("application/json", "text/json") or essence.endswith("+json")


def has_explicit_success(op: Operation) -> bool:
    """True when the operation declares a 2xx/2XX or 3xx response (so `default` is an error)."""
    return any(r.kind in ("success", "redirect") for r in op.responses.values())


@functools.lru_cache(maxsize=4096)  # pure, called per response by several gates
def is_error_code(code: str) -> bool:
    """4xx/5xx exact codes and ranges (``4XX``, also lower-case ``4xx``)."""
    return bool(_ERROR_CODE.match(code))


def error_responses(op: Operation, *, accept_default: bool = True) -> tuple[Response, ...]:
    """The operation's error responses: 4xx/5xx codes and ranges, plus `default` when the
    operation also declares an explicit success (a lone `default` *is* the success response,
    docs/conventions.md, Response codes)."""
    out = [r for code, r in op.responses.items() if is_error_code(code)]
    if accept_default and "default" in op.responses and has_explicit_success(op):
        out.append(op.responses["default"])
    return tuple(out)


# Both readings are pure functions of a path, asked for each operation by several gates
# (Graph beta: 22,361 operations on 14,227 paths, about 0.05 s of CPU a gate): cached here.
@functools.lru_cache(maxsize=1 << 16)
def is_well_known_auth_endpoint(path: str) -> bool:
    """OAuth and sign-in endpoints, public by nature (``/oauth2/token``, ``/users/login``,
    ``/auth/forgot-password``)."""
    p = path.lower().rstrip("/")
    return _last_segment(p) in WELL_KNOWN_AUTH_SEGMENTS or any(
        p.endswith(e) for e in WELL_KNOWN_AUTH_ENDPOINTS)


@functools.lru_cache(maxsize=1 << 16)
def is_health_endpoint(path: str) -> bool:
    """Health and readiness probes (``/health``, ``/v1/healthz``, ``/heartbeat/database``,
    ``/ping``)."""
    p = path.lower().rstrip("/")
    segments = {seg.replace("-", "").replace("_", "") for seg in p.split("/")}
    return bool(segments & HEALTH_SEGMENTS) or _last_segment(p) in HEALTH_LAST_SEGMENTS


def _last_segment(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.startswith("."):  # /login.json -> login
        last = last.split(".", 1)[0]
    return last.replace("-", "").replace("_", "")


def schema_types(schema: Any) -> frozenset[str]:
    """The schema's `type` as a set (3.1 lists), inferring array/object from `items` and
    `properties` when `type` is absent."""
    if not isinstance(schema, dict):
        return frozenset()
    t = schema.get("type")
    if isinstance(t, str):
        return frozenset({t})
    if isinstance(t, list):
        return frozenset(x for x in t if isinstance(x, str))
    if "items" in schema or "prefixItems" in schema:
        return frozenset({"array"})
    if "properties" in schema or "allOf" in schema:
        return frozenset({"object"})
    return frozenset()
