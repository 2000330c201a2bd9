"""Making spec-derived text inert for terminals, logs and CI annotations (R15)."""

from __future__ import annotations

import re

__all__ = ["terminal_safe"]

# C0 except TAB, DEL, C1, bidi embeddings/overrides/isolates, and U+2028/2029 separators.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n":
        return "⏎"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """Escape control and bidi characters; newlines become ⏎ so spec text cannot start a
    line of its own (and so cannot forge ``::error::`` or ``##vso[`` commands)."""
    return _UNSAFE.sub(_escape, text)
