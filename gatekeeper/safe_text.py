"""Making spec-derived text inert for terminals, logs and CI annotations (R15)."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["terminal_safe", "utf8", "well_formed", "write_text"]

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


def well_formed(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD (paired ones joined into their character).

    A JSON spec may escape one (``"\\ud800"``); Python reads it into a `str` that UTF-8
    cannot encode, so any output quoting that text would fail."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def utf8(text: str) -> bytes:
    """`text` as UTF-8, a lone surrogate from the spec written as `well_formed` does."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return well_formed(text).encode("utf-8")


def write_text(stream: Any, text: str) -> None:
    """``stream.write(text)``; text UTF-8 cannot encode (a lone surrogate from the spec) is
    written with `well_formed`. Checked only when the write fails: encoding a 30 MB report
    to look first costs about 90 ms, and a text stream encodes all of `text` before it
    writes any of it."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(well_formed(text))
