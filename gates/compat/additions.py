"""Informational changes for the changelog (`gatekeeper diff`): what was added or newly
deprecated. Nothing here breaks a client, so these rules are not run by `gatekeeper check`
unless selected (``--select compat/operation-added``); `gatekeeper diff` runs them all."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import (
    Severity, Spec, Violation, is_deprecated, replacement, rule, sunset_date,
)

from gates.compat import schemadiff as sd
from gates.compat.common import base_of, op_key, operation_pairs, violation

__all__ = ["media_type_added", "operation_added", "operation_deprecated", "parameter_added",
           "property_added", "response_status_added"]


@rule("compat/operation-added", severity=Severity.INFO, recommended=False)
def operation_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports an operation (or webhook) the base did not have.

    ## Why is this bad?
    It is not: consumers read it in the changelog to learn what they can use.

    ## Example
    ```yaml
    paths:
      /pets/{petId}/photos:
        post: {...}   # new
    ```

    ## Level
    Informational (info), as oasdiff's `endpoint-added`. Not run by `check` by default.
    """
    base = base_of(spec)
    if base is None:
        return
    before = {op_key(op) for op in base.operations}
    for op in spec.operations:
        if op_key(op) not in before:
            yield violation(spec, base, op.pointer, base.root, f"operation `{op.label}` was added",
                            subject=op.label, operation=op.label)


@rule("compat/parameter-added", severity=Severity.INFO, recommended=False)
def parameter_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports an optional parameter an operation did not have (a new required one is
    `compat/new-required-parameter`).

    ## Why is this bad?
    It is not: a new option consumers may use.

    ## Example
    ```yaml
    parameters:
      - {name: sort, in: query, schema: {type: string}}   # new
    ```

    ## Level
    Informational (info), as oasdiff's `new-optional-request-parameter`.
    """
    for old, new, base in operation_pairs(spec):
        before = {p.key for p in old.parameters}
        for q in new.parameters:
            if q.key not in before and not q.required:
                yield violation(spec, base, q.use_pointer, old.pointer,
                                f"{q.location} parameter `{q.name}` of `{new.label}` was added",
                                subject=f"{new.label} {q.location} {q.name}",
                                operation=new.label)


@rule("compat/property-added", severity=Severity.INFO, recommended=False)
def property_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports a new optional request property or a new response property.

    ## Why is this bad?
    It is not: more data, or a new option.

    ## Example
    ```yaml
    Pet:
      properties: {birthday: {type: string, format: date}}   # new
    ```

    ## Level
    Informational (info), as oasdiff's `new-optional-request-property` and
    `response-optional-property-added`.
    """
    base = base_of(spec)
    if base is None:
        return
    for c in sd.changes(spec):
        if c.kind == sd.ADDED:
            yield violation(spec, base, c.new_ptr, c.old_ptr, c.message,
                            subject=f"{c.new_ptr.fragment} added", operation=c.op.label)


@rule("compat/response-status-added", severity=Severity.INFO, recommended=False)
def response_status_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports a response status code an operation did not declare.

    ## Why is this bad?
    It is not in itself; consumers learn about a new outcome to handle.

    ## Example
    ```yaml
    responses:
      "202": {description: Accepted}   # new
    ```

    ## Level
    Informational (info), as oasdiff's `response-success-status-added` and
    `response-non-success-status-added`.
    """
    for old, new, base in operation_pairs(spec):
        for code, resp in new.responses.items():
            if code not in old.responses:
                yield violation(spec, base, resp.use_pointer, old.pointer,
                                f"response `{code}` of `{new.label}` was added",
                                subject=f"{new.label} {code}", operation=new.label)


@rule("compat/media-type-added", severity=Severity.INFO, recommended=False)
def media_type_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports a request or response media type an operation did not list.

    ## Why is this bad?
    It is not: a new representation consumers may ask for or send.

    ## Example
    ```yaml
    content:
      text/csv: {schema: {type: string}}   # new
    ```

    ## Level
    Informational (info), as oasdiff's `request-body-media-type-added` and
    `response-media-type-added`.
    """
    for old, new, base in operation_pairs(spec):
        if old.request_body is not None and new.request_body is not None:
            for media, mt in new.request_body.content.items():
                if media not in old.request_body.content:
                    yield violation(spec, base, mt.pointer, old.request_body.pointer,
                                    f"request media type `{media}` of `{new.label}` was added",
                                    subject=f"{new.label} request {media}",
                                    operation=new.label)
        for code, resp in new.responses.items():
            before = old.responses.get(code)
            if before is None:
                continue
            for media, mt in resp.content.items():
                if media not in before.content:
                    yield violation(spec, base, mt.pointer, before.pointer,
                                    f"response {code} media type `{media}` of `{new.label}` "
                                    f"was added", subject=f"{new.label} {code} {media}",
                                    operation=new.label)


@rule("compat/operation-deprecated", severity=Severity.INFO, recommended=False)
def operation_deprecated(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Reports an operation that became deprecated, with its sunset date and replacement when
    the spec names them.

    ## Why is this bad?
    It is not yet: consumers must migrate before the sunset date.

    ## Example
    ```yaml
    get:
      deprecated: true
      x-sunset: "2027-01-31"
      description: Use `GET /v2/pets` instead.
    ```

    ## Level
    Informational (info), as oasdiff's `endpoint-deprecated` and
    `endpoint-deprecated-with-sunset`.
    """
    for old, new, base in operation_pairs(spec):
        if is_deprecated(new) and not is_deprecated(old):
            date, instead = sunset_date(new), replacement(new)
            text = f"`{new.label}` is deprecated"
            if date:
                text += f", sunset {date.isoformat()}"
            if instead:
                text += f"; use {instead} instead"
            yield violation(spec, base, new.pointer, old.pointer, text,
                            subject=f"{new.label} deprecated", operation=new.label)
