"""Examples: request and response bodies carry examples, and every example is valid.

A reviewer gate (docs/gates/examples.md). Documentation "with comprehensive examples" is what
reviewers ask for, and generated docs, mock servers and SDK tests all use the examples of a
document. The metric is the share of JSON request bodies, JSON success responses and JSON error
responses that carry an example: the media type's `example`/`examples`, the schema's `example`
or (3.1) `examples` array, or in 2.0 the response's `examples` map.

A wrong example is worse than none (readers copy it), so `examples/invalid-example` is an error:
every example (media, schema, parameter and header examples) is validated against its schema
in the JSON Schema dialect of the document version: draft 4 with `nullable` (3.0) or
`x-nullable` read as "null is allowed" (2.0 has no way to say it, so `null` passes
there), draft 2020-12 for 3.1 (type arrays, `$ref` with siblings). Parameter and header
examples are read as the text they put on the wire (`'10'` is a fine example of an integer
query parameter); a JSON body example written as JSON text is read as the JSON it spells. A `readOnly` property is not required in a request example and a `writeOnly`
property not in a response example. `externalValue` is never fetched. Formats are not checked
(validators disagree on them, and the example's shape is what readers copy).

The gate is opt-in (`extend-select = ["examples"]`); set `[gates.examples] fail-under` to make
the coverage a bar.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Gate, Metric, MetricPart, Severity, Spec, Violation, rule

from gates.examples.dialect import Checker
from gates.examples.sites import body_sites, example_sites

TYPE_CHECKING = False  # `typing` costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


WEIGHTS = {"request_bodies": 0.4, "success_responses": 0.4, "error_responses": 0.2}


def example_coverage(spec: Spec) -> Metric:
    """Share of JSON request bodies, success (2xx) responses and error (4xx, 5xx, `default`)
    responses under `paths` that carry an example (the media type's `example`/`examples`,
    the schema's `example` or 3.1 `examples`, or a 2.0 response's `examples`), weighted
    0.4, 0.4 and 0.2; a part with nothing to judge is left out. 100 % when there is none."""
    parts = body_sites(spec)
    breakdown = []
    total_weight = value = 0.0
    passed = total = 0
    for name, items in parts.items():
        good = sum(1 for _, _, has in items if has)
        breakdown.append(MetricPart(name=name, passed=good, total=len(items),
                                    weight=WEIGHTS[name]))
        passed += good
        total += len(items)
        if items:
            total_weight += WEIGHTS[name]
            value += WEIGHTS[name] * good / len(items)
    return Metric(value=value / total_weight if total_weight else 1.0,
                  label="JSON bodies with an example", passed=passed, total=total,
                  breakdown=tuple(breakdown),
                  details={"without_example": [label for items in parts.values()
                                               for label, _, has in items if not has][:200]})


# ---------------------------------------------------------------------- rules


def _parsed_json(text: str) -> Any:
    """A JSON body example written as JSON text (Atlassian's style): the value it spells."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_text_value(value: Any, schema: Any) -> Any:
    """Parameters and headers travel as text: `'10'` is a fine example of an integer query
    parameter, `10` of a string one. The example is read as the text it puts on the wire."""
    types = schema.get("type") if isinstance(schema, dict) else None
    types = {types} if isinstance(types, str) else set(types or ())
    if isinstance(value, list) and isinstance(schema, dict):
        return [_as_text_value(v, schema.get("items")) for v in value]
    if isinstance(value, str) and "array" in types and isinstance(schema, dict):
        # `ids=a,b,c`: the form style's comma-separated text of an array
        return [_as_text_value(v, schema.get("items")) for v in value.split(",")]
    if isinstance(value, str) and types & {"integer", "number", "boolean"}:
        parsed = _parsed_json(value.strip())
        return parsed if isinstance(parsed, (int, float, bool)) else value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "string" in types:
        return str(value)
    if isinstance(value, bool) and "string" in types:
        return "true" if value else "false"
    return value



@rule("examples/invalid-example", severity=Severity.ERROR)
def invalid_example(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an example that does not validate against its schema: media type `example` and
    `examples`, schema `example` (and 3.1 `examples`), parameter and header examples, and a
    2.0 response's `examples`. The schema is read in the dialect of the document: `nullable`
    (3.0) and `x-nullable` (2.0) allow `null`, 3.1 uses JSON Schema 2020-12 (type arrays);
    `readOnly` properties are not required in request examples nor `writeOnly` ones in
    response examples. `oneOf` is read as `anyOf` and formats are not checked. Parameter
    and header examples are compared as the text they put on the wire (`'10'` fits an
    integer, `10` a string); a JSON body example written as JSON text is parsed first; in
    2.0, which cannot say "nullable", `null` passes.
    `externalValue` is never fetched.

    ## Why is this bad?
    Readers copy examples; mock servers serve them; contract tests send them. A wrong example
    is worse than none (Spectral `oas3-valid-media-example`, `oas3-valid-schema-example`;
    Redocly `no-invalid-media-type-examples`; IBM `ibm-valid-schema-example`).

    ## Example
    ```yaml
    schema:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    example: {id: "42"}
    ```
    Use instead:
    ```yaml
    example: {id: 42}
    ```
    """
    checker = Checker(spec)
    for site in example_sites(spec):
        value = site.value
        if site.label.startswith(("parameter", "header")):
            value = _as_text_value(value, site.schema)
        elif isinstance(value, str) and value.lstrip()[:1] in ("{", "[") \
                and not (isinstance(site.schema, dict) and site.schema.get("type") == "string"):
            value = _parsed_json(value)
        problem = checker.error(value, site.schema, site.schema_pointer, site.mode)
        if problem is not None:
            yield Violation(site.pointer, f"example of {site.label} does not match its schema: "
                                          f"{problem}", subject=str(site.pointer))


@rule("examples/missing-example", severity=Severity.INFO)
def missing_example(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a JSON request body, success response or error response under `paths` whose media
    type has no example: no `example`/`examples` on the media type, no `example` (or 3.1
    `examples`) on its schema, and in 2.0 no `examples` on the response. Shared responses are
    reported once, where they are written.

    ## Why is this bad?
    An example shows in one glance what a schema takes a page to describe; documentation
    portals, mock servers and generated SDK docs show it first (Redocly's score counts example
    coverage as much as descriptions; vacuum `oas3-missing-example`; IBM
    `ibm-success-response-example`).

    ## Example
    ```yaml
    '200':
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
    ```
    Use instead:
    ```yaml
    '200':
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
          example: {id: 1, name: Rex}
    ```

    ## Options
    `[gates.examples] fail-under = <percent>` turns the coverage into a bar.
    """
    for items in body_sites(spec).values():
        for label, pointer, has in items:
            if not has:
                yield Violation(pointer, f"{label} has no example", subject=str(pointer))


GATE = Gate(
    "examples",
    title="Examples",
    rules=(invalid_example, missing_example),
    metric=example_coverage,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
