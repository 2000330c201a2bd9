"""The fast paths (start-up, YAML, index) give exactly what the plain paths give (benchmarks/README.md,
"Gate and index hot paths")."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys

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


@pytest.mark.parametrize("value", [
    "plain", "é ☃ 𝄞 \x00\x1f\x7f\u2028 \\ \"", 0.5, 1e-05, 1e16, 123456789.123, -0.0,
    2**63, 2**70, -(2**63) - 1, True, None, [], {}, [[], {"b": {}}], "\ud800",
    float("nan"), ("a", 1), {1: "one"}, [{"x": 1.5}, {"y": [2.5e-7]}],
    {type("Key", (str,), {})("k"): 1}, {None: 1}, {True: 1},
])
def test_json_report_text_is_the_standard_librarys(value):
    """The JSON reporter's orjson path writes byte for byte what ``json.dumps(indent=2,
    sort_keys=True)`` writes, and hands every value it would spell differently to it."""
    from gatekeeper.reporters import json as reporter

    data = {"z": [value] * reporter._ORJSON_FROM, "a": value, "é": {"k": value}}
    try:
        expected = json.dumps(data, indent=2, sort_keys=True, allow_nan=False,
                              ensure_ascii=False) + "\n"
    except ValueError:
        expected = None
    raw = reporter._orjson(data)
    if raw is not None:
        assert raw.decode() == expected
    elif expected is not None:
        assert reporter._std_dumps(data) + "\n" == expected


@pytest.mark.parametrize("text", [
    "plain ascii", "café ©\u00a0 ’quoted’ — …", "\x7f", "\x80", "\x9b[31m", "\x9f", "\xa0",
    "\u2027 \u2028", "\u2029", "\u202a", "\u202e", "\u202f", "\u2065", "\u2066", "\u2069",
    "\u206a", "’" * 30_000 + "\u2028",
])
def test_json_report_escapes_the_same_characters_from_bytes(text):
    """The reporter's look at the UTF-8 bytes before its regex escapes exactly what the
    regex alone escapes (DEL, C1 controls, line separators, bidi controls)."""
    from gatekeeper.reporters import json as reporter

    assert reporter._inert_utf8(text.encode()) == reporter._inert(text)


def test_ref_targets_resolve_through_a_symlinked_folder(tmp_path):
    """The resolver's cached real paths (per folder, then one `lstat`) follow symbolic links
    exactly as `os.path.realpath` does: a link to a folder inside the root is allowed, a
    link out of it is refused."""
    import os

    from gatekeeper.errors import SpecError

    (tmp_path / "api" / "real").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "api" / "real" / "pet.yaml").write_text("type: object\n")
    (tmp_path / "outside" / "pet.yaml").write_text("type: string\n")
    os.symlink(tmp_path / "api" / "real", tmp_path / "api" / "inside")
    os.symlink(tmp_path / "outside", tmp_path / "api" / "out")
    os.symlink(tmp_path / "outside" / "pet.yaml", tmp_path / "api" / "real" / "leak.yaml")
    root = tmp_path / "api" / "spec.yaml"

    def spec(ref):
        root.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
                        f"components:\n  schemas:\n    Pet: {{$ref: '{ref}'}}\n")
        return load(str(root))

    assert spec("inside/pet.yaml").schemas["Pet"][0] == {"type": "object"}
    assert spec("inside/../real/pet.yaml").schemas["Pet"][0] == {"type": "object"}
    for ref in ("out/pet.yaml", "real/leak.yaml", "inside/leak.yaml"):
        with pytest.raises(SpecError, match="leaves the spec folder"):
            spec(ref)


@pytest.mark.parametrize("odd", ["", "\u2028", "\x9b", "\ud800"])
def test_the_json_report_as_bytes_is_the_rendered_text(tmp_path, odd):
    """Stdout, ``--output`` and ``--report json=`` write the JSON report from orjson's bytes
    (`render_bytes`, no decode and encode of the document): byte for byte the UTF-8 of
    `render`'s text, with its escapes for separators, C1 controls and lone surrogates, also on
    a report big enough for orjson."""
    from gatekeeper import Config, load, run
    from gatekeeper.registry import builtin_gates
    from gatekeeper.reporters import json as reporter
    from gatekeeper.safe_text import utf8

    paths = {f"/items{i}{odd}/{{id}}": {"get": {"responses": {"200": {"description": "ok"}}}}
             for i in range(400)}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                                "paths": paths}))
    report = run(load(str(spec)), builtin_gates(), Config(), generated_at="2026-01-01T00:00:00Z")
    expected = utf8(reporter.render(report))
    assert reporter._plain_nodes(report.to_dict()) >= reporter._ORJSON_FROM or odd == "\ud800"
    assert reporter.render_bytes(report) == expected
    if odd:
        assert odd.encode("utf-8", "surrogatepass") not in expected  # escaped, never raw

    out, rep = tmp_path / "out.json", tmp_path / "rep.json"
    printed = subprocess.run([sys.executable, "-m", "gatekeeper", "check", str(spec), "--format",
                              "json"], capture_output=True, timeout=300)
    written = subprocess.run([sys.executable, "-m", "gatekeeper", "check", str(spec), "--format",
                              "json", "-o", str(out), "--report", f"json={rep}"],
                             capture_output=True, timeout=300)
    assert (printed.returncode, written.returncode) == (1, 1), printed.stderr
    docs = [re.sub(rb'"generated_at": "[^"]*"', b"", doc)
            for doc in (printed.stdout, out.read_bytes(), rep.read_bytes())]
    assert docs[0] == docs[1] == docs[2]
    assert docs[0].decode("utf-8").count("\n") == expected.decode("utf-8").count("\n")
    if odd:
        assert odd.encode("utf-8", "surrogatepass") not in docs[0]
