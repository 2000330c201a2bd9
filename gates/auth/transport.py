"""Where credentials travel: plain `http://` servers and OAuth URLs, HTTP Basic, API keys in the
query string or a cookie, credentials passed as ordinary parameters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from gates.auth.common import (
    CREDENTIAL_NAME, LOOPBACK, in_scope, plain_http_servers, server_is_plain_http, used_schemes,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("auth/insecure-server", severity=Severity.ERROR)
def insecure_server(
    spec: Spec,
    *,
    allow_http_hosts: tuple[str, ...] = LOOPBACK,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a plain `http://` server URL (OpenAPI 3) or `http` in Swagger 2.0 `schemes`,
    except loopback, private-network and `*.local` hosts. Relative URLs are skipped.

    ## Why is this bad?
    Tokens, keys and passwords sent over plain HTTP can be read and replayed by anyone on
    the path (OWASP API8:2023; Heroku "Require TLS ... without exception").

    ## Example
    ```yaml
    servers: [{url: 'http://api.example.com'}]
    ```
    Use instead: `servers: [{url: 'https://api.example.com'}]`.

    ## Options
    `allow-http-hosts` (`["localhost", "127.0.0.1", "::1"]`).
    """
    ops = in_scope(spec, exempt_methods, include_webhooks)
    if spec.is_swagger2:
        schemes = spec.get(spec.root / "schemes")
        if isinstance(schemes, list):
            for i, s in enumerate(schemes):
                if isinstance(s, str) and s.lower() == "http":
                    host = str(spec.raw.get("host") or "")
                    if not server_is_plain_http(f"http://{host}", allow_http_hosts):
                        continue
                    yield Violation(spec.root.join("schemes", i),
                                    f"`schemes` includes plain `http` for `{host or '/'}`",
                                    subject="schemes http")
        return
    for server in plain_http_servers(spec, ops, allow_http_hosts):
        yield Violation(server.pointer / "url", f"server `{server.url}` uses plain http",
                        subject=server.url)


@rule("auth/http-basic-auth", severity=Severity.WARNING)
def http_basic_auth(
    spec: Spec,
    *,
    allow_http_hosts: tuple[str, ...] = LOOPBACK,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags HTTP Basic authentication (`type: http, scheme: basic`, any case; 2.0
    `type: basic`): an error when an operation using it is reachable over plain `http://`,
    a warning over HTTPS only.

    ## Why is this bad?
    Basic sends a reusable password with every request; over plain HTTP anyone on the path
    reads it (OWASP `no-http-basic`). Over TLS it is an accepted but weak pattern.

    ## Example
    ```yaml
    basicAuth: {type: http, scheme: Basic}
    ```
    Use instead: OAuth2 or a bearer token over HTTPS.

    ## Options
    `allow-http-hosts` (`["localhost", "127.0.0.1", "::1"]`): hosts where plain http is fine.
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    ops = in_scope(spec, exempt_methods, include_webhooks)
    scoped = {id(op) for op in ops}  # `op in ops` compares whole records: users x ops
    used = used_schemes(spec)
    for name, scheme in spec.security_schemes.items():
        if scheme.type != "http" or scheme.scheme != "basic":
            continue
        users = [op for op, _ in used.get(name, []) if id(op) in scoped] or ops
        plain = bool(plain_http_servers(spec, users, allow_http_hosts)) or (
            spec.is_swagger2 and _swagger2_http(spec, allow_http_hosts))
        where = scheme.pointer / ("scheme" if "scheme" in scheme.data else "type")
        if plain:
            yield Violation(where, f"scheme `{name}` sends HTTP Basic credentials, reachable "
                                   f"over plain http", subject=name, severity=Severity.ERROR)
        else:
            yield Violation(where, f"scheme `{name}` uses HTTP Basic authentication",
                            subject=name)


def _swagger2_http(spec: Spec, allow_http_hosts: tuple[str, ...]) -> bool:
    return any(server_is_plain_http(s.url, allow_http_hosts) for s in spec.servers)


@rule("auth/api-key-in-query", severity=Severity.ERROR)
def api_key_in_query(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an `apiKey` scheme sent in the query string (`in: query`) that operations use.

    ## Why is this bad?
    URLs end up in server logs, proxy logs, browser history and `Referer` headers: the key
    leaks (OWASP `no-api-keys-in-url`).

    ## Example
    ```yaml
    key: {type: apiKey, in: query, name: api_key}
    ```
    Use instead:
    ```yaml
    key: {type: apiKey, in: header, name: X-API-Key}
    ```
    """
    used = used_schemes(spec)
    for name, scheme in spec.security_schemes.items():
        if scheme.type == "apiKey" and scheme.location == "query" and name in used:
            yield Violation(scheme.pointer / "in", f"API key `{name}` is sent in the query "
                                                   f"string", subject=name)


@rule("auth/api-key-in-cookie", severity=Severity.INFO)
def api_key_in_cookie(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports an `apiKey` scheme sent as a cookie.

    ## Why is this bad?
    Cookie credentials are sent automatically by browsers, which exposes the API to CSRF
    unless it defends against it.

    ## Example
    ```yaml
    session: {type: apiKey, in: cookie, name: SESSION}
    ```
    Use instead: a header credential, or document the CSRF protection.
    """
    for name, scheme in spec.security_schemes.items():
        if scheme.type == "apiKey" and scheme.location == "cookie":
            yield Violation(scheme.pointer / "in", f"API key `{name}` is sent as a cookie",
                            subject=name)


@rule("auth/insecure-oauth-url", severity=Severity.WARNING)
def insecure_oauth_url(
    spec: Spec, *, allow_http_hosts: tuple[str, ...] = LOOPBACK,
) -> Iterator[Violation]:
    """## What it does
    Flags OAuth2 authorization/token/refresh URLs and OpenID Connect discovery URLs that use
    plain `http://`.

    ## Why is this bad?
    Authorization codes, tokens and client secrets would travel unencrypted.

    ## Example
    ```yaml
    tokenUrl: http://auth.example.com/token
    ```
    Use instead: `tokenUrl: https://auth.example.com/token`.

    ## Options
    `allow-http-hosts` (`["localhost", "127.0.0.1", "::1"]`): hosts where plain http is fine.
    """
    keys = ("authorizationUrl", "tokenUrl", "refreshUrl", "openIdConnectUrl")
    for name, scheme in spec.security_schemes.items():
        places: list[tuple[Pointer, Mapping[str, Any]]] = [(scheme.pointer, scheme.data)]
        flows = scheme.data.get("flows")
        if isinstance(flows, dict):
            places += [(scheme.pointer.join("flows", f), v) for f, v in flows.items()
                       if isinstance(v, dict)]
        for base, data in places:
            for key in keys:
                url = data.get(key)
                if isinstance(url, str) and server_is_plain_http(url, allow_http_hosts):
                    yield Violation(base / key, f"`{key}` of `{name}` uses plain http",
                                    subject=f"{name} {key}")


@rule("auth/manual-authorization-parameter", severity=Severity.WARNING)
def manual_authorization_parameter(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an `Authorization` header parameter, or a parameter that repeats an `apiKey`
    scheme's name and location, declared by hand on an operation.

    ## Why is this bad?
    OpenAPI 3 says an `Authorization` header parameter "SHALL be ignored"; credentials
    belong in security schemes so tools can apply them and hide them from logs.

    ## Example
    ```yaml
    parameters: [{name: Authorization, in: header, schema: {type: string}}]
    ```
    Use instead: a `bearer` or `apiKey` scheme and a `security` requirement.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    keys = {(s.data.get("name", "").lower() if isinstance(s.data.get("name"), str) else "",
             s.location) for s in spec.security_schemes.values() if s.type == "apiKey"}
    for op in in_scope(spec, exempt_methods, include_webhooks):
        for p in op.parameters:
            # without `apiKey` schemes only header parameters can be flagged: the others
            # are passed over without building their key (Graph beta: 200,000 parameter
            # uses; 0.025 -> 0.017 s of CPU)
            if (p.location == "header" and p.name.lower() == "authorization") or \
                    (keys and (p.name.lower(), p.location) in keys):
                yield Violation(p.pointer, f"parameter `{p.name}` ({p.location}) declares "
                                           f"credentials by hand; use a security scheme",
                                subject=f"{p.name} {p.location}")


@rule("auth/credential-parameter", severity=Severity.WARNING)
def credential_parameter(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags query or path parameters whose names look like credentials (`token`, `api_key`,
    `access_token`, `password`, `secret`, `client_secret`, ...).

    ## Why is this bad?
    Values in URLs leak through logs, history and `Referer` headers.

    ## Example
    ```yaml
    parameters: [{name: access_token, in: query}]
    ```
    Use instead: a header-based security scheme.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    keys = {(s.data.get("name", "").lower() if isinstance(s.data.get("name"), str) else "",
             s.location) for s in spec.security_schemes.values() if s.type == "apiKey"}
    # Names repeat (Graph beta: 200,000 parameter uses, a few thousand names): each matched
    # once (0.049 -> 0.026 s of CPU).
    credential: dict[str, bool] = {}
    for op in in_scope(spec, exempt_methods, include_webhooks):
        for p in op.parameters:
            location = p.location
            if location != "query" and location != "path":
                continue
            name = p.name
            found = credential.get(name)
            if found is None:
                found = credential[name] = CREDENTIAL_NAME.match(name) is not None
            if found and (name.lower(), location) not in keys:
                yield Violation(p.pointer, f"{p.location} parameter `{p.name}` carries a "
                                           f"credential in the URL",
                                subject=f"{p.name} {p.location}")
