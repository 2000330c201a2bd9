"""Spec.walk_schemas: one walk over many roots gives the union of the single walks, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper import SCHEMA_CHILD_KEYS, load

from conftest import CORPUS

REPO = Path(__file__).resolve().parent.parent


def test_walk_schemas_is_the_union_of_walk_schema_once():
    for name in ("petstore.yaml", "showcase.yaml"):
        spec = load(str(REPO / "sample_specs" / name))
        roots = list(spec.schemas.values())
        roots += [(m.schema, m.schema_pointer) for op in spec.operations
                  for r in op.responses.values() for m in r.content.values()
                  if m.schema_pointer is not None]
        union = {ptr for value, ptr in roots for _, ptr in spec.walk_schema(value, ptr)}
        walked = [ptr for _, ptr in spec.walk_schemas(roots)]
        assert len(walked) == len(set(walked))
        assert set(walked) == union


@pytest.mark.parametrize("path", [
    *sorted((REPO / "sample_specs").glob("*.yaml")),
    *[CORPUS / name for name in ("stripe/spec3.yaml",)],
], ids=lambda p: p.name)
@pytest.mark.parametrize("reads", [frozenset(), frozenset({"pattern", "default", "$schema"}),
                                   frozenset({"type"})])
def test_walk_by_place_is_walk_schemas_without_what_has_nothing_to_read(path, reads):
    """`Spec.walk_schema_places` visits the schemas `walk_schemas` visits, in the same order,
    but for those with none of `reads`, no child keyword and no `$ref`; a root met twice
    (the same tuple) is walked once."""
    if not path.exists():
        pytest.skip(f"{path} not present")
    spec = load(str(path))
    roots = list(spec.schemas.values())
    roots += [(m.schema, m.schema_pointer) for op in spec.operations
              for r in op.responses.values() for m in r.content.values()
              if m.schema_pointer is not None]
    worth = SCHEMA_CHILD_KEYS | reads | {"$ref"}
    expected = [(ptr.file, ptr.tokens) for node, ptr in spec.walk_schemas(roots)
                if not worth.isdisjoint(node)]
    places = [(value, ptr.file, ptr.tokens) for value, ptr in roots]
    got = [(file, tokens) for node, file, tokens in
           spec.walk_schema_places(places + places[:3], reads)]
    assert got == expected
    assert len(expected) > 0
