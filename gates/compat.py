"""Backward compatibility: what a change to the spec breaks for existing clients.

Runs only when the spec carries a base to compare with (``gatekeeper check --base REF`` or
``--base-file``; the compare driver sets ``spec.base``); with no base it yields nothing.
Operations are matched by method and path template (path parameter names ignored),
parameters by name and location, schemas structurally from each operation down. A finding
sits at the head element that changed (or its nearest surviving parent) and names the base
location in its message and in ``extra["base"]``.

A breaking change fails the gate unless the API's major version was bumped, in
``info.version`` (``1.4.0`` to ``2.0.0``) or in the URL (``/v1`` to ``/v2``): then the
findings are reported as ``info`` and the gate passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from gatekeeper import Gate, Pointer, Severity, Spec, Violation, rule
from gatekeeper.record import Record
from gatekeeper.spec import Operation, Parameter

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["GATE", "base_of", "major_bumped"]

MAX_DEPTH = 24
_PARAM = re.compile(r"\{[^}/]*\}")
_URL_VERSION = re.compile(r"(?:^|/)v(\d+)(?:[._-]\d+)*(?:beta\d*|alpha\d*)?(?=/|$)", re.I)
_MAJOR = re.compile(r"^\s*v?(\d+)")


def base_of(spec: Spec) -> Spec | None:
    base = getattr(spec, "base", None)
    return base if isinstance(base, Spec) else None


# ---------------------------------------------------------------------- versions


def _major(text: str) -> int | None:
    m = _MAJOR.match(text or "")
    return int(m.group(1)) if m else None


def _url_major(spec: Spec) -> int | None:
    found = []
    for s in spec.servers:
        path = re.sub(r"^[a-z]+://[^/]*", "", s.url, flags=re.I)
        m = _URL_VERSION.search(path)
        if m:
            found.append(int(m.group(1)))
    if not found:
        for p in spec.paths:
            m = _URL_VERSION.search(str(p))
            if m:
                found.append(int(m.group(1)))
    return max(found) if found else None


def major_bumped(base: Spec, head: Spec) -> str | None:
    """How the major version went up (``"info.version 1.2.0 to 2.0.0"``), else None."""
    b, h = _major(base.api_version), _major(head.api_version)
    if b is not None and h is not None and h > b:
        return f"info.version {base.api_version} to {head.api_version}"
    b, h = _url_major(base), _url_major(head)
    if b is not None and h is not None and h > b:
        return f"URL version v{b} to v{h}"
    return None


# ---------------------------------------------------------------------- helpers


def _op_key(op: Operation) -> tuple[str, str, str]:
    return op.kind, op.method, _PARAM.sub("{}", op.path)


def _pairs(spec: Spec) -> Iterator[tuple[Operation, Operation, Spec]]:
    base = base_of(spec)
    if base is None:
        return
    head_ops = {_op_key(op): op for op in spec.operations}
    for old in base.operations:
        new = head_ops.get(_op_key(old))
        if new is not None:
            yield old, new, base


def _where(base: Spec, pointer: Pointer) -> str:
    return str(base.location(pointer))


def _violation(spec: Spec, base: Spec, pointer: Pointer, base_pointer: Pointer, message: str,
               subject: str) -> Violation:
    where = _where(base, base_pointer)
    bumped = spec.memo("compat-bumped", lambda: major_bumped(base, spec))
    severity = None
    text = f"{message} (base: {where})"
    if bumped:
        severity = Severity.INFO
        text += f"; allowed by the major version bump ({bumped})"
    return Violation(pointer, text, subject=subject, severity=severity,
                     extra=(("base", where), ("base_pointer", str(base_pointer))))


def _types(schema: Any) -> frozenset[str] | None:
    if not isinstance(schema, Mapping):
        return None
    t = schema.get("type")
    if isinstance(t, str):
        out = {t}
    elif isinstance(t, list) and all(isinstance(x, str) for x in t):
        out = set(t)
    else:
        return None
    if schema.get("nullable") is True:
        out.add("null")
    return frozenset(out)


def _widens(old: frozenset[str], new: frozenset[str]) -> bool:
    """Every value `old` accepts, `new` accepts too (integer is within number)."""
    return all(t in new or (t == "integer" and "number" in new) for t in old)


def _required(schema: Any) -> set[str]:
    req = schema.get("required") if isinstance(schema, Mapping) else None
    return {r for r in req if isinstance(r, str)} if isinstance(req, list) else set()


def _enum(schema: Any) -> list[Any] | None:
    value = schema.get("enum") if isinstance(schema, Mapping) else None
    return value if isinstance(value, list) else None


def _props(spec: Spec, schema: Any, pointer: Pointer) -> dict[str, tuple[Any, Pointer]]:
    return spec.merged_properties(schema, pointer) if isinstance(schema, Mapping) else {}


def _required_all(spec: Spec, schema: Any, pointer: Pointer) -> set[str]:
    out = _required(schema)
    if isinstance(schema, Mapping) and isinstance(schema.get("allOf"), list):
        for i, member in enumerate(schema["allOf"]):
            resolved, _ = spec.resolve(member, pointer.join("allOf", i))
            out |= _required(resolved)
    return out


def _items(spec: Spec, schema: Any, pointer: Pointer) -> tuple[Any, Pointer] | None:
    if isinstance(schema, Mapping) and isinstance(schema.get("items"), Mapping):
        return spec.resolve(schema["items"], pointer / "items")
    return None


class _Pair(Record):
    """A schema present in base and head, reached from an operation's inputs or outputs."""

    __slots__ = ("old", "old_ptr", "new", "new_ptr", "label", "op", "old_props", "new_props")

    def __init__(self, old: Mapping[str, Any], old_ptr: Pointer, new: Mapping[str, Any],
                 new_ptr: Pointer, label: str, op: Operation,
                 old_props: dict[str, tuple[Any, Pointer]],
                 new_props: dict[str, tuple[Any, Pointer]]) -> None:
        self.old = old
        self.old_ptr = old_ptr
        self.new = new
        self.new_ptr = new_ptr
        self.label = label
        self.op = op  # the head operation it was first reached from
        self.old_props = old_props
        self.new_props = new_props


def _schema_pairs(spec: Spec, direction: str) -> list[_Pair]:
    """Every schema present in both versions, from each operation's inputs (``"in"``) or
    outputs (``"out"``) down through properties and items; each (base, head) location pair
    once for the whole spec, so shared components are compared once (cycle-safe)."""
    return spec.memo(("compat-pairs", direction), lambda: _build_pairs(spec, direction))


def _build_pairs(spec: Spec, direction: str) -> list[_Pair]:
    out: list[_Pair] = []
    seen: set[tuple[Pointer, Pointer]] = set()
    for old_op, new_op, base in _pairs(spec):
        sources = _inputs(old_op, new_op) if direction == "in" else _outputs(old_op, new_op)
        for schema, ptr, nschema, nptr, label in sources:
            o0, p0 = base.resolve(schema, ptr)
            n0, q0 = spec.resolve(nschema, nptr)
            stack = [(o0, p0, n0, q0, label, 0)]
            while stack:
                o, op_, n, np_, lab, depth = stack.pop()
                if (op_, np_) in seen or depth > MAX_DEPTH:
                    continue
                seen.add((op_, np_))
                if not isinstance(o, Mapping) or not isinstance(n, Mapping):
                    continue
                old_props, new_props = _props(base, o, op_), _props(spec, n, np_)
                out.append(_Pair(o, op_, n, np_, lab, new_op, old_props, new_props))
                for name, (ov, ovp) in old_props.items():
                    if name in new_props:
                        nv, nvp = new_props[name]
                        stack.append((ov, ovp, nv, nvp, f"{lab}.{name}", depth + 1))
                oi, ni = _items(base, o, op_), _items(spec, n, np_)
                if oi and ni:
                    stack.append((oi[0], oi[1], ni[0], ni[1], f"{lab}[]", depth + 1))
    return out


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
            yield p.schema, _param_schema_ptr(p), q.schema, _param_schema_ptr(q), \
                f"{p.location} parameter `{p.name}`"
    new_bodies = _request_schemas(new)
    for media, (schema, ptr) in _request_schemas(old).items():
        if media in new_bodies:
            yield schema, ptr, *new_bodies[media], f"request body `{media}`"


def _param_schema_ptr(p: Parameter) -> Pointer:
    return p.pointer / "schema" if isinstance(p.data.get("schema"), Mapping) else p.pointer


def _outputs(old: Operation, new: Operation) -> Iterator[tuple[Any, Pointer, Any, Pointer, str]]:
    for code, resp in old.responses.items():
        other = new.responses.get(code)
        if other is None:
            continue
        for media, mt in resp.content.items():
            nt = other.content.get(media)
            if nt is not None and mt.schema_pointer is not None and nt.schema_pointer is not None:
                yield mt.schema, mt.schema_pointer, nt.schema, nt.schema_pointer, \
                    f"response {code} `{media}`"


class _Once:
    """Report a changed schema once per written location, however many operations use it."""

    def __init__(self) -> None:
        self.seen: set[tuple[Pointer, str]] = set()

    def __call__(self, pointer: Pointer, what: str) -> bool:
        key = (pointer, what)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


# ---------------------------------------------------------------------- rules


@rule("compat/removed-operation", severity=Severity.ERROR)
def removed_operation(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation (or a whole path) of the base spec that the head no longer has.

    ## Why is this bad?
    Every client that calls it gets a 404 or 405 after the change.

    ## Example
    ```yaml
    # base had GET /pets/{id}; head:
    paths:
      /pets:
        get: {responses: {"200": {description: OK}}}
    ```
    Use instead: keep the operation and mark it `deprecated: true` until a major version.
    """
    base = base_of(spec)
    if base is None:
        return
    head_ops = {_op_key(op) for op in spec.operations}
    head_paths = {_PARAM.sub("{}", p): p for p in spec.paths}
    for op in base.operations:
        if _op_key(op) in head_ops:
            continue
        norm = _PARAM.sub("{}", op.path)
        if op.kind == "path" and norm in head_paths:
            ptr = spec.root.join("paths", head_paths[norm])
            msg = f"operation `{op.label}` was removed"
        elif op.kind == "path":
            ptr = spec.root / "paths" if "paths" in spec.raw else spec.root
            msg = f"path `{op.path}` was removed (operation `{op.label}`)"
        else:
            ptr = spec.root
            msg = f"operation `{op.label}` was removed"
        yield _violation(spec, base, ptr, op.pointer, msg, subject=op.label)


@rule("compat/removed-parameter", severity=Severity.ERROR)
def removed_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a parameter of the base that the same operation no longer has (removed or renamed).

    ## Why is this bad?
    Clients still send it: a renamed filter is silently ignored, a renamed path or header
    parameter breaks requests.

    ## Example
    ```yaml
    # base: parameters: [{name: status, in: query}]
    parameters:
      - {name: state, in: query, schema: {type: string}}
    ```
    Use instead: keep `status` (deprecated) next to `state`.
    """
    for old, new, base in _pairs(spec):
        new_keys = {p.key for p in new.parameters}
        added = [p for p in new.parameters if p.key not in {q.key for q in old.parameters}]
        for p in old.parameters:
            if p.key in new_keys:
                continue
            if p.location == "path" and any(q.location == "path" for q in added):
                continue  # a path parameter renamed with the template is the same slot
            twin = next((q for q in added if q.location == p.location), None)
            what = f" (renamed to `{twin.name}`?)" if twin else ""
            ptr = twin.use_pointer if twin else new.pointer
            yield _violation(spec, base, ptr, p.use_pointer,
                             f"{p.location} parameter `{p.name}` of `{new.label}` was removed"
                             f"{what}", subject=f"{new.label} {p.location} {p.name}")


@rule("compat/new-required-parameter", severity=Severity.ERROR)
def new_required_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a required parameter that the base did not have, or that was optional there.

    ## Why is this bad?
    Existing clients do not send it, so their requests start failing validation.

    ## Example
    ```yaml
    parameters:
      - {name: tenant, in: query, required: true, schema: {type: string}}
    ```
    Use instead: add it as optional with a server-side default.
    """
    for old, new, base in _pairs(spec):
        before = {p.key: p for p in old.parameters}
        for q in new.parameters:
            if not q.required:
                continue
            p = before.get(q.key)
            if p is not None and p.required:
                continue
            if p is None and q.location == "path":
                continue  # path parameters are required by definition; a new one changes the path
            was = "optional" if p is not None else "new"
            yield _violation(spec, base, q.use_pointer, p.use_pointer if p else old.pointer,
                             f"{q.location} parameter `{q.name}` of `{new.label}` is required "
                             f"and was {was}", subject=f"{new.label} {q.location} {q.name}")


@rule("compat/new-required-request-property", severity=Severity.ERROR)
def new_required_request_property(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a request body property that became required (new, or optional before), or a
    request body that became required.

    ## Why is this bad?
    Existing clients do not send it, so their requests are rejected.

    ## Example
    ```yaml
    schema:
      type: object
      required: [name, owner]   # owner is new
    ```
    Use instead: add `owner` as optional.
    """
    once = _Once()
    for old, new, base in _pairs(spec):
        if new.request_body is not None and new.request_body.required and (
                old.request_body is None or not old.request_body.required):
            ptr = old.request_body.use_pointer if old.request_body else old.pointer
            yield _violation(spec, base, new.request_body.use_pointer, ptr,
                             f"the request body of `{new.label}` became required",
                             subject=f"{new.label} request body")
    base = base_of(spec)
    for p in _schema_pairs(spec, "in") if base is not None else ():
        old_req = _required_all(base, p.old, p.old_ptr)
        for name in sorted(_required_all(spec, p.new, p.new_ptr) - old_req):
            if once(p.new_ptr, name):
                yield _violation(spec, base, p.new_ptr, p.old_ptr,
                                 f"{p.label} property `{name}` of `{p.op.label}` is now "
                                 f"required", subject=f"{p.new_ptr.fragment} {name}")


def _narrowed(o: Any, n: Any) -> str | None:
    ot, nt = _types(o), _types(n)
    if ot is not None and nt is not None and not _widens(ot, nt):
        return f"type narrowed from `{'|'.join(sorted(ot))}` to `{'|'.join(sorted(nt))}`"
    if ot is None and nt is not None and isinstance(o, Mapping) \
            and not o.get("enum") and not any(k in o for k in ("allOf", "oneOf", "anyOf", "$ref")):
        implied = ({"object"} if "properties" in o or "additionalProperties" in o else set()) | \
            ({"array"} if "items" in o else set()) | \
            ({"string"} if any(k in o for k in ("maxLength", "minLength", "pattern")) else set())
        if not implied or not nt <= implied | {"null"}:
            return f"type restricted to `{'|'.join(sorted(nt))}`"
    return None


@rule("compat/request-type-narrowed", severity=Severity.ERROR)
def request_type_narrowed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a parameter or request property whose type accepts fewer values than in the base
    (``number`` to ``integer``, ``[string, integer]`` to ``string``).

    ## Why is this bad?
    Values existing clients send are now rejected.

    ## Example
    ```yaml
    price: {type: integer}   # was: {type: number}
    ```
    Use instead: keep `number`; widening (integer to number) is fine.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "in") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        why = _narrowed(o, n)
        if why and once(np_, "type"):
            yield _violation(spec, base, np_, op_, f"{lab} of `{new.label}`: {why}",
                             subject=f"{np_.fragment} type")


@rule("compat/request-enum-value-removed", severity=Severity.ERROR)
def request_enum_value_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input (parameter or request property) whose enum lost a value, or that gained an
    enum it did not have.

    ## Why is this bad?
    Clients that send the removed value are now rejected.

    ## Example
    ```yaml
    status: {type: string, enum: [available, sold]}   # `pending` removed
    ```
    Use instead: keep accepting `pending` (and document it as deprecated).
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "in") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        oe, ne = _enum(o), _enum(n)
        if ne is None:
            continue
        if oe is None:
            gone = "any value outside the new enum"
        else:
            removed = [v for v in oe if v not in ne]
            if not removed:
                continue
            gone = ", ".join(f"`{v}`" for v in removed)
        if once(np_, "enum"):
            yield _violation(spec, base, np_, op_,
                             f"{lab} of `{new.label}` no longer accepts {gone}",
                             subject=f"{np_.fragment} enum")


@rule("compat/response-enum-value-added", severity=Severity.ERROR)
def response_enum_value_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response property whose enum gained a value.

    ## Why is this bad?
    Clients that switch over the known values (generated enums, exhaustive matches) fail on
    the new one.

    ## Example
    ```yaml
    status: {type: string, enum: [available, pending, sold, lost]}   # `lost` is new
    ```
    Use instead: document the enum as extensible (`x-extensible-enum`) from the start, or
    version the change.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "out") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        oe, ne = _enum(o), _enum(n)
        if oe is None or ne is None:
            continue
        added = [v for v in ne if v not in oe]
        if added and once(np_, "enum"):
            yield _violation(spec, base, np_, op_,
                             f"{lab} of `{new.label}` may now return "
                             f"{', '.join(f'`{v}`' for v in added)}",
                             subject=f"{np_.fragment} enum")


@rule("compat/response-property-removed", severity=Severity.ERROR)
def response_property_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response property of the base that the head no longer returns.

    ## Why is this bad?
    Clients that read it get nothing (or crash on a missing field).

    ## Example
    ```yaml
    Pet:
      properties: {id: {type: integer}}   # `name` removed
    ```
    Use instead: keep `name`, deprecate it, remove it in the next major version.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "out") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        old_props = p.old_props
        if not old_props or (_types(n) is not None and "object" not in _types(n)):
            continue
        new_props = p.new_props
        if not new_props and n.get("additionalProperties") not in (None, False):
            continue
        for name, (_, optr) in old_props.items():
            if name not in new_props and once(np_, name):
                yield _violation(spec, base, np_, optr,
                                 f"{lab} property `{name}` of `{new.label}` was removed",
                                 subject=f"{np_.fragment} {name}")


@rule("compat/response-property-made-optional", severity=Severity.ERROR)
def response_property_made_optional(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response property that was required in the base and is optional in the head.

    ## Why is this bad?
    Clients rely on it being present; generated models turn it into an optional field and
    code that reads it breaks.

    ## Example
    ```yaml
    Pet:
      required: [id]        # was [id, name]
    ```
    Use instead: keep `name` required.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "out") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        new_props = p.new_props
        gone = _required_all(base, o, op_) - _required_all(spec, n, np_)
        for name in sorted(gone):
            if name in new_props and once(np_, name):
                yield _violation(spec, base, np_, op_,
                                 f"{lab} property `{name}` of `{new.label}` is no "
                                 f"longer required", subject=f"{np_.fragment} {name}")


@rule("compat/response-type-changed", severity=Severity.ERROR)
def response_type_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response schema (or property) whose type is not the base's type.

    ## Why is this bad?
    Clients parse the old type: an `integer` id that becomes a `string` breaks every typed
    client.

    ## Example
    ```yaml
    id: {type: string}   # was: {type: integer}
    ```
    Use instead: add a new property with the new type.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "out") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        ot, nt = _types(o), _types(n)
        if ot is None or nt is None or nt <= ot or (
                nt - ot <= {"integer"} and "number" in ot):
            continue
        if once(np_, "type"):
            yield _violation(spec, base, np_, op_,
                             f"{lab} of `{new.label}` changed type from "
                             f"`{'|'.join(sorted(ot))}` to `{'|'.join(sorted(nt))}`",
                             subject=f"{np_.fragment} type")


@rule("compat/success-status-removed", severity=Severity.ERROR)
def success_status_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a 2xx response code of the base that the operation no longer declares.

    ## Why is this bad?
    Clients that check for `201` see a different status (or an undocumented one).

    ## Example
    ```yaml
    responses:
      "200": {description: Created}   # was "201"
    ```
    Use instead: keep the status code.
    """
    for old, new, base in _pairs(spec):
        for code, resp in old.responses.items():
            if resp.kind == "success" and code not in new.responses:
                ptr = new.pointer / "responses" if "responses" in new.data else new.pointer
                yield _violation(spec, base, ptr, resp.use_pointer,
                                 f"success response `{code}` of `{new.label}` was removed",
                                 subject=f"{new.label} {code}")


@rule("compat/media-type-removed", severity=Severity.ERROR)
def media_type_removed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a request or response media type of the base that the head no longer lists.

    ## Why is this bad?
    Clients that send or accept that media type get 415 or 406.

    ## Example
    ```yaml
    content:
      application/json: {...}   # application/xml was removed
    ```
    Use instead: keep the media type until the next major version.
    """
    for old, new, base in _pairs(spec):
        if old.request_body is not None and new.request_body is not None:
            for media, mt in old.request_body.content.items():
                if media not in new.request_body.content:
                    yield _violation(spec, base, new.request_body.pointer, mt.pointer,
                                     f"request media type `{media}` of `{new.label}` was "
                                     f"removed", subject=f"{new.label} request {media}")
        for code, resp in old.responses.items():
            other = new.responses.get(code)
            if other is None or not other.content:
                if other is not None and resp.content:
                    for media, mt in resp.content.items():
                        yield _violation(spec, base, other.pointer, mt.pointer,
                                         f"response {code} media type `{media}` of "
                                         f"`{new.label}` was removed",
                                         subject=f"{new.label} {code} {media}")
                continue
            for media, mt in resp.content.items():
                if media not in other.content:
                    yield _violation(spec, base, other.pointer, mt.pointer,
                                     f"response {code} media type `{media}` of `{new.label}` "
                                     f"was removed", subject=f"{new.label} {code} {media}")


def _alternatives(op: Operation) -> set[frozenset[tuple[str, tuple[str, ...]]]]:
    if not op.security:
        return {frozenset()}
    return {frozenset((str(k), tuple(sorted(map(str, v or ())))) for k, v in req.items())
            for req in op.security}


@rule("compat/security-added", severity=Severity.ERROR)
def security_added(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation that requires security it did not require in the base: a public
    operation that became secured, a scheme or scope that became necessary, or an accepted
    alternative that was removed.

    ## Why is this bad?
    Clients that call it as before get 401 or 403.

    ## Example
    ```yaml
    get:
      security: [{oauth: [pets:read]}]   # was public
    ```
    Use instead: announce it, then require it in a new major version.
    """
    for old, new, base in _pairs(spec):
        before, after = _alternatives(old), _alternatives(new)
        if frozenset() in after:
            continue
        lost = before - after
        if not lost:
            continue
        if frozenset() in lost:
            what = "is no longer public"
        else:
            names = sorted({n for alt in lost for n, _ in alt})
            what = f"no longer accepts {', '.join(f'`{n}`' for n in names)} as before"
        ptr = new.security_pointer or new.pointer
        bptr = old.security_pointer or old.pointer
        yield _violation(spec, base, ptr, bptr, f"`{new.label}` {what}",
                         subject=f"{new.label} security")


@rule("compat/server-changed", severity=Severity.ERROR)
def server_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a server URL (or Swagger 2.0 host and base path) of the base that the head no
    longer lists.

    ## Why is this bad?
    Clients configured with the old base URL call addresses that no longer exist.

    ## Example
    ```yaml
    servers:
      - url: https://api.example.com/v1/store   # was https://api.example.com/v1
    ```
    Use instead: keep the old server (or redirect it) until the next major version.
    """
    base = base_of(spec)
    if base is None:
        return
    head_urls = {s.url.rstrip("/") for s in spec.servers}
    if not base.servers or not head_urls:
        if base.servers and not head_urls:
            ptr = base.servers[0].pointer
            yield _violation(spec, base, spec.root, ptr, "the servers of the base were removed",
                             subject="servers")
        return
    for s in base.servers:
        if s.url.rstrip("/") not in head_urls:
            ptr = spec.servers[0].pointer
            yield _violation(spec, base, ptr, s.pointer, f"server `{s.url}` was removed or "
                             f"changed", subject=f"server {s.url}")


@rule("compat/operation-id-changed", severity=Severity.ERROR)
def operation_id_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation whose `operationId` differs from the base's.

    ## Why is this bad?
    Generated SDKs name methods after it: `listPets()` becoming `getPets()` breaks every
    caller's code.

    ## Example
    ```yaml
    get:
      operationId: getPets   # was listPets
    ```
    Use instead: keep the operationId.
    """
    for old, new, base in _pairs(spec):
        if old.operation_id and old.operation_id != new.operation_id:
            ptr = new.pointer / "operationId" if new.operation_id else new.pointer
            now = f"`{new.operation_id}`" if new.operation_id else "removed"
            yield _violation(spec, base, ptr, old.pointer / "operationId",
                             f"operationId of `{new.label}` changed from "
                             f"`{old.operation_id}` to {now}", subject=f"{new.label} operationId")


_UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _tightened(o: Mapping[str, Any], n: Mapping[str, Any]) -> list[str]:
    out = []
    for key in _UPPER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if b is not None and (a is None or b < a):
            out.append(f"`{key}` {'added' if a is None else 'lowered'}: {n.get(key)}")
    for key in _LOWER:
        a, b = _num(o.get(key)), _num(n.get(key))
        if b is not None and (a is None or b > a) and not (a is None and b == 0):
            out.append(f"`{key}` {'added' if a is None else 'raised'}: {n.get(key)}")
    pa, pb = o.get("pattern"), n.get("pattern")
    if isinstance(pb, str) and pb != pa:
        out.append(f"`pattern` {'added' if pa is None else 'changed'}: `{pb}`")
    return out


@rule("compat/constraint-tightened", severity=Severity.ERROR)
def constraint_tightened(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an input (parameter or request property) whose constraints accept less than in the
    base: `maxLength`, `maximum`, `maxItems` added or lowered, `minLength`, `minimum`,
    `minItems` added or raised, `pattern` added or changed.

    ## Why is this bad?
    Requests that were valid yesterday are rejected today.

    ## Example
    ```yaml
    name: {type: string, maxLength: 20}   # was: {type: string}
    ```
    Use instead: enforce the new limit only for new data, or in a new major version.
    """
    once = _Once()
    base = base_of(spec)
    for p in _schema_pairs(spec, "in") if base is not None else ():
        o, op_, n, np_, lab, new = p.old, p.old_ptr, p.new, p.new_ptr, p.label, p.op
        changes = _tightened(o, n)
        if changes and once(np_, "constraints"):
            yield _violation(spec, base, np_, op_,
                             f"{lab} of `{new.label}` is stricter: {'; '.join(changes)}",
                             subject=f"{np_.fragment} constraints")


GATE = Gate(
    "compat",
    title="Backward compatibility",
    rules=(removed_operation, removed_parameter, new_required_parameter,
           new_required_request_property, request_type_narrowed, request_enum_value_removed,
           response_enum_value_added, response_property_removed,
           response_property_made_optional, response_type_changed, success_status_removed,
           media_type_removed, security_added, server_changed, operation_id_changed,
           constraint_tightened),
    description=__doc__.split("\n")[0],
    applies=lambda spec: base_of(spec) is not None,
)
