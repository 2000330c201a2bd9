"""Bytes to data, safely: the one module that parses spec files (docs/hardening.md R1 to R6).

Each file is read once and parsed once. JSON (by content: the first non-space character is
``{`` or ``[``, or a ``.json`` name) goes through the standard library's C scanner with a
duplicate-key hook; it never falls back to YAML. Everything else goes through a subclass of
PyYAML's safe loader (libyaml's C parser when available) that

* refuses every tag outside the safe core schema (so ``!!python/...`` never runs),
* resolves plain scalars by YAML 1.2's core schema: dates, timestamps, ``yes``/``no``,
  ``10_003`` and ``0b101`` stay the strings they are written as, ``017`` is 17 and ``1e3``
  is 1000.0 (docs/hardening.md, "YAML scalars"); keeps mapping keys as written (``200:`` is
  the key ``"200"``),
* rejects duplicate keys with both line numbers,
* records the line and column of every mapping key and sequence item as it builds the data,
  so a finding can be located without parsing the file again.

Aliases are never expanded: the loader counts how often they are reused and, if any are, the
expanded size is computed by dynamic programming over object identity (R4). Depth is measured
iteratively (R5). Positions in JSON files are found lazily, only for the pointers that are
reported, by a scanner that skips over everything not on the pointer's path
(`gatekeeper.json_positions`).
"""

from __future__ import annotations

import codecs
from bisect import bisect_right
import json
import os
import re

from gatekeeper.errors import SpecError
from gatekeeper.json_positions import COMPACT as _COMPACT
from gatekeeper.json_positions import JSON_WS as _JSON_WS
from gatekeeper.json_positions import compact_members as _compact_members
from gatekeeper.json_positions import json_compact as _json_compact
from gatekeeper.json_positions import json_index as _json_index
from gatekeeper.json_positions import json_offset_compact as _json_offset_compact
from gatekeeper.errors import short as _short
from gatekeeper.record import Record
from gatekeeper.tree_limits import ORJSON_MAX_DEPTH, check_depth, expanded_size

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Document", "Limits", "load_document", "parse_text", "paused_gc"]

class Limits(Record):
    """Every budget the loader enforces. Each has a CLI flag named in its error message:
    --max-file-size, --max-nodes (expanded YAML nodes when aliases are used), --max-depth;
    ``allow_remote_refs`` (R8, --allow-remote-ref): https prefixes remote $refs may be
    fetched from (none: refused); --allow-private-networks (remote refs only).
    ``spare_core``: this process may fork to work beside (`yaml_fast`'s scans, the spec's
    `Spec.locations`, the command line's helpers forked after the load); only the command
    line's worker for one spec says so, since a library caller's process may run threads,
    which a fork does not carry, and a batch's workers already use every core."""

    __slots__ = ("max_file_size", "max_nodes", "max_depth", "max_ref_hops", "max_files",
                 "allow_remote_refs", "allow_private_networks", "spare_core")

    def __init__(self, max_file_size: int = 100 * 1024 * 1024, max_nodes: int = 2_000_000,
                 max_depth: int = 256, max_ref_hops: int = 1000, max_files: int = 20_000,
                 allow_remote_refs: tuple[str, ...] = (),
                 allow_private_networks: bool = False, spare_core: bool = False) -> None:
        self.max_file_size = max_file_size
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.max_ref_hops = max_ref_hops
        self.max_files = max_files
        self.allow_remote_refs = allow_remote_refs
        self.allow_private_networks = allow_private_networks
        self.spare_core = spare_core


class Document:
    """One parsed file: its data and how to find a node's line and column in it.

    ``path`` is the absolute, real path; ``display`` the name shown to the user. YAML only:
    ``positions`` maps id(container) -> {key: (line0, col0)} for dicts, [(line0, col0)] for
    lists. ``notes``: legal-but-odd input, e.g. an unquoted version number, as (pointer
    tokens, text). The YAML fast path (yaml_fast, ``fast``) has no position table: a text
    locator, then PyYAML's table."""

    __slots__ = ("path", "display", "text", "data", "is_json", "positions", "notes",
                 "_line_starts", "_json_members", "_fast", "_locator", "_exact", "_limits",
                 "_known", "depth_bound", "canonical")

    def __init__(self, path: str, display: str, text: str, data: Any, is_json: bool,
                 positions: dict[int, Any] | None = None,
                 notes: list[tuple[tuple[str, ...], str]] | None = None, *,
                 fast: bool = False, limits: Limits | None = None) -> None:
        self.path = path
        self.display = display
        self.text = text
        self.data = data
        self.is_json = is_json
        self.positions = {} if positions is None else positions
        self.notes = [] if notes is None else notes
        self._line_starts: list[int] | None = None
        self._json_members: dict[int, Any] | None = None
        self._fast = fast
        self._locator: Any = None
        self._exact: Document | None = None
        self._limits = limits
        #: positions found by another process on its own copy of this file (`remember`)
        self._known: dict[tuple[str, ...], tuple[int, int]] = {}
        #: how deep `data` can be at most, when the parse proved it (`tree_limits`)
        self.depth_bound: int | None = None
        #: the text is exactly what the loader's JSON serializer writes for `data` as
        #: parsed (the fast parse's proof): every string in it is written as it reads,
        #: escaped only where JSON must (quotes, backslashes, control characters)
        self.canonical = False

    def __repr__(self) -> str:
        return f"Document({self.display!r}, is_json={self.is_json})"

    @property
    def shares_containers(self) -> bool:
        """Whether one container may sit at two places of `data` (a YAML alias): never in
        JSON, nor in YAML that the fast path read, since it refuses anchors. A walk of a
        tree needs no set of the containers it has visited (Stripe's `$ref` scan: 22 ms
        with one, 15 without)."""
        return not (self.is_json or self._fast)

    def forget_text(self) -> None:
        """Let go of the text and of what locating in it keeps; nothing is located after."""
        self.text = ""
        self._line_starts = self._json_members = self._locator = self._exact = None

    def remember(self, tokens: tuple[str, ...], line: int, column: int) -> None:
        """`locate(tokens)`'s answer, computed elsewhere from the same text (a helper process
        that located its own findings), so that this process does not search for it."""
        self._known[tokens] = (line, column)

    def locate(self, tokens: tuple[str, ...]) -> tuple[int, int]:
        """1-based (line, column) of the node at `tokens`, or of its nearest existing ancestor."""
        known = self._known.get(tokens) if self._known else None
        if known is not None:
            return known
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
            from gatekeeper.yaml_locate import TextLocator

            self._locator = TextLocator(self.text, self.data)
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
            self._line_starts = _line_starts(self.text)
        line = bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1


_NEWLINE = re.compile("\n")


def _line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts.

    Speed: with many short lines (Stripe's 4 MB YAML: 112,000 lines) one `finditer` pass
    takes 19 to 23 ms against 39 for a `str.find` loop; with few long lines (GitHub's 5.7 MB
    of JSON) the loop's memchr scans win, 3 ms against 6 (benchmarks/README.md)."""
    starts = [0]
    head = min(len(text), 65536)
    if text.count("\n", 0, head) * 200 > head:  # short lines, judged on the first 64 KB
        starts += [m.end() for m in _NEWLINE.finditer(text)]
        return starts
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


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
        doc.canonical = True
        if fast[2]:  # orjson serialized the whole tree again
            doc.depth_bound = ORJSON_MAX_DEPTH
        doc._json_members = {_COMPACT: fast[1]}
        if fast[1] is not None and isinstance(fast[0], (dict, list)):
            doc._json_members[0] = _compact_members(fast[0], 0, fast[1][3])  # `_json_offset`
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


#: Below this size the standard library's json parses and re-serializes: importing orjson
#: costs about 8 ms (it imports dataclasses, uuid, ...), more than the standard library
#: takes there. Above it, locating many findings re-serializes many members, where orjson
#: is ten times faster (a threshold of 1 MB cost 0.5 s over the 105 specs of 60 KB to 1 MB
#: in benchmarks/sample300.txt).
SMALL_JSON = 1 << 16

_STD_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                               allow_nan=False).encode


def _std_dumps(value: Any) -> bytes:
    """What ``orjson.dumps`` writes, by the standard library (compact, UTF-8, no NaN)."""
    return _STD_ENCODE(value).encode("utf-8", "surrogatepass")


def _std_dumps_indented(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2,
                      allow_nan=False).encode("utf-8", "surrogatepass")


def _codec_for(size: int) -> tuple[Any, Any, Any]:
    """(loads, compact dumps, 2-space-indent dumps) for a text of `size` characters: the
    standard library below SMALL_JSON, orjson above."""
    if size >= SMALL_JSON:
        try:
            import orjson
        except ImportError:  # pragma: no cover - orjson is a dependency
            pass
        else:
            return (orjson.loads, orjson.dumps,
                    lambda value: orjson.dumps(value, option=orjson.OPT_INDENT_2))
    return json.loads, _std_dumps, _std_dumps_indented


def _parse_json_fast(body: str) -> tuple[Any, Any, bool] | None:
    """A plain parse (orjson for big texts, else the standard library), used when its data
    provably is what the standard path would give: re-serialized it must reproduce the text
    byte for byte (compact, or a 2-space indent), which rules out duplicate keys, big
    integers turned into floats, NaN and every other spelling a plain parse would read
    differently. Returns (data, serialized-mode state or None, whether orjson serialized it),
    or None to let the standard parser (with its duplicate-key hook and exact errors) decide."""
    loads, _dumps, dumps_indented = _codec_for(len(body))
    try:
        data = loads(body)
    except (ValueError, RecursionError):  # orjson's JSONDecodeError is a ValueError
        return None
    by_orjson = loads is not json.loads
    state = _json_compact(body, data, _dumps)
    if state is not None:
        return data, state, by_orjson
    if "\n" in body:
        try:
            blob = dumps_indented(data)
        except (TypeError, ValueError, RecursionError):  # JSONEncodeError is a TypeError
            return None
        if body.strip(" \t\r\n").encode("utf-8", "surrogatepass") == blob:
            return data, None, by_orjson
    return None


def _json_key_lines(text: str, key: str) -> list[int]:
    needle = json.dumps(key)
    lines: list[int] = []
    for m in re.finditer(re.escape(needle) + r"\s*:", text):
        lines.append(text.count("\n", 0, m.start()) + 1)
        if len(lines) > 4:
            break
    return lines


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
        cache[_COMPACT] = _json_compact(text, doc.data, _codec_for(len(text))[1])
        if cache[_COMPACT] is not None and isinstance(doc.data, (dict, list)):
            # Index the root now: the first locate runs in the shape check, before a numeric
            # `openapi: 3.0` is replaced by its string, so the root's member lengths are
            # those of the text (deeper containers never change).
            cache[0] = _compact_members(doc.data, 0, cache[_COMPACT][3])
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



# --------------------------------------------------------------------------- YAML
# PyYAML (the exact path, positions) is in `gatekeeper.yaml_exact`: 9 ms a JSON spec never pays.
# Whitespace-only lines that contain a tab: libyaml rejects a tab on a blank line inside a
# block scalar, Spectral and Redocly accept it. Such a line means "empty line" in every
# context, so blanking it keeps both the meaning and every line number.
_TAB_BLANK_LINE = re.compile(r"^[ \t]*\t[ \t]*$", re.M)


def _parse_yaml(text: str, path: str, display: str, limits: Limits) -> Document:
    """yaml_rs when `yaml_fast` proves it gives this loader's data, else PyYAML (exact)."""
    if "\t" in text:
        text = _TAB_BLANK_LINE.sub("", text)
    from gatekeeper import yaml_fast

    try:
        ok, data = yaml_fast.fast_load(text, limits.max_depth, limits.spare_core)
    except ValueError as exc:  # block nesting that would crash the parsers
        raise SpecError(str(exc), file=display) from None
    if ok:
        if data is None:
            raise SpecError("file is empty", file=display)
        return Document(path=path, display=display, text=text, data=data, is_json=False,
                        fast=True, limits=limits)
    return _parse_yaml_exact(text, path, display, limits)


def _parse_yaml_exact(text: str, path: str, display: str, limits: Limits) -> Document:
    from gatekeeper.yaml_exact import read_yaml_exact

    data, positions, aliases = read_yaml_exact(text, display)
    doc = Document(path=path, display=display, text=text, data=data, is_json=False,
                   positions=positions)
    if aliases and expanded_size(data, limits.max_nodes) > limits.max_nodes:
        raise SpecError(f"YAML alias expansion exceeds the limit of {limits.max_nodes:,} nodes"
                        " (raise it with --max-nodes)", file=display)
    return doc
