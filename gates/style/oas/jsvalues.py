"""JavaScript's readings of JSON values, where Spectral's OpenAPI functions depend on them
(`String(x)`, `Number(x)`, `typeof`, `Array.prototype.includes`). Spectral runs on Node; a
ruleset's findings agree with it only if gatekeeper reads values the same way."""

from __future__ import annotations

import math
import re

from gates.style.jseval import includes, number_text, same_value  # noqa: F401 - this module's readings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_NUMBER = re.compile(r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)$")


def is_object(value: Any) -> bool:
    """`value !== null && typeof value === 'object'`: objects and arrays."""
    return isinstance(value, (dict, list))


def type_name(value: Any, integers: bool = False) -> str:
    """JSON Schema's name of a value's type ('integer' for whole numbers when asked)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        if integers and (isinstance(value, int) or (math.isfinite(value) and value.is_integer())):
            return "integer"
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def js_string(value: Any) -> str:
    """`String(value)`."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_number(text: str) -> float:
    """`Number(text)` for a string (NaN when JavaScript would say so)."""
    stripped = text.strip()
    if stripped == "":
        return 0.0
    lowered = stripped.lower()
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if lowered.startswith(prefix):
            try:
                return float(int(stripped[2:], base))
            except ValueError:
                return math.nan
    if not _NUMBER.match(stripped):
        return math.nan
    return float(stripped)


def truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (objects and arrays are always truthy)."""
    if isinstance(value, (dict, list)):
        return True
    if isinstance(value, float) and value != value:
        return False
    return bool(value)
