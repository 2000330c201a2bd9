"""Which error responses an operation documents, with a body, as JSON, under valid codes."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import (
    Pointer, Response, Severity, Spec, Violation, is_json_media, rule,
)

from gates.errors.common import (
    in_scope, judged_before, resp_name, scoped_bodies, scoped_errors,
)
from gates.errors.schemas import objectish


@rule("errors/missing-error-response", severity=Severity.ERROR)
def missing_error_response(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an operation that documents no error response: no `4xx`/`5xx` code, no
    `4XX`/`5XX` range, and no `default` next to an explicit success.

    ## Why is this bad?
    Every call can fail (bad input, missing credentials, server trouble). Without an error
    response, clients cannot know what a failure looks like and generated SDKs treat every
    non-success as an untyped exception. A lone `default` is the *success* response
    (OpenAPI: "if only one response code is provided it SHOULD be the response for a
    successful operation call"), so it does not count.

    ## Example
    ```yaml
    /pets:
      get:
        responses:
          default: {description: The pets}
    ```
    Use instead:
    ```yaml
    /pets:
      get:
        responses:
          '200': {description: The pets}
          default:
            description: Problem
            content:
              application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
    ```

    ## Options
    `accept-default` (true): a `default` next to an explicit success counts as an error
    response. `exempt-methods` (["options"]). `include-webhooks`, `include-callbacks`
    (false): webhook and callback responses are what the *consumer* returns.
    """
    for op, errs in scoped_errors(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        if not errs:
            lone = list(op.responses) == ["default"]
            why = " (a lone `default` is the success response)" if lone else ""
            yield Violation(op.pointer / "responses" if "responses" in op.data else op.pointer,
                            f"`{op.label}` documents no error response{why}",
                            subject=op.label)


@rule("errors/missing-required-error-code", severity=Severity.WARNING)
def missing_required_error_code(
    spec: Spec,
    *,
    require_codes: tuple[str, ...] = (),
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an operation that documents neither a code listed in `require-codes` (for example
    `["400", "500"]`) nor its range (`4XX`). Off by default: gateway-generated errors are
    legitimately covered by `default` (Zalando #151).

    ## Why is this bad?
    Teams that follow the OWASP ruleset want validation (400) and server (500) errors
    documented explicitly on every operation.

    ## Example
    With `require-codes = ["400"]`, an operation with only `200` and `404` is flagged.
    Use instead: add a `400` (or `4XX`) response.

    ## Options
    `require-codes` ([]): the codes every operation must document.
    """
    if not require_codes:
        return
    for op in in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        codes = {c.upper() for c in op.responses}
        for code in require_codes:
            code = str(code)
            if code.upper() not in codes and f"{code[:1]}XX" not in codes:
                yield Violation(op.pointer / "responses" if "responses" in op.data
                                else op.pointer,
                                f"`{op.label}` does not document a `{code}` response",
                                subject=f"{op.label} {code}")


@rule("errors/missing-error-body", severity=Severity.ERROR)
def missing_error_body(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an error response without a body schema (OpenAPI 3: no `content`, `content: {}`,
    or media types without `schema`; Swagger 2.0: no `schema`). HEAD operations are exempt:
    a HEAD response never has content (RFC 9110 section 9.3.2).

    An error when the operation has no structured error response at all, or when the bare
    response is a server error (`5xx`, `5XX`, `default`) and none of the operation's server
    errors has a body (a `422` body says nothing about what a failure returns); a warning
    when another error response already documents the format, as with a bare `404` or
    gateway `401`/`429` next to a documented `default`. A shared response
    (`$ref: '#/components/responses/500'`) is judged for each operation that uses it and
    reported once, where it is defined.

    ## Why is this bad?
    Clients need to know what an error body contains to show a useful message or to react
    to a machine-readable error code.

    ## Example
    ```yaml
    '404': {description: Not found}
    ```
    Use instead:
    ```yaml
    '404':
      description: Not found
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
    ```

    ## Options
    `accept-default`, `exempt-methods`, `include-webhooks`, `include-callbacks` as for
    `errors/missing-error-response`.
    """
    # pointer -> (message, the worst reason over the operations that use it: 2 no error
    # body anywhere, 1 a server error whose format no server error documents, 0 documented
    # elsewhere); a shared `components/responses` entry is judged for every operation
    # that references it, and reported once, where it is defined
    found: dict[Pointer, tuple[str, int, int]] = {}
    for op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        if op.method == "head":
            continue
        structured = None
        for resp, _shared, media, _structured in errs:
            if not media:  # no media type with a schema (`body_media`)
                if structured is None:
                    structured = [r for r, _k, _m, st in errs if st]
                    server_documented = any(_server_class(r) for r in structured)
                ptr, name = resp_name(op, resp)
                how = "an empty `content`" if resp.content or resp.data.get("content") == {} \
                    else "no body schema"
                if resp.content:
                    how = "media types without a `schema`"
                reason = 2 if not structured else \
                    1 if _server_class(resp) and not server_documented else 0
                msg, worst, uses = found.get(ptr, (f"{name} has {how}", 0, 0))
                found[ptr] = (msg, max(worst, reason), uses + 1)
    for ptr, (msg, worst, uses) in found.items():
        if worst == 2:
            yield Violation(ptr, msg, subject=msg)
        elif worst == 1:
            on = f" on {uses} operations" if uses > 1 else ""
            yield Violation(ptr, msg + f"{on}, and no other server-error response of the "
                                       f"operation has one: its error bodies describe client "
                                       f"errors only", subject=msg)
        else:
            yield Violation(ptr, msg + " (the operation documents its error format elsewhere)",
                            subject=msg, severity=Severity.WARNING)


def _server_class(resp: Response) -> bool:
    """A 5xx code, the `5XX` range or `default`: what the server returns when it fails."""
    return resp.code.upper().startswith("5") or resp.code.lower() == "default"


@rule("errors/non-json-error", severity=Severity.WARNING)
def non_json_error(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an error response whose body has no JSON media type (`application/json`, any
    `+json` type such as `application/problem+json`). In Swagger 2.0 the media types are the
    effective `produces` (operation, else root). `*/*` counts when its schema is an object.

    ## Why is this bad?
    Machine-readable errors are JSON in practice; a `text/plain` or `text/html` error body
    cannot carry an error code clients can branch on. Do not infer the error type from the
    success type: a CSV export still returns JSON errors.

    ## Example
    ```yaml
    '400':
      content:
        text/plain: {schema: {type: object, properties: {message: {type: string}}}}
    ```
    Use instead:
    ```yaml
    '400':
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
    ```

    ## Options
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    judged: set[int] = set()  # `judged_before`
    for op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        if op.method == "head":
            continue
        for resp, shared, _media, _structured in errs:
            if judged_before(shared, judged):
                continue
            media = [m for m in resp.content.values() if isinstance(m.schema, dict)]
            if not media:
                continue  # errors/missing-error-body
            if any(is_json_media(m.name) or (m.essence == "*/*" and objectish(m.schema))
                   for m in media):
                continue
            ptr, name = resp_name(op, resp)
            types = ", ".join(f"`{m.name}`" for m in media)
            yield Violation(ptr, f"{name} has no JSON media type ({types})", subject=name)


@rule("errors/invalid-range-key", severity=Severity.INFO)
def invalid_range_key(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a status-range key that OpenAPI does not define: a lower-case range (`4xx`,
    info; OpenAPI 3 allows only `4XX`) or any range in Swagger 2.0 (warning; 2.0 has no
    ranges). Either still counts as an error response for `errors/missing-error-response`.

    ## Why is this bad?
    Tools that follow the specification ignore the key, so the response disappears from
    generated clients and documentation.

    ## Example
    ```yaml
    responses:
      4xx: {description: Client error}
    ```
    Use instead:
    ```yaml
    responses:
      4XX: {description: Client error}
    ```

    ## Options
    `exempt-methods` (`["options"]`), `include-webhooks` and `include-callbacks` (false) choose
    the operations and error responses judged, as for `errors/missing-error-response`.
    """
    # The codes repeat (Graph beta: 67,000 responses, a handful of codes): what each says
    # is read once, and a code that says nothing skips its response (0.028 -> 0.010 s of CPU).
    swagger2 = spec.is_swagger2
    verdicts: dict[str, str] = {}  # code -> "" (fine), "swagger2" or "lower"
    for op in in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for code in op.responses:
            verdict = verdicts.get(code)
            if verdict is None:
                is_range = len(code) == 3 and code[0] in "12345" and code[1:].upper() == "XX"
                verdict = verdicts[code] = "" if not is_range else "swagger2" if swagger2 \
                    else "lower" if code[1:] != "XX" else ""
            if not verdict:
                continue
            resp = op.responses[code]
            if verdict == "swagger2":
                yield Violation(resp.use_pointer, f"range key `{code}` of `{op.label}` is not "
                                                  f"valid in Swagger 2.0",
                                subject=f"{op.label} {code}", severity=Severity.WARNING)
            else:
                yield Violation(resp.use_pointer, f"range key `{code}` of `{op.label}` must be "
                                                  f"upper-case (`{code.upper()}`)",
                                subject=f"{op.label} {code}")
