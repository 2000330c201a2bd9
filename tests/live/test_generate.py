"""The fast generator for simple schemas: valid cases validate, invalid ones do not, and
anything it does not cover goes to Schemathesis."""

from __future__ import annotations

import json

import jsonschema
import pytest

from gatekeeper.live.fuzz import Fuzzer
from gatekeeper.live.generate import draw, draw_negative, plan
from gatekeeper.live.safety import prepare_schema
from gatekeeper.spec import load

PET = {"type": "object", "required": ["name", "age"],
       "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 8},
                      "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 30},
                      "kind": {"$ref": "#/components/schemas/Kind"},
                      "tags": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "string"}},
                      "born": {"type": "string", "format": "date"}}}
DOC = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
       "components": {"schemas": {"Kind": {"type": "string", "enum": ["cat", "dog"]}, "Pet": PET}},
       "paths": {
           "/pets/{id}": {"get": {"parameters": [
               {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 9}},
               {"name": "q", "in": "query", "schema": {"type": "array", "items": {"type": "boolean"}}},
               {"name": "X-Mode", "in": "header", "required": True, "schema": {"enum": ["a", "b"]}}],
               "responses": {"200": {"description": "ok"}}}},
           "/pets": {"post": {"requestBody": {"required": True, "content": {"application/json": {
               "schema": {"$ref": "#/components/schemas/Pet"}}}}, "responses": {"200": {"description": "ok"}}}},
           "/regex": {"get": {"parameters": [{"name": "p", "in": "query", "schema": {
               "type": "string", "pattern": "^[a-z]+$"}}], "responses": {"200": {"description": "ok"}}}},
       }}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "spec.json"
    path.write_text(json.dumps(DOC))
    spec = load(str(path))
    fuzzer = Fuzzer(prepare_schema(spec.raw), with_credentials=False)
    ops = {op.label: op for op in spec.operations}

    def resolve(node):
        return spec.resolve(node, spec.root)[0]

    return spec, fuzzer, ops, resolve


def _validator(schema):
    return jsonschema.Draft202012Validator({**schema, "components": DOC["components"]})


def test_valid_cases_validate_and_cover_the_bounds(setup):
    _, fuzzer, ops, resolve = setup
    get = ops["GET /pets/{id}"]
    cases = draw(fuzzer.operation("GET", "/pets/{id}"), plan(get, resolve), 10, seed=1)
    assert len(cases) >= 5
    ids = {c.path_parameters["id"] for c in cases}
    assert {1, 9} <= ids <= set(range(1, 10))
    assert all(c.headers["X-Mode"] in ("a", "b") for c in cases)
    post = ops["POST /pets"]
    bodies = [c.body for c in draw(fuzzer.operation("POST", "/pets"), plan(post, resolve), 10, seed=2)]
    validator = _validator(PET)
    assert all(validator.is_valid(b) for b in bodies), [b for b in bodies if not validator.is_valid(b)]
    assert {b["age"] for b in bodies} >= {0, 29}
    assert all(c.meta.generation.mode.is_positive for c in
               draw(fuzzer.operation("POST", "/pets"), plan(post, resolve), 3, seed=2))


def test_invalid_cases_break_one_thing_and_are_marked_negative(setup):
    _, fuzzer, ops, resolve = setup
    post = ops["POST /pets"]
    cases = draw_negative(fuzzer.operation("POST", "/pets"), plan(post, resolve), 5, seed=3)
    assert len(cases) == 5
    validator = _validator(PET)
    assert not any(validator.is_valid(c.body) for c in cases)
    assert all(c.meta.generation.mode.is_negative for c in cases)


def test_schemas_it_does_not_cover_go_to_schemathesis(setup):
    _, _, ops, resolve = setup
    assert plan(ops["GET /regex"], resolve) is None
    assert plan(ops["GET /pets/{id}"], resolve) is not None
