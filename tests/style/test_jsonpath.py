"""The JSONPath-Plus dialect of `given`, evaluated without JavaScript: what each expression
selects, and the expressions that are refused."""

from __future__ import annotations

import re

import pytest

from gates.style.jsonpath import JSONPathError, compile_path
from gates.style.query import Query

DOC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "x-logo": {"url": "u"}},
    "paths": {
        "/pets": {
            "get": {"parameters": [{"in": "query", "name": "a"}, {"in": "header", "name": "b"},
                                   None],
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}}},
            "x-internal": True,
        },
    },
    "components": {"responses": {"Ok": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "id": {"type": "integer"}, "self": {"$ref": "#/components/responses/Ok"}}}}}}}},
}


def select(expression: str, resolve: bool = False) -> list[tuple]:
    found = []

    def target(node):
        ref = node["$ref"]
        if ref.startswith("#/"):
            value = DOC
            for key in ref[2:].split("/"):
                value = value[key]
            return value
        return None

    Query([compile_path(expression)]).run(DOC, lambda _i, path, _v: found.append(path),
                                          target if resolve else None)
    return found


@pytest.mark.parametrize("expression, expected", [
    ("$", [()]),
    ("$.info.title", [("info", "title")]),
    ("$['info']['x-logo'].url", [("info", "x-logo", "url")]),
    ("$.paths[*]~", [("paths", "/pets")]),
    ("$.paths.*[get,put]", [("paths", "/pets", "get")]),
    ("$.paths.*.[get,put].responses.*~", [("paths", "/pets", "get", "responses", "200")]),
    ("$..parameters[0].name", [("paths", "/pets", "get", "parameters", 0, "name")]),
    ("$..parameters[-1]", [("paths", "/pets", "get", "parameters", 2)]),
    ("$..parameters[0:2].in", [("paths", "/pets", "get", "parameters", 0, "in"),
                               ("paths", "/pets", "get", "parameters", 1, "in")]),
    ("$..parameters[?(@.in === 'query')]", [("paths", "/pets", "get", "parameters", 0)]),
    ("$..parameters[?(@ && @.in != 'query')].name",
     [("paths", "/pets", "get", "parameters", 1, "name")]),
    ("$.paths[*][?(@property.match(/^x-/i))]", [("paths", "/pets", "x-internal")]),
    # JSONPath-Plus as Spectral reads it: `.[x]` and `[[x]]` descend, a stray `]` after a
    # bracket is ignored, final `^`s select parents, a method read is truthy on a string only
    ("$.paths.[get]", [("paths", "/pets", "get")]),
    ("$.components[[schema]]",
     [("components", "responses", "Ok", "content", "application/json", "schema")]),
    ("$.paths[*].get.parameters[?(@ && @.in == 'header')]].name",
     [("paths", "/pets", "get", "parameters", 1, "name")]),
    ("$.paths[*].get.parameters[?(@ && @.in == 'header')]^^", [("paths", "/pets", "get")]),
    ("$.paths[*].get.parameters[?(@ && @.in == 'header')].name^^",
     [("paths", "/pets", "get", "parameters")]),
    ("$.paths[*].get[?(@property.match && @property.match(/^p/))]",
     [("paths", "/pets", "get", "parameters")]),
    ("$.paths[*].get.parameters[?(@property.match)]", []),
    ("$..[?(@property === 'url' && @parentProperty === 'x-logo')]",
     [("info", "x-logo", "url")]),
    ("$.paths[*][?(!@property.startsWith('x-') && typeof @ === 'object')]",
     [("paths", "/pets", "get")]),
    ("$..responses[?(@property == 200)]", [("paths", "/pets", "get", "responses", "200")]),
    ("$.info[?(@.url)]", [("info", "x-logo")]),
    ("$..[?(Array.isArray(@) && @.length > 2)]", [("paths", "/pets", "get", "parameters")]),
])
def test_expression_selects(expression: str, expected: list[tuple]) -> None:
    assert select(expression) == expected


def test_resolved_walk_follows_refs_once_and_stops_at_recursion() -> None:
    found = select("$..properties[*]", resolve=True)
    assert ("paths", "/pets", "get", "responses", "200", "content", "application/json",
            "schema", "properties", "id") in found
    assert len(found) == len(set(found))
    assert all(len(path) < 20 for path in found)  # the recursive `self` is not unrolled


def test_many_expressions_share_one_walk() -> None:
    paths = [compile_path(e) for e in ("$..name", "$..in", "$.info.title", "$..description")]
    found: list[tuple[int, tuple]] = []
    Query(paths).run(DOC, lambda i, path, _v: found.append((i, path)))
    assert {i for i, _ in found} == {0, 1, 2, 3}


@pytest.mark.parametrize("expression, words", [
    ("paths", "must start with '$'"),
    ("$..", "ends with '..'"),
    ("$.paths[(@.length-1)]", "script expressions"),
    ("$.paths[?(@.x =~ 1)]", "unsupported syntax"),
    ("$.paths[?(eval('1'))]", "unsupported"),
    ("$.paths[?(@.x.constructor.constructor('alert(1)')())]", "unsupported function call"),
    ("$.paths^.info", "parent selector"),
    ("$.paths.^", "parent selector"),
    ("$.paths['a", "unterminated string"),
    ("$.info.title@string()", "type selectors such as '@string()'"),
    ("$..*@boolean()", "type selectors such as '@boolean()'"),
])
def test_unsupported_or_invalid_expressions_are_refused(expression: str, words: str) -> None:
    with pytest.raises(JSONPathError, match=re.escape(words)):
        compile_path(expression)


#: Values where JavaScript's readings are easy to get wrong: a property named like an array's
#: (`length`, `0`), `constructor`, loose equality (`1 == "1"`, `0 == ""`), an array where a
#: string is compared, empty and null members.
TRICKY = {
    "a": {"type": "array", "enum": [1, 1], "example": None},
    "b": {"type": ["array", "null"], "default": 0, "schema": {}},
    "c": [{"type": 1}, {"type": "1"}, {"type": ""}, {"type": 0}, {"type": True}, "array", 0],
    "d": {"constructor": "x", "length": 2, "0": "zero", "examples": {}},
    "e": {"x-example": "", "enum": None, "xml": {"name": "n"}},
    "f": [[], {}, None, "", "type"],
}


@pytest.mark.parametrize("expression", [
    "@ && @.enum && @.type",
    "@ && @.type == 'array'",
    "@.type === 'array'",
    "@.type == '1'",
    "@.type == ''",
    "@.type != 'array'",
    "@.constructor",
    "@.length",
    "@[0]",
    "@['0']",
    "@.example !== void 0 || @.default !== void 0",
    "@ && @.schema && (@.example !== void 0 || @.examples)",
    "@.enum != null",
    "!@.enum",
    "@property !== 'properties' && @ && (@['x-example'] !== void 0 || @.xml)",
])
def test_filters_select_what_they_accept_on_every_node(expression: str) -> None:
    """The walk tests a filter only where a key it needs is present; that pre-check must never
    leave out a node the filter accepts (nor let one in)."""
    from gates.style.jseval import compile_filter
    from gates.style.jsexpr import compile_expr

    accepts = compile_filter(compile_expr(expression))
    expected = []

    def visit(node, parent, key, path):
        if path and accepts((node, key, parent, path[-2] if len(path) > 1 else None, TRICKY,
                             None)):
            expected.append(path)
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            visit(v, node, k, (*path, k))

    visit(TRICKY, None, None, ())
    found = []
    Query([compile_path(f"$..[?({expression})]")]).run(
        TRICKY, lambda _i, path, _v: found.append(path))
    assert sorted(map(str, found)) == sorted(map(str, expected))
