"""The security schemes themselves: weak OAuth flows and HTTP schemes, unregistered or
disallowed scheme types."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.auth.common import IANA_HTTP_SCHEMES, WEAK_HTTP_SCHEMES


@rule("auth/weak-oauth-flow", severity=Severity.WARNING)
def weak_oauth_flow(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags the OAuth2 implicit and resource-owner password flows.

    ## Why is this bad?
    RFC 9700 (OAuth 2.0 Security BCP): the implicit grant SHOULD NOT be used, the password
    grant MUST NOT be used.

    ## Example
    ```yaml
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: ..., scopes: {}}}}
    ```
    Use instead: `authorizationCode` (with PKCE) or `clientCredentials`.
    """
    for name, scheme in spec.security_schemes.items():
        if scheme.type != "oauth2":
            continue
        flow = scheme.data.get("flow")
        if isinstance(flow, str) and flow in ("implicit", "password"):
            yield Violation(scheme.pointer / "flow", f"scheme `{name}` uses the OAuth2 "
                                                     f"`{flow}` flow", subject=name)
        flows = scheme.data.get("flows")
        if isinstance(flows, dict):
            for f in ("implicit", "password"):
                if f in flows:
                    yield Violation(scheme.pointer.join("flows", f),
                                    f"scheme `{name}` uses the OAuth2 `{f}` flow",
                                    subject=f"{name} {f}")


@rule("auth/weak-http-scheme", severity=Severity.WARNING)
def weak_http_scheme(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags `http` schemes `negotiate` and `oauth` (compared case-insensitively).

    ## Why is this bad?
    Negotiate (Kerberos/NTLM) and OAuth 1.0 header auth are legacy and hard to use safely
    from modern clients (OWASP `auth-insecure-schemes`).

    ## Example
    ```yaml
    corp: {type: http, scheme: Negotiate}
    ```
    Use instead: `{type: http, scheme: bearer}` or OAuth2.
    """
    for name, scheme in spec.security_schemes.items():
        if scheme.type == "http" and scheme.scheme in WEAK_HTTP_SCHEMES:
            yield Violation(scheme.pointer / "scheme", f"scheme `{name}` uses HTTP "
                                                       f"`{scheme.scheme}` authentication",
                            subject=name)


@rule("auth/unregistered-http-scheme", severity=Severity.INFO)
def unregistered_http_scheme(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports an `http` scheme name that is not in the IANA HTTP Authentication Scheme
    registry (`basic`, `bearer`, `digest`, ...; compared case-insensitively), such as `jwt`.

    ## Why is this bad?
    Clients build the `Authorization` header from it; `JWT <token>` is not what servers
    expecting `Bearer <token>` accept. A JWT is sent with `scheme: bearer, bearerFormat: JWT`.

    ## Example
    ```yaml
    jwt: {type: http, scheme: jwt}
    ```
    Use instead:
    ```yaml
    jwt: {type: http, scheme: bearer, bearerFormat: JWT}
    ```
    """
    for name, scheme in spec.security_schemes.items():
        if spec.is_swagger2 or scheme.type != "http":
            continue
        if scheme.scheme is None or scheme.scheme not in IANA_HTTP_SCHEMES:
            yield Violation(scheme.pointer / ("scheme" if "scheme" in scheme.data else "type"),
                            f"scheme `{name}` uses `{scheme.scheme}`, not a registered HTTP "
                            f"authentication scheme", subject=name)


@rule("auth/disallowed-scheme-type", severity=Severity.ERROR)
def disallowed_scheme_type(
    spec: Spec, *, allowed_scheme_types: tuple[str, ...] = (),
) -> Iterator[Violation]:
    """## What it does
    When `allowed-scheme-types` is set, flags a security scheme of another type. Entries are
    types (`oauth2`, `openIdConnect`, `apiKey`, `http`, `mutualTLS`) or `http` schemes
    (`bearer`, `basic`).

    ## Why is this bad?
    Team policy: e.g. Zalando #104 allows only OAuth2 and bearer tokens.

    ## Example
    With `allowed-scheme-types = ["oauth2", "bearer"]`, an `apiKey` scheme is flagged.

    ## Options
    `allowed-scheme-types` ([] = any).
    """
    if not allowed_scheme_types:
        return
    allowed = {t.lower() for t in allowed_scheme_types}
    for name, scheme in spec.security_schemes.items():
        if scheme.type.lower() in allowed or (scheme.type == "http" and scheme.scheme in allowed):
            continue
        kind = f"http {scheme.scheme}" if scheme.type == "http" else scheme.type
        yield Violation(scheme.pointer, f"scheme `{name}` is `{kind}`, not one of the allowed "
                                        f"types", subject=name)
