"""Text helpers of the HTML views, shared by the scorecard (`gatekeeper.reporters.html`) and
the views of the report's sections (`gatekeeper.reporters._live`): spec text made inert, and
numbers and percentages as the page prints them."""

from __future__ import annotations

import math
import re

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["compact", "num", "percent", "safe_text", "visible"]

# C0 (except TAB and LF), DEL, C1, bidi controls: shown as visible escapes, never passed on.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_text(value: Any) -> str:
    """Spec text made inert for HTML text nodes (escaping is then done by autoescape)."""
    return visible(str(value))


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value * 100:.{digits}f} %"


def num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:g}"
    return safe_text(value)


def compact(value: Any, limit: int = 300) -> str:
    """`value` as one line of JSON, cut at `limit` characters."""
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
