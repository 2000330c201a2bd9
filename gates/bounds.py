"""Input bounds: what a client sends has a documented upper limit (OWASP API4:2023).

A reviewer gate (docs/gates/bounds.md). Unrestricted resource consumption is fourth in the
OWASP API Security Top 10 (2023): a server that accepts a 50 MB string, an array of a million
items or `limit=10000000` can be made to spend memory and CPU on one request. An API states its
limits in the schema: `maxLength` (or an `enum`, `const`, a bounding `format` such as `uuid`
or `date-time`, or an anchored pattern without open-ended repetition) on strings, `maxItems`
on arrays, `minimum`/`maximum` (or a sized `format`: `int32`, `int64`) on integers, and
`additionalProperties: false` (or `unevaluatedProperties: false`) on objects.

What is judged, by default: the JSON and form request bodies of operations under `paths`
(their schemas, walked into properties, items and compositions; `readOnly` properties are not
inputs), and page-size parameters (the pagination gate's reading). Query, path and header
parameters are bounded by URL and header size limits of every server and proxy: judged only
with `include-parameters`. The metric is the share of body strings, arrays and integers that
are bounded.

What fired on most real specs was moved behind options (docs/gates/bounds.md has the corpus
figures): strings without `maxLength`, integers without a range and open objects are opt-in
rules (select their ids; the metric counts strings and integers either way); arrays without
`maxItems` and page sizes without a maximum are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import (
    Gate, Metric, Operation, Pointer, Severity, Spec, Violation, rule, schema_types,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Formats whose values have a bounded length (RFC 3339 dates, RFC 4122 UUIDs, addresses).
BOUNDING_FORMATS = ("date", "date-time", "time", "uuid", "ipv4", "ipv6", "email", "hostname",
                    "idn-email", "idn-hostname", "duration", "int32", "int64")
#: Formats not worth bounding in a schema: uploads are capped by the server's body limit.
UPLOAD_FORMATS = ("binary",)
_OPEN_REPETITION = re.compile(r"(?<!\\)[*+]|\{\d+,\}")


def _bounded_pattern(pattern: Any) -> bool:
    return isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$") \
        and not _OPEN_REPETITION.search(pattern)


def _body_media(op: Operation):
    body = op.request_body
    for media in (body.content.values() if body is not None else ()):
        essence = media.essence
        if media.schema_pointer is not None and (
                essence in ("application/json", "text/json", "application/x-www-form-urlencoded",
                            "multipart/form-data") or essence.endswith("+json")):
            yield media


class Input:
    """One schema of a request input: what it is, where it is written, what uses it."""

    __slots__ = ("kind", "schema", "pointer", "label", "bounded")

    def __init__(self, kind: str, schema: dict, pointer: Pointer, label: str,
                 bounded: bool) -> None:
        self.kind = kind  # string, array, integer, object
        self.schema = schema
        self.pointer = pointer
        self.label = label
        self.bounded = bounded


def _judge(node: dict, types: frozenset[str]) -> tuple[str, bool] | None:
    if "enum" in node or "const" in node:
        return None
    if "string" in types:
        fmt = node.get("format")
        if fmt in UPLOAD_FORMATS:
            return None
        return "string", ("maxLength" in node or fmt in BOUNDING_FORMATS
                          or _bounded_pattern(node.get("pattern")))
    if "array" in types:
        return "array", "maxItems" in node
    if "integer" in types:
        return "integer", (("maximum" in node or "exclusiveMaximum" in node)
                           and ("minimum" in node or "exclusiveMinimum" in node)) \
            or node.get("format") in ("int32", "int64")
    if "object" in types and isinstance(node.get("properties"), dict):
        extra = node.get("additionalProperties", True)
        closed = extra is False or node.get("unevaluatedProperties") is False
        return "object", closed or isinstance(extra, dict)  # a typed map is a choice
    return None


def request_inputs(spec: Spec, include_parameters: bool = False) -> list[Input]:
    """Every request input schema under `paths`, once where it is written."""
    def build() -> list[Input]:
        out: list[Input] = []
        roots: list[tuple[Any, Pointer]] = []
        for op in spec.in_paths():
            roots.extend((m.schema, m.schema_pointer) for m in _body_media(op))
            for p in op.parameters:
                if p.location in ("body",):  # 2.0 body: its schema is the request body
                    continue
                if p.location == "formData" or (include_parameters and p.location != "path"):
                    schema = p.schema if isinstance(p.schema, dict) else {}
                    verdict = _judge(schema, schema_types(schema))
                    if verdict is not None:
                        out.append(Input(verdict[0], schema, p.pointer,
                                         f"parameter `{p.name}`", verdict[1]))
        seen: set[Pointer] = {i.pointer for i in out}
        for node, ptr in _input_schemas(spec, roots):
            if ptr in seen:
                continue
            seen.add(ptr)
            verdict = _judge(node, schema_types(node))
            if verdict is not None:
                out.append(Input(verdict[0], node, ptr, _label(ptr), verdict[1]))
        return out
    return spec.memo(("bounds.inputs", include_parameters), build)


def _input_schemas(spec: Spec, roots: list[tuple[Any, Pointer]]
                   ) -> Iterator[tuple[dict, Pointer]]:
    """The schemas reachable from request bodies, not descending into `readOnly` ones."""
    seen: set[Pointer] = set()
    stack = [spec.resolve(s, p) for s, p in roots]
    while stack:
        node, ptr = stack.pop()
        if ptr in seen or not isinstance(node, dict) or node.get("readOnly") is True:
            continue
        seen.add(ptr)
        yield node, ptr
        for role, child, child_ptr in spec.schema_children(node, ptr):
            if role != "not" and child_ptr not in seen:
                stack.append((child, child_ptr))


def _label(ptr: Pointer) -> str:
    tokens = ptr.tokens
    for marker in ("schemas", "definitions"):
        if marker in tokens:
            rest = tokens[tokens.index(marker) + 1:]
            return "`" + ".".join(t for t in rest if t not in (
                "properties", "allOf", "oneOf", "anyOf")).replace(".items", "[]") + "`"
    props = [t for i, t in enumerate(tokens) if i and tokens[i - 1] == "properties"]
    return f"`{'.'.join(props)}`" if props else "the request body"


def bounds_metric(spec: Spec, *, include_parameters: bool = False) -> Metric:
    """Share of request strings, arrays and integers (request bodies, and parameters with
    `include-parameters`) that declare an upper bound. 100 % when there is none."""
    inputs = [i for i in request_inputs(spec, include_parameters) if i.kind != "object"]
    good = sum(1 for i in inputs if i.bounded)
    return Metric.ratio(good, len(inputs), "request inputs with an upper bound")


def _unbounded(spec: Spec, kind: str, include_parameters: bool) -> Iterator[Input]:
    for i in request_inputs(spec, include_parameters):
        if i.kind == kind and not i.bounded:
            yield i


@rule("bounds/unbounded-string", severity=Severity.INFO, recommended=False)
def unbounded_string(spec: Spec, *, include_parameters: bool = False) -> Iterator[Violation]:
    """## What it does
    Flags a string a client sends (in a request body; parameters with `include-parameters`)
    with no `maxLength`, `enum`, `const`, bounding `format` (`uuid`, `date-time`, `email`,
    ...) or anchored pattern without open-ended repetition. `format: binary` uploads and
    `readOnly` properties are not judged. Reported once where the schema is written. Opt-in:
    select the rule id (the gate's metric counts strings either way).

    ## Why is this bad?
    A server that stores or parses whatever length arrives can be made to spend memory,
    storage and CPU on one request (OWASP API4:2023, OWASP ruleset `api4:2023-string-limit`);
    the schema is where clients and gateways learn the limit. Opt-in because two real specs
    in three leave most strings open (55 findings a spec on average): as findings they bury
    the arrays and page sizes that matter more; as a share they still show.

    ## Example
    ```yaml
    name: {type: string}
    ```
    Use instead:
    ```yaml
    name: {type: string, maxLength: 200}
    ```

    ## Options
    `include-parameters`: also judge query, header and cookie parameters (default false:
    URL and header size limits already bound them).
    """
    for i in _unbounded(spec, "string", include_parameters):
        yield Violation(i.pointer, f"{i.label}: a string without maxLength (or enum, "
                                   f"bounding format, bounded pattern)", subject=str(i.pointer))


@rule("bounds/unbounded-array", severity=Severity.WARNING)
def unbounded_array(spec: Spec, *, include_parameters: bool = False) -> Iterator[Violation]:
    """## What it does
    Flags an array a client sends (in a request body; parameters with `include-parameters`)
    without `maxItems`. Reported once where the schema is written.

    ## Why is this bad?
    Every item costs the server work (validation, a database row, a call downstream); an
    array without a limit turns one request into an unbounded batch (OWASP API4:2023, OWASP
    ruleset `api4:2023-array-limit`).

    ## Example
    ```yaml
    ids: {type: array, items: {type: string, format: uuid}}
    ```
    Use instead:
    ```yaml
    ids: {type: array, maxItems: 100, items: {type: string, format: uuid}}
    ```

    ## Options
    `include-parameters`: also judge query, header and cookie parameters.
    """
    for i in _unbounded(spec, "array", include_parameters):
        yield Violation(i.pointer, f"{i.label}: an array without maxItems", subject=str(i.pointer))


@rule("bounds/unbounded-integer", severity=Severity.INFO, recommended=False)
def unbounded_integer(spec: Spec, *, include_parameters: bool = False) -> Iterator[Violation]:
    """## What it does
    Flags an integer a client sends without both a `minimum` and a `maximum` (or a sized
    `format`, `int32`/`int64`). Opt-in: select the rule id.

    ## Why is this bad?
    Quantities, offsets and sizes without a range reach loops and allocations as they come
    (OWASP API4:2023, OWASP ruleset `api4:2023-integer-limit`). Opt-in because an unbounded
    identifier or amount is usually harmless, and most real APIs leave them open.

    ## Example
    ```yaml
    quantity: {type: integer}
    ```
    Use instead:
    ```yaml
    quantity: {type: integer, minimum: 1, maximum: 1000}
    ```

    ## Options
    `include-parameters`: also judge query, header and cookie parameters.
    """
    for i in _unbounded(spec, "integer", include_parameters):
        yield Violation(i.pointer, f"{i.label}: an integer without minimum and maximum "
                                   f"(or int32/int64 format)", subject=str(i.pointer))


@rule("bounds/open-object", severity=Severity.INFO, recommended=False)
def open_object(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an object a client sends (in a request body) that declares `properties` but accepts
    any other property too: `additionalProperties` absent or `true`, and no
    `unevaluatedProperties: false`. A typed map (`additionalProperties: {schema}`) is a
    choice and not flagged. Opt-in: select the rule id.

    ## Why is this bad?
    Extra properties cost parsing and storage, and are how mass-assignment bugs get in
    (OWASP API3:2023 and API4:2023, OWASP ruleset `api3:2023-no-additionalProperties`).
    Opt-in because JSON Schema's default is "open" and most APIs keep it for forward
    compatibility (Zalando #111 asks clients to tolerate unknown fields).

    ## Example
    ```yaml
    type: object
    properties: {name: {type: string}}
    ```
    Use instead:
    ```yaml
    type: object
    additionalProperties: false
    properties: {name: {type: string}}
    ```
    """
    for i in _unbounded(spec, "object", False):
        yield Violation(i.pointer, f"{i.label}: an object that accepts any additional "
                                   f"property",
                        subject=str(i.pointer))


@rule("bounds/unbounded-page-size", severity=Severity.WARNING)
def unbounded_page_size(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a page-size parameter (`limit`, `per_page`, `$top`, ...) of a paginated operation
    that declares no `maximum` (or `enum`), as the pagination gate recognises them. Reported
    once where the parameter is written.

    ## Why is this bad?
    `?limit=100000000` asks the server for the whole table in one response (OWASP
    API4:2023; AIP-158 and Azure cap page sizes).

    ## Example
    ```yaml
    - {name: limit, in: query, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
    ```
    """
    from gates.pagination import unbounded_page_size as pagination_rule

    yield from pagination_rule.check(spec)


GATE = Gate(
    "bounds",
    title="Input bounds",
    rules=(unbounded_string, unbounded_array, unbounded_integer, open_object,
           unbounded_page_size),
    metric=bounds_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
