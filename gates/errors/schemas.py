"""The error format: structured, one family for the whole API, named, of the preferred style."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.errors.common import KIND_STYLE, resp_name, schema_name, scoped_bodies
from gates.errors.families import error_families
from gates.errors.shape import schema_shape

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def objectish(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") in (None, "object")
                                         or "properties" in schema)


@rule("errors/unstructured-error-schema", severity=Severity.ERROR)
def unstructured_error_schema(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
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
    for op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        for resp, _shared, media, structured in errs:
            if media and not structured:
                m = media[0]
                ptr, name = schema_name(spec, m)
                if name == "inline error schema":
                    _, rname = resp_name(op, resp)
                    name = f"the body schema of {rname}"
                yield Violation(ptr, f"{name} is unstructured (no declared properties)",
                                subject=name)


@rule("errors/inconsistent-error-schemas", severity=Severity.ERROR)
def inconsistent_error_schemas(
    spec: Spec,
    *,
    max_error_schemas: int = 1,
    canonical_error_schemas: tuple[str, ...] = (),
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
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
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
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
    # The structured inline bodies of each `content` mapping, found once: a shared
    # response's is one object (Graph beta: 45,000 error responses, a few hundred bodies;
    # 0.021 -> 0.009 s of CPU).
    inline: dict[int, list[Any]] = {}  # the `content`s live on the operations
    for op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        for resp, _shared, media, _structured in errs:
            found = inline.get(id(resp.content))
            if found is None:
                found = inline[id(resp.content)] = [
                    m for m in media if _inline_structured(spec, m)]
            for m in found:
                ptr = m.schema_pointer or m.pointer
                if ptr.is_within(op.pointer):
                    _, rname = resp_name(op, resp)
                    yield Violation(ptr, f"the body schema of {rname} is inline; reference a "
                                         f"shared error schema", subject=f"{rname} {m.name}")
                    break


def _inline_structured(spec: Spec, media: Any) -> bool:
    shape = schema_shape(spec, media.schema, media.schema_pointer or media.pointer)
    return shape["structured"] and shape["base"] is None


@rule("errors/unpreferred-error-style", severity=Severity.INFO)
def unpreferred_error_style(
    spec: Spec,
    *,
    preferred_style: str = "problem",
    required_style: str = "",
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
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
        if KIND_STYLE.get(fam.kind) != style:
            what = "RFC 9457 problem details" if style == "problem" else "an error envelope"
            yield Violation(fam.pointer, f"error schema family `{fam.name}` is not {what}",
                            subject=fam.name,
                            severity=Severity.ERROR if required_style else None)
