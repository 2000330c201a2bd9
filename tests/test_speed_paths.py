"""The fast paths (start-up, YAML, index) give exactly what the plain paths give (benchmarks/README.md,
"Gate and index hot paths")."""

from __future__ import annotations

import gc
import json

import pytest

from gatekeeper import loader
from gatekeeper.pointer import Pointer
from gatekeeper.spec import load

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Café ☃ 𝄞", "version": "1", "x-list": [1, "ü", {"a": "b"}, []]},
    "paths": {
        "/é/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {"responses": {"200": {"$ref": "#/components/responses/Ok"},
                                  "404": {"$ref": "#/components/responses/Ok"}}},
        },
    },
    "components": {
        "responses": {"Ok": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Pet"}}}}},
        "schemas": {"Pet": {"allOf": [{"$ref": "#/components/schemas/Base"}],
                            "properties": {"näme": {"type": "string"},
                                           "tags": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Base"}}}},
                    "Base": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    },
}


def _pointers(data, tokens=()):
    yield tokens
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _pointers(v, (*tokens, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _pointers(v, (*tokens, str(i)))


@pytest.mark.parametrize("text", [
    json.dumps(SPEC, ensure_ascii=False, separators=(",", ":")),  # compact: serialized mode
    json.dumps(SPEC, ensure_ascii=False, indent=2) + "\n",  # orjson's indent: scan mode
    json.dumps(SPEC, indent=4).replace("\n", "\r\n"),  # escaped, CRLF: standard parser
    json.dumps(SPEC, ensure_ascii=False, separators=(",", ":")).replace('"3.0.3"', "3.0"),
])
def test_positions_match_the_scan(tmp_path, text):
    path = tmp_path / "spec.json"
    path.write_text(text, encoding="utf-8")
    spec = load(str(path))
    doc = spec.documents[""]
    pointers = [*_pointers(doc.data), ("paths", "nope"), ("info", "x-list", "9")]
    fast = [spec.location(Pointer("", t)) for t in pointers]
    doc._json_members = {loader._COMPACT: None}  # the regex scan over the text
    assert [spec.location(Pointer("", t)) for t in pointers] == fast


def test_compact_mode_is_used_for_compact_text(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC, ensure_ascii=False, separators=(",", ":")), "utf-8")
    doc = load(str(path)).documents[""]
    assert doc._json_members[loader._COMPACT] is not None


def test_json_fast_parse_falls_back_where_orjson_differs():
    big = '{"openapi":"3.1.0","n":123456789012345678901234567890}'
    doc = loader.parse_text(big, force_json=True)
    assert doc.data["n"] == 123456789012345678901234567890  # an int, as json.loads gives
    with pytest.raises(loader.SpecError, match="duplicate key 'a'"):
        loader.parse_text('{"a":1,"a":2}', force_json=True)


def test_paused_gc_freezes_and_reenables():
    assert gc.isenabled()
    with loader.paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with loader.paused_gc():
        pass
    assert gc.get_freeze_count() >= frozen
    gc.unfreeze()


def test_schema_walk_children_match_schema_children(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC), "utf-8")
    spec = load(str(path))
    for schema, ptr in spec.walk_schemas(spec.schemas.values()):
        assert spec._schema_child_list(schema, ptr) == [
            (child, child_ptr) for _role, child, child_ptr in spec.schema_children(schema, ptr)]
    pet, pet_ptr = spec.schemas["Pet"]
    first = spec.merged_properties(pet, pet_ptr)
    assert sorted(first) == ["id", "näme", "tags"]
    assert spec.merged_properties(pet, pet_ptr) is first  # shared, read-only
