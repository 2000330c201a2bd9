"""Fast positive requests for operations whose schemas are simple.

Schemathesis builds its Hypothesis strategies again for every example it draws, and runs
each draw through the Hypothesis engine: about 80 % of the audit's own time per request went
there (benchmarks/live_overhead.py). Most operations of real APIs take a few scalars and a
JSON object of scalars, for which a seeded `random.Random` produces valid values directly,
hundreds of times faster. `plan` says whether an operation is that simple; `draw` then makes
``n`` distinct positive cases as Schemathesis ``Case`` objects carrying positive-mode
metadata, so every Schemathesis check judges their answers exactly as it judges its own.

Simple means: parameters in path, query, header or cookie with a scalar schema (``integer``,
``number``, ``string`` without ``pattern``, ``boolean``, ``enum``/``const``), or in the query
an array of such scalars; an optional ``application/json`` body whose schema is built from
those, objects with ``properties`` and arrays with ``items`` (local ``$ref`` followed,
no recursion). Anything else (``pattern``, ``allOf``/``oneOf``/``anyOf``/``not``,
``multipleOf``, ``uniqueItems``, formats we do not produce, other media types) keeps
Schemathesis's generator.

`draw_negative` makes invalid cases for the same simple operations: a valid case with one
thing broken (a number parameter given a word, a value outside its enum or range, a string
over its ``maxLength``, a required body property dropped, a body of the wrong type), marked
negative at that location so Schemathesis's ``negative_data_rejection`` judges the answer.

The values mix boundaries (minimum, maximum, empty and longest strings) with random values;
strings include non-ASCII letters and spaces outside path and header parameters.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Plan", "draw", "draw_negative", "plan"]

_SAFE_CHARS = string.ascii_letters + string.digits + "-_."
_WIDE_CHARS = _SAFE_CHARS + " éßЖ中🙂'\"&=/?#%"
_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date": lambda r: f"{r.randint(1970, 2099):04d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "date-time": lambda r: f"{r.randint(1970, 2099):04d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                           f"T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z",
    "uuid": lambda r: f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-4{r.getrandbits(12):03x}-8{r.getrandbits(12):03x}-{r.getrandbits(48):012x}",
    "email": lambda r: "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(1, 8))) + "@example.com",
    "int32": lambda r: str(r.randint(-2**31, 2**31 - 1)),
}
_NOT_SIMPLE = ("pattern", "allOf", "oneOf", "anyOf", "not", "multipleOf", "uniqueItems", "patternProperties",
               "if", "dependentSchemas", "dependencies", "propertyNames", "contains", "prefixItems")
_MAX_DEPTH = 6

Resolver = Callable[[Mapping[str, Any]], Any]


class Plan:
    """What to fill for one operation: (location, name, schema, required) and the body."""

    def __init__(self, params: list[tuple[str, str, dict[str, Any], bool]], body: dict[str, Any] | None,
                 media_type: str | None, body_required: bool) -> None:
        self.params, self.body, self.media_type, self.body_required = params, body, media_type, body_required


def plan(op: Any, resolve: Resolver) -> Plan | None:
    """A `Plan` when every parameter and the body of ``op`` (a `gatekeeper.Operation`) are
    simple; None sends the operation to Schemathesis's generator."""
    params = []
    for p in op.parameters:
        if p.location not in ("path", "query", "header", "cookie"):
            return None
        schema = _simple(p.schema, resolve, 0, place=p.location)
        if schema is None:
            return None
        params.append((p.location, p.name, schema, bool(p.required or p.location == "path")))
    body = media = None
    required = False
    if op.request_body is not None:
        content = op.request_body.content
        media = next((name for name in content if name.split(";")[0].strip().lower() == "application/json"), None)
        if media is None or len(content) != 1:
            return None
        body = _simple(content[media].schema, resolve, 0, place="body")
        if body is None:
            return None
        required = bool(op.request_body.required)
    return Plan(params, body, media, required)


def _simple(schema: Any, resolve: Resolver, depth: int, *, place: str) -> dict | None:
    """``schema`` with local references followed, or None when it is not simple for
    ``place``: "body" (objects and arrays of simple schemas), "query" (a scalar or an array of
    scalars), "item" (the scalar items of a query array), or a scalar-only parameter place."""
    if depth > _MAX_DEPTH or not isinstance(schema, Mapping):
        return None
    if "$ref" in schema:
        target = resolve(schema)
        return None if target is None or target is schema else \
            _simple(target, resolve, depth + 1, place=place)
    if any(k in schema for k in _NOT_SIMPLE):
        return None
    if "enum" in schema:
        values = schema["enum"]
        ok = isinstance(values, list) and values and all(isinstance(v, (str, int, float, bool)) for v in values)
        return dict(schema) if ok else None
    if "const" in schema:
        return dict(schema) if isinstance(schema["const"], (str, int, float, bool)) else None
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the first non-null type
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            return None
        kind = kinds[0]
    if kind == "integer" or kind == "number" or kind == "boolean":
        return dict(schema, type=kind)
    if kind == "string":
        fmt = schema.get("format")
        if fmt and fmt not in _FORMATS and fmt not in ("byte", "binary", "password", "hostname", "uri"):
            return None
        if fmt in ("byte", "binary", "hostname", "uri"):
            return None
        return dict(schema, type="string")
    if kind == "array" and place in ("body", "query"):
        items = _simple(schema.get("items", {"type": "string"}), resolve, depth + 1,
                        place="item" if place == "query" else "body")
        return None if items is None else dict(schema, type="array", items=items)
    if place != "body":
        return None
    if kind == "object" or (kind is None and "properties" in schema):
        props = {}
        for name, sub in (schema.get("properties") or {}).items():
            simple = _simple(sub, resolve, depth + 1, place="body")
            if simple is None:
                return None
            props[name] = simple
        required = schema.get("required") or []
        if not isinstance(required, list) or any(r not in props for r in required):
            return None
        return {"type": "object", "properties": props, "required": required}
    return None


def draw_negative(st_op: Any, p: Plan, n: int, seed: int) -> list[Any]:
    """Up to ``n`` invalid cases, each a valid one with one value broken."""
    rng = random.Random(seed ^ 0x5EED)
    bases = draw(st_op, p, 1, seed)
    if not bases:
        return []
    base = bases[0]
    options: list[tuple[str, str | None, Any]] = []  # (location, name or None for the body, bad value)
    for location, name, schema, required in p.params:
        bad = _invalid(schema, rng)
        if bad is not _NOT_SET and (required or location == "query"):
            options.append((location, name, bad))
    if p.body is not None:
        options.append(("body", None, "gatekeeper-not-an-object" if p.body["type"] != "string" else 12345))
        if p.body["type"] == "object":
            for name in p.body["required"]:
                trimmed = {k: v for k, v in (base.body if isinstance(base.body, dict) else {}).items() if k != name}
                options.append(("body", None, trimmed))
            for name, sub in p.body["properties"].items():
                bad = _invalid(sub, rng)
                if bad is not _NOT_SET and isinstance(base.body, dict):
                    options.append(("body", None, {**base.body, name: bad}))
    rng.shuffle(options)
    cases = []
    for location, name, bad in options[:n]:
        fields = {"path_parameters": dict(base.path_parameters or {}), "query": dict(base.query or {}),
                  "headers": {k: v for k, v in (base.headers or {}).items() if k.lower() != "user-agent"},
                  "cookies": dict(base.cookies or {})}
        body = base.body
        if location == "body":
            body = bad
        else:
            target = {"path": "path_parameters", "query": "query", "header": "headers", "cookie": "cookies"}[location]
            fields[target][name] = bad if location in ("path", "query") else _as_text(bad)
        kwargs: dict[str, Any] = dict(fields)
        if body is not None and type(body).__name__ != "NotSet":
            kwargs["body"], kwargs["media_type"] = body, p.media_type
        meta = _meta_factory(p, negative_at=location)()
        if meta is not None:
            kwargs["_meta"] = meta
        cases.append(st_op.Case(**kwargs))
    return cases


def _invalid(schema: dict[str, Any], rng: random.Random) -> Any:
    """A value ``schema`` rejects, or ``_NOT_SET`` when every value of its kind is valid."""
    if "enum" in schema:
        return "gatekeeper-not-in-enum" if all(isinstance(v, str) for v in schema["enum"]) else "x"
    kind = schema.get("type")
    if kind in ("integer", "number"):
        if rng.random() < 0.5 and "maximum" in schema:
            return schema["maximum"] + 1
        if "minimum" in schema:
            return schema["minimum"] - 1
        return "not-a-number"
    if kind == "boolean":
        return "not-a-boolean"
    if kind == "string" and isinstance(schema.get("maxLength"), int):
        return "x" * (schema["maxLength"] + 1)
    if kind == "string" and isinstance(schema.get("minLength"), int) and schema["minLength"] > 0:
        return ""
    return _NOT_SET


def draw(st_op: Any, p: Plan, n: int, seed: int) -> list[Any]:
    """Up to ``n`` distinct positive cases for the operation ``st_op`` (Schemathesis)."""
    rng = random.Random(seed)
    meta_factory = _meta_factory(p)
    seen: set[str] = set()
    cases = []
    for attempt in range(n * 3):
        edge = attempt % 3  # 0: lower bounds, 1: upper bounds, 2: random
        fields: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
        for location, name, schema, required in p.params:
            if not required and rng.random() < 0.3:
                continue
            wide = location in ("query",)
            value = _value(schema, rng, edge, wide=wide)
            if location in ("header", "cookie"):
                value = _as_text(value)
            fields[location][name] = value
        body: Any = _NOT_SET
        if p.body is not None and (p.body_required or rng.random() < 0.8):
            body = _value(p.body, rng, edge, wide=True)
        key = repr((fields, body))
        if key in seen:
            continue
        seen.add(key)
        kwargs: dict[str, Any] = {"path_parameters": fields["path"], "query": fields["query"],
                                  "headers": fields["header"], "cookies": fields["cookie"]}
        if body is not _NOT_SET:
            kwargs["body"], kwargs["media_type"] = body, p.media_type
        meta = meta_factory()
        if meta is not None:
            kwargs["_meta"] = meta
        cases.append(st_op.Case(**kwargs))
        if len(cases) >= n:
            break
    return cases


_NOT_SET = object()


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value(schema: dict[str, Any], rng: random.Random, edge: int, *, wide: bool) -> Any:
    if "enum" in schema:
        values = schema["enum"]
        return values[0] if edge == 0 else values[-1] if edge == 1 else rng.choice(values)
    if "const" in schema:
        return schema["const"]
    kind = schema["type"]
    if kind == "boolean":
        return edge == 1 if edge < 2 else rng.random() < 0.5
    if kind in ("integer", "number"):
        low, high = _bounds(schema, kind)
        if edge == 0:
            value: Any = low
        elif edge == 1:
            value = high
        elif kind == "integer":
            value = rng.randint(low, high)
        else:
            value = rng.uniform(low, high)
        return int(value) if kind == "integer" else float(value)
    if kind == "string":
        fmt = schema.get("format")
        if fmt in _FORMATS:
            return _FORMATS[fmt](rng)
        low = max(0, int(schema.get("minLength", 0)))
        high = int(schema.get("maxLength", max(low, 24)))
        high = max(low, min(high, low + 64))
        length = low if edge == 0 else high if edge == 1 else rng.randint(low, high)
        chars = _WIDE_CHARS if wide else _SAFE_CHARS
        if length and not wide and edge == 0:
            return "a" * length
        return "".join(rng.choice(chars) for _ in range(length))
    if kind == "array":
        low = int(schema.get("minItems", 0))
        high = max(low, min(int(schema.get("maxItems", low + 3)), low + 5))
        count = low if edge == 0 else high if edge == 1 else rng.randint(low, high)
        return [_value(schema["items"], rng, 2 if edge == 2 else edge, wide=wide) for _ in range(count)]
    if kind == "object":
        out = {}
        for name, sub in schema["properties"].items():
            if name in schema["required"] or edge == 1 or (edge == 2 and rng.random() < 0.6):
                out[name] = _value(sub, rng, edge, wide=wide)
        return out
    raise ValueError(kind)


def _bounds(schema: dict[str, Any], kind: str) -> tuple[float, float]:
    step = 1 if kind == "integer" else 1e-6
    low = schema.get("minimum", -1000 if "maximum" not in schema else schema["maximum"] - 1000)
    high = schema.get("maximum", low + 2000)
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if ex_low is True:
        low += step
    elif isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
        low = ex_low + step
    if ex_high is True:
        high -= step
    elif isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool):
        high = ex_high - step
    if kind == "integer":
        import math

        low, high = math.ceil(low), math.floor(high)
    return (low, high) if low <= high else (low, low)


def _meta_factory(p: Plan, negative_at: str | None = None) -> Callable[[], Any]:
    """Metadata like Schemathesis's own, so its checks treat our cases as its: positive, or
    negative at the location ``negative_at``."""
    try:
        from schemathesis import GenerationMode
        from schemathesis.core.parameters import ParameterLocation
        from schemathesis.generation.meta import (
            CaseMetadata,
            ComponentInfo,
            GenerationInfo,
            PhaseInfo,
            TestPhase,
            build_phase_data,
        )
    except ImportError:  # another Schemathesis version: cases without metadata still work
        return lambda: None
    locations = {ParameterLocation(loc) for loc, _, _, _ in p.params}
    if p.body is not None:
        locations.add(ParameterLocation.BODY)

    broken = None if negative_at is None else ParameterLocation(negative_at)
    if broken is not None:
        locations.add(broken)
    mode = GenerationMode.POSITIVE if broken is None else GenerationMode.NEGATIVE

    def make() -> Any:
        return CaseMetadata(
            generation=GenerationInfo(time=0.0, mode=mode),
            phase=PhaseInfo(name=TestPhase.FUZZING, data=build_phase_data(TestPhase.FUZZING, None)),
            components={loc: ComponentInfo(mode=GenerationMode.NEGATIVE if loc == broken else
                                           GenerationMode.POSITIVE) for loc in locations},
        )

    return make
