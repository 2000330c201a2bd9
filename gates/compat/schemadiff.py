"""One recursive comparison of the schemas an operation takes and returns.

Every schema of the base that an operation reads (parameters, request bodies) or writes
(response bodies, response headers) is paired with the head's schema at the same place, and
the comparison walks down from there through properties, ``items``, ``additionalProperties``
(map values), ``patternProperties``, ``prefixItems``, ``contains``, ``if``/``then``/``else``,
``propertyNames``, ``dependentSchemas`` and ``oneOf``/``anyOf`` branches. ``allOf`` branches are
merged into their parent's properties and required list.

Each pair is judged once, in the direction it is used:

* request (``"in"``): what the server accepts must not shrink. Narrowing types, removing enum
  values, tightening constraints, requiring properties, adding applicators (``allOf`` members,
  ``if``/``then``/``else``, ``contains``, ...) or removing ``oneOf``/``anyOf`` alternatives
  break clients that send what used to be valid.
* response (``"out"``): what the client receives must not grow or lose guarantees. Widening
  types, adding enum values or alternatives, loosening constraints, dropping properties or
  their requiredness, removing applicators break clients that rely on the documented shape.

The result is a list of `SchemaChange`, each with the kind of change (the compat rule that
reports it), deduplicated per written location so a shared component is reported once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from gatekeeper import Pointer, Spec
from gatekeeper.record import Record
from gatekeeper.spec import Operation, Parameter

from gates.compat.common import base_of, inline, operation_pairs
from gates.compat.patterns import accepts_all_of

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SchemaChange", "changes", "param_schema_pointer", "schema_types"]

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

_UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
_LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
# applicators and assertions whose presence restricts what validates
_RESTRICTING = ("if", "then", "else", "contains", "dependentSchemas", "propertyNames",
                "unevaluatedItems", "unevaluatedProperties", "contentSchema", "not")
_CONTENT = ("contentMediaType", "contentEncoding")
_LIFECYCLE_KEYS = ("deprecated", "x-sunset", "x-stability-level", "x-deprecated-at")
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


# ---------------------------------------------------------------------- reading schemas


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


def _branches(spec: Spec, schema: Mapping[str, Any], ptr: Pointer, key: str
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
        members = _branches(spec, schema, ptr, key)
        if members and all(isinstance(m, Mapping) and set(m) <= _PURE_TYPE and
                           _direct_types(m) is not None for m, _, _ in members):
            out: set[str] = set()
            for m, _, _ in members:
                out |= _direct_types(m) or set()
            if schema.get("nullable") is True:
                out.add("null")
            return frozenset(out)
    return None


def _pure_type_composition(spec: Spec, schema: Mapping[str, Any], ptr: Pointer) -> bool:
    return _direct_types(schema) is None and schema_types(spec, schema, ptr) is not None and \
        any(k in schema for k in ("oneOf", "anyOf"))


def _widens(old: frozenset[str], new: frozenset[str]) -> bool:
    """Every value `old` accepts, `new` accepts too (integer is within number)."""
    return all(t in new or (t == "integer" and "number" in new) for t in old)


def _required(schema: Any) -> set[str]:
    req = schema.get("required") if isinstance(schema, Mapping) else None
    return {r for r in req if isinstance(r, str)} if isinstance(req, list) else set()


def _required_all(spec: Spec, schema: Any, pointer: Pointer) -> set[str]:
    out = _required(schema)
    for member, _, _ in _branches(spec, schema, pointer, "allOf") \
            if isinstance(schema, Mapping) else ():
        out |= _required(member)
    return out


def _composed(spec: Spec, schema: Mapping[str, Any], ptr: Pointer) -> list[tuple[Any, Pointer]]:
    return [(m, w) for key in ("oneOf", "anyOf") for m, w, _ in _branches(spec, schema, ptr, key)
            if isinstance(m, Mapping)]


def _props(spec: Spec, schema: Any, ptr: Pointer) -> dict[str, tuple[Any, Pointer]]:
    """Properties a schema documents: its own and its ``allOf`` members'; for a schema that
    is only a ``oneOf``/``anyOf``, those of any alternative."""
    if not isinstance(schema, Mapping):
        return {}
    own = spec.merged_properties(schema, ptr)
    if own:
        return own
    out: dict[str, tuple[Any, Pointer]] = {}
    for member, where in _composed(spec, schema, ptr):
        for name, value in spec.merged_properties(member, where).items():
            out.setdefault(name, value)
    return out


def _required_view(spec: Spec, schema: Any, ptr: Pointer) -> set[str]:
    """Properties a schema guarantees: its (and its ``allOf`` members') required list, plus,
    for a ``oneOf``/``anyOf`` without properties of its own, those every alternative
    requires."""
    out = _required_all(spec, schema, ptr)
    if isinstance(schema, Mapping) and not spec.merged_properties(schema, ptr):
        members = _composed(spec, schema, ptr)
        if members:
            common = None
            for member, where in members:
                req = _required_all(spec, member, where)
                common = req if common is None else common & req
            out |= common or set()
    return out


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _enum(schema: Any, key: str = "enum") -> list[Any] | None:
    value = schema.get(key) if isinstance(schema, Mapping) else None
    return value if isinstance(value, list) else None


def _is_open(value: Any) -> bool:
    return value is None or value is True or value == {}


def param_schema_pointer(p: Parameter) -> Pointer:
    return p.pointer / "schema" if isinstance(p.data.get("schema"), Mapping) else p.pointer


# ---------------------------------------------------------------------- the walk


def changes(spec: Spec) -> list[SchemaChange]:
    """Every schema change between ``spec.base`` and `spec`, in both directions (memoised)."""
    return spec.memo("compat-schema-changes", lambda: _build(spec))


def _build(spec: Spec) -> list[SchemaChange]:
    base = base_of(spec)
    if base is None:
        return []
    walk = _Walk(base, spec)
    for old_op, new_op, _ in operation_pairs(spec):
        if old_op.request_body is not None and new_op.request_body is not None:
            for media, mt in old_op.request_body.content.items():
                nt = new_op.request_body.content.get(media)
                if mt.schema_pointer is None and nt is not None and nt.schema_pointer is not None:
                    walk.emit(NARROWED, mt.pointer, nt.schema_pointer, f"request body `{media}`",
                              new_op, f"request body `{media}` of `{new_op.label}` accepts "
                              f"less: a schema was added where any content was accepted",
                              "composition")
        for o, op_, n, np_, label in _inputs(old_op, new_op):
            walk.compare(o, op_, n, np_, label, new_op, "in")
        for o, op_, n, np_, label in _outputs(old_op, new_op):
            walk.compare(o, op_, n, np_, label, new_op, "out")
    return walk.out


def _request_schemas(op: Operation) -> dict[str, tuple[Any, Pointer]]:
    out: dict[str, tuple[Any, Pointer]] = {}
    if op.request_body is not None:
        for media in op.request_body.content.values():
            if media.schema_pointer is not None:
                out[media.essence] = (media.schema, media.schema_pointer)
    return out


def _inputs(old: Operation, new: Operation) -> Iterator[tuple[Any, Pointer, Any, Pointer, str]]:
    """Input schemas present on both sides: parameters, then request body media types."""
    new_params = {p.key: p for p in new.parameters}
    for p in old.parameters:
        q = new_params.get(p.key)
        if q is not None and isinstance(p.schema, Mapping) and isinstance(q.schema, Mapping):
            yield p.schema, param_schema_pointer(p), q.schema, param_schema_pointer(q), \
                f"{p.location} parameter `{p.name}`"
    new_bodies = _request_schemas(new)
    for media, (schema, ptr) in _request_schemas(old).items():
        if media in new_bodies:
            yield schema, ptr, *new_bodies[media], f"request body `{media}`"


def _outputs(old: Operation, new: Operation) -> Iterator[tuple[Any, Pointer, Any, Pointer, str]]:
    """Output schemas present on both sides: response bodies, then response headers."""
    for code, resp in old.responses.items():
        other = new.responses.get(code)
        if other is None:
            continue
        for media, mt in resp.content.items():
            nt = other.content.get(media)
            if nt is not None and mt.schema_pointer is not None and nt.schema_pointer is not None:
                yield mt.schema, mt.schema_pointer, nt.schema, nt.schema_pointer, \
                    f"response {code} `{media}`"
        new_headers = {k.lower(): h for k, h in other.headers.items()}
        for name, header in resp.headers.items():
            h = new_headers.get(name.lower())
            if h is not None and isinstance(header.schema, Mapping) \
                    and isinstance(h.schema, Mapping):
                yield header.schema, _header_schema_ptr(header), h.schema, \
                    _header_schema_ptr(h), f"response {code} header `{name}`"


def _header_schema_ptr(header: Any) -> Pointer:
    return header.pointer / "schema" if isinstance(header.data.get("schema"), Mapping) \
        else header.pointer


class _Walk:
    def __init__(self, base: Spec, head: Spec) -> None:
        self.base = base
        self.head = head
        self.out: list[SchemaChange] = []
        self.seen_pairs: set[tuple[Pointer, Pointer, str]] = set()
        self.seen_changes: set[tuple[str, Pointer, str]] = set()

    def emit(self, kind: str, old_ptr: Pointer, new_ptr: Pointer, label: str, op: Operation,
             message: str, name: str = "", old_node: Any = None, new_node: Any = None) -> None:
        key = (kind, new_ptr, name)
        if key not in self.seen_changes:
            self.seen_changes.add(key)
            self.out.append(SchemaChange(kind, old_ptr, new_ptr, label, op, message, name,
                                         old_node, new_node))

    def compare(self, old: Any, old_ptr: Pointer, new: Any, new_ptr: Pointer, label: str,
                op: Operation, direction: str) -> None:
        o0, p0 = self.base.resolve(old, old_ptr)
        n0, q0 = self.head.resolve(new, new_ptr)
        stack = [(o0, p0, n0, q0, label, 0)]
        while stack:
            o, op_, n, np_, lab, depth = stack.pop()
            key = (op_, np_, direction)
            if key in self.seen_pairs or depth > MAX_DEPTH:
                continue
            self.seen_pairs.add(key)
            if not isinstance(o, Mapping) or not isinstance(n, Mapping):
                continue
            hidden = "readOnly" if direction == "in" else "writeOnly"
            if o.get(hidden) is True and n.get(hidden) is True:
                continue  # never travels this way: a read-only value is not sent by clients
            both_composed = (not self.base.merged_properties(o, op_)
                             and not self.head.merged_properties(n, np_)
                             and bool(_composed(self.base, o, op_))
                             and bool(_composed(self.head, n, np_)))
            judge = _judge_request if direction == "in" else _judge_response
            judge(self, o, op_, n, np_, lab, op, both_composed)
            if any(k in o or k in n for k in _LIFECYCLE_KEYS):
                self.emit(LIFECYCLE, op_, np_, lab, op, f"{lab} of `{op.label}`", "lifecycle",
                          o, n)
            for child in self.children(o, op_, n, np_, lab, both_composed):
                stack.append((*child, depth + 1))

    def children(self, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any], np_: Pointer,
                 lab: str, both_composed: bool
                 ) -> Iterator[tuple[Any, Pointer, Any, Pointer, str]]:
        base, head = self.base, self.head
        if not both_composed:
            new_props = _props(head, n, np_)
            for name, (ov, ovp) in _props(base, o, op_).items():
                if name in new_props:
                    nv, nvp = new_props[name]
                    yield ov, ovp, nv, nvp, f"{lab}.{name}"
        for key, suffix in (("items", "[]"), ("additionalProperties", "{*}"),
                            ("contains", " (contains)"), ("if", " (if)"), ("then", " (then)"),
                            ("else", " (else)"), ("propertyNames", " (propertyNames)"),
                            ("contentSchema", " (contentSchema)")):
            if isinstance(o.get(key), Mapping) and isinstance(n.get(key), Mapping):
                yield (*base.resolve(o[key], op_ / key), *head.resolve(n[key], np_ / key),
                       f"{lab}{suffix}")
        for key in ("patternProperties", "dependentSchemas"):
            a, b = o.get(key), n.get(key)
            if isinstance(a, Mapping) and isinstance(b, Mapping):
                for name in a.keys() & b.keys():
                    yield (*base.resolve(a[name], op_.join(key, name)),
                           *head.resolve(b[name], np_.join(key, name)), f"{lab}{{{name}}}")
        a, b = o.get("prefixItems"), n.get("prefixItems")
        if isinstance(a, list) and isinstance(b, list):
            for i in range(min(len(a), len(b))):
                yield (*base.resolve(a[i], op_.join("prefixItems", i)),
                       *head.resolve(b[i], np_.join("prefixItems", i)), f"{lab}[{i}]")
        for key in ("oneOf", "anyOf"):
            old_b, new_b = _branches(base, o, op_, key), _branches(head, n, np_, key)
            if not old_b or not new_b:
                continue
            by_id = {ident: (v, w) for v, w, ident in new_b}
            unmatched_old = [(v, w, i) for v, w, i in old_b if i not in by_id]
            matched = [(v, w, by_id[i]) for v, w, i in old_b if i in by_id]
            old_ids = {i for _, _, i in old_b}
            unmatched_new = [(v, w) for v, w, i in new_b if i not in old_ids]
            if len(unmatched_old) == len(unmatched_new):
                matched += [(v, w, nv) for (v, w, _), nv in zip(unmatched_old, unmatched_new)]
            for n_, (ov, ow, (nv, nw)) in enumerate(matched):
                yield ov, ow, nv, nw, f"{lab} ({key} {n_ + 1})"


# ---------------------------------------------------------------------- judging one pair


def _type_text(types: frozenset[str]) -> str:
    return "|".join(sorted(types))


def _implied_types(o: Mapping[str, Any]) -> set[str]:
    return ({"object"} if "properties" in o or "additionalProperties" in o else set()) | \
        ({"array"} if "items" in o else set()) | \
        ({"string"} if any(k in o for k in ("maxLength", "minLength", "pattern")) else set())


def _judge_request(w: _Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                   np_: Pointer, lab: str, op: Operation, both_composed: bool) -> None:
    base, head = w.base, w.head
    where = f"{lab} of `{op.label}`"
    # types
    ot, nt = schema_types(base, o, op_), schema_types(head, n, np_)
    if ot is not None and nt is not None and not _widens(ot, nt):
        w.emit(REQUEST_TYPE, op_, np_, lab, op,
               f"{where}: type narrowed from `{_type_text(ot)}` to `{_type_text(nt)}`", "type")
    elif ot is None and nt is not None and not o.get("enum") and \
            not any(k in o for k in ("allOf", "oneOf", "anyOf", "$ref", "const")):
        implied = _implied_types(o)
        if not implied or not nt <= implied | {"null"}:
            w.emit(REQUEST_TYPE, op_, np_, lab, op,
                   f"{where}: type restricted to `{_type_text(nt)}`", "type")
    # values
    oe, ne = _enum(o), _enum(n)
    if ne is not None:
        if oe is None:
            if "const" not in o:
                w.emit(REQUEST_ENUM, op_, np_, lab, op,
                       f"{where} no longer accepts any value outside the new enum", "enum")
        else:
            removed = [v for v in oe if v not in ne]
            if removed:
                w.emit(REQUEST_ENUM, op_, np_, lab, op,
                       f"{where} no longer accepts {', '.join(inline(v) for v in removed)}",
                       "enum")
    ox, nx = _enum(o, "x-extensible-enum"), _enum(n, "x-extensible-enum")
    if ox is not None and nx is not None:
        removed = [v for v in ox if v not in nx]
        if removed:
            w.emit(REQUEST_ENUM, op_, np_, lab, op,
                   f"{where} no longer accepts x-extensible-enum value(s) "
                   f"{', '.join(inline(v) for v in removed)}", "x-extensible-enum")
    if "const" in n and ("const" not in o or o["const"] != n["const"]):
        was = f"was {inline(o['const'])}" if "const" in o else "was not fixed"
        w.emit(CONST, op_, np_, lab, op,
               f"{where} now accepts only {inline(n['const'])} ({was})", "const")
    # constraints
    tightened = []
    for key in _UPPER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if b is not None and (a is None or b < a):
            tightened.append(f"`{key}` {'added' if a is None else 'lowered'}: {n.get(key)}")
    for key in _LOWER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if b is not None and (a is None or b > a) and not (a is None and b == 0):
            tightened.append(f"`{key}` {'added' if a is None else 'raised'}: {n.get(key)}")
    pa, pb = o.get("pattern"), n.get("pattern")
    pa = pa if isinstance(pa, str) else None
    pb = pb if isinstance(pb, str) else None
    if pb != pa:
        verdict = accepts_all_of(pa, pb)
        if verdict is False:
            tightened.append(f"`pattern` {'added' if pa is None else 'changed'}: `{pb}`")
        elif verdict is None:
            w.emit(PATTERN, op_, np_, lab, op,
                   f"{where}: `pattern` changed from `{pa}` to `{pb}`; whether every value "
                   f"the old pattern accepted still matches could not be decided", "pattern")
    if tightened:
        w.emit(TIGHTENED, op_, np_, lab, op, f"{where} is stricter: {'; '.join(tightened)}",
               "constraints")
    # properties
    if not both_composed:
        old_props, new_props = _props(base, o, op_), _props(head, n, np_)
        old_req = _required_view(base, o, op_)
        for name in sorted(_required_view(head, n, np_) - old_req):
            value = new_props.get(name, ({}, np_))[0]
            if isinstance(value, Mapping) and value.get("readOnly") is True:
                continue  # never sent by clients
            w.emit(REQUIRED, op_, np_, lab, op,
                   f"{lab} property `{name}` of `{op.label}` is now required", name)
        if new_props or not _is_open(n.get("additionalProperties")):
            for name, (ov, ovp) in old_props.items():
                if name in new_props or (isinstance(ov, Mapping) and ov.get("readOnly") is True):
                    continue
                if isinstance(ov, Mapping) and ov.get("deprecated") is True:
                    w.emit(DEPRECATED_REMOVED, ovp, np_, lab, op,
                           f"{lab} property `{name}` of `{op.label}` was removed", name, ov)
                else:
                    w.emit(REQUEST_REMOVED, ovp, np_, lab, op,
                           f"{lab} property `{name}` of `{op.label}` was removed", name)
        new_req = _required_view(head, n, np_)
        for name in new_props.keys() - old_props.keys():
            if name not in new_req:
                w.emit(ADDED, op_, new_props[name][1], lab, op,
                       f"{lab} of `{op.label}` accepts a new optional property `{name}`", name)
    # composition
    narrowed = list(_narrowing(base, o, op_, head, n, np_))
    if narrowed:
        w.emit(NARROWED, op_, np_, lab, op, f"{where} accepts less: {'; '.join(narrowed)}",
               "composition")


def _narrowing(base: Spec, o: Mapping[str, Any], op_: Pointer, head: Spec,
               n: Mapping[str, Any], np_: Pointer) -> Iterator[str]:
    old_all = {i for _, _, i in _branches(base, o, op_, "allOf")}
    added = [i for _, _, i in _branches(head, n, np_, "allOf") if i not in old_all]
    if added:
        yield f"{len(added)} `allOf` member(s) added"
    if not _pure_type_composition(base, o, op_):
        for key in ("oneOf", "anyOf"):
            old_b = _branches(base, o, op_, key)
            if old_b:
                new_ids = {i for _, _, i in _branches(head, n, np_, key)}
                gone = [i for _, _, i in old_b if i not in new_ids]
                if gone and len(new_ids) < len(old_b):
                    yield f"{len(old_b) - len(new_ids)} `{key}` alternative(s) removed"
    for key in _RESTRICTING:
        if key not in o and key in n and not _is_open(n[key]):
            yield f"`{key}` added"
    for key in _CONTENT:
        if key in n and o.get(key) != n[key]:
            yield f"`{key}` {'added' if key not in o else 'changed'}: {inline(n[key])}"
    a, b = o.get("dependentRequired"), n.get("dependentRequired")
    if isinstance(b, Mapping):
        a = a if isinstance(a, Mapping) else {}
        for prop, names in b.items():
            more = set(names or ()) - set(a.get(prop) or ()) if isinstance(names, list) else set()
            if more:
                yield f"`dependentRequired` of `{prop}` now needs {', '.join(sorted(more))}"
    a, b = o.get("patternProperties"), n.get("patternProperties")
    if isinstance(b, Mapping):
        for key in b.keys() - (a.keys() if isinstance(a, Mapping) else set()):
            yield f"`patternProperties` `{key}` added"
    if isinstance(o.get("prefixItems"), list) and "prefixItems" not in n:
        yield "`prefixItems` removed"
    if _is_open(o.get("additionalProperties")) and n.get("additionalProperties") is False \
            and ("properties" in o or "properties" in n):
        yield "`additionalProperties: false` added"


def _judge_response(w: _Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                    np_: Pointer, lab: str, op: Operation, both_composed: bool) -> None:
    base, head = w.base, w.head
    where = f"{lab} of `{op.label}`"
    ot, nt = schema_types(base, o, op_), schema_types(head, n, np_)
    if ot is not None and nt is not None and not nt <= ot and not (
            nt - ot <= {"integer"} and "number" in ot):
        w.emit(RESPONSE_TYPE, op_, np_, lab, op,
               f"{where} changed type from `{_type_text(ot)}` to `{_type_text(nt)}`", "type")
    oe, ne = _enum(o), _enum(n)
    if oe is not None and ne is not None:
        added = [v for v in ne if v not in oe]
        if added:
            w.emit(RESPONSE_ENUM, op_, np_, lab, op,
                   f"{where} may now return {', '.join(inline(v) for v in added)}", "enum")
    if "const" in o and ("const" not in n or o["const"] != n["const"]):
        now = f"now {inline(n['const'])}" if "const" in n else "no longer fixed"
        w.emit(CONST, op_, np_, lab, op,
               f"{where} was always {inline(o['const'])}, {now}", "const")
    loosened = []
    for key in _UPPER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if a is not None and (b is None or b > a):
            loosened.append(f"`{key}` {'removed' if b is None else 'raised'}"
                            f"{'' if b is None else f': {n.get(key)}'}")
    for key in _LOWER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if a is not None and (b is None or b < a) and not (b is None and a == 0 and
                                                           key.endswith(("Length", "Items"))):
            loosened.append(f"`{key}` {'removed' if b is None else 'lowered'}"
                            f"{'' if b is None else f': {n.get(key)}'}")
    if loosened:
        w.emit(LOOSENED, op_, np_, lab, op,
               f"{where} may return values outside the old bounds: {'; '.join(loosened)}",
               "constraints")
    if not both_composed:
        old_props, new_props = _props(base, o, op_), _props(head, n, np_)
        nt2 = schema_types(head, n, np_)
        old_req = _required_view(base, o, op_)
        gone = old_req - _required_view(head, n, np_)
        for name in sorted(gone):
            if name in new_props:
                w.emit(MADE_OPTIONAL, op_, np_, lab, op,
                       f"{lab} property `{name}` of `{op.label}` is no longer required", name)
        if old_props and (nt2 is None or "object" in nt2) and (
                new_props or n.get("additionalProperties") in (None, False)):
            for name, (ov, ovp) in old_props.items():
                if name in new_props or (isinstance(ov, Mapping) and ov.get("writeOnly") is True):
                    continue
                msg = f"{lab} property `{name}` of `{op.label}` was removed"
                if isinstance(ov, Mapping) and ov.get("deprecated") is True:
                    w.emit(DEPRECATED_REMOVED, ovp, np_, lab, op, msg, name, ov)
                elif name in old_req:
                    w.emit(RESPONSE_REMOVED, ovp, np_, lab, op, msg, name)
                else:
                    w.emit(RESPONSE_OPTIONAL_REMOVED, ovp, np_, lab, op, msg, name)
        for name in new_props.keys() - old_props.keys():
            w.emit(ADDED, op_, new_props[name][1], lab, op,
                   f"{lab} of `{op.label}` returns a new property `{name}`", name)
    widened = list(_widening(base, o, op_, head, n, np_))
    if widened:
        w.emit(WIDENED, op_, np_, lab, op, f"{where} may return more: {'; '.join(widened)}",
               "composition")


def _widening(base: Spec, o: Mapping[str, Any], op_: Pointer, head: Spec,
              n: Mapping[str, Any], np_: Pointer) -> Iterator[str]:
    if not _pure_type_composition(head, n, np_):
        for key in ("oneOf", "anyOf"):
            old_b = _branches(base, o, op_, key)
            if old_b:
                old_ids = {i for _, _, i in old_b}
                new_b = _branches(head, n, np_, key)
                added = [i for _, _, i in new_b if i not in old_ids]
                if added and len(new_b) > len(old_b):
                    yield f"{len(new_b) - len(old_b)} `{key}` alternative(s) added"
    for key in _RESTRICTING:
        if key in o and key not in n and not _is_open(o[key]):
            yield f"`{key}` removed"
    for key in _CONTENT:
        if key in o and o[key] != n.get(key):
            yield f"`{key}` {'removed' if key not in n else 'changed'}"
    a, b = o.get("dependentRequired"), n.get("dependentRequired")
    if isinstance(a, Mapping):
        b = b if isinstance(b, Mapping) else {}
        for prop, names in a.items():
            fewer = set(names or ()) - set(b.get(prop) or ()) if isinstance(names, list) \
                else set()
            if fewer:
                yield f"`dependentRequired` of `{prop}` no longer guarantees " \
                      f"{', '.join(sorted(fewer))}"
    a, b = o.get("patternProperties"), n.get("patternProperties")
    if isinstance(a, Mapping):
        for key in a.keys() - (b.keys() if isinstance(b, Mapping) else set()):
            yield f"`patternProperties` `{key}` removed"
    if isinstance(n.get("prefixItems"), list) and "prefixItems" not in o:
        yield "`prefixItems` added"
