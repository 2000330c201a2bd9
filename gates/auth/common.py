"""What the auth rules share: which operations are in scope, allow-lists, security classes,
the requirements an operation lists, plain-HTTP servers."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit

from gatekeeper import Operation, Pointer, Server, Spec

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


IANA_HTTP_SCHEMES = frozenset({
    "basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual", "negotiate",
    "oauth", "privatetoken", "scram-sha-1", "scram-sha-256", "vapid",
})
WEAK_HTTP_SCHEMES = frozenset({"negotiate", "oauth"})
CREDENTIAL_NAME = re.compile(
    r"^(access[_-]?token|api[_-]?key|apikey|auth[_-]?token|token|password|passwd|secret|"
    r"client[_-]?secret|private[_-]?key|session[_-]?id|sessionid|x[_-]api[_-]key)$", re.I)
LOOPBACK = ("localhost", "127.0.0.1", "::1")


def in_scope(spec: Spec, exempt_methods: tuple[str, ...], include_webhooks: bool,
             include_callbacks: bool = False) -> list[Operation]:
    """The operations the auth rules judge, once per spec and option set (seventeen
    readers; treat the list as read-only)."""
    def build() -> list[Operation]:
        exempt = {m.lower() for m in exempt_methods}
        return [op for op in spec.operations
                if op.method not in exempt
                and (op.kind == "path" or (op.kind == "webhook" and include_webhooks)
                     or (op.kind == "callback" and include_callbacks))]

    key = ("auth.in-scope", tuple(exempt_methods), include_webhooks, include_callbacks)
    return spec.memo(key, build)


def declaring(spec: Spec, exempt_methods: tuple[str, ...], include_webhooks: bool
              ) -> list[Operation]:
    """The operations of `in_scope` whose effective security is a list (`op.security` is
    not None): the only ones `security_class` calls public, optional or protected and
    `requirements_of` reads. Ten rules judge only these; on an API without `security`
    (Graph beta: 22,361 operations) they have nothing to read (0.017 -> 0.001 s of CPU)."""
    key = ("auth.declaring", tuple(exempt_methods), include_webhooks)
    return spec.memo(key, lambda: [op for op in in_scope(spec, exempt_methods, include_webhooks)
                                   if op.security is not None])


def listed(op: Operation, entries: Any, public_extension: str) -> bool:
    """True when the operation is explicitly public: the extension, or an allow-list entry
    (``"POST /login"``, ``"/health"``, an operationId, or ``{path, methods, operationId}``)."""
    if op.data.get(public_extension) is True or op.path_item.get(public_extension) is True:
        return True
    for entry in entries or ():
        methods: Any = None
        path = op_id = None
        if isinstance(entry, str):
            text = entry.strip()
            if " " in text:
                m, _, path = text.partition(" ")
                methods = [x for x in m.replace(",", "|").split("|") if x]
                path = path.strip()
            elif text.startswith("/"):
                path = text
            else:
                op_id = text
        elif isinstance(entry, Mapping):
            path, methods, op_id = entry.get("path"), entry.get("methods"), \
                entry.get("operationId")
            if isinstance(methods, str):
                methods = [methods]
        else:
            continue
        if op_id is not None and op.operation_id != op_id:
            continue
        if path is not None and not (path == op.path or fnmatch.fnmatchcase(
                op.path, path.replace("**", "*"))):
            continue
        if methods and op.method not in {str(x).lower() for x in methods}:
            continue
        if op_id is None and path is None:
            continue
        return True
    return False


def other_host(spec: Spec, op: Operation) -> bool:
    """The operation overrides `servers` with hosts the API's root servers do not use
    (presigned upload URLs, third-party endpoints)."""
    if spec.is_swagger2 or not op.servers or op.servers == spec.servers:
        return False

    def host(url: str) -> str:
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""
    root_hosts = {host(s.url) for s in spec.servers}
    return all(host(s.url) not in root_hosts for s in op.servers)


def sec_ptr(op: Operation) -> Pointer:
    return op.security_pointer or op.pointer


def server_is_plain_http(url: str, allow_http_hosts: tuple[str, ...]) -> bool:
    if not url.lower().startswith("http://"):
        return False
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if host in {h.lower().strip("[]") for h in allow_http_hosts}:
        return False
    return not _local_host(host)


def _local_host(host: str) -> bool:
    """Hosts that never leave the local network: ``*.local``/``*.localhost`` names, loopback
    and private addresses (a self-hosted product's placeholder server, module docs)."""
    import ipaddress

    if host.endswith((".local", ".localhost", ".internal")):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return addr.is_loopback or addr.is_private or addr.is_link_local


def plain_http_servers(spec: Spec, ops: list[Operation],
                       allow_http_hosts: tuple[str, ...]) -> list[Server]:
    seen: dict[tuple[Pointer, str], Server] = {}
    for server in (*spec.servers, *(s for op in ops for s in op.servers)):
        if server_is_plain_http(server.url, allow_http_hosts):
            seen.setdefault((server.pointer, server.url), server)
    return list(seen.values())


def used_schemes(spec: Spec) -> dict[str, list[tuple[Operation, list[str]]]]:
    """Scheme name -> the operations (all kinds) that require it, with their scope lists."""
    def build() -> dict[str, list[tuple[Operation, list[str]]]]:
        out: dict[str, list[tuple[Operation, list[str]]]] = {}
        root = spec.get(spec.root / "security")  # a root requirement counts as a use
        for req in root if isinstance(root, list) else ():
            for name in req if isinstance(req, dict) else ():
                out.setdefault(str(name), [])
        for op in spec.operations:
            for req in op.security or ():
                for name, scopes in req.items():
                    out.setdefault(str(name), []).append(
                        (op, [str(s) for s in scopes] if isinstance(scopes, list) else []))
        return out
    return spec.memo("auth.used_schemes", build)


def requirements_of(op: Operation) -> Iterator[tuple[Pointer, str, list[str]]]:
    """(pointer of the requirement's name, name, scopes) for the op's effective security."""
    base = op.security_pointer
    if base is None or not op.security:
        return
    raw = op.data.get("security") if base.is_within(op.pointer) else None
    # Index positions in the written list (non-dict entries were dropped by the index).
    for i, req in enumerate(op.security):
        index = i
        if isinstance(raw, list):
            index = next((k for k, r in enumerate(raw) if r is req), i)
        for name, scopes in req.items():
            yield base.join(index, name), str(name), \
                [str(s) for s in scopes] if isinstance(scopes, list) else []


def has_response(op: Operation, code: str) -> bool:
    codes = {c.upper() for c in op.responses}
    return code in codes or f"{code[0]}XX" in codes or "DEFAULT" in codes


def security_class(op: Operation, *, empty_means: str = "public") -> str:
    """``undeclared``, ``public``, ``optional`` or ``protected`` (the auth gate's definition,
    in its docs)."""
    sec = op.security
    if sec is None:
        return "undeclared"
    if not sec:
        return "public" if empty_means == "public" else "undeclared"
    empties = sum(1 for r in sec if not r)
    if empties == len(sec):
        return "public"
    return "optional" if empties else "protected"
