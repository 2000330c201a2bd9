"""The official OpenAPI JSON Schemas that gatekeeper ships (gatekeeper/schemas/oas-*.json, see
gatekeeper/schemas/README.md for the release of each), and the validators built from them.

For OpenAPI 3.1 and 3.2 the document schema alone says only that a Schema Object is an object
or a boolean. Every Schema Object is checked against its dialect's meta-schema as well: the
document schema's `schema` definition (the `$dynamicAnchor: meta` every Schema Object position
resolves to) is replaced by a dispatcher that reads the Schema Object's own `$schema`, else the
document's `jsonSchemaDialect`, else the OpenAPI dialect of the document's version, and applies
that dialect's meta-schema (the OpenAPI 3.1/3.2 dialects, JSON Schema 2020-12, 2019-09,
draft-07, draft-06 and draft-04). A dialect gatekeeper does not know is left unchecked (and reported
by `validity/unknown-dialect`), never guessed. Nothing is ever fetched: every `$ref` resolves
inside the shipped files or jsonschema's own copies of the JSON Schema meta-schemas.
"""

from __future__ import annotations

import functools
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
#: The JSON Schema drafts gatekeeper knows, by their meta-schema URI (as jsonschema's copies
#: name them; a trailing `#` is accepted), each checked against that draft's meta-schema.
JSON_SCHEMA_DRAFTS = {
    DRAFT_2020_12: "2020-12",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
    "http://json-schema.org/draft-07/schema": "draft-07",
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
}
_DRAFT_URI = {name: uri for uri, name in JSON_SCHEMA_DRAFTS.items()}
#: The OpenAPI dialect identifiers of each version: the `/dialect/base` of the 3.1.0 text, the
#: dated identifiers published since, and the work-in-progress one of the sources.
OAS_DIALECT = {"3.1": re.compile(r"^https://spec\.openapis\.org/oas/3\.1/dialect/[^/#]+#?$"),
               "3.2": re.compile(r"^https://spec\.openapis\.org/oas/3\.2/dialect/[^/#]+#?$")}
_SHIPPED_ID = {v: f"https://spec.openapis.org/oas/{v}/dialect/WORK-IN-PROGRESS"
               for v in OAS_DIALECT}


def dialect_of(uri: Any) -> str | None:
    """'3.1' or '3.2' (the OpenAPI dialects), '2020-12', '2019-09', 'draft-07', ... for a
    dialect gatekeeper knows, else None."""
    if not isinstance(uri, str):
        return None
    if uri.endswith("#"):
        uri = uri[:-1]
    if uri in JSON_SCHEMA_DRAFTS:
        return JSON_SCHEMA_DRAFTS[uri]
    for version, pattern in OAS_DIALECT.items():
        if pattern.match(uri):
            return version
    return None


@functools.cache
def shipped(name: str) -> dict[str, Any]:
    """One shipped schema file, e.g. `shipped("oas-3.1.schema")`."""
    import json
    import os

    import gatekeeper

    path = os.path.join(os.path.dirname(gatekeeper.__file__), "schemas", f"{name}.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _dialect_ref(dialect: str) -> str:
    return _DRAFT_URI.get(dialect) or _SHIPPED_ID[dialect]


def _dispatcher(default: str | None) -> dict[str, Any]:
    """The `schema` definition: the meta-schema of the Schema Object's dialect."""
    def with_schema(value: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "required": ["$schema"], "properties": {"$schema": value}}

    branches: list[dict[str, Any]] = [
        {"if": with_schema({"type": "string", "pattern": f"^{re.escape(uri)}#?$"}),
         "then": {"$ref": uri}} for uri in JSON_SCHEMA_DRAFTS]
    for version, pattern in OAS_DIALECT.items():
        branches.append({"if": with_schema({"type": "string", "pattern": pattern.pattern}),
                         "then": {"$ref": _SHIPPED_ID[version]}})
    if default is not None:
        branches.append({"if": {"not": {"type": "object", "required": ["$schema"]}},
                         "then": {"$ref": _dialect_ref(default)}})
    return {"$dynamicAnchor": "meta", "type": ["object", "boolean"], "allOf": branches}


def document_schema(version: str, dialect: str | None = None) -> dict[str, Any]:
    """The schema a whole document of `version` is validated against; for 3.1/3.2 with
    Schema Objects checked against `dialect` by default (None: not checked)."""
    schema = shipped(f"oas-{version}.schema")
    if version not in OAS_DIALECT:
        return schema
    schema = dict(schema)
    schema["$defs"] = {**schema["$defs"], "schema": _dispatcher(dialect)}
    return schema


def _extra_resources(with_drafts: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """The shipped dialect files; with the JSON Schema meta-schemas (jsonschema's copies)
    for jsonschema-rs, which bundles only those of 2020-12."""
    out = _json_schema_metaschemas() if with_drafts else []
    for version in OAS_DIALECT:
        for part in ("dialect", "meta"):
            contents = shipped(f"oas-{version}.{part}")
            out.append((contents["$id"], contents))
    return out


def _json_schema_metaschemas() -> list[tuple[str, dict[str, Any]]]:
    """The JSON Schema meta-schemas of drafts 4 to 2020-12 (with their vocabularies), read from
    the files of the jsonschema-specifications package: located, not imported (its import
    pulls in `referencing` and `attrs`, ~20 ms of start-up a valid spec never needs)."""
    import importlib.util
    import json
    import os

    found = importlib.util.find_spec("jsonschema_specifications")
    base = os.path.join((found.submodule_search_locations or [""])[0], "schemas") if found \
        else ""
    out = []
    for folder, _, names in os.walk(base):
        if os.path.basename(folder) == "draft3":
            continue
        for name in names:
            if name.endswith(".json") or "." not in name:
                try:
                    with open(os.path.join(folder, name), encoding="utf-8") as fh:
                        contents = json.load(fh)
                except (OSError, ValueError):
                    continue
                uri = contents.get("$id") or contents.get("id") if isinstance(
                    contents, dict) else None
                if isinstance(uri, str) and "draft-03" not in uri:
                    out.append((uri.rstrip("#"), contents))
    return out


def refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"schema retrieval refused: {uri}")  # never fetch


@functools.cache
def rs_validator(version: str, dialect: str | None = None) -> Any:
    """jsonschema-rs's compiled validator, or None when jsonschema-rs is unavailable."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        registry = jsonschema_rs.Registry(_extra_resources(with_drafts=True),
                                         retriever=refuse_retrieval)
        return jsonschema_rs.validator_for(document_schema(version, dialect),
                                           registry=registry, retriever=refuse_retrieval)
    except Exception:  # noqa: BLE001 - an older jsonschema-rs: the jsonschema backend is used
        return None


@functools.cache
def detail_validator(version: str, dialect: str | None = None) -> Any:
    """The same schema through jsonschema, whose errors say *which* branch failed. Its
    registry holds the shipped files and the JSON Schema meta-schemas, nothing else."""
    from jsonschema.validators import validator_for

    from gatekeeper import in_instance_order, registered_validator

    schema = document_schema(version, dialect)
    uri = schema.get("$id") or schema["id"]  # every shipped document schema has one
    return registered_validator(in_instance_order(validator_for(schema)), uri,
                                [*_extra_resources(), (uri, schema)])
