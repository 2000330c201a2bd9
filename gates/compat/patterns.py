"""Whether a changed ``pattern`` still accepts every string the old one accepted.

Deciding that in general means comparing two regular languages; these are the cases that can
be decided from the text alone, which cover how patterns are edited in practice. Anything else
is "unknown": the compat gate asks for a look instead of claiming a break.

JSON Schema patterns are not implicitly anchored: ``abc`` matches any string containing
``abc``. So dropping an anchor widens, and a pattern that matches everything is ``.*`` (with
or without anchors), or no pattern at all.
"""

from __future__ import annotations

import re

__all__ = ["MATCHES_ALL", "accepts_all_of"]

MATCHES_ALL = frozenset({"", ".*", "^.*", ".*$", "^.*$", "^(.*)$", "(.*)", "^(?:.*)$", ".*?",
                         "^.*?$", "[\\s\\S]*", "^[\\s\\S]*$"})
_META = set(".^$*+?()[]{}|\\")
_CLASS = re.compile(r"^\[(\^?)((?:\\.|[^\]\\])+)\]([*+?]|\{(\d+)(?:,(\d*))?\})?$")


def _anchors(pattern: str) -> tuple[bool, bool, str]:
    start = pattern.startswith("^")
    end = pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[1 if start else 0:len(pattern) - (1 if end else 0)]
    if body.startswith("(") and body.endswith(")") and _balanced(body[1:-1]):
        body = body[3:-1] if body.startswith("(?:") else body[1:-1]
    return start, end, body


def _balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _literal(text: str) -> str | None:
    """The string `text` matches when it is a plain literal (escapes allowed), else None."""
    out = []
    escaped = False
    for ch in text:
        if escaped:
            if ch.isalnum():
                return None  # \d, \w, ...: a class, not a literal
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in _META:
            return None
        else:
            out.append(ch)
    return None if escaped else "".join(out)


def _alternatives(body: str) -> list[str] | None:
    parts = body.split("|")
    literals = [_literal(p) for p in parts]
    return None if any(x is None for x in literals) else literals  # type: ignore[return-value]


def _class_chars(spec: str) -> set[str] | None:
    chars: set[str] = set()
    i = 0
    while i < len(spec):
        ch = spec[i]
        if ch == "\\":
            if i + 1 >= len(spec):
                return None
            nxt = spec[i + 1]
            if nxt.isalnum():
                named = {"d": "0123456789", "w": "abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"}.get(nxt)
                if named is None:
                    return None
                chars.update(named)
            else:
                chars.add(nxt)
            i += 2
            continue
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = ord(ch), ord(spec[i + 2])
            if hi < lo or hi - lo > 5000:
                return None
            chars.update(chr(c) for c in range(lo, hi + 1))
            i += 3
            continue
        chars.add(ch)
        i += 1
    return chars


def _repeat(quant: str | None, lo: str | None, hi: str | None) -> tuple[int, float]:
    if quant is None:
        return 1, 1
    if quant == "*":
        return 0, float("inf")
    if quant == "+":
        return 1, float("inf")
    if quant == "?":
        return 0, 1
    low = int(lo or 0)
    if hi is None:
        return low, low
    return low, float("inf") if hi == "" else int(hi)


def _class_superset(old: str, new: str) -> bool | None:
    a, b = _CLASS.match(old), _CLASS.match(new)
    if not a or not b or a.group(1) or b.group(1):
        return None
    ca, cb = _class_chars(a.group(2)), _class_chars(b.group(2))
    if ca is None or cb is None:
        return None
    (alo, ahi), (blo, bhi) = _repeat(a.group(3), a.group(4), a.group(5)), \
        _repeat(b.group(3), b.group(4), b.group(5))
    return ca <= cb and blo <= alo and ahi <= bhi


def accepts_all_of(old: str | None, new: str | None) -> bool | None:
    """True when every string `old` accepts, `new` accepts too (removal, ``.*``, an anchor
    dropped, literal alternatives added, an anchored literal prefix shortened, a character
    class widened); False when it provably does not (a pattern added where there was none);
    None when it cannot be decided from the text."""
    if new is None or new in MATCHES_ALL:
        return True
    if old is None or old in MATCHES_ALL:
        return False
    if old == new:
        return True
    (os_, oe, ob), (ns, ne, nb) = _anchors(old), _anchors(new)
    if ob == nb:
        # the same body: only dropping anchors widens; adding one narrows
        return (not ns or os_) and (not ne or oe)
    oa, na = _alternatives(ob), _alternatives(nb)
    if oa is not None and na is not None:
        if (ns, ne) == (os_, oe) and set(oa) <= set(na):
            return True
        if ns and os_ and not ne and all(any(x.startswith(y) for y in na) for x in oa):
            return True  # ^abc(def)? -> ^ab: every old match starts with a new prefix
        if (ns, ne) == (os_, oe) and ns and ne:
            return False  # two finite sets of exact strings, and an old one is missing
        return None
    if (ns, ne) == (os_, oe) and ns and ne:
        return _class_superset(ob, nb)
    return None
