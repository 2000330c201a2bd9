"""Spec.walk_schemas: one walk over many roots gives the union of the single walks, once."""

from __future__ import annotations

from pathlib import Path

from gatekeeper import load

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
