"""One rule per category of element: `docs/undocumented-operation`, `-parameter`, ... Each is a
plain rule; what they share is `_undocumented_elements`."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.docs.coverage import OPTIONS, undocumented_of

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def _undocumented_elements(spec: Spec, category: str, options: dict[str, Any]
                           ) -> Iterator[Violation]:
    """The findings of the `docs/undocumented-*` rule of `category`; `options` are the gate's
    (`OPTIONS`, as configured)."""
    opts = {**OPTIONS, **options}
    operation_text = opts["operation_text"]
    for e in undocumented_of(spec, category, opts):
        reason = "has a placeholder description" if e.placeholder else "has no description"
        if category == "operations":
            reason = ("has a placeholder summary/description" if e.placeholder
                      else f"has no {'summary or description' if operation_text == 'either' else operation_text}")
        if category == "tags" and e.pointer.tokens[:1] != ("tags",):
            reason = "is used but not declared in the root `tags` list"
        owner = _property_owner(e.pointer.tokens) if category == "schema_properties" else ""
        yield Violation(e.pointer, f"`{e.subject}`{owner} {reason}", subject=e.subject)


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace",
                      "query"})


def _property_owner(tokens: tuple[str, ...]) -> str:
    """`` of schema `Pet` `` (a named schema, nested properties dotted: `Pet.owner`) or `` in
    the schema at `GET /pets > responses > 200` `` (an inline one): which schema a property
    belongs to, so that two `property id` findings can be told apart."""
    if "properties" not in tokens:
        return ""
    return _owner_of(tokens[:len(tokens) - 1 - tokens[::-1].index("properties")])


@functools.lru_cache(maxsize=4096)  # pure; the properties of one schema share their owner
def _owner_of(owner: tuple[str, ...]) -> str:
    """`_property_owner` for the tokens before the pointer's last `properties`."""
    named = None
    if owner[:2] == ("components", "schemas") and len(owner) >= 3:
        named, rest = owner[2], owner[3:]
    elif owner[:1] == ("definitions",) and len(owner) >= 2:
        named, rest = owner[1], owner[2:]
    if named is not None:
        parts = [named] + [rest[i + 1] for i, t in enumerate(rest[:-1]) if t == "properties"]
        if len(parts) - 1 == sum(1 for t in rest if t == "properties"):
            return f" of schema `{'.'.join(parts)}`"
        return f" in schema `{named}`"
    if owner[:1] == ("paths",) and len(owner) >= 3 and owner[2] in _METHODS:
        where = [f"{owner[2].upper()} {owner[1]}", *owner[3:]]
        shown = [t for t in where if t not in ("content", "schema")]
        if len(shown) > 5:
            shown = [*shown[:4], "…"]
        return f" in the schema at `{' > '.join(shown)}`"
    return ""


@rule("docs/undocumented-operation", severity=Severity.WARNING)
def undocumented_operation(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags operations (by default a summary or a description is enough; path-item text is inherited) without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    An operation is the unit a client developer looks for; without a sentence about what it does they must guess from its path.

    ## Example
    ```yaml
    /pets:
      get:
        responses: {200: {description: The pets}}
    ```
    Use instead:
    ```yaml
    /pets:
      get:
        summary: List the pets in the store
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "operations", options)


@rule("docs/undocumented-parameter", severity=Severity.INFO)
def undocumented_parameter(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags request parameters and response headers without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    Parameter names rarely say their units, limits or defaults; clients send wrong values.

    ## Example
    ```yaml
    parameters:
      - {name: limit, in: query, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    parameters:
      - name: limit
        in: query
        description: Largest number of items to return (1 to 100).
        schema: {type: integer}
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "parameters", options)


@rule("docs/undocumented-request-body", severity=Severity.INFO)
def undocumented_request_body(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags request bodies without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    What a request body means (create, replace, merge) is not visible from its schema.

    ## Example
    ```yaml
    requestBody:
      content: {application/json: {schema: {type: object}}}
    ```
    Use instead:
    ```yaml
    requestBody:
      description: The pet to add
      content: {application/json: {schema: {type: object}}}
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "request_bodies", options)


@rule("docs/undocumented-response", severity=Severity.INFO)
def undocumented_response(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags responses without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    A response description says when the status happens; OpenAPI requires it.

    ## Example
    ```yaml
    responses:
      '404': {description: ''}
    ```
    Use instead:
    ```yaml
    responses:
      '404': {description: No pet has this id}
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "responses", options)


@rule("docs/undocumented-property", severity=Severity.INFO)
def undocumented_property(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags schema properties reachable from operations (a `$ref` property counts as described when its target is; `allOf`: any branch; `oneOf`/`anyOf`: every branch) without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    Field names alone do not carry units, formats, invariants or meaning.

    ## Example
    ```yaml
    properties:
      status: {type: string}
    ```
    Use instead:
    ```yaml
    properties:
      status:
        type: string
        description: Adoption status of the pet
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "schema_properties", options)


@rule("docs/undocumented-tag", severity=Severity.INFO)
def undocumented_tag(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags tags (declared without a description, or used by an operation but not declared) without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    Tags group operations in documentation portals; an undescribed group is a bare label.

    ## Example
    ```yaml
    tags:
      - name: pets
    ```
    Use instead:
    ```yaml
    tags:
      - name: pets
        description: Everything about pets
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "tags", options)


@rule("docs/undocumented-security-scheme", severity=Severity.INFO)
def undocumented_security_scheme(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags security schemes without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    Clients need to know how to obtain the credential a scheme expects.

    ## Example
    ```yaml
    securitySchemes:
      bearer: {type: http, scheme: bearer}
    ```
    Use instead:
    ```yaml
    securitySchemes:
      bearer:
        type: http
        scheme: bearer
        description: A token from POST /oauth/token
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "security_schemes", options)


@rule("docs/missing-info-description", severity=Severity.INFO)
def missing_info_description(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags the API itself (`info.description`) without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    The API description is the landing page: what the API is for and how to start.

    ## Example
    ```yaml
    info:
      title: Pets
      version: 1.0.0
    ```
    Use instead:
    ```yaml
    info:
      title: Pets
      version: 1.0.0
      description: Adopt and manage pets.
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "info", options)


@rule("docs/undocumented-server", severity=Severity.INFO, recommended=False)
def undocumented_server(spec: Spec, **options: Any) -> Iterator[Violation]:
    """## What it does
    Flags servers (OpenAPI 3) without a usable description (missing, blank, or a placeholder such as `TODO`).

    ## Why is this bad?
    Without a description users cannot tell production from sandbox servers.

    ## Example
    ```yaml
    servers:
      - url: https://api.example.com
    ```
    Use instead:
    ```yaml
    servers:
      - url: https://api.example.com
        description: Production
    ```

    ## Options
    The gate options `reject-placeholders` (true) and `min-words` (0) decide what counts as a description.
    """
    yield from _undocumented_elements(spec, "servers", options)
