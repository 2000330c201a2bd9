"""Idempotency: a client may retry an unsafe request without doing the work twice.

A reviewer gate (docs/gates/idempotency.md). "Can the client retry this payment if the
connection drops?" has a documented answer only when the operation accepts an idempotency key
(the IETF httpapi draft's `Idempotency-Key` header, Azure's `Repeatability-Request-ID`, a
request id in the body as in Google AIP-155 or AWS `ClientToken`). Operations that create
something are in scope: a `POST` answering `201 Created`, or `202 Accepted` with a `Location`
header (and `PATCH`, by option). The metric is the share of those creating operations that
accept such a key.

Updates are made safe another way: optimistic concurrency, `If-Match` on the write carrying
the `ETag` of the read (RFC 9110 section 13.1.1). That advice would fire on nearly every real
API, so it is opt-in (`idempotency/missing-if-match`); what runs by default is the consistency
check that an API which does accept `If-Match` also hands out the `ETag` to put in it.

The gate is opt-in (`extend-select = ["idempotency"]`) and reports info by default; the
`payments` profile (`[gates.idempotency] profile = "payments"`) makes a missing or optional
key and an undocumented key-reuse response warnings and brings `PATCH` into scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Gate, Metric, Operation, Severity, Spec, Violation, rule

#: Header (or query) parameters that carry an idempotency key, compared without case, an
#: `X-` prefix, dashes and underscores.
KEY_HEADERS = ("Idempotency-Key", "Repeatability-Request-ID", "Idempotency-Token",
               "Idempotent-Key")
#: Request body properties that carry one (AIP-155 `request_id`, AWS `ClientToken`).
KEY_FIELDS = ("request_id", "idempotency_key", "client_token", "client_request_token",
              "idempotency_token")
#: What a server answers when a key is reused or missing (draft-ietf-httpapi-idempotency-key-
#: header: 422 reused with another payload, 409 still in flight; 428 a required key missing).
REUSE_CODES = ("409", "422", "428")


def _norm(name: str) -> str:
    name = name.lower()
    if name.startswith("x-"):
        name = name[2:]
    return name.replace("-", "").replace("_", "")


def is_creating(op: Operation, *, include_patch: bool = False) -> bool:
    """A `POST` (or, by option, `PATCH`) under `paths` that answers `201`, or `202` with a
    `Location` header."""
    if op.kind != "path" or op.method not in (("post", "patch") if include_patch else ("post",)):
        return False
    if "201" in op.responses:
        return True
    accepted = op.responses.get("202")
    return accepted is not None and any(h.lower() == "location" for h in accepted.headers)


def idempotency_key(spec: Spec, op: Operation, key_headers: tuple[str, ...] = KEY_HEADERS,
                    key_fields: tuple[str, ...] = KEY_FIELDS) -> tuple[str, bool] | None:
    """(name, required) of the key the operation accepts, or None."""
    headers = {_norm(n) for n in key_headers}
    for p in op.parameters:
        if p.location in ("header", "query") and _norm(p.name) in headers:
            return p.name, p.required
    fields = {_norm(n) for n in key_fields}
    body = op.request_body
    for media in (body.content.values() if body is not None else ()):
        if media.schema is None or media.schema_pointer is None:
            continue
        schema = media.schema if isinstance(media.schema, dict) else {}
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        for name in spec.merged_properties(media.schema, media.schema_pointer):
            if _norm(name) in fields:
                return name, name in required
    for p in op.parameters:  # 2.0 form fields
        if p.location == "formData" and _norm(p.name) in fields:
            return p.name, p.required
    return None


def _creating(spec: Spec, include_patch: bool) -> list[Operation]:
    return [op for op in spec.in_paths() if is_creating(op, include_patch=include_patch)]


def _include_patch(profile: str, include_patch: bool) -> bool:
    return include_patch or profile == "payments"


def retryable_metric(spec: Spec, *, include_patch: bool = False, profile: str = "default",
                     key_headers: tuple[str, ...] = KEY_HEADERS,
                     key_fields: tuple[str, ...] = KEY_FIELDS) -> Metric:
    """Share of creating operations (`POST` answering `201`, or `202` with `Location`) that
    accept an idempotency key, so that a client can retry them safely. Any other `POST` that
    accepts a key counts too (the API declares it retryable; Adyen's `POST /payments` answers
    `200`). 100 % when there are none."""
    patch = _include_patch(profile, include_patch)
    ops = [op for op in spec.in_paths() if is_creating(op, include_patch=patch)
           or (op.method in ("post", "patch") and idempotency_key(spec, op, key_headers,
                                                                  key_fields) is not None)]
    without = [op.label for op in ops if idempotency_key(spec, op, key_headers, key_fields) is None]
    return Metric.ratio(len(ops) - len(without), len(ops),
                        "creating operations that accept an idempotency key",
                        without_key=without)


@rule("idempotency/missing-idempotency-key", severity=Severity.INFO)
def missing_idempotency_key(spec: Spec, *, include_patch: bool = False,
                            profile: str = "default",
                            key_headers: tuple[str, ...] = KEY_HEADERS,
                            key_fields: tuple[str, ...] = KEY_FIELDS) -> Iterator[Violation]:
    """## What it does
    Flags a creating operation (a `POST` answering `201`, or `202` with a `Location`
    header) that accepts no idempotency key: no `Idempotency-Key` or
    `Repeatability-Request-ID` header (with or without `X-`), and no `request_id` /
    `client_token` style field in its body. In the `payments` profile, also a key that is
    declared but optional.

    ## Why is this bad?
    A client whose connection drops after sending a `POST` cannot know whether the resource
    was created; retrying may charge a card twice. A key lets the server recognise the retry
    (draft-ietf-httpapi-idempotency-key-header, Zalando #229/#230, Azure repeatable requests,
    Google AIP-155, Stripe idempotent requests).

    ## Example
    ```yaml
    /payments:
      post:
        responses: {'201': {description: Created}}
    ```
    Use instead:
    ```yaml
    /payments:
      post:
        parameters:
          - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
        responses: {'201': {description: Created}}
    ```

    ## Options
    `include-patch`: judge `PATCH` too (default false). `profile`: `default` (info) or
    `payments` (warning, a key must be required, `PATCH` included). `key-headers`,
    `key-fields`: the names that count as a key.
    """
    payments = profile == "payments"
    severity = Severity.WARNING if payments else None
    for op in _creating(spec, _include_patch(profile, include_patch)):
        key = idempotency_key(spec, op, key_headers, key_fields)
        if key is None:
            yield Violation(op.pointer, f"`{op.label}` creates a resource but accepts no "
                                        f"idempotency key (e.g. an `Idempotency-Key` header)",
                            subject=op.label, severity=severity)
        elif payments and not key[1]:
            yield Violation(op.pointer, f"`{op.label}` accepts the idempotency key `{key[0]}` "
                                        f"but does not require it", subject=op.label,
                            severity=severity)


@rule("idempotency/missing-key-reuse-response", severity=Severity.INFO)
def missing_key_reuse_response(spec: Spec, *, include_patch: bool = False,
                               profile: str = "default",
                               key_headers: tuple[str, ...] = KEY_HEADERS,
                               key_fields: tuple[str, ...] = KEY_FIELDS) -> Iterator[Violation]:
    """## What it does
    Flags an operation that requires an idempotency key but documents none of the responses
    a client gets when the key is misused: `409 Conflict` (the first request is still being
    processed), `422 Unprocessable Content` (the key was used with another payload) or
    `428 Precondition Required` (the key is missing).

    ## Why is this bad?
    A required key changes the contract: clients must handle its failure cases, and generated
    SDKs can only surface errors that are documented (draft-ietf-httpapi-idempotency-key-
    header, section "Error Scenarios").

    ## Example
    ```yaml
    post:
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
      responses: {'201': {description: Created}}
    ```
    Use instead:
    ```yaml
    post:
      parameters:
        - {name: Idempotency-Key, in: header, required: true, schema: {type: string}}
      responses:
        '201': {description: Created}
        '409': {description: A request with this key is still being processed}
        '422': {description: The key was already used with a different request}
    ```

    ## Options
    As `idempotency/missing-idempotency-key`; `payments` makes it a warning.
    """
    severity = Severity.WARNING if profile == "payments" else None
    for op in _creating(spec, _include_patch(profile, include_patch)):
        key = idempotency_key(spec, op, key_headers, key_fields)
        if key is None or not key[1] or any(c in op.responses for c in REUSE_CODES) \
                or "4XX" in {c.upper() for c in op.responses}:
            continue
        yield Violation(op.pointer / "responses" if "responses" in op.data else op.pointer,
                        f"`{op.label}` requires the idempotency key `{key[0]}` but documents "
                        f"no 409, 422 or 428 response for its reuse", subject=op.label,
                        severity=severity)


def _header_param(op: Operation, name: str) -> bool:
    return any(p.location == "header" and p.name.lower() == name for p in op.parameters)


def _read_has_etag(spec: Spec, op: Operation) -> bool:
    """Whether a `GET` on the same path (or the write itself, so the next write can use it)
    answers with an `ETag` header or an `etag` property in its body (Azure's resources,
    Microsoft Graph's `@odata.etag`)."""
    for other in spec.in_paths():
        if other.path == op.path and (other.method == "get" or other is op):
            for resp in other.responses.values():
                if resp.kind != "success":
                    continue
                if any(h.lower() == "etag" for h in resp.headers):
                    return True
                for media in resp.content.values():
                    if media.schema_pointer is not None and any(  # `etag`, `@odata.etag`
                            n.lower().endswith("etag") for n in
                            spec.merged_properties(media.schema, media.schema_pointer)):
                        return True
    return False


@rule("idempotency/missing-etag", severity=Severity.INFO)
def missing_etag(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a `PUT`, `PATCH` or `DELETE` that accepts an `If-Match` header while no successful
    response of the `GET` on the same path (nor of the write itself) declares an `ETag`
    header (or `etag` property in its body, as Azure's resources do).

    ## Why is this bad?
    `If-Match` carries the entity tag the client last saw; if the API never documents where
    that tag comes from, clients cannot use the concurrency control the write offers
    (RFC 9110 sections 8.8.3 and 13.1.1, Zalando #182, Azure conditional requests).

    ## Example
    ```yaml
    /pets/{id}:
      get:
        responses: {'200': {description: The pet}}
      put:
        parameters: [{name: If-Match, in: header, schema: {type: string}}]
    ```
    Use instead:
    ```yaml
    /pets/{id}:
      get:
        responses:
          '200':
            description: The pet
            headers: {ETag: {schema: {type: string}}}
    ```
    """
    for op in spec.in_paths():
        if op.method in ("put", "patch", "delete") and _header_param(op, "if-match") \
                and not _read_has_etag(spec, op):
            yield Violation(op.pointer, f"`{op.label}` accepts `If-Match` but no read of "
                                        f"`{op.path}` returns an `ETag` header",
                            subject=op.label)


@rule("idempotency/missing-if-match", severity=Severity.INFO, recommended=False)
def missing_if_match(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a `PUT`, `PATCH` or `DELETE` on a path that also has a `GET`, when the write does
    not accept an `If-Match` header. Opt-in: select the rule id.

    ## Why is this bad?
    Without optimistic concurrency, two clients that read, change and write the same resource
    silently overwrite each other's changes (the lost update; RFC 9110 section 13.1.1,
    Zalando #182, Azure conditional requests). Most real APIs accept that risk, which is why
    this rule does not run unless asked for.

    ## Example
    ```yaml
    put:
      responses: {'200': {description: Updated}}
    ```
    Use instead:
    ```yaml
    put:
      parameters: [{name: If-Match, in: header, schema: {type: string}}]
      responses:
        '200': {description: Updated}
        '412': {description: The resource changed since it was read}
    ```
    """
    readable = {op.path for op in spec.in_paths() if op.method == "get"}
    for op in spec.in_paths():
        if op.method in ("put", "patch", "delete") and op.path in readable \
                and not _header_param(op, "if-match"):
            yield Violation(op.pointer, f"`{op.label}` does not accept `If-Match` (optimistic "
                                        f"concurrency)", subject=op.label)


GATE = Gate(
    "idempotency",
    title="Idempotent retries",
    rules=(missing_idempotency_key, missing_key_reuse_response, missing_etag, missing_if_match),
    metric=retryable_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
