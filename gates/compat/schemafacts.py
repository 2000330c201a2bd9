"""What the schema comparison reads from one schema (types, required and declared properties,
enums, bounds) and the kinds of change it reports (`SchemaChange`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from gatekeeper import Operation, Parameter, Pointer, Record, Spec

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


MAX_DEPTH = 24
# the kinds of change, named after the rules that report them
REQUEST_TYPE = "request-type-narrowed"
REQUEST_ENUM = "request-enum-value-removed"
RESPONSE_ENUM = "response-enum-value-added"
RESPONSE_TYPE = "response-type-changed"
CONST = "const-changed"
TIGHTENED = "constraint-tightened"
LOOSENED = "response-constraint-loosened"
PATTERN = "pattern-changed"
REQUIRED = "new-required-request-property"
REQUEST_REMOVED = "request-property-removed"
RESPONSE_REMOVED = "response-property-removed"
RESPONSE_OPTIONAL_REMOVED = "response-optional-property-removed"
MADE_OPTIONAL = "response-property-made-optional"
NARROWED = "request-composition-narrowed"
WIDENED = "response-composition-widened"
DEPRECATED_REMOVED = "deprecated-property-removed"  # judged by the lifecycle rules
ADDED = "property-added"  # informational, for the changelog
LIFECYCLE = "lifecycle"  # a schema present on both sides, for the lifecycle rules
UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
# applicators and assertions whose presence restricts what validates
RESTRICTING = ("if", "then", "else", "contains", "dependentSchemas", "propertyNames",
                "unevaluatedItems", "unevaluatedProperties", "contentSchema", "not")
CONTENT = ("contentMediaType", "contentEncoding")
LIFECYCLE_KEYS = ("deprecated", "x-sunset", "x-stability-level", "x-deprecated-at")
_PURE_TYPE = frozenset({"type", "format", "nullable", "description", "title", "example",
                        "examples", "deprecated", "$comment"})


class SchemaChange(Record):
    """One change between a base schema and the head's schema at the same place.

    `name`: the property (or other member) the change is about, if any; `old_node`: the base
    value of that member (for lifecycle rules reading its deprecation)."""

    __slots__ = ("kind", "old_ptr", "new_ptr", "label", "op", "message", "name", "old_node",
                 "new_node")
    _not_compared = ("old_node", "new_node")

    def __init__(self, kind: str, old_ptr: Pointer, new_ptr: Pointer, label: str,
                 op: Operation, message: str, name: str = "", old_node: Any = None,
                 new_node: Any = None) -> None:
        self.kind = kind
        self.old_ptr = old_ptr
        self.new_ptr = new_ptr
        self.label = label
        self.op = op  # the head operation it was first reached from
        self.message = message
        self.name = name
        self.old_node = old_node
        self.new_node = new_node


def _direct_types(schema: Mapping[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if isinstance(t, str):
        out = {t}
    elif isinstance(t, list) and t and all(isinstance(x, str) for x in t):
        out = set(t)
    else:
        return None
    if schema.get("nullable") is True:
        out.add("null")
    return out


def branches_of(spec: Spec, schema: Mapping[str, Any], ptr: Pointer, key: str
              ) -> list[tuple[Any, Pointer, str]]:
    """Resolved members of `key` (``oneOf``, ``anyOf``, ``allOf``) with an identity each: the
    component a ``$ref`` names, else the member's canonical JSON."""
    members = schema.get(key)
    if not isinstance(members, list):
        return []
    out = []
    for i, member in enumerate(members):
        value, where = spec.resolve(member, ptr.join(key, i))
        if isinstance(member, Mapping) and "$ref" in member:
            ident = "ref:" + where.fragment
        else:
            ident = json.dumps(member, sort_keys=True, default=str)
        out.append((value, where, ident))
    return out


def schema_types(spec: Spec, schema: Any, ptr: Pointer) -> frozenset[str] | None:
    """The JSON types a schema allows: ``type`` (string or list, plus ``nullable``), or the
    union of a ``oneOf``/``anyOf`` whose members only name types (``[string, integer]``
    written as alternatives). None when the schema does not say."""
    if not isinstance(schema, Mapping):
        return None
    own = _direct_types(schema)
    if own is not None:
        return frozenset(own)
    for key in ("oneOf", "anyOf"):
        members = branches_of(spec, schema, ptr, key)
        if members and all(isinstance(m, Mapping) and set(m) <= _PURE_TYPE and
                           _direct_types(m) is not None for m, _, _ in members):
            out: set[str] = set()
            for m, _, _ in members:
                out |= _direct_types(m) or set()
            if schema.get("nullable") is True:
                out.add("null")
            return frozenset(out)
    return None


def pure_type_composition(spec: Spec, schema: Mapping[str, Any], ptr: Pointer) -> bool:
    return _direct_types(schema) is None and schema_types(spec, schema, ptr) is not None and \
        any(k in schema for k in ("oneOf", "anyOf"))


def widens(old: frozenset[str], new: frozenset[str]) -> bool:
    """Every value `old` accepts, `new` accepts too (integer is within number)."""
    return all(t in new or (t == "integer" and "number" in new) for t in old)


def _required(schema: Any) -> set[str]:
    req = schema.get("required") if isinstance(schema, Mapping) else None
    return {r for r in req if isinstance(r, str)} if isinstance(req, list) else set()


def _required_all(spec: Spec, schema: Any, pointer: Pointer) -> set[str]:
    out = _required(schema)
    for member, _, _ in branches_of(spec, schema, pointer, "allOf") \
            if isinstance(schema, Mapping) else ():
        out |= _required(member)
    return out


def composed_of(spec: Spec, schema: Mapping[str, Any], ptr: Pointer) -> list[tuple[Any, Pointer]]:
    return [(m, w) for key in ("oneOf", "anyOf") for m, w, _ in branches_of(spec, schema, ptr, key)
            if isinstance(m, Mapping)]


def properties_of(spec: Spec, schema: Any, ptr: Pointer) -> dict[str, tuple[Any, Pointer]]:
    """Properties a schema documents: its own and its ``allOf`` members'; for a schema that
    is only a ``oneOf``/``anyOf``, those of any alternative."""
    if not isinstance(schema, Mapping):
        return {}
    own = spec.merged_properties(schema, ptr)
    if own:
        return own
    out: dict[str, tuple[Any, Pointer]] = {}
    for member, where in composed_of(spec, schema, ptr):
        for name, value in spec.merged_properties(member, where).items():
            out.setdefault(name, value)
    return out


def required_view(spec: Spec, schema: Any, ptr: Pointer) -> set[str]:
    """Properties a schema guarantees: its (and its ``allOf`` members') required list, plus,
    for a ``oneOf``/``anyOf`` without properties of its own, those every alternative
    requires."""
    out = _required_all(spec, schema, ptr)
    if isinstance(schema, Mapping) and not spec.merged_properties(schema, ptr):
        members = composed_of(spec, schema, ptr)
        if members:
            common = None
            for member, where in members:
                req = _required_all(spec, member, where)
                common = req if common is None else common & req
            out |= common or set()
    return out


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def enum_values(schema: Any, key: str = "enum") -> list[Any] | None:
    value = schema.get(key) if isinstance(schema, Mapping) else None
    return value if isinstance(value, list) else None


def is_open(value: Any) -> bool:
    return value is None or value is True or value == {}


def param_schema_pointer(p: Parameter) -> Pointer:
    return p.pointer / "schema" if isinstance(p.data.get("schema"), Mapping) else p.pointer


def type_text(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def implied_types(o: Mapping[str, Any]) -> set[str]:
    return ({"object"} if "properties" in o or "additionalProperties" in o else set()) | \
        ({"array"} if "items" in o else set()) | \
        ({"string"} if any(k in o for k in ("maxLength", "minLength", "pattern")) else set())
