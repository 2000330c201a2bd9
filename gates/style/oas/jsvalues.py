"""JavaScript's readings of JSON values, where Spectral's OpenAPI functions depend on them
(`Number(x)`, `typeof`; `String(x)` and `Array.prototype.includes` are `gates.style.jseval`'s
`to_str` and `includes`, JSON Schema's type names `gates.style.messages.type_name`). Spectral
runs on Node; a ruleset's findings agree with it only if gatekeeper reads values the same
way."""

from __future__ import annotations

import math
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_NUMBER = re.compile(r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)$")


def is_object(value: Any) -> bool:
    """`value !== null && typeof value === 'object'`: objects and arrays."""
    return isinstance(value, (dict, list))


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
