"""Security requirements: every in-scope operation declares its security, names defined schemes
and declared scopes, and is public only when allow-listed."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import (
    Pointer, SecurityScheme, Severity, Spec, Violation, is_health_endpoint,
    is_well_known_auth_endpoint, rule,
)

from gates.auth.common import (
    declaring, in_scope, listed, other_host, requirements_of, sec_ptr, security_class,
    used_schemes,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("auth/no-security-schemes", severity=Severity.ERROR)
def no_security_schemes(
    spec: Spec,
    *,
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an API that defines no security scheme at all (`components.securitySchemes`,
    Swagger 2.0 `securityDefinitions`), unless every operation is explicitly public.

    ## Why is this bad?
    Without a scheme, neither people nor tools can tell how to authenticate; generated
    clients send no credentials.

    ## Example
    ```yaml
    openapi: 3.1.0
    paths: {/orders: {post: {...}}}
    ```
    Use instead:
    ```yaml
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
    security: [{bearer: []}]
    ```

    ## Options
    `public-operations`: allow-list entries (`"GET /health"`, `{path = "/public/**",
    methods = ["get"]}`, or an operationId). `public-extension` (`x-gatekeeper-public`).
    """
    if spec.security_schemes:
        return
    ops = in_scope(spec, exempt_methods, include_webhooks)
    if not ops or all(listed(op, public_operations, public_extension)
                      or is_well_known_auth_endpoint(op.path) for op in ops):
        return
    where = spec.root / "components" if isinstance(spec.raw.get("components"), dict) \
        else spec.root
    yield Violation(where, "no security scheme is defined", subject="security schemes")


@rule("auth/undeclared-security", severity=Severity.ERROR)
def undeclared_security(
    spec: Spec,
    *,
    empty_security_means: str = "public",
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an operation whose effective security is undeclared: neither the operation nor the
    root has a `security` list. (With `empty-security-means = "undeclared"`, an empty
    `security: []` counts as undeclared too.)

    ## Why is this bad?
    OpenAPI says the list "can be incomplete, up to being empty or absent": absence means
    *undocumented*, not *public*. Clients cannot know whether to send credentials.

    ## Example
    ```yaml
    paths:
      /orders:
        get: {responses: {'200': {description: OK}}}
    ```
    Use instead:
    ```yaml
    security: [{bearer: []}]   # root, or on the operation
    ```

    ## Options
    `empty-security-means` (`public` | `undeclared`). Allow-listed operations are skipped.
    """
    # One finding an operation on an API without `security` (Graph beta: 22,361), so the
    # loop is lean: the label built once (with the path readings cached per path, 0.13 ->
    # 0.03 s of CPU in the rule on Graph beta).
    for op in in_scope(spec, exempt_methods, include_webhooks):
        if security_class(op, empty_means=empty_security_means) != "undeclared":
            continue
        if listed(op, public_operations, public_extension):
            continue
        severity = None
        if is_well_known_auth_endpoint(op.path):
            severity = Severity.INFO  # a sign-in endpoint: public by nature (Amendments)
        elif is_health_endpoint(op.path) and op.method in ("get", "head"):
            severity = Severity.WARNING  # a health probe: as for an unlisted public read
        why = ("has an empty `security` list (read as undeclared)" if op.security == ()
               else "declares no security (neither the operation nor the root has "
                    "`security`)")
        label = op.label
        yield Violation(op.pointer, f"`{label}` {why}", label, severity)


def _public(spec: Spec, write: bool, allow: tuple[Any, ...],
            public_operations: tuple[Any, ...], public_extension: str,
            exempt_methods: tuple[str, ...], write_methods: tuple[str, ...],
            include_webhooks: bool) -> Iterator[Violation]:
    writes = {m.lower() for m in write_methods}
    for op in declaring(spec, exempt_methods, include_webhooks):
        if (op.method in writes) != write:
            continue
        if security_class(op) != "public":
            continue
        if listed(op, (*public_operations, *allow), public_extension):
            continue
        known = is_well_known_auth_endpoint(op.path)
        kind = "write" if write else "read"
        if other_host(spec, op):
            yield Violation(sec_ptr(op), f"`{op.label}` is public and served by another host "
                                          f"(its own `servers`); list it in "
                                          f"`public-operations` to say so",
                            subject=op.label, severity=Severity.INFO)
        elif known:
            yield Violation(sec_ptr(op), f"`{op.label}` is public; fine for a sign-in or "
                                          f"OAuth endpoint, list it in "
                                          f"`public-operations` to say so",
                            subject=op.label, severity=Severity.INFO)
        else:
            yield Violation(sec_ptr(op), f"`{op.label}` is a public {kind} operation "
                                          f"(`security` is empty) and is not allow-listed",
                            subject=op.label)


@rule("auth/public-write-operation", severity=Severity.ERROR)
def public_write_operation(
    spec: Spec,
    *,
    allow: tuple[Any, ...] = (),
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    write_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a write operation (POST, PUT, PATCH, DELETE) whose effective security is empty
    (`security: []` or only `{}`) and that is not allow-listed. Well-known sign-in and OAuth
    endpoints (`/oauth2/token`, `/login`, `/signup`, `/register`, `/password/reset`, ...)
    are reported as `info` instead.

    ## Why is this bad?
    Anyone can change data through an unauthenticated write (OWASP API2:2023). An explicit
    allow-list entry shows the choice was deliberate.

    ## Example
    ```yaml
    /orders:
      post:
        security: []
    ```
    Use instead: require a scheme, or allow-list the operation:
    ```toml
    [tool.gatekeeper.rules]
    "auth/public-write-operation" = { allow = ["POST /orders"] }
    ```
    or mark it with `x-gatekeeper-public: true`.

    ## Options
    `allow` / `public-operations`: entries `"POST /login"`, `"/health"`, an operationId,
    or `{path, methods, operationId}` (paths are globs). `write-methods`.
    """
    yield from _public(spec, True, allow, public_operations, public_extension,
                       exempt_methods, write_methods, include_webhooks)


@rule("auth/public-read-operation", severity=Severity.WARNING)
def public_read_operation(
    spec: Spec,
    *,
    allow: tuple[Any, ...] = (),
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    write_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a read operation whose effective security is empty and that is not allow-listed
    (sign-in and OAuth endpoints: `info`).

    ## Why is this bad?
    Public reads can leak data (OWASP `read-restricted`); if intended, say so in the
    allow-list so a reviewer does not have to guess.

    ## Example
    ```yaml
    /customers:
      get:
        security: []
    ```
    Use instead: require a scheme, or allow-list it (`public-operations = ["GET /customers"]`).

    ## Options
    As for `auth/public-write-operation`.
    """
    yield from _public(spec, False, allow, public_operations, public_extension,
                       exempt_methods, write_methods, include_webhooks)


@rule("auth/optional-security", severity=Severity.WARNING)
def optional_security(
    spec: Spec,
    *,
    public_operations: tuple[Any, ...],
    public_extension: str,
    exempt_methods: tuple[str, ...],
    write_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an operation whose security is optional: an empty requirement `{}` next to real
    ones. Warning on writes, info on reads.

    ## Why is this bad?
    An operation is as weak as its weakest alternative: `[{}, {bearer: []}]` means anyone
    may call it without credentials.

    ## Example
    ```yaml
    security: [{}, {bearer: []}]
    ```
    Use instead: `security: [{bearer: []}]`, or allow-list the operation if anonymous
    access is intended.

    ## Options
    `public-operations` and `public-extension` (`x-gatekeeper-public`): operations listed as
    public are skipped.
    `write-methods` (`["post", "put", "patch", "delete"]`).
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    writes = {m.lower() for m in write_methods}
    for op in declaring(spec, exempt_methods, include_webhooks):
        if security_class(op) != "optional" or listed(op, public_operations,
                                                       public_extension):
            continue
        write = op.method in writes
        yield Violation(sec_ptr(op), f"`{op.label}` also accepts anonymous calls (`{{}}` in "
                                      f"`security`)", subject=op.label,
                        severity=None if write else Severity.INFO)


@rule("auth/undefined-security-scheme", severity=Severity.ERROR)
def undefined_security_scheme(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a security requirement that names a scheme not defined in
    `components.securitySchemes` (2.0: `securityDefinitions`). Names are case-sensitive.

    ## Why is this bad?
    The requirement is meaningless; tools drop it and clients send no credentials.

    ## Example
    ```yaml
    security: [{OAuth: []}]
    components: {securitySchemes: {oauth: {...}}}
    ```
    Use instead: `security: [{oauth: []}]`.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    schemes = spec.security_schemes
    for op in declaring(spec, exempt_methods, include_webhooks):
        for ptr, name, _ in requirements_of(op):
            if name in schemes:
                continue
            near = next((n for n in schemes if n.lower() == name.lower()), None)
            hint = f"; did you mean `{near}`?" if near else ""
            yield Violation(ptr, f"security requirement names undefined scheme `{name}`{hint}",
                            subject=name)


@rule("auth/undeclared-scope", severity=Severity.ERROR)
def undeclared_scope(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an OAuth2 scope in a security requirement that none of the scheme's flows declares.
    OpenID Connect scopes are not checked (they live in the discovery document), nor are 3.1
    role names on other scheme types.

    ## Why is this bad?
    A client cannot request a scope the authorization server does not know; the operation is
    effectively uncallable, or the name is a typo.

    ## Example
    ```yaml
    security: [{oauth: [orders.write]}]   # flows declare only orders:write
    ```
    Use instead: the declared scope name, or declare the scope in the flows.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    schemes = spec.security_schemes
    for op in declaring(spec, exempt_methods, include_webhooks):
        for ptr, name, scopes in requirements_of(op):
            scheme = schemes.get(name)
            if scheme is None or scheme.type != "oauth2":
                continue
            for i, scope in enumerate(scopes):
                if scope not in scheme.scopes:
                    yield Violation(ptr / i, f"scope `{scope}` is not declared by any flow of "
                                             f"`{name}`", subject=f"{name} {scope}")


@rule("auth/scopes-on-non-oauth-scheme", severity=Severity.WARNING)
def scopes_on_non_oauth_scheme(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a non-empty list on a requirement for a scheme that is neither `oauth2` nor
    `openIdConnect`, in Swagger 2.0 and OpenAPI 3.0 ("for other security scheme types, the
    array MUST be empty"). OpenAPI 3.1 allows role names for any type and is not checked.

    ## Why is this bad?
    3.0 tools reject or ignore the list; if roles are meant, they are not enforced by the
    description. A warning, not an error (a stricter reading makes it an error): the list documents
    which token scopes an operation needs, exactly what OpenAPI 3.1 allows, and is no
    security weakness (see the module docs, DigitalOcean).

    ## Example
    ```yaml
    openapi: 3.0.3
    security: [{api_key: [admin]}]
    ```
    Use instead: `security: [{api_key: []}]` (describe roles in the text), or OpenAPI 3.1.

    ## Options
    `exempt-methods` (`["options", "trace"]`) and `include-webhooks` (false) choose the
    operations judged.
    """
    if spec.version not in ("2.0", "3.0"):
        return
    schemes = spec.security_schemes
    for op in declaring(spec, exempt_methods, include_webhooks):
        for ptr, name, scopes in requirements_of(op):
            scheme = schemes.get(name)
            if scheme is None or scheme.type in ("oauth2", "openIdConnect") or not scopes:
                continue
            yield Violation(ptr, f"requirement `{name}` lists scopes, but `{name}` is "
                                 f"`{scheme.type}`; OpenAPI {spec.version} requires an empty "
                                 f"list", subject=name)


@rule("auth/missing-scopes", severity=Severity.WARNING)
def missing_scopes(
    spec: Spec,
    *,
    require_scopes: bool = True,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an OAuth2 requirement with an empty scope list when the scheme declares scopes.

    ## Why is this bad?
    Without a scope the operation accepts any token of the authorization server: least
    privilege is lost (Zalando #105).

    ## Example
    ```yaml
    security: [{oauth: []}]
    ```
    Use instead: `security: [{oauth: [orders:read]}]`.

    ## Options
    `require-scopes` (true).
    """
    if not require_scopes:
        return
    schemes = spec.security_schemes
    for op in declaring(spec, exempt_methods, include_webhooks):
        for ptr, name, scopes in requirements_of(op):
            scheme = schemes.get(name)
            if scheme is not None and scheme.type == "oauth2" and scheme.scopes and not scopes:
                if ptr.is_within(op.pointer):
                    yield Violation(ptr, f"`{op.label}` requires `{name}` without any scope",
                                    subject=f"{op.label} {name}")
                else:  # a root requirement: one finding, where it is written
                    yield Violation(ptr, f"the root security requirement names `{name}` "
                                         f"without any scope", subject=f"root {name}")


@rule("auth/unused-security-scheme", severity=Severity.WARNING)
def unused_security_scheme(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a security scheme that no security requirement (root, operation, webhook) uses.

    ## Why is this bad?
    Readers assume it applies somewhere; often a requirement was forgotten.

    ## Example
    ```yaml
    components: {securitySchemes: {basic: {type: http, scheme: basic}}}
    # ... and no `security` names `basic`
    ```
    Use instead: reference it, or delete it.
    """
    used = used_schemes(spec)
    for name, scheme in spec.security_schemes.items():
        if name not in used:
            yield Violation(scheme.pointer, f"security scheme `{name}` is never used",
                            subject=name)


def _flow_scope_pointers(scheme: SecurityScheme) -> dict[str, Pointer]:
    out: dict[str, Pointer] = {}
    data = scheme.data
    if isinstance(data.get("scopes"), dict):
        for s in data["scopes"]:
            out.setdefault(str(s), scheme.pointer.join("scopes", s))
    flows = data.get("flows")
    if isinstance(flows, dict):
        for fname, flow in flows.items():
            if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                for s in flow["scopes"]:
                    out.setdefault(str(s), scheme.pointer.join("flows", fname, "scopes", s))
    return out


@rule("auth/unused-scope", severity=Severity.INFO)
def unused_scope(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an OAuth2 scope declared in a flow that no requirement uses (only for schemes
    that are used).

    ## Why is this bad?
    Dead scopes confuse clients choosing what to request.

    ## Example
    A flow declares `orders:admin` but no operation requires it.
    Use instead: require it where it applies, or remove it.
    """
    used = used_schemes(spec)
    for name, scheme in spec.security_schemes.items():
        if scheme.type != "oauth2" or name not in used:
            continue
        wanted = {s for _, scopes in used[name] for s in scopes}
        for scope, ptr in _flow_scope_pointers(scheme).items():
            if scope not in wanted:
                yield Violation(ptr, f"scope `{scope}` of `{name}` is never required",
                                subject=f"{name} {scope}")
