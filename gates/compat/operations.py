"""Rules about operations as a whole and the document around them: removal, operationId,
security, servers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Operation, Pointer, Severity, Spec, Violation, is_deprecated, rule

from gates.compat.common import base_of, op_key, operation_pairs, param_template, violation

__all__ = ["operation_id_changed", "removal_site", "removed_operation", "removed_operations",
           "security_added", "server_changed"]

# a host name label that says "not production": dev-api, qa.example.com, api-staging, ...
_NON_PRODUCTION = re.compile(
    r"(?:^|[.-])(?:dev|develop|development|test|testing|qa|uat|stage|staging|stg|sandbox|"
    r"preprod|pre-prod|int|integration|demo|local|mock|preview|canary)\d*(?=[.-]|$)", re.I)
_LOOPBACK = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])$", re.I)
_URL = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>[^/:?#]*)(?P<rest>.*)$", re.I)


def removed_operations(spec: Spec) -> list[Operation]:
    """Operations of the base (paths, webhooks, callbacks) the head no longer has."""
    base = base_of(spec)
    if base is None:
        return []
    head_ops = {op_key(op) for op in spec.operations}
    return [op for op in base.operations if op_key(op) not in head_ops]


def removal_site(spec: Spec, op: Operation) -> tuple[Pointer, str]:
    """Where in the head a removed base operation is reported, and how it is described."""
    head_paths = {param_template(p): p for p in spec.paths}
    norm = param_template(op.path)
    if op.kind == "path" and norm in head_paths:
        return spec.root.join("paths", head_paths[norm]), f"operation `{op.label}` was removed"
    if op.kind == "path":
        ptr = spec.root / "paths" if "paths" in spec.raw else spec.root
        return ptr, f"path `{op.path}` was removed (operation `{op.label}`)"
    return spec.root, f"operation `{op.label}` was removed"


@rule("compat/removed-operation", severity=Severity.ERROR)
def removed_operation(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation (or a whole path, or a webhook) of the base spec that the head no
    longer has, and that the base did not mark `deprecated: true` (removing a deprecated
    operation is judged by `compat/removed-before-sunset` and
    `compat/removed-after-deprecation`).

    ## Why is this bad?
    Every client that calls it gets a 404 or 405 after the change, with no warning.

    ## Example
    ```yaml
    # base had GET /pets/{id}; head:
    paths:
      /pets:
        get: {responses: {"200": {description: OK}}}
    ```
    Use instead: mark the operation `deprecated: true` with an `x-sunset` date, remove it
    after that date.

    ## Level
    Breaking (error), as oasdiff's `api-path-removed-without-deprecation`,
    `api-removed-without-deprecation` and `webhook-removed`.
    """
    base = base_of(spec)
    if base is None:
        return
    for op in removed_operations(spec):
        if is_deprecated(op):
            continue
        ptr, msg = removal_site(spec, op)
        yield violation(spec, base, ptr, op.pointer, msg, subject=op.label, operation=op.label)


@rule("compat/operation-id-changed", severity=Severity.WARNING)
def operation_id_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation whose `operationId` differs from the base's, or was removed.

    ## Why is this bad?
    Generated SDKs name methods after it: `listPets()` becoming `getPets()` breaks the code of
    SDK users at their next regeneration. Nothing changes on the wire.

    ## Example
    ```yaml
    get:
      operationId: getPets   # was listPets
    ```
    Use instead: keep the operationId.

    ## Level
    Potentially breaking (warning). oasdiff reports `api-operation-id-removed` as
    informational; it is a warning here because generated code does break, though HTTP
    clients do not.
    """
    for old, new, base in operation_pairs(spec):
        if old.operation_id and old.operation_id != new.operation_id:
            ptr = new.pointer / "operationId" if new.operation_id else new.pointer
            now = f"`{new.operation_id}`" if new.operation_id else "removed"
            yield violation(spec, base, ptr, old.pointer / "operationId",
                            f"operationId of `{new.label}` changed from "
                            f"`{old.operation_id}` to {now}", subject=f"{new.label} operationId",
                            operation=new.label)


def _alternatives(op: Operation) -> set[frozenset[tuple[str, tuple[str, ...]]]]:
    if not op.security:
        return {frozenset()}
    return {frozenset((str(k), tuple(sorted(map(str, v or ())))) for k, v in req.items())
            for req in op.security}


@rule("compat/security-added", severity=Severity.WARNING)
def security_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation that requires security it did not require in the base: a public
    operation that became secured, a scheme or scope that became necessary, or an accepted
    alternative that was removed.

    ## Why is this bad?
    Clients that call it as before without the new credentials get 401 or 403. Most clients
    already hold credentials for the API, which is why this is a warning.

    ## Example
    ```yaml
    get:
      security: [{oauth: [pets:read]}]   # was public
    ```
    Use instead: announce it, then require it in a new major version.

    ## Level
    Potentially breaking (warning). oasdiff rates `api-security-added` informational; it is
    a warning here because anonymous callers of a formerly public operation do break.
    """
    for old, new, base in operation_pairs(spec):
        before, after = _alternatives(old), _alternatives(new)
        if frozenset() in after:
            continue
        lost = before - after
        if not lost:
            continue
        if frozenset() in lost:
            what = "is no longer public"
        else:
            names = sorted({n for alt in lost for n, _ in alt})
            what = f"no longer accepts {', '.join(f'`{n}`' for n in names)} as before"
        ptr = new.security_pointer or new.pointer
        bptr = old.security_pointer or old.pointer
        yield violation(spec, base, ptr, bptr, f"`{new.label}` {what}",
                        subject=f"{new.label} security", operation=new.label)


def _non_production(url: str) -> bool:
    m = _URL.match(url)
    host = m.group("host") if m else ""
    return bool(host) and (bool(_LOOPBACK.match(host)) or bool(_NON_PRODUCTION.search(host)))


def _https_twin(url: str, head_urls: set[str]) -> bool:
    m = _URL.match(url)
    return bool(m) and m.group("scheme").lower() == "http" and \
        f"https://{m.group('host')}{m.group('rest')}".rstrip("/") in head_urls


@rule("compat/server-changed", severity=Severity.ERROR)
def server_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a server URL (or Swagger 2.0 host and base path) of the base that the head no
    longer lists. A server that moved from `http://` to `https://` on the same host, and a
    non-production server (a host named `dev`, `qa`, `test`, `staging`, `sandbox`,
    `localhost`, ...) that changed, are reported as information only.

    ## Why is this bad?
    Clients configured with the old production base URL call addresses that no longer
    exist. Non-production hosts are not what clients in production call, and an upgrade to
    HTTPS is the direction clients should follow.

    ## Example
    ```yaml
    servers:
      - url: https://api.example.com/v1/store   # was https://api.example.com/v1
    ```
    Use instead: keep the old server (or redirect it) until the next major version.

    ## Level
    Breaking (error) for production servers. oasdiff does not compare servers at all; a
    production base URL that disappears breaks configured clients as surely as a removed
    path, so gatekeeper does.
    """
    base = base_of(spec)
    if base is None:
        return
    head_urls = {s.url.rstrip("/") for s in spec.servers}
    if not base.servers or not head_urls:
        if base.servers and not head_urls:
            ptr = base.servers[0].pointer
            yield violation(spec, base, spec.root, ptr, "the servers of the base were removed",
                            subject="servers")
        return
    for s in base.servers:
        if s.url.rstrip("/") in head_urls:
            continue
        ptr = spec.servers[0].pointer
        if _https_twin(s.url, head_urls):
            yield violation(spec, base, ptr, s.pointer, f"server `{s.url}` moved to HTTPS",
                            subject=f"server {s.url}", severity=Severity.INFO)
        elif _non_production(s.url):
            yield violation(spec, base, ptr, s.pointer, f"non-production server `{s.url}` was "
                            f"removed or changed", subject=f"server {s.url}",
                            severity=Severity.INFO)
        else:
            yield violation(spec, base, ptr, s.pointer, f"server `{s.url}` was removed or "
                            f"changed", subject=f"server {s.url}")
