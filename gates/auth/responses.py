"""The responses a secured operation documents: 401, 403 and `WWW-Authenticate`."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.auth.common import declaring, has_response, in_scope, security_class


@rule("auth/missing-401-response", severity=Severity.WARNING)
def missing_401_response(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a secured operation (protected or optional security) that documents no `401`
    response; a `4XX` range or a `default` response also counts.

    ## Why is this bad?
    Every secured call can fail authentication; clients need to know what that looks like
    to refresh a token or prompt for sign-in.

    ## Example
    ```yaml
    get:
      security: [{bearer: []}]
      responses: {'200': {description: OK}, '404': {description: Not found}}
    ```
    Use instead: add `'401': {$ref: '#/components/responses/Unauthorized'}`.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    for op in declaring(spec, exempt_methods, include_webhooks):
        if security_class(op) in ("protected", "optional") and not has_response(op, "401"):
            yield Violation(op.pointer / "responses" if "responses" in op.data else op.pointer,
                            f"secured operation `{op.label}` documents no `401` response",
                            subject=op.label)


@rule("auth/missing-403-response", severity=Severity.INFO)
def missing_403_response(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Reports an operation that requires scopes or roles but documents no `403` response
    (`4XX` or `default` also count).

    ## Why is this bad?
    A valid token without the scope is refused with 403; clients should be able to tell it
    from a 401.

    ## Example
    ```yaml
    security: [{oauth: [orders:write]}]
    responses: {'201': {description: Created}, '401': {description: Unauthorized}}
    ```
    Use instead: add `'403'`.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    for op in declaring(spec, exempt_methods, include_webhooks):
        if security_class(op) not in ("protected", "optional"):
            continue
        if any(scopes for req in op.security or () for scopes in req.values()) and \
                not has_response(op, "403"):
            yield Violation(op.pointer / "responses" if "responses" in op.data else op.pointer,
                            f"`{op.label}` requires scopes but documents no `403` response",
                            subject=op.label)


@rule("auth/missing-www-authenticate", severity=Severity.INFO)
def missing_www_authenticate(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Reports a `401` response that does not declare the `WWW-Authenticate` header.

    ## Why is this bad?
    RFC 9110 section 15.5.2: a 401 "MUST send a WWW-Authenticate header field" telling the
    client which scheme to use.

    ## Example
    ```yaml
    '401': {description: Unauthorized}
    ```
    Use instead:
    ```yaml
    '401':
      description: Unauthorized
      headers: {WWW-Authenticate: {schema: {type: string}}}
    ```

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    for op in in_scope(spec, exempt_methods, include_webhooks):
        resp = op.responses.get("401")
        if resp is None or any(h.lower() == "www-authenticate" for h in resp.headers):
            continue
        shared = resp.pointer != resp.use_pointer
        name = f"shared response `{resp.pointer}`" if shared \
            else f"`401` of `{op.label}`"
        yield Violation(resp.pointer if shared else resp.use_pointer,
                        f"{name} does not declare `WWW-Authenticate`", subject=name)
