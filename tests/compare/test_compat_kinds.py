"""The schema comparison, kind by kind and place by place: each change to a schema is caught
where requests are read (request body, request property, parameter) or where responses are
written (response body, response property, response header), by the rule docs/compat.md
maps it to, and by no other rule."""

from __future__ import annotations

import json

import pytest

from gatekeeper import Config, load, run
from gates.compat import GATE

S = {"type": "string"}
A = {"type": "array", "items": S}
O = {"type": "object"}

# (kind, base schema, head schema, rule)
REQUEST = [
    ("max-decreased", {"type": "number", "maximum": 10}, {"type": "number", "maximum": 5},
     "constraint-tightened"),
    ("exclusive-max-decreased", {"type": "number", "exclusiveMaximum": 10},
     {"type": "number", "exclusiveMaximum": 5}, "constraint-tightened"),
    ("max-length-decreased", {**S, "maxLength": 10}, {**S, "maxLength": 5},
     "constraint-tightened"),
    ("min-length-increased", {**S, "minLength": 1}, {**S, "minLength": 3},
     "constraint-tightened"),
    ("min-increased", {"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 2},
     "constraint-tightened"),
    ("exclusive-min-increased", {"type": "integer", "exclusiveMinimum": 1},
     {"type": "integer", "exclusiveMinimum": 2}, "constraint-tightened"),
    ("min-items-increased", A, {**A, "minItems": 2}, "constraint-tightened"),
    ("max-items-decreased", {**A, "maxItems": 9}, {**A, "maxItems": 3}, "constraint-tightened"),
    ("min-contains-increased", {**A, "contains": S, "minContains": 1},
     {**A, "contains": S, "minContains": 2}, "constraint-tightened"),
    ("max-contains-decreased", {**A, "contains": S, "maxContains": 5},
     {**A, "contains": S, "maxContains": 2}, "constraint-tightened"),
    ("pattern-added", S, {**S, "pattern": "^[a-z]+$"}, "constraint-tightened"),
    ("type-changed", S, {"type": "integer"}, "request-type-narrowed"),
    ("became-not-nullable", {"type": ["string", "null"]}, S, "request-type-narrowed"),
    ("list-of-types-narrowed", {"type": ["string", "integer"]}, S, "request-type-narrowed"),
    ("enum-value-removed", {**S, "enum": ["a", "b"]}, {**S, "enum": ["a"]},
     "request-enum-value-removed"),
    ("became-enum", S, {**S, "enum": ["a"]}, "request-enum-value-removed"),
    ("x-extensible-enum-value-removed", {**S, "x-extensible-enum": ["a", "b"]},
     {**S, "x-extensible-enum": ["a"]}, "request-enum-value-removed"),
    ("const-added", S, {**S, "const": "a"}, "const-changed"),
    ("const-changed", {**S, "const": "a"}, {**S, "const": "b"}, "const-changed"),
    ("all-of-added", O, {**O, "allOf": [{"maxProperties": 3}]}, "request-composition-narrowed"),
    ("one-of-removed", {"oneOf": [{**O, "required": ["a"]}, {**O, "required": ["b"]}]},
     {"oneOf": [{**O, "required": ["a"]}]}, "request-composition-narrowed"),
    ("any-of-removed", {"anyOf": [{**O, "required": ["a"]}, {**O, "required": ["b"]}]},
     {"anyOf": [{**O, "required": ["b"]}]}, "request-composition-narrowed"),
    ("if-added", O, {**O, "if": {"required": ["a"]}}, "request-composition-narrowed"),
    ("then-added", O, {**O, "then": {"required": ["a"]}}, "request-composition-narrowed"),
    ("else-added", O, {**O, "else": {"required": ["a"]}}, "request-composition-narrowed"),
    ("contains-added", A, {**A, "contains": {"const": "x"}}, "request-composition-narrowed"),
    ("dependent-required-added", O, {**O, "dependentRequired": {"a": ["b"]}},
     "request-composition-narrowed"),
    ("dependent-required-changed", {**O, "dependentRequired": {"a": ["b"]}},
     {**O, "dependentRequired": {"a": ["b", "c"]}}, "request-composition-narrowed"),
    ("dependent-schema-added", O, {**O, "dependentSchemas": {"a": {"required": ["b"]}}},
     "request-composition-narrowed"),
    ("pattern-property-added", O, {**O, "patternProperties": {"^x-": S}},
     "request-composition-narrowed"),
    ("property-names-added", O, {**O, "propertyNames": {"maxLength": 8}},
     "request-composition-narrowed"),
    ("unevaluated-items-added", A, {**A, "unevaluatedItems": False},
     "request-composition-narrowed"),
    ("unevaluated-properties-added", O, {**O, "unevaluatedProperties": False},
     "request-composition-narrowed"),
    ("content-schema-added", S, {**S, "contentSchema": O}, "request-composition-narrowed"),
    ("content-media-type-changed", {**S, "contentMediaType": "image/png"},
     {**S, "contentMediaType": "image/jpeg"}, "request-composition-narrowed"),
    ("content-encoding-changed", {**S, "contentEncoding": "base64"},
     {**S, "contentEncoding": "base32"}, "request-composition-narrowed"),
    ("prefix-items-removed", {"type": "array", "prefixItems": [S]}, {"type": "array"},
     "request-composition-narrowed"),
]
RESPONSE = [
    ("max-increased", {"type": "number", "maximum": 5}, {"type": "number", "maximum": 9},
     "response-constraint-loosened"),
    ("exclusive-max-increased", {"type": "number", "exclusiveMaximum": 5},
     {"type": "number", "exclusiveMaximum": 9}, "response-constraint-loosened"),
    ("max-length-increased", {**S, "maxLength": 5}, {**S, "maxLength": 9},
     "response-constraint-loosened"),
    ("max-length-unset", {**S, "maxLength": 5}, S, "response-constraint-loosened"),
    ("min-decreased", {"type": "integer", "minimum": 5}, {"type": "integer", "minimum": 1},
     "response-constraint-loosened"),
    ("exclusive-min-decreased", {"type": "integer", "exclusiveMinimum": 5},
     {"type": "integer", "exclusiveMinimum": 1}, "response-constraint-loosened"),
    ("min-items-decreased", {**A, "minItems": 3}, {**A, "minItems": 1},
     "response-constraint-loosened"),
    ("min-items-unset", {**A, "minItems": 3}, A, "response-constraint-loosened"),
    ("min-length-decreased", {**S, "minLength": 3}, {**S, "minLength": 1},
     "response-constraint-loosened"),
    ("min-contains-decreased", {**A, "contains": S, "minContains": 3},
     {**A, "contains": S, "minContains": 1}, "response-constraint-loosened"),
    ("max-contains-increased", {**A, "contains": S, "maxContains": 3},
     {**A, "contains": S, "maxContains": 5}, "response-constraint-loosened"),
    ("type-changed", {"type": "integer"}, S, "response-type-changed"),
    ("type-generalized", {"type": "integer"}, {"type": ["integer", "string"]},
     "response-type-changed"),
    ("became-nullable", S, {"type": ["string", "null"]}, "response-type-changed"),
    ("const-removed", {**S, "const": "a"}, S, "const-changed"),
    ("const-changed", {**S, "const": "a"}, {**S, "const": "b"}, "const-changed"),
    ("enum-value-added", {**S, "enum": ["a"]}, {**S, "enum": ["a", "b"]},
     "response-enum-value-added"),
    ("one-of-added", {"oneOf": [{**O, "required": ["a"]}]},
     {"oneOf": [{**O, "required": ["a"]}, {**O, "required": ["b"]}]},
     "response-composition-widened"),
    ("if-removed", {**O, "if": {"required": ["a"]}}, O, "response-composition-widened"),
    ("then-removed", {**O, "then": {"required": ["a"]}}, O, "response-composition-widened"),
    ("else-removed", {**O, "else": {"required": ["a"]}}, O, "response-composition-widened"),
    ("contains-removed", {**A, "contains": {"const": "x"}}, A, "response-composition-widened"),
    ("dependent-required-removed", {**O, "dependentRequired": {"a": ["b"]}}, O,
     "response-composition-widened"),
    ("dependent-required-changed", {**O, "dependentRequired": {"a": ["b", "c"]}},
     {**O, "dependentRequired": {"a": ["b"]}}, "response-composition-widened"),
    ("dependent-schema-removed", {**O, "dependentSchemas": {"a": {"required": ["b"]}}}, O,
     "response-composition-widened"),
    ("pattern-property-removed", {**O, "patternProperties": {"^x-": S}}, O,
     "response-composition-widened"),
    ("property-names-removed", {**O, "propertyNames": {"maxLength": 8}}, O,
     "response-composition-widened"),
    ("unevaluated-items-removed", {**A, "unevaluatedItems": False}, A,
     "response-composition-widened"),
    ("unevaluated-properties-removed", {**O, "unevaluatedProperties": False}, O,
     "response-composition-widened"),
    ("content-schema-removed", {**S, "contentSchema": O}, S, "response-composition-widened"),
    ("content-media-type-changed", {**S, "contentMediaType": "image/png"},
     {**S, "contentMediaType": "image/jpeg"}, "response-composition-widened"),
    ("content-encoding-changed", {**S, "contentEncoding": "base64"},
     {**S, "contentEncoding": "base32"}, "response-composition-widened"),
    ("prefix-items-added", {"type": "array"}, {"type": "array", "prefixItems": [S]},
     "response-composition-widened"),
]


# a change that breaks whichever way it goes
SYMMETRIC = {"type-changed", "const-changed", "content-media-type-changed",
             "content-encoding-changed"}


def _spec(schema: dict, place: str) -> dict:
    op: dict = {"operationId": "op", "responses": {"200": {"description": "OK"}}}
    if place == "request-body":
        op["requestBody"] = {"content": {"application/json": {"schema": schema}}}
    elif place == "request-property":
        op["requestBody"] = {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"p": schema}}}}}
    elif place == "parameter":
        op["parameters"] = [{"name": "p", "in": "query", "schema": schema}]
    elif place == "response-body":
        op["responses"]["200"]["content"] = {"application/json": {"schema": schema}}
    elif place == "response-property":
        op["responses"]["200"]["content"] = {"application/json": {"schema": {
            "type": "object", "properties": {"p": schema}}}}
    elif place == "response-header":
        op["responses"]["200"]["headers"] = {"X-P": {"schema": schema}}
    return {"openapi": "3.1.0", "info": {"title": "T", "version": "1.0.0"},
            "paths": {"/things": {"post": op}}}


def _findings(tmp_path, base: dict, head: dict, place: str) -> set[tuple[str, str]]:
    (tmp_path / "base.json").write_text(json.dumps(_spec(base, place)), encoding="utf-8")
    (tmp_path / "head.json").write_text(json.dumps(_spec(head, place)), encoding="utf-8")
    spec = load(str(tmp_path / "head.json"))
    spec.base = load(str(tmp_path / "base.json"))
    result = run(spec, [GATE], Config(), raise_errors=True).gate("compat")
    return {(f.rule, str(f.severity)) for f in result.findings}


@pytest.mark.parametrize("place", ["request-body", "request-property", "parameter"])
@pytest.mark.parametrize("kind, base, head, rule", REQUEST, ids=[c[0] for c in REQUEST])
def test_request_kind(tmp_path, place, kind, base, head, rule) -> None:
    found = _findings(tmp_path, base, head, place)
    assert {r for r, _ in found} == {f"compat/{rule}"}, found
    if kind not in SYMMETRIC:  # the same edit the other way round is not a request break
        back = _findings(tmp_path, head, base, place)
        assert f"compat/{rule}" not in {r for r, _ in back}, back


@pytest.mark.parametrize("place", ["response-body", "response-property", "response-header"])
@pytest.mark.parametrize("kind, base, head, rule", RESPONSE, ids=[c[0] for c in RESPONSE])
def test_response_kind(tmp_path, place, kind, base, head, rule) -> None:
    found = _findings(tmp_path, base, head, place)
    assert {r for r, _ in found} == {f"compat/{rule}"}, found
    if kind not in SYMMETRIC:
        back = _findings(tmp_path, head, base, place)
        assert f"compat/{rule}" not in {r for r, _ in back}, back


LIFECYCLE = [
    ("deprecated-without-sunset", S, {**S, "deprecated": True},
     ("compat/deprecated-without-sunset", "warning")),
    ("sunset-deleted", {**S, "deprecated": True, "x-sunset": "2099-01-01"},
     {**S, "deprecated": True}, ("compat/deprecated-without-sunset", "warning")),
    ("sunset-too-soon", S, {**S, "deprecated": True, "x-deprecated-at": "2026-01-01",
                            "x-sunset": "2026-01-10"}, ("compat/sunset-too-soon", "error")),
    ("stability-decreased", {**S, "x-stability-level": "stable"},
     {**S, "x-stability-level": "alpha"}, ("compat/stability-decreased", "error")),
    ("sunset-unreadable", S, {**S, "deprecated": True, "x-sunset": "soon"},
     ("compat/lifecycle-unreadable", "warning")),
]


@pytest.mark.parametrize("place", ["request-property", "response-property"])
@pytest.mark.parametrize("kind, base, head, expected", LIFECYCLE, ids=[c[0] for c in LIFECYCLE])
def test_property_lifecycle(tmp_path, place, kind, base, head, expected) -> None:
    found = _findings(tmp_path, base, head, place)
    assert expected in found, found
    if kind != "sunset-unreadable":
        assert found == {expected}, found


_OK = {"200": {"description": "OK"}}


def _doc(op: dict, path_params: list | None = None, webhooks: dict | None = None,
         more_paths: dict | None = None) -> dict:
    doc = {"openapi": "3.1.0", "info": {"title": "T", "version": "1.0.0"},
           "paths": {"/things": {"post": op}, **(more_paths or {})}}
    if path_params:
        doc["paths"]["/things"]["parameters"] = path_params
    if webhooks:
        doc["webhooks"] = webhooks
    return doc


def _q(name: str, **extra) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string"}, **extra}


# oasdiff check id, base document, head document, expected (rule, level)
DOCUMENTS = [
    ("request-body-media-type-schema-added",
     _doc({"requestBody": {"content": {"application/json": {}}}, "responses": _OK}),
     _doc({"requestBody": {"content": {"application/json": {"schema": O}}}, "responses": _OK}),
     ("compat/request-composition-narrowed", "error")),
    ("new-required-request-header-property",
     _doc({"parameters": [{"name": "X-F", "in": "header", "schema": {
         **O, "properties": {"a": S}}}], "responses": _OK}),
     _doc({"parameters": [{"name": "X-F", "in": "header", "schema": {
         **O, "required": ["a"], "properties": {"a": S}}}], "responses": _OK}),
     ("compat/new-required-request-property", "error")),
    ("api-path-sunset-parse", _doc({"responses": _OK}, more_paths={"/old": {"get": {
        "deprecated": True, "x-sunset": "someday", "responses": _OK}}}),
     _doc({"responses": _OK}), ("compat/removed-before-sunset", "error")),
    ("webhook-removed", _doc({"responses": _OK}, webhooks={"ping": {"post": {
        "responses": _OK}}}), _doc({"responses": _OK}), ("compat/removed-operation", "error")),
    ("api-sunset-date-changed-too-small",
     _doc({"deprecated": True, "x-sunset": "2099-01-01", "responses": _OK}),
     _doc({"deprecated": True, "x-sunset": "2026-01-05", "x-deprecated-at": "2026-01-01",
           "responses": _OK}), ("compat/sunset-too-soon", "error")),
    ("request-body-added-required", _doc({"responses": _OK}),
     _doc({"requestBody": {"required": True, "content": {"application/json": {"schema": O}}},
           "responses": _OK}), ("compat/new-required-request-property", "error")),
    ("new-required-request-default-parameter-to-existing-path", _doc({"responses": _OK}),
     _doc({"responses": _OK}, path_params=[_q("t", required=True)]),
     ("compat/new-required-parameter", "error")),
    ("request-parameter-deprecated-sunset-missing",
     _doc({"parameters": [_q("f")], "responses": _OK}),
     _doc({"parameters": [_q("f", deprecated=True)], "responses": _OK}),
     ("compat/deprecated-without-sunset", "warning")),
    ("request-parameter-removed-before-sunset",
     _doc({"parameters": [_q("f", deprecated=True, **{"x-sunset": "2099-01-01"})],
           "responses": _OK}), _doc({"responses": _OK}),
     ("compat/removed-before-sunset", "error")),
    ("api-stability-decreased", _doc({"x-stability-level": "stable", "responses": _OK}),
     _doc({"x-stability-level": "beta", "responses": _OK}),
     ("compat/stability-decreased", "error")),
]


@pytest.mark.parametrize("check, base, head, expected", DOCUMENTS,
                         ids=[c[0] for c in DOCUMENTS])
def test_operation_level_kind(tmp_path, check, base, head, expected) -> None:
    (tmp_path / "base.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "head.json").write_text(json.dumps(head), encoding="utf-8")
    spec = load(str(tmp_path / "head.json"))
    spec.base = load(str(tmp_path / "base.json"))
    result = run(spec, [GATE], Config(), raise_errors=True).gate("compat")
    assert {(f.rule, str(f.severity)) for f in result.findings} == {expected}


def test_paths_that_differ_only_in_parameter_names_pair_with_their_own_spelling(
        tmp_path) -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {
        f"/invoices/{{{name}}}": {"get": {
            "operationId": f"getBy{name}", "responses": _OK,
            "parameters": [{"name": name, "in": "path", "required": True,
                            "schema": {"type": "string"}}]}}
        for name in ("InvoiceID", "InvoiceNumber")}}
    (tmp_path / "spec.json").write_text(json.dumps(doc), encoding="utf-8")
    spec = load(str(tmp_path / "spec.json"))
    spec.base = load(str(tmp_path / "spec.json"))
    every = Config(select=tuple(r.id for r in GATE.rules))
    assert run(spec, [GATE], every, raise_errors=True).gate("compat").findings == ()


@pytest.mark.parametrize("old, new, verdict", [
    ("^[a-z]+$", None, True), ("^[a-z]+$", ".*", True), ("^[a-z]+$", "^.*$", True),
    ("^abc$", "abc", True), ("abc", "^abc$", False),
    ("^(name|age)$", "^(name|age|created)$", True), ("^(name|age)$", "^(name)$", False),
    ("^abcdef", "^abc", True), ("^[a-z]+$", "^[a-z0-9]+$", True),
    ("^[a-z]{2,4}$", "^[a-z]{1,8}$", True), ("^[a-z0-9]+$", "^[a-z]+$", False),
    (None, "^x", False), ("^[A-Z]+\\d*$", "^[A-Z]{2}-\\d+$", None),
])
def test_pattern_superset_decisions(old, new, verdict) -> None:
    from gates.compat.patterns import accepts_all_of

    assert accepts_all_of(old, new) is verdict


def test_read_only_request_and_write_only_response_values_are_not_judged(tmp_path) -> None:
    assert _findings(tmp_path, {**S, "readOnly": True},
                     {**S, "readOnly": True, "maxLength": 3}, "request-property") == set()
    assert _findings(tmp_path, {**S, "writeOnly": True, "maxLength": 3},
                     {**S, "writeOnly": True}, "response-property") == set()
    # the other direction still counts
    assert _findings(tmp_path, {**S, "readOnly": True, "maxLength": 3},
                     {**S, "readOnly": True}, "response-property") == \
        {("compat/response-constraint-loosened", "error")}
