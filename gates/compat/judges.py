"""Judging one pair of schemas in the direction it is used: a request must not accept less, a
response must not return more or guarantee less (see `schemadiff`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gatekeeper import Operation, Pointer, Spec

from gates.compat.common import inline
from gates.compat.patterns import accepts_all_of
from gates.compat.schemafacts import (
    ADDED, CONST, CONTENT, DEPRECATED_REMOVED, LOOSENED, LOWER, MADE_OPTIONAL, NARROWED, PATTERN,
    REQUEST_ENUM, REQUEST_REMOVED, REQUEST_TYPE, REQUIRED, RESPONSE_ENUM,
    RESPONSE_OPTIONAL_REMOVED, RESPONSE_REMOVED, RESPONSE_TYPE, RESTRICTING, TIGHTENED, UPPER,
    WIDENED, branches_of, enum_values, implied_types, is_open, number, properties_of,
    pure_type_composition, required_view, schema_types, type_text, widens,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gates.compat.schemadiff import Walk


def judge_request(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                  np_: Pointer, lab: str, op: Operation, both_composed: bool) -> None:
    where = f"{lab} of `{op.label}`"
    _request_types(w, o, op_, n, np_, lab, op, where)
    _request_values(w, o, op_, n, np_, lab, op, where)
    _request_constraints(w, o, op_, n, np_, lab, op, where)
    if not both_composed:
        _request_properties(w, o, op_, n, np_, lab, op, where)
    # composition
    narrowed = list(_narrowing(w.base, o, op_, w.head, n, np_))
    if narrowed:
        w.emit(NARROWED, op_, np_, lab, op, f"{where} accepts less: {'; '.join(narrowed)}",
               "composition")


def _request_types(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                   np_: Pointer, lab: str, op: Operation, where: str) -> None:
    """A request type narrowed, or restricted where none was written."""
    base, head = w.base, w.head
    ot, nt = schema_types(base, o, op_), schema_types(head, n, np_)
    if ot is not None and nt is not None and not widens(ot, nt):
        w.emit(REQUEST_TYPE, op_, np_, lab, op,
               f"{where}: type narrowed from `{type_text(ot)}` to `{type_text(nt)}`", "type")
    elif ot is None and nt is not None and not o.get("enum") and \
            not any(k in o for k in ("allOf", "oneOf", "anyOf", "$ref", "const")):
        implied = implied_types(o)
        if not implied or not nt <= implied | {"null"}:
            w.emit(REQUEST_TYPE, op_, np_, lab, op,
                   f"{where}: type restricted to `{type_text(nt)}`", "type")


def _request_values(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                    np_: Pointer, lab: str, op: Operation, where: str) -> None:
    """Enum, `x-extensible-enum` and `const` values a request no longer accepts."""
    oe, ne = enum_values(o), enum_values(n)
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
    ox, nx = enum_values(o, "x-extensible-enum"), enum_values(n, "x-extensible-enum")
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


def _request_constraints(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                         np_: Pointer, lab: str, op: Operation, where: str) -> None:
    """Bounds and patterns that reject what a request used to send."""
    tightened = []
    for key in UPPER:
        a, b = number(o.get(key)), number(n.get(key))
        if b is not None and (a is None or b < a):
            tightened.append(f"`{key}` {'added' if a is None else 'lowered'}: {n.get(key)}")
    for key in LOWER:
        a, b = number(o.get(key)), number(n.get(key))
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


def _request_properties(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                        np_: Pointer, lab: str, op: Operation, where: str) -> None:
    """Newly required, removed and added request properties."""
    base, head = w.base, w.head
    old_props, new_props = properties_of(base, o, op_), properties_of(head, n, np_)
    old_req = required_view(base, o, op_)
    for name in sorted(required_view(head, n, np_) - old_req):
        value = new_props.get(name, ({}, np_))[0]
        if isinstance(value, Mapping) and value.get("readOnly") is True:
            continue  # never sent by clients
        w.emit(REQUIRED, op_, np_, lab, op,
               f"{lab} property `{name}` of `{op.label}` is now required", name)
    if new_props or not is_open(n.get("additionalProperties")):
        for name, (ov, ovp) in old_props.items():
            if name in new_props or (isinstance(ov, Mapping) and ov.get("readOnly") is True):
                continue
            if isinstance(ov, Mapping) and ov.get("deprecated") is True:
                w.emit(DEPRECATED_REMOVED, ovp, np_, lab, op,
                       f"{lab} property `{name}` of `{op.label}` was removed", name, ov)
            else:
                w.emit(REQUEST_REMOVED, ovp, np_, lab, op,
                       f"{lab} property `{name}` of `{op.label}` was removed", name)
    new_req = required_view(head, n, np_)
    for name in new_props.keys() - old_props.keys():
        if name not in new_req:
            w.emit(ADDED, op_, new_props[name][1], lab, op,
                   f"{lab} of `{op.label}` accepts a new optional property `{name}`", name)


def _narrowing(base: Spec, o: Mapping[str, Any], op_: Pointer, head: Spec,
               n: Mapping[str, Any], np_: Pointer) -> Iterator[str]:
    old_all = {i for _, _, i in branches_of(base, o, op_, "allOf")}
    added = [i for _, _, i in branches_of(head, n, np_, "allOf") if i not in old_all]
    if added:
        yield f"{len(added)} `allOf` member(s) added"
    if not pure_type_composition(base, o, op_):
        for key in ("oneOf", "anyOf"):
            old_b = branches_of(base, o, op_, key)
            if old_b:
                new_ids = {i for _, _, i in branches_of(head, n, np_, key)}
                gone = [i for _, _, i in old_b if i not in new_ids]
                if gone and len(new_ids) < len(old_b):
                    yield f"{len(old_b) - len(new_ids)} `{key}` alternative(s) removed"
    for key in RESTRICTING:
        if key not in o and key in n and not is_open(n[key]):
            yield f"`{key}` added"
    for key in CONTENT:
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
    if is_open(o.get("additionalProperties")) and n.get("additionalProperties") is False \
            and ("properties" in o or "properties" in n):
        yield "`additionalProperties: false` added"


def judge_response(w: Walk, o: Mapping[str, Any], op_: Pointer, n: Mapping[str, Any],
                   np_: Pointer, lab: str, op: Operation, both_composed: bool) -> None:
    base, head = w.base, w.head
    where = f"{lab} of `{op.label}`"
    ot, nt = schema_types(base, o, op_), schema_types(head, n, np_)
    if ot is not None and nt is not None and not nt <= ot and not (
            nt - ot <= {"integer"} and "number" in ot):
        w.emit(RESPONSE_TYPE, op_, np_, lab, op,
               f"{where} changed type from `{type_text(ot)}` to `{type_text(nt)}`", "type")
    oe, ne = enum_values(o), enum_values(n)
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
    for key in UPPER:
        a, b = number(o.get(key)), number(n.get(key))
        if a is not None and (b is None or b > a):
            loosened.append(f"`{key}` {'removed' if b is None else 'raised'}"
                            f"{'' if b is None else f': {n.get(key)}'}")
    for key in LOWER:
        a, b = number(o.get(key)), number(n.get(key))
        if a is not None and (b is None or b < a) and not (b is None and a == 0 and
                                                           key.endswith(("Length", "Items"))):
            loosened.append(f"`{key}` {'removed' if b is None else 'lowered'}"
                            f"{'' if b is None else f': {n.get(key)}'}")
    if loosened:
        w.emit(LOOSENED, op_, np_, lab, op,
               f"{where} may return values outside the old bounds: {'; '.join(loosened)}",
               "constraints")
    if not both_composed:
        old_props, new_props = properties_of(base, o, op_), properties_of(head, n, np_)
        nt2 = schema_types(head, n, np_)
        old_req = required_view(base, o, op_)
        gone = old_req - required_view(head, n, np_)
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
    if not pure_type_composition(head, n, np_):
        for key in ("oneOf", "anyOf"):
            old_b = branches_of(base, o, op_, key)
            if old_b:
                old_ids = {i for _, _, i in old_b}
                new_b = branches_of(head, n, np_, key)
                added = [i for _, _, i in new_b if i not in old_ids]
                if added and len(new_b) > len(old_b):
                    yield f"{len(new_b) - len(old_b)} `{key}` alternative(s) added"
    for key in RESTRICTING:
        if key in o and key not in n and not is_open(o[key]):
            yield f"`{key}` removed"
    for key in CONTENT:
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
