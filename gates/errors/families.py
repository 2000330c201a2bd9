"""Error-schema families: the error bodies of the API grouped by shape (see the gate's docs)."""

from __future__ import annotations

from gatekeeper import (
    Pointer, Record, Spec, is_health_endpoint, is_well_known_auth_endpoint,
)

from gates.errors.common import body_media, display_name, scoped_errors
from gates.errors.shape import schema_shape

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


class Family(Record):
    __slots__ = ("key", "name", "kind", "properties", "pointer", "operations", "flags")

    def __init__(self, key: str, name: str, kind: str, properties: frozenset[str],
                 pointer: Pointer, operations: list[str] | None = None,
                 flags: frozenset[str] = frozenset()) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.properties = properties
        self.pointer = pointer
        self.operations = [] if operations is None else operations
        self.flags = flags  # boolean properties (`ok`, `success`): they carry no error


def _flags(spec: Spec, schema: Any, ptr: Pointer) -> frozenset[str]:
    """The boolean-typed properties of a body schema (Slack's `ok`)."""
    out = set()
    for name, (value, _p) in spec.merged_properties(schema, ptr).items():
        t = value.get("type") if isinstance(value, dict) else None
        if t == "boolean" or (isinstance(t, list) and set(t) - {"null"} == {"boolean"}):
            out.add(name)
    return frozenset(out)


def error_families(spec: Spec, *, accept_default: bool = True,
                   exempt_methods: tuple[str, ...] = ("options",),
                   include_webhooks: bool = False, include_callbacks: bool = False,
                   canonical_error_schemas: tuple[str, ...] = ()) -> list[Family]:
    """The error-schema families of the API, largest first (see the module docs)."""
    key = ("errors.families", accept_default, tuple(exempt_methods), include_webhooks,
           include_callbacks, tuple(canonical_error_schemas))
    return spec.memo(key, lambda: _families(spec, accept_default, exempt_methods,
                                            include_webhooks, include_callbacks,
                                            canonical_error_schemas))


def _families(spec: Spec, accept_default: bool, exempt_methods: tuple[str, ...],
              include_webhooks: bool, include_callbacks: bool,
              canonical: tuple[str, ...]) -> list[Family]:
    raw = _raw_families(spec, accept_default, exempt_methods, include_webhooks,
                        include_callbacks, canonical)
    return _merge(list(raw.values()))


def _raw_families(spec: Spec, accept_default: bool, exempt_methods: tuple[str, ...],
                  include_webhooks: bool, include_callbacks: bool,
                  canonical: tuple[str, ...]) -> dict[str, Family]:
    """One family per schema identity (canonical name, `$ref` base, or inline properties)."""
    raw: dict[str, Family] = {}
    labels: dict[str, set[str]] = {}
    # The label built once an operation (with the path readings cached per path, Graph
    # beta's 22,361 operations on 14,227 paths: 0.14 -> 0.09 s of CPU in
    # `errors/inconsistent-error-schemas`, which builds the families).
    for op, errs in scoped_errors(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        if is_well_known_auth_endpoint(op.path) or is_health_endpoint(op.path):
            continue
        label = None
        for resp in errs:
            for fkey, name, shape, media, ptr in _body_families(spec, resp, canonical):
                fam = raw.get(fkey)
                if fam is None:
                    base = shape["base"]
                    fam = raw[fkey] = Family(fkey, name, shape["kind"], shape["properties"],
                                             base or ptr, flags=_flags(spec, media.schema, ptr))
                    labels[fkey] = set()
                seen = labels[fkey]  # a set: 22k operations in Graph
                if label is None:
                    label = op.label
                if label not in seen:
                    seen.add(label)
                    fam.operations.append(label)
    return raw


def _body_families(spec: Spec, resp: Any, canonical: tuple[str, ...]
                   ) -> list[tuple[str, str, dict[str, Any], Any, Pointer]]:
    """(family key, family name, shape, media, schema pointer) of each structured body of
    the response; once per `content` mapping and canonical names (a shared response is
    read for each of Graph beta's 22,000 operations)."""
    return spec.memo_of(("errors.body-families", tuple(canonical)), resp.content,
                        lambda: _body_families_of(spec, resp, canonical))


def _body_families_of(spec: Spec, resp: Any, canonical: tuple[str, ...]
                      ) -> list[tuple[str, str, dict[str, Any], Any, Pointer]]:
    out = []
    for media in body_media(spec, resp):
        ptr = media.schema_pointer or media.pointer
        shape = schema_shape(spec, media.schema, ptr)
        if not shape["structured"]:
            continue
        base = shape["base"]
        canon = next((c for c in canonical if base is not None and (
            c == str(base) or c == base.fragment or
            (base.tokens and c == base.tokens[-1]))), None)
        if canon is not None:
            fkey, name = "canonical:" + canon, canon
        elif base is not None:
            fkey, name = "ref:" + str(base), display_name(base)
        else:
            props = sorted(shape["properties"])
            fkey = "inline:" + ",".join(props)
            name = "inline {" + ", ".join(props[:5]) + (", ..." if len(props) > 5
                                                        else "") + "}"
        out.append((fkey, name, shape, media, ptr))
    return out


def _same_format(a: Family, b: Family) -> bool:
    """Whether two families are one error format (the gate's docs: by shape, not by name)."""
    if a.key.startswith("canonical:") or b.key.startswith("canonical:"):
        return a.key == b.key
    if a.kind == b.kind and a.kind != "custom":
        return True
    if "problem" in (a.kind, b.kind) and a.kind != b.kind:
        return False
    # custom shapes, or a custom shape next to an envelope: by overlap
    shared = a.properties & b.properties
    common = len(shared)
    smaller = min(len(a.properties), len(b.properties)) or 1
    # sharing only a boolean flag is not sharing a format: Slack's `{ok}` error
    # bodies carry no error code, its `{ok, error, ...}` bodies do
    return common >= (1 if a.kind == b.kind else 2) and common / smaller >= 0.5 \
        and bool(shared - (a.flags | b.flags))


def _merge(items: list[Family]) -> list[Family]:
    """Merge families of one shape (module docs: identity by shape, not by name), largest
    first."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            if _same_format(a, items[j]):
                parent[find(j)] = find(i)
    groups: dict[int, list[Family]] = {}
    for i, fam in enumerate(items):
        groups.setdefault(find(i), []).append(fam)
    merged = []
    for members in groups.values():
        members.sort(key=lambda f: -len(f.operations))
        head = members[0]
        ops: list[str] = []
        have: set[str] = set()
        for m in members:
            for o in m.operations:
                if o not in have:
                    have.add(o)
                    ops.append(o)
        names = [m.name for m in members]
        merged.append(Family(head.key, " / ".join(names[:3]) + (" / ..." if len(names) > 3
                                                                else ""),
                             head.kind, frozenset().union(*(m.properties for m in members)),
                             head.pointer, ops, frozenset().union(*(m.flags for m in members))))
    merged.sort(key=lambda f: (-len(f.operations), f.pointer))
    return merged
