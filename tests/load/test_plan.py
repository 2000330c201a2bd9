"""The load test's request mix, from the document alone (no server, no Locust)."""

from __future__ import annotations

import json

from gatekeeper.loadtest import build_plan, locustfile_text
from gatekeeper.loadtest.values import NO_VALUE, value_for

SPEC = """\
openapi: 3.1.0
info: {title: plan, version: 1.0.0}
paths:
  /pets:
    get:
      x-gatekeeper-weight: 3
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 5, maximum: 50}}
        - {name: sort, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses: {"201": {description: created}}
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string, format: uuid}}
      responses: {"200": {description: ok}}
  /codes/{code}:
    get:
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, pattern: "^[A-Z]{3}$"}}
      responses: {"200": {description: ok}}
  /quiet:
    get:
      x-gatekeeper-weight: 0
      responses: {"200": {description: ok}}
components:
  schemas:
    Pet:
      type: object
      required: [name, kind]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, minLength: 2, maxLength: 4}
        kind: {enum: [dog, cat]}
"""


def _plan(spec_from_text, **kwargs):
    return build_plan(spec_from_text(SPEC), **kwargs)


def test_read_only_by_default_with_reasons_for_what_is_left_out(spec_from_text):
    plan = _plan(spec_from_text)
    names = {r.name: r for r in plan.requests}
    assert set(names) == {"GET /pets", "GET /pets/{petId}"}
    skipped = {s["operation"]: s["reason"] for s in plan.skipped}
    assert "write method" in skipped["POST /pets"]
    assert "add an example" in skipped["GET /codes/{code}"]  # a pattern is never guessed
    assert skipped["GET /quiet"] == "weight is 0"


def test_values_respect_bounds_formats_and_weights(spec_from_text):
    plan = _plan(spec_from_text, weights={"getPet": 2})
    names = {r.name: r for r in plan.requests}
    assert names["GET /pets"].query == (("limit", "5"),)  # required only, smallest allowed
    assert names["GET /pets"].weight == 3
    assert names["GET /pets/{petId}"].path == "/pets/3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert names["GET /pets/{petId}"].weight == 2


def test_request_bodies_are_valid_and_leave_read_only_properties_out(spec_from_text):
    plan = _plan(spec_from_text, allow_writes=True)
    post = next(r for r in plan.requests if r.name == "POST /pets")
    assert post.has_body and post.json_body == {"name": "exam", "kind": "dog"}
    assert ("Content-Type", "application/json") in post.headers


def test_value_for_prefers_the_documents_own_values():
    assert value_for({"type": "integer", "example": 7, "default": 3}) == 7
    assert value_for({"type": "integer", "default": 3}) == 3
    assert value_for({"type": "string", "enum": [None, "b"]}) == "b"
    assert value_for({"type": "number", "minimum": 0, "exclusiveMinimum": True}) == 1
    assert value_for({"type": "array", "items": {"type": "boolean"}, "minItems": 2}) == [True, True]
    assert value_for({"type": "string", "pattern": "^x+$"}) is NO_VALUE


def test_the_generated_locustfile_carries_the_plan_and_no_secret(spec_from_text):
    plan = _plan(spec_from_text)
    plan.credential_env = [("Authorization", "API_TOKEN")]
    text = locustfile_text(plan)
    assert "PLAN_JSON = None" not in text
    compile(text, "locustfile.py", "exec")  # valid Python, without importing Locust here
    start = text.index("PLAN_JSON = ") + len("PLAN_JSON = ")
    literal = text[start:text.index("\n", start)]
    embedded = json.loads(eval(literal))  # noqa: S307 - our own repr() of a JSON string
    assert embedded["credential_env"] == [["Authorization", "API_TOKEN"]]
    assert {r["name"] for r in embedded["requests"]} == {"GET /pets", "GET /pets/{petId}"}


def test_importing_the_load_test_keeps_the_public_load_function():
    import gatekeeper
    import gatekeeper.loadtest  # noqa: F401

    from gatekeeper import load

    assert callable(load) and callable(gatekeeper.load)
