"""Rules over the schema comparison (`gates.compat.schemadiff`): types, values, constraints,
properties and composition, in requests and in responses."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.compat import schemadiff as sd
from gates.compat.common import base_of, operation_pairs, violation

__all__ = [
    "const_changed", "constraint_tightened", "new_required_request_property", "pattern_changed",
    "request_composition_narrowed", "request_enum_value_removed", "request_property_removed",
    "request_type_narrowed", "response_composition_widened", "response_constraint_loosened",
    "response_enum_value_added", "response_optional_property_removed",
    "response_property_made_optional", "response_property_removed", "response_type_changed",
]


def _report(spec: Spec, kind: str) -> Iterator[Violation]:
    base = base_of(spec)
    if base is None:
        return
    for c in sd.changes(spec):
        if c.kind == kind:
            yield violation(spec, base, c.new_ptr, c.old_ptr, c.message,
                            subject=f"{c.new_ptr.fragment} {c.name or kind}",
                            operation=c.op.label)


@rule("compat/request-type-narrowed", severity=Severity.ERROR)
def request_type_narrowed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a parameter or request property whose type accepts fewer values than in the base
    (``number`` to ``integer``, ``[string, integer]`` to ``string``, the same written as
    ``oneOf``/``anyOf`` of types, or ``nullable`` dropped), at any depth: inside
    ``additionalProperties`` (map values), ``items``, ``prefixItems``, ``oneOf`` branches.

    ## Why is this bad?
    Values existing clients send are now rejected.

    ## Example
    ```yaml
    price: {type: integer}   # was: {type: number}
    ```
    Use instead: keep `number`; widening (integer to number) is fine.

    ## Level
    Breaking (error), as oasdiff's `request-*-type-changed`, `*-list-of-types-narrowed` and
    `*-became-not-nullable`.
    """
    return _report(spec, sd.REQUEST_TYPE)


@rule("compat/request-enum-value-removed", severity=Severity.ERROR)
def request_enum_value_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input (parameter or request property) whose enum (or ``x-extensible-enum``)
    lost a value, or that gained an enum it did not have.

    ## Why is this bad?
    Clients that send the removed value are now rejected.

    ## Example
    ```yaml
    status: {type: string, enum: [available, sold]}   # `pending` removed
    ```
    Use instead: keep accepting `pending` (and document it as deprecated).

    ## Level
    Breaking (error), as oasdiff's `*-enum-value-removed`, `*-became-enum` and
    `*-x-extensible-enum-value-removed`.
    """
    return _report(spec, sd.REQUEST_ENUM)


@rule("compat/response-enum-value-added", severity=Severity.WARNING)
def response_enum_value_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response property whose enum gained a value.

    ## Why is this bad?
    Clients that switch over the known values (generated enums, exhaustive matches) fail on
    the new one; clients that treat unknown values as "other" do not.

    ## Example
    ```yaml
    status: {type: string, enum: [available, pending, sold, lost]}   # `lost` is new
    ```
    Use instead: document the enum as extensible (`x-extensible-enum`) from the start, or
    version the change.

    ## Level
    Potentially breaking (warning), as oasdiff's `response-property-enum-value-added`:
    whether it breaks depends on how clients were written.
    """
    return _report(spec, sd.RESPONSE_ENUM)


@rule("compat/response-type-changed", severity=Severity.ERROR)
def response_type_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response schema, property or header whose type is not within the base's type: a
    different type, a type list that grew, a value that became nullable.

    ## Why is this bad?
    Clients parse the old type: an `integer` id that becomes a `string` breaks every typed
    client.

    ## Example
    ```yaml
    id: {type: string}   # was: {type: integer}
    ```
    Use instead: add a new property with the new type.

    ## Level
    Breaking (error), as oasdiff's `response-*-type-changed`, `*-type-generalized`,
    `*-list-of-types-widened` and `*-became-nullable`.
    """
    return _report(spec, sd.RESPONSE_TYPE)


@rule("compat/const-changed", severity=Severity.ERROR)
def const_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a ``const`` that changed: added or changed on an input (the server accepts only the
    new value), removed or changed on an output (clients receive other values).

    ## Why is this bad?
    A request that sent the old fixed value is rejected; a client that relied on the fixed
    value of a response field (a type tag, an API version marker) reads something else.

    ## Example
    ```yaml
    kind: {const: dog}   # was: {const: pet}
    ```
    Use instead: add a new field (or a new alternative) for the new value.

    ## Level
    Breaking (error), as oasdiff's `request-*-const-added`, `*-const-changed` and
    `response-*-const-removed`.
    """
    return _report(spec, sd.CONST)


@rule("compat/constraint-tightened", severity=Severity.ERROR)
def constraint_tightened(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input (parameter, request property, map value, array member) whose constraints
    accept less than in the base: `maxLength`, `maximum`, `exclusiveMaximum`, `maxItems`,
    `maxProperties`, `maxContains` added or lowered; their `min` counterparts added or raised;
    a `pattern` added, or changed to one that provably accepts less.

    ## Why is this bad?
    Requests that were valid yesterday are rejected today.

    ## Example
    ```yaml
    name: {type: string, maxLength: 20}   # was: {type: string}
    ```
    Use instead: enforce the new limit only for new data, or in a new major version.

    ## Level
    Breaking (error), as oasdiff's `*-max-decreased`, `*-min-increased`, `*-pattern-added`.
    oasdiff rates a bound *set* where there was none (`*-max-set`) as a warning; here it is an
    error like a lowered bound, because the two reject exactly the same kind of request.
    """
    return _report(spec, sd.TIGHTENED)


@rule("compat/pattern-changed", severity=Severity.WARNING)
def pattern_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input whose `pattern` changed in a way that cannot be decided from the text:
    the new pattern may or may not accept every value the old one did. Changes that can be
    decided are not reported here: a pattern removed, changed to `.*`, an anchor dropped,
    literal alternatives added, an anchored prefix shortened or a character class widened
    are safe and stay quiet; a pattern added is reported by `compat/constraint-tightened`.

    ## Why is this bad?
    If the new pattern rejects values the old one accepted, requests start failing.

    ## Example
    ```yaml
    code: {type: string, pattern: "^[A-Z]{2}-\\\\d+$"}   # was: "^[A-Z]+\\\\d*$"
    ```
    Use instead: check that every value the old pattern accepted still matches, then keep
    the change (and waive the finding) or widen the pattern.

    ## Level
    Potentially breaking (warning), as oasdiff's `*-pattern-changed`.
    """
    return _report(spec, sd.PATTERN)


@rule("compat/new-required-request-property", severity=Severity.ERROR)
def new_required_request_property(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a request body property that became required (new, or optional before), at any
    depth, or a request body that became required.

    ## Why is this bad?
    Existing clients do not send it, so their requests are rejected.

    ## Example
    ```yaml
    schema:
      type: object
      required: [name, owner]   # owner is new
    ```
    Use instead: add `owner` as optional.

    ## Level
    Breaking (error), as oasdiff's `new-required-request-property`,
    `request-property-became-required` and `request-body-became-required`. A `readOnly`
    property is never sent, so requiring it is not reported.
    """
    base = base_of(spec)
    if base is None:
        return
    for old, new, _ in operation_pairs(spec):
        if new.request_body is not None and new.request_body.required and (
                old.request_body is None or not old.request_body.required):
            ptr = old.request_body.use_pointer if old.request_body else old.pointer
            yield violation(spec, base, new.request_body.use_pointer, ptr,
                            f"the request body of `{new.label}` became required",
                            subject=f"{new.label} request body", operation=new.label)
    yield from _report(spec, sd.REQUIRED)


@rule("compat/request-property-removed", severity=Severity.WARNING)
def request_property_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a request property of the base that the head no longer documents (a deprecated
    one is judged by the lifecycle rules instead).

    ## Why is this bad?
    Clients still send it. A server that ignores unknown fields drops the value silently; one
    that rejects them (`additionalProperties: false`) fails the request.

    ## Example
    ```yaml
    Pet:
      properties: {name: {type: string}}   # `nickname` removed
    ```
    Use instead: deprecate `nickname` with a sunset date, remove it after that date.

    ## Level
    Potentially breaking (warning), as oasdiff's `request-property-removed`.
    """
    return _report(spec, sd.REQUEST_REMOVED)


@rule("compat/response-property-removed", severity=Severity.ERROR)
def response_property_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a required response property of the base that the head no longer returns (a
    deprecated one is judged by the lifecycle rules instead). A response wrapped in
    ``oneOf``/``anyOf`` still returns a property any alternative documents.

    ## Why is this bad?
    Clients that read it get nothing (or crash on a missing field).

    ## Example
    ```yaml
    Pet:
      required: [id]
      properties: {id: {type: integer}}   # `name` (required) removed
    ```
    Use instead: keep `name`, deprecate it, remove it in the next major version.

    ## Level
    Breaking (error), as oasdiff's `response-required-property-removed`.
    """
    return _report(spec, sd.RESPONSE_REMOVED)


@rule("compat/response-optional-property-removed", severity=Severity.WARNING)
def response_optional_property_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an optional response property of the base that the head no longer returns.

    ## Why is this bad?
    Clients had to cope with its absence already, but those that display or store it lose
    the data without notice.

    ## Example
    ```yaml
    Pet:
      properties: {id: {type: integer}}   # optional `tag` removed
    ```
    Use instead: deprecate `tag` first.

    ## Level
    Potentially breaking (warning), as oasdiff's `response-optional-property-removed`.
    """
    return _report(spec, sd.RESPONSE_OPTIONAL_REMOVED)


@rule("compat/response-property-made-optional", severity=Severity.ERROR)
def response_property_made_optional(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response property that was required in the base and is optional in the head,
    including when the response became a ``oneOf``/``anyOf`` and one alternative no longer
    requires it.

    ## Why is this bad?
    Clients rely on it being present; generated models turn it into an optional field and
    code that reads it breaks.

    ## Example
    ```yaml
    Pet:
      required: [id]        # was [id, name]
    ```
    Use instead: keep `name` required.

    ## Level
    Breaking (error), as oasdiff's `response-property-became-optional`.
    """
    return _report(spec, sd.MADE_OPTIONAL)


@rule("compat/response-constraint-loosened", severity=Severity.ERROR)
def response_constraint_loosened(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response value whose documented bounds got looser: `maximum`, `maxLength`,
    `maxItems`, `exclusiveMaximum` raised or removed; `minimum`, `minLength`, `minItems`,
    `exclusiveMinimum` lowered or removed.

    ## Why is this bad?
    Clients size buffers, columns and validations after the documented bounds; a value
    outside them breaks those clients.

    ## Example
    ```yaml
    name: {type: string}   # was: {type: string, maxLength: 64}
    ```
    Use instead: keep the bound, or version the change.

    ## Level
    Breaking (error), as oasdiff's `response-*-max-increased`, `*-min-decreased`,
    `*-max-length-unset`, `*-min-items-unset`.
    """
    return _report(spec, sd.LOOSENED)


@rule("compat/request-composition-narrowed", severity=Severity.ERROR)
def request_composition_narrowed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input schema whose composition accepts less: an ``allOf`` member added, a
    ``oneOf``/``anyOf`` alternative removed, ``if``/``then``/``else``, ``contains``,
    ``propertyNames``, ``dependentSchemas``, ``unevaluatedProperties``/``Items``,
    ``contentSchema`` or ``not`` added, ``dependentRequired`` or ``patternProperties``
    entries added, ``contentMediaType``/``contentEncoding`` changed, ``prefixItems`` removed,
    or ``additionalProperties: false`` added.

    ## Why is this bad?
    Each adds a condition a request must meet; requests that met the old schema fail it.

    ## Example
    ```yaml
    schema:
      oneOf: [{$ref: "#/components/schemas/Cat"}]   # Dog was an alternative
    ```
    Use instead: keep accepting the old alternatives.

    ## Level
    Breaking (error), as oasdiff's `request-*-all-of-added`, `*-one-of-removed`,
    `*-any-of-removed`, `*-if-added`, `*-contains-added`, `*-dependent-required-added`, ...
    """
    return _report(spec, sd.NARROWED)


@rule("compat/response-composition-widened", severity=Severity.ERROR)
def response_composition_widened(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an output schema whose composition allows more: a ``oneOf``/``anyOf`` alternative
    added, ``if``/``then``/``else``, ``contains``, ``propertyNames``, ``dependentSchemas``,
    ``unevaluatedProperties``/``Items``, ``contentSchema`` or ``not`` removed,
    ``dependentRequired`` or ``patternProperties`` entries removed, ``contentMediaType``/
    ``contentEncoding`` changed, ``prefixItems`` added.

    ## Why is this bad?
    Clients decode the documented alternatives and rely on the documented guarantees; a new
    alternative or a lost guarantee reaches code that never handled it.

    ## Example
    ```yaml
    schema:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Bird"}]
    ```
    Use instead: return the new shape from a new operation or a new version.

    ## Level
    Breaking (error), as oasdiff's `response-*-one-of-added`, `*-if-removed`,
    `*-contains-removed`, `*-dependent-required-removed`, ...
    """
    return _report(spec, sd.WIDENED)
