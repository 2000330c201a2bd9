"""Valid values for a load test, built from what the document itself says.

A load test must only send requests the service is documented to accept: an invalid request
measures the validation path, not the operation, and fills the error budget with 4xx noise. So
values come, in order of preference, from the document's own examples, then `default`, `const`
and `enum`, and only then from the schema's type, format and bounds (the smallest value the
bounds allow). Nothing random: the same document gives the same requests every run, which makes
two load runs comparable.

`$ref`s are followed through the loaded `Spec` (already checked at load time); recursion is cut
at a fixed depth by leaving optional members out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["NO_VALUE", "example_of", "value_for"]

#: Returned when no valid value can be built (the operation is then not load-tested).
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "<no value>"})()

_MAX_DEPTH = 8

#: A representative valid string per common `format` (RFC 3339, RFC 4122, ...).
_FORMAT_VALUES = {
    "date": "2024-01-15",
    "date-time": "2024-01-15T10:00:00Z",
    "time": "10:00:00Z",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "/",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "YQ==",
    "password": "password1",
    "duration": "P1D",
}

Resolver = Callable[[Any], Any]


def example_of(node: Mapping[str, Any]) -> Any:
    """The first example a parameter, media type or schema carries (``example``, then the
    first of ``examples``: a 3.x map of Example Objects or a 3.1 schema array), or NO_VALUE.
    ``externalValue`` is never fetched."""
    if not isinstance(node, Mapping):
        return NO_VALUE
    if "example" in node:
        return node["example"]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if isinstance(examples, Mapping):
        for item in examples.values():
            if isinstance(item, Mapping) and "value" in item:
                return item["value"]
    return NO_VALUE


def value_for(schema: Any, resolve: Resolver = lambda node: node, *, depth: int = 0) -> Any:
    """A value valid against ``schema`` (NO_VALUE when none can be built)."""
    schema = resolve(schema)
    if schema is True or schema is None or schema == {}:
        return "example"
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return NO_VALUE
    for source in (example_of(schema), schema.get("default", NO_VALUE), schema.get("const", NO_VALUE)):
        if source is not NO_VALUE:
            return source
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return next((v for v in enum if v is not None), enum[0])
    for key in ("allOf",):
        if isinstance(schema.get(key), list) and schema[key]:
            return _merged_all_of(schema, resolve, depth)
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for branch in branches:
                value = value_for(branch, resolve, depth=depth + 1)
                if value is not NO_VALUE:
                    return value
            return NO_VALUE
    kind = _type_of(schema)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return _array(schema, resolve, depth)
    if kind == "object":
        return _object(schema, resolve, depth)
    return "example"


def _type_of(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def _string(schema: Mapping[str, Any]) -> Any:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMAT_VALUES:
        return _FORMAT_VALUES[fmt]
    if "pattern" in schema:
        return NO_VALUE  # a guess would likely be invalid; only examples can satisfy a pattern
    low = schema.get("minLength") if isinstance(schema.get("minLength"), int) else 0
    high = schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None
    size = max(low, 7)
    if high is not None:
        size = min(size, high)
    if size < low:
        return NO_VALUE
    return ("example" * (size // 7 + 1))[:size]


def _number(schema: Mapping[str, Any], kind: str) -> Any:
    low = schema.get("minimum")
    high = schema.get("maximum")
    exclusive_low = schema.get("exclusiveMinimum")
    value: float = 1
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        value = low + (1 if exclusive_low is True else 0)
    elif isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
        value = exclusive_low + 1
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0 and not isinstance(multiple, bool):
        value = multiple * max(1, round(value / multiple))
    return int(value) if kind == "integer" else value


def _array(schema: Mapping[str, Any], resolve: Resolver, depth: int) -> Any:
    low = schema.get("minItems")
    count = max(int(low) if isinstance(low, int) else 1, 1)
    item = value_for(schema.get("items", {}), resolve, depth=depth + 1)
    if item is NO_VALUE:
        return [] if not low else NO_VALUE
    return [item] * count


def _object(schema: Mapping[str, Any], resolve: Resolver, depth: int) -> Any:
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    result: dict[str, Any] = {}
    for name in required:
        prop = resolve(properties.get(name, {}))
        if isinstance(prop, Mapping) and prop.get("readOnly") is True:
            continue
        value = value_for(prop, resolve, depth=depth + 1)
        if value is NO_VALUE:
            return NO_VALUE
        result[name] = value
    return result


def _merged_all_of(schema: Mapping[str, Any], resolve: Resolver, depth: int) -> Any:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for branch in schema["allOf"]:
        branch = resolve(branch)
        if not isinstance(branch, Mapping):
            continue
        for key, value in branch.items():
            if key == "properties" and isinstance(value, Mapping):
                properties.update(value)
            elif key == "required" and isinstance(value, list):
                required.extend(value)
            else:
                merged.setdefault(key, value)
    merged["properties"] = properties
    merged["required"] = required
    return value_for(merged, resolve, depth=depth + 1)
