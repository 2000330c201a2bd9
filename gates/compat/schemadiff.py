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

from collections.abc import Iterator, Mapping

from gatekeeper import Operation, Pointer, Spec

from gates.compat.common import base_of, operation_pairs
from gates.compat.judges import judge_request, judge_response
from gates.compat.schemafacts import (
    ADDED, CONST, DEPRECATED_REMOVED, LIFECYCLE, LIFECYCLE_KEYS, LOOSENED, MADE_OPTIONAL,
    MAX_DEPTH, NARROWED, PATTERN, REQUEST_ENUM, REQUEST_REMOVED, REQUEST_TYPE, REQUIRED,
    RESPONSE_ENUM, RESPONSE_OPTIONAL_REMOVED, RESPONSE_REMOVED, RESPONSE_TYPE, SchemaChange,
    TIGHTENED, WIDENED, branches_of, composed_of, param_schema_pointer, properties_of,
    schema_types,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


# The kinds of change (`sd.REQUIRED`, ...) are read from here by the compat rules.
__all__ = [
    "ADDED", "CONST", "DEPRECATED_REMOVED", "LIFECYCLE", "LOOSENED", "MADE_OPTIONAL", "NARROWED",
    "PATTERN", "REQUEST_ENUM", "REQUEST_REMOVED", "REQUEST_TYPE", "REQUIRED", "RESPONSE_ENUM",
    "RESPONSE_OPTIONAL_REMOVED", "RESPONSE_REMOVED", "RESPONSE_TYPE", "SchemaChange", "TIGHTENED",
    "WIDENED", "changes", "param_schema_pointer", "schema_types",
]


def changes(spec: Spec) -> list[SchemaChange]:
    """Every schema change between ``spec.base`` and `spec`, in both directions (memoised)."""
    return spec.memo("compat-schema-changes", lambda: _build(spec))


def _build(spec: Spec) -> list[SchemaChange]:
    base = base_of(spec)
    if base is None:
        return []
    walk = Walk(base, spec)
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


class Walk:
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
                             and bool(composed_of(self.base, o, op_))
                             and bool(composed_of(self.head, n, np_)))
            judge = judge_request if direction == "in" else judge_response
            judge(self, o, op_, n, np_, lab, op, both_composed)
            if any(k in o or k in n for k in LIFECYCLE_KEYS):
                self.emit(LIFECYCLE, op_, np_, lab, op, f"{lab} of `{op.label}`", "lifecycle",
                          o, n)
            for child in self.children(o, op_, n, np_, lab, both_composed):
                stack.append((*child, depth + 1))

    def children(self, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any], np_: Pointer,
                 lab: str, both_composed: bool
                 ) -> Iterator[tuple[Any, Pointer, Any, Pointer, str]]:
        base, head = self.base, self.head
        if not both_composed:
            new_props = properties_of(head, n, np_)
            for name, (ov, ovp) in properties_of(base, o, op_).items():
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
            old_b, new_b = branches_of(base, o, op_, key), branches_of(head, n, np_, key)
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
