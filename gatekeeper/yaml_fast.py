"""The YAML fast path: data from a Rust parser, positions found lazily in the text.

``yaml_rs.loads(text, parse_datetime=False)`` builds the same data as the PyYAML loader in
`gatekeeper.loader` about ten times faster (benchmarks/README.md, "Parser and loader
research"), but it differs from that loader in ways that matter for safety and for the data,
so it is used only when a cheap scan of the text proves none of them can occur:

* tags (``!!python/...``, ``!!str``) are silently dropped by yaml_rs: any ``!`` where a node
  property could start sends the file to PyYAML, which refuses non-core tags with the line;
* anchors (``&``) and merge keys (``<<``): PyYAML shares aliased nodes and the loader counts
  them against ``--max-nodes`` (R4); yaml_rs copies them;
* directives (``%``) and document markers (``---`` after content, ``...``): one document only;
* characters libyaml refuses (control characters) and a file that does not end with a line
  break (yaml_rs adds ``\\n`` to a final block scalar);
* numbers written in forms the two resolvers read differently (``017``, ``0o17``, ``1:30``,
  ``1e3``): only when such a token stands alone where a plain scalar starts;
* very deep block nesting segfaults both libyaml and yaml_rs (about 20,000 levels): refused
  before any parser sees the text when an indentation count proves it too deep.

The scans that are a matter of fidelity (numbers, characters, markers, directives, merge
keys) may run in a forked process while yaml_rs parses a big text (`_scan_beside`); tags and
anchors, a matter of safety, are always ruled out first.

Any exception from yaml_rs (duplicate keys, syntax errors, flow nesting over 256) also falls
back to PyYAML, which produces the exact message with its line. After parsing, keys are made
strings as written (``200:`` is ``"200"``); a float, boolean, null or collection key falls
back too. No position table is built: `gatekeeper.yaml_locate` finds a pointer's line by an
indentation-aware search of the text and returns None where it is unsure, and the caller
then asks the PyYAML loader's exact table, built once per file on first need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["available", "fast_load"]

try:  # pinned in pyproject.toml; the PyYAML path is complete without it
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - depends on the environment
    _yaml_rs = None


def available() -> bool:
    return _yaml_rs is not None


# libyaml's reader refuses the code points outside its printable set (the PyYAML path reports
# them with their line): C0 controls but tab, LF and CR; DEL; U+0080-0084 and U+0086-009F;
# surrogates; U+FFFE and U+FFFF. Tested on the text's UTF-8 bytes (`_has_non_printable`): a
# character class scans a wide (non-ASCII) string slowly, while bytes.translate and
# patterns led by a literal byte run at memory speed (Stripe's 4.2 MB: 22 -> 12 ms).
# (NEL, U+2028 and U+2029 are printable: yaml_rs reads them as characters, as YAML 1.2 and
# the OpenAPI specification's recommended YAML version do; PyYAML's YAML 1.1 scanner would
# break lines there.)
_C0_BYTES = frozenset(range(0x09)) | {0x0b, 0x0c} | frozenset(range(0x0e, 0x20)) | {0x7f}
_NOT_C0 = bytes(b for b in range(256) if b not in _C0_BYTES)  # deleted: only C0s remain
_WIDE_NON_PRINTABLE = (  # U+0080-0084, U+0086-009F; surrogates; U+FFFE, U+FFFF
    re.compile(rb"\xc2[\x80-\x84\x86-\x9f]"), re.compile(rb"\xed[\xa0-\xbf]"),
    re.compile(rb"\xef\xbf[\xbe\xbf]"))
_MERGE = re.compile(r"<<[ \t]*:")
_MARKER_LINE = re.compile(r"\n(?:---|\.\.\.)")
_DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.M)
# Numbers the two resolvers read differently: exponents, sexagesimal, leading zeros.
# Three scans: each starts with a literal or needs no lookbehind at every position.
# One scan each: a literal first character (no alternation, no leading lookbehind) lets the
# regex engine skip ahead at memchr speed; the lookbehinds only filter the rare hits.
_NUM_CANDIDATES = tuple(re.compile(p) for p in (
    r"0[0-9oO_](?<![\w.:+\-]..)",  # 017, 0o17, 08
    r"-0[0-9oO_](?<=[\s\[{,:]...)", r"\+0[0-9oO_](?<=[\s\[{,:]...)",  # -017
    # 1e3, 1e-3: one scan for both (`e` is the commonest letter; two took 10.4 ms on
    # Stripe, this one 5.7), the lookbehind right after the literal rejecting most at once
    r"e(?<=[0-9]e)[-+]?[0-9]", r"E(?<=[0-9]E)[-+]?[0-9]",
    r":[0-9](?<=[0-9]..)",  # 1:30
    r"\.[0-9](?<=[-+]..)",  # -.5
    r"_[.0-9](?<![\w.]..)",  # _1, _.5 (numbers for yaml_rs)
    # 10_003, 1._5, 1e_3: strings in YAML 1.2, numbers for yaml_rs (one scan for `_`, rarer
    # than `e`: 7 ms on Stripe against 15 for this and separate `e_` and `E_` scans)
    r"_(?:(?<=[0-9._]_)|(?<=[0-9.][eE]_))",
    r"0[xXbB](?<![\w.:]..)",  # 0b101, 0X1F, +0x1F (strings in YAML 1.2)
))
_TOKEN_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.:+-")
_SUSPECT_NUMBER = re.compile(
    r"[-+]?(?:0[0-9_]+(?:\.[0-9_]*)?|0[oO][0-9A-Za-z_]*"  # leading zero: octal in YAML 1.1
    r"|[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?"  # sexagesimal (YAML 1.1 only)
    r"|[0-9_]+[eE][-+]?[0-9_]+"  # exponent without a dot (YAML 1.2 only)
    r"|[0-9_]*\.[0-9_]*[eE][0-9_]+"  # exponent without a sign (YAML 1.2 only)
    r"|\.[0-9_]+(?:[eE][-+]?[0-9_]+)?"  # signed, no digit before the dot
    r"|_[0-9_]*(?:\.[0-9_]*)?"  # leading underscore
    r"|(?=[-+.0-9eE]*_)[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9_]*)?"  # a number with an underscore
    r"|0[bB][0-9A-Za-z_]*|0X[0-9A-Za-z_]*|0x[0-9a-fA-F]*_[0-9A-Za-z_]*)"  # binary, odd hex
    r"|[-+]0[xX][0-9A-Za-z_]*"  # signed hex
)
# Block nesting this deep (a line indented 1,000 spaces, 100 compact "- ") needs a count.
# (`in` for the first: a literal needle, 8 -> 1.4 ms on Stripe's 4.2 MB against a regex.)
_DEEP_INDENT = "\n" + " " * 1000
_DEEP_GUARD = re.compile(r"-(?: +-){99}")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


_JUDGED = [0]  # end of the token last judged (one scan runs at a time per process)


def _skipping(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches of `rx`, resuming after the token the consumer last judged, so a long token
    ("1e1e1e...") is expanded once, not once per candidate inside it: linear time."""
    _JUDGED[0] = 0
    pos = 0
    while True:
        m = rx.search(text, pos)
        if m is None:
            return
        yield m
        pos = max(m.end(), _JUDGED[0])


def _number_suspect(text: str, candidates: tuple[re.Pattern[str], ...] = _NUM_CANDIDATES,
                    suspect: re.Pattern[str] = _SUSPECT_NUMBER, key_only: bool = False) -> bool:
    """True if a plain scalar written as an ambiguous number may be in the text."""
    n = len(text)
    for m in (m for rx in candidates for m in _skipping(rx, text)):
        start = m.start()
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        end = m.end()
        while end < n and text[end] in _TOKEN_CHARS:
            if text[end] == ":" and (end + 1 == n or text[end + 1] in " \t\r\n"):
                break  # a key's colon
            end += 1
        _JUDGED[0] = end
        if not suspect.fullmatch(text, start, end):
            continue
        # Does the token stand alone where a plain scalar starts and ends?
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start].rstrip(" \t")
        if before and before[-1] not in ":-?[{,":
            continue
        if before.endswith(",") and not any(c in text[line_start:end] for c in "[]{}") \
                and len(before) > 1 and before[-2].isdigit():
            continue  # "10,000" in prose, not a flow sequence
        after = text[end:text.find("\n", end) if text.find("\n", end) >= 0 else n]
        after = after.lstrip(" \t")
        if after and after[0] not in "#,]}:\r":
            continue
        if key_only and not after.startswith(":"):
            continue
        return True
    return False


# Integer keys spelled other than yaml_rs's str(int): 0x1F, 0b1, 1_000, +1, -0, 00.
_INT_KEY_CANDIDATES = tuple(re.compile(p) for p in (
    r"0[xXbBoO0-9_]", r"_(?<=[0-9]_)", r"\+[0-9]", r"-0",
))
_ODD_INT = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-9_]+|[0-9][0-9_]*_[0-9_]*)"
    r"|\+[0-9_]+|-0")


def _int_key_suspect(text: str) -> bool:
    """True if a mapping key may be an integer written in a form other than plain decimal."""
    return _number_suspect(text, _INT_KEY_CANDIDATES, _ODD_INT, key_only=True)


def _property_suspect(text: str) -> bool:
    """True if a tag (``!``) or an anchor (``&name``) may start a node: after whitespace or a
    flow/value indicator (a ``!`` or ``&`` inside a word or quoted prose is harmless)."""
    budget = 500  # harmless-looking candidates judged; past it, let PyYAML decide
    for at in _positions(text, "!", "&"):
        budget -= 1
        if budget < 0:
            return True
        if at and text[at - 1] not in " \t\r\n[{,:":
            continue
        if text[at] == "&" and text[at + 1:at + 2] in ("", " ", "\t", "\r", "\n"):
            continue
        if _in_block_scalar(text, at):
            continue  # code samples: `x != nil`, `&opts`
        return True
    return False


def _positions(text: str, a: str, b: str) -> Iterator[int]:
    """Offsets of the characters `a` and `b` in `text`, in order. Two `str.find`s, not the
    class ``[ab]``: a class scans a wide (non-ASCII) string character by character
    (Stripe's 4.2 MB: 39 ms for its three `!`/`&`; the finds take a few)."""
    find = text.find
    i, j = find(a), find(b)
    while i >= 0 or j >= 0:
        if j < 0 or 0 <= i < j:
            yield i
            i = find(a, i + 1)
        else:
            yield j
            j = find(b, j + 1)


def _has_non_printable(text: str) -> bool:
    """True if `text` holds a character libyaml's reader refuses."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _PRINTABLE_ASCII))
    data = text.encode("utf-8", "surrogatepass")
    return bool(data.translate(None, _NOT_C0)) or \
        any(rx.search(data) is not None for rx in _WIDE_NON_PRINTABLE)


_COMMENT = re.compile(r"[ \t]#")
_BLOCK_INDICATOR = re.compile(r"(?:^|[ \t])[|>]([-+1-9]{0,2})$")


def _header(body: str) -> re.Match[str] | None:
    """A block scalar header line (``key: |-``, ``- >``), comment removed first (a ``|``
    inside a comment is not a header)."""
    return _BLOCK_INDICATOR.search(_COMMENT.split(body, 1)[0].rstrip(" \t"))


_UNSURE = "?"


def _block_header(text: str, at: int, max_lines: int = 2000) -> str | None:
    """The header line (``key: |``) of the block scalar whose content holds offset `at`;
    None if `at` is provably outside any (a line at column 0 comes first); `_UNSURE` if
    the walk is too long. Walks up keeping the smallest indentation seen: a line indented
    less than everything below it is the enclosing node, a header or not."""
    line_start = text.rfind("\n", 0, at) + 1
    low = _indent(text, line_start)
    if low == 0:
        return None
    end = line_start
    for _ in range(max_lines):
        if end == 0:
            return None
        start = text.rfind("\n", 0, end - 1) + 1
        line = text[start:end - 1].rstrip("\r")
        body = line.lstrip(" ")
        if body and not body.startswith("#"):
            indent = len(line) - len(body)
            if indent < low:
                if _header(body):
                    return body
                if indent == 0:
                    return None
                low = indent
        end = start
    return _UNSURE


def _in_block_scalar(text: str, at: int) -> bool:
    header = _block_header(text, at)
    return header is not None and header is not _UNSURE


def _indent(text: str, line_start: int) -> int:
    p = line_start
    while p < len(text) and text[p] == " ":
        p += 1
    return p - line_start


def _block_scalar_at_end(text: str) -> bool:
    """For a file without a final line break: True unless its last line is provably not in
    a block scalar with clip or keep chomping (yaml_rs adds a line break there, libyaml
    does not; with ``|-`` both strip it)."""
    stripped = text.rstrip(" \t\r\n")
    if not stripped:
        return False
    line_start = stripped.rfind("\n") + 1
    last = stripped[line_start:]
    if _header(last):
        return True
    header = _block_header(stripped, len(stripped) - 1)
    if header is None:
        return False
    if header is _UNSURE:
        return True
    m = _header(header)
    return m is None or "-" not in m.group(1)


def depth_estimate(text: str) -> int:
    """Block nesting from indentation: the stack of open indents plus compact ``- `` items."""
    stack: list[int] = []
    deepest = 0
    for m in re.finditer(r"^( *)((?:- +)*)[^ \n#]", text, re.M):
        indent = len(m.group(1))
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        level = len(stack) + m.group(2).count("-")
        if level > deepest:
            deepest = level
    return deepest


def fast_load(text: str, max_depth: int, spare_core: bool = False) -> tuple[bool, Any]:
    """(True, data) from yaml_rs, or (False, None) when the PyYAML path must decide.
    `spare_core`: this process may fork (`Limits.spare_core`) to scan a big text beside
    the parse.

    Raises `ValueError` with a message when block nesting is provably over `max_depth`
    (the parsers would crash on it)."""
    if _DEEP_INDENT in text or _DEEP_GUARD.search(text):
        if depth_estimate(text) > max_depth:
            raise ValueError(f"nesting depth exceeds the limit of {max_depth}"
                             " (raise it with --max-depth)")
        return False, None
    if _yaml_rs is None or (not text.endswith("\n") and _block_scalar_at_end(text)):
        return False, None
    # Anchors first, and always before parsing: an alias bomb must never reach yaml_rs.
    if ("!" in text or "&" in text) and _property_suspect(text):
        return False, None
    beside = _scan_beside(text) if spare_core else None
    if beside is None and _reads_otherwise(text):
        return False, None
    try:
        data = _yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - any refusal: PyYAML gives the exact message
        if beside is not None:
            beside.result()
        return False, None
    if beside is not None and beside.result() is not False:  # None: no answer, not proven
        return False, None
    keys = _keys_as_written(data, max_depth)
    if not keys or (keys == 2 and _int_key_suspect(text)):
        return False, None
    return True, data


def _reads_otherwise(text: str) -> bool:
    """True if yaml_rs may read `text` otherwise than the exact loader in a way the parse
    itself does not show: merge keys, directives, document markers, characters libyaml
    refuses, numbers the two resolvers read differently. (Tags and anchors are ruled out
    before; they are a matter of safety, not only of fidelity.)"""
    if "<<" in text and _MERGE.search(text):
        return True
    if text.startswith("%") or "\n%" in text:  # a directive (`^%`; a regex took 42 ms)
        return True
    has_marker = text.startswith(("---", "...")) or _MARKER_LINE.search(text) is not None
    markers = list(_DOC_MARKER.finditer(text)) if has_marker else []
    if markers:
        first = markers[0]
        if len(markers) > 1 or text[first.start():first.end()] == "..." or \
                re.search(r"^[ \t]*[^ \t\r\n#]", text[:first.start()], re.M):
            return True
    return _has_non_printable(text) or _number_suspect(text)


#: A text this long has `_reads_otherwise` decided in a forked process while yaml_rs parses
#: it here: Stripe's 4.2 MB spends about 45 ms in those scans and 68 ms in yaml_rs, and the
#: fork costs about 2 ms (benchmarks/README.md, "Scanning beside the parse").
_SCAN_BESIDE_FROM = 1 << 20


def _scan_beside(text: str) -> Any:
    """`_reads_otherwise(text)` started in a forked process (`gatekeeper.beside`; its
    `result()` is True, False, or None if it failed), or None to run it here: a text under
    `_SCAN_BESIDE_FROM`, one core, or no fork."""
    if len(text) < _SCAN_BESIDE_FROM:
        return None
    from gatekeeper import beside

    return beside.start(lambda: _reads_otherwise(text))


_BIG_INT_BITS = 14_000  # about 4,214 decimal digits: below Python's 4,300-digit str limit


def _keys_as_written(data: Any, max_depth: int) -> int:
    """Integer keys become the strings they were written as (decimal, no leading zero: the
    number scans send every other spelling to PyYAML); any other non-string key: 0. Returns
    2 if integer keys were converted (the caller then checks their spelling), else 1.

    Walks one level at a time, so it is also the depth check (`tree_limits.check_depth`'s
    message; yaml_rs data shares no containers)."""
    level = [data] if type(data) is dict or type(data) is list else []
    depth = 1
    converted = 1
    while level:
        if depth > max_depth:
            raise ValueError(f"nesting depth exceeds the limit of {max_depth}"
                             " (raise it with --max-depth)")
        below: list[Any] = []
        push = below.append
        for node in level:
            if type(node) is dict:
                bad = False
                for key, value in node.items():
                    if type(key) is not str:
                        bad = True
                    kind = type(value)
                    if kind is dict or kind is list:
                        push(value)
                    elif kind is int and value.bit_length() > _BIG_INT_BITS:
                        return 0  # PyYAML refuses over 4,300 digits, with the line
                if bad:
                    items = list(node.items())
                    if not all(type(k) is str or (type(k) is int
                                                  and k.bit_length() <= _BIG_INT_BITS)
                               for k, _ in items):
                        return 0
                    converted = 2
                    node.clear()
                    node.update((k if type(k) is str else str(k), v) for k, v in items)
                    if len(node) != len(items):
                        return 0  # `200:` and `"200":`: PyYAML reports the duplicate
            else:
                for value in node:
                    kind = type(value)
                    if kind is dict or kind is list:
                        push(value)
                    elif kind is int and value.bit_length() > _BIG_INT_BITS:
                        return 0
        level = below
        depth += 1
    return converted
