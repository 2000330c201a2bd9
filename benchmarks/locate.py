"""Prototypes: map JSON pointers to line:column lazily, without a position for every node.

Three locators, each built from the raw text after (and independently of) the data parse:

- ``JsonLocator``: for JSON. Descends only into the containers on a pointer's path. Each
  container on the path is indexed once (member -> offset), and sibling values are skipped
  with one deep regular expression (possessive quantifiers, Python >= 3.11), so whole
  subtrees are jumped at C speed; no Python-level tokenizer walks the 47 MB.
- ``RymlLocator``: for YAML. rapidyaml (C++) parses the text in place into its own tree
  (no Python objects); keys and scalars are views into the buffer, so their byte offsets
  are exact. A pointer is resolved with ``find_child``/``child`` per token (O(depth) calls).
- ``YamlTextLocator``: for YAML, no tree at all: an indentation-aware search of the text,
  block mappings and sequences only; returns None where it is not sure (flow collections,
  multi-line keys, ...), so the caller falls back to an exact method.

Offsets become line:column with ``str.count("\\n", 0, offset)`` and ``str.rfind``; both
1-based, columns in characters.

    python benchmarks/locate.py bench        # timings (fresh process per row), with checks
"""

from __future__ import annotations

import bisect
import json
import re
import sys
import time
from pathlib import Path

# --------------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_STR = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_STR_RE = re.compile(_STR)
_FLAT = r'[^"\[\]{}]++'


def _skipper(depth: int) -> re.Pattern[str]:
    """A regex that matches one whole JSON value whose containers nest at most ``depth``
    deep. The text is already known to be valid JSON (the data parse succeeded), so the
    pattern only has to find where a value ends: strings are jumped as units (a bracket
    inside a string does not count), runs of other characters are jumped as units, and
    each nesting level is one more copy of the pattern. Possessive quantifiers: no
    backtracking, linear time."""
    inner = rf"(?:{_STR}|{_FLAT})*+"
    for _ in range(depth):
        inner = rf"(?:{_STR}|{_FLAT}|[\[{{]{inner}[\]}}])*+"
    return re.compile(rf"{_STR}|[\[{{]{inner}[\]}}]|[^,\]}}\s]++")


_SKIP_DEPTH = 48
_SKIP = _skipper(_SKIP_DEPTH)
_TOKEN = re.compile(rf'{_STR}|[\[\]{{}}]')


def _skip_slow(text: str, pos: int) -> int:
    """Fallback for containers nested deeper than the regex: a token loop."""
    depth = 0
    for m in _TOKEN.finditer(text, pos):
        ch = m.group()[0]
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    raise ValueError("unbalanced JSON")


def skip_value(text: str, pos: int) -> int:
    m = _SKIP.match(text, pos)
    if m is None:
        return _skip_slow(text, pos)
    end = m.end()
    if text[pos] in "[{" and text[end - 1] not in "]}":
        return _skip_slow(text, pos)
    return end


class JsonLocator:
    """Pointer -> (line, column) for a JSON text, lazily."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = _WS.match(text, 0).end()
        self._members: dict[int, dict[str, tuple[int, int]] | list[int]] = {}

    def _index(self, pos: int):
        """Index the container that starts at ``pos``: {key: (key offset, value offset)} for
        an object, [value offset, ...] for an array. Done once per container."""
        got = self._members.get(pos)
        if got is not None:
            return got
        text = self.text
        ws = _WS.match
        if text[pos] == "{":
            out: dict = {}
            p = ws(text, pos + 1).end()
            if text[p] != "}":
                while True:
                    m = _STR_RE.match(text, p)
                    raw = m.group()
                    key = json.loads(raw) if "\\" in raw else raw[1:-1]
                    p = ws(text, m.end()).end() + 1  # past ':'
                    p = ws(text, p).end()
                    out[key] = (m.start(), p)
                    p = ws(text, skip_value(text, p)).end()
                    if text[p] == "}":
                        break
                    p = ws(text, p + 1).end()  # past ','
        else:
            out = []
            p = ws(text, pos + 1).end()
            if text[p] != "]":
                while True:
                    out.append(p)
                    p = ws(text, skip_value(text, p)).end()
                    if text[p] == "]":
                        break
                    p = ws(text, p + 1).end()
        self._members[pos] = out
        return out

    def offset(self, pointer: str) -> int | None:
        """Offset of the member's key (objects) or the item (arrays); None if absent."""
        pos = at = self.root
        if pointer == "":
            return pos
        for token in pointer[1:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if self.text[pos] not in "[{":
                return None
            members = self._index(pos)
            if isinstance(members, dict):
                hit = members.get(token)
                if hit is None:
                    return None
                at, pos = hit
            else:
                if not token.isdigit() or int(token) >= len(members):
                    return None
                at = pos = members[int(token)]
        return at

    def value_offset(self, pointer: str) -> int | None:
        if self.offset(pointer) is None:
            return None
        # the value offset is what the last step moved ``pos`` to; recompute cheaply
        pos = self.root
        for token in (pointer[1:].split("/") if pointer else []):
            token = token.replace("~1", "/").replace("~0", "~")
            members = self._index(pos)
            pos = members[token][1] if isinstance(members, dict) else members[int(token)]
        return pos

    def locate(self, pointer: str) -> tuple[int, int] | None:
        off = self.offset(pointer)
        return None if off is None else line_col(self.text, off)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class LineIndex:
    """Offsets of line starts, for many lookups in one text (bisect instead of count)."""

    def __init__(self, text: str | bytes) -> None:
        nl = "\n" if isinstance(text, str) else b"\n"
        starts = [0]
        find = text.find
        i = find(nl)
        while i >= 0:
            starts.append(i + 1)
            i = find(nl, i + 1)
        self.starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


# --------------------------------------------------------------------------- YAML: rapidyaml


def _buffer_address():
    """Address of a buffer-protocol object's memory (rapidyaml hands out read-only
    memoryviews into the parsed buffer; their address minus the buffer's is the offset)."""
    import ctypes

    class PyBuffer(ctypes.Structure):
        _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                    ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                    ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                    ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]

    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.POINTER(PyBuffer), ctypes.c_int]
    release = ctypes.pythonapi.PyBuffer_Release
    release.argtypes = [ctypes.POINTER(PyBuffer)]

    def address(obj) -> int:
        view = PyBuffer()
        get(obj, ctypes.byref(view), 0)
        try:
            return view.buf
        finally:
            release(ctypes.byref(view))

    return address


class RymlLocator:
    """Pointer -> (line, column) for a YAML text via a rapidyaml tree (exact)."""

    def __init__(self, raw: bytes) -> None:
        import ryml

        self.ryml = ryml
        self.raw = raw  # the original bytes: parse_in_place rewrites escapes in the copy
        self.buf = bytearray(raw)
        self.tree = ryml.parse_in_place(self.buf)
        self.address = _buffer_address()
        self.base = self.address(self.buf)
        self.lines = None
        root = self.tree.root_id()
        if self.tree.is_stream(root):
            root = self.tree.first_child(root)
        self.root = root

    def _node_offset(self, node: int) -> int | None:
        t = self.tree
        while True:
            if t.has_key(node):
                view = t.key(node)
            elif t.has_val(node) and t.val(node) is not None:
                view = t.val(node)
            elif t.has_children(node):  # a container item: report its first entry
                node = t.first_child(node)
                continue
            else:
                return None
            off = self.address(view) - self.base
            if off > 0 and self.raw[off - 1] in b"\"'":
                off -= 1
            return off

    def offset(self, pointer: str) -> int | None:
        t, node = self.tree, self.root
        for token in (pointer[1:].split("/") if pointer else []):
            token = token.replace("~1", "/").replace("~0", "~")
            if t.is_map(node):
                node = t.find_child(node, token.encode())
            elif t.is_seq(node) and token.isdigit():
                node = t.child(node, int(token))
            else:
                return None
            if node == self.ryml.NONE:
                return None
        return self._node_offset(node) if pointer else 0

    def locate(self, pointer: str) -> tuple[int, int] | None:
        off = self.offset(pointer)
        if off is None:
            return None
        if self.lines is None:
            self.lines = LineIndex(self.raw)
        line, col = self.lines.line_col(off)
        # column in characters, not bytes
        start = self.lines.starts[line - 1]
        return line, len(self.raw[start:off].decode("utf-8", "replace")) + 1


# --------------------------------------------------------------------------- YAML: text scan


class YamlTextLocator:
    """Pointer -> (line, column) by searching the YAML text, block style only.

    A block mapping whose keys sit at column ``n`` owns the lines from its first key to the
    first later line indented less than ``n`` (lines of block scalars and multi-line scalars
    under it are indented more, so they cannot look like its keys). The search for key K is
    one regex ``^ {n}K[ \t]*:`` over that range: C speed, no tokenizing. Sequence items are
    ``- `` at column ``n``. Anything else (flow collections, anchors and aliases, explicit
    ``? `` keys, a value on the key's line that is not the end of the pointer) returns None,
    and the caller falls back to an exact method (rapidyaml or PyYAML's node tree).
    """

    _CONTENT = re.compile(r"^( *)([^ #\n])", re.M)

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)
        self._pats: dict = {}
        self._ends: dict = {}

    def _pat(self, key, fmt):
        p = self._pats.get(key)
        if p is None:
            p = self._pats[key] = re.compile(fmt, re.M)
        return p

    def _end(self, start: int, n: int, seq: bool = False) -> int:
        got = self._ends.get((start, n, seq))
        if got is None:
            got = self._ends[start, n, seq] = self._find_end(start, n, seq)
        return got

    def _find_end(self, start: int, n: int, seq: bool) -> int:
        """Where the block starting at ``start`` whose entries sit at column ``n`` ends: the
        first later content line indented less than ``n`` (for a sequence at column ``n``,
        also a line at column ``n`` that is not an item)."""
        if seq:
            pat = self._pat(("seqend", n), rf"\n(?: {{0,{n - 1}}}[^ #\n]| {{{n}}}(?:[^ #\n-]|-[^ \n]))" if n
                            else r"\n(?:[^ #\n-]|-[^ \n])")
        elif n == 0:
            return len(self.text)
        else:
            pat = self._pat(("end", n), rf"\n {{0,{n - 1}}}[^ #\n]")
        m = pat.search(self.text, max(start - 1, 0))
        return m.start() + 1 if m else len(self.text)

    def _col(self, off: int) -> int:
        return off - (self.text.rfind("\n", 0, off) + 1)

    def offset(self, pointer: str) -> int | None:
        text = self.text
        m = self._CONTENT.search(text)
        while m and text.startswith("---", m.start(2)) or (m and text[m.start(2)] == "%"):
            m = self._CONTENT.search(text, text.find("\n", m.start(2)) + 1)
        if m is None:
            return None
        pos = m.start(2)  # first character of the current node
        end = len(text)  # where the current node's lines end
        at = 0 if pointer == "" else None
        tokens = pointer[1:].split("/") if pointer else []
        for i, token in enumerate(tokens):
            token = token.replace("~1", "/").replace("~0", "~")
            last = i == len(tokens) - 1
            n = self._col(pos)
            head = text[pos]
            if head == "-" and text[pos + 1:pos + 2] in (" ", "\n"):
                if not token.isdigit():
                    return None
                item = self._pat(("item", n), rf"(?<=\n) {{{n}}}-(?: |$)")
                seq_end = min(end, self._end(pos, n, seq=True))
                k, want, hit, nxt = 0, int(token), None, None
                # the first item may start mid-line (after a parent "- "): match it directly
                first = re.compile(r"-(?: |$)", re.M).match(text, pos)
                starts = [first] if first else []
                for mm in item.finditer(text, text.find("\n", pos) + 1 if first else pos, seq_end):
                    starts.append(mm)
                    if len(starts) > want + 1:
                        break
                if len(starts) <= want:
                    return None
                hit = starts[want]
                nxt = starts[want + 1].start() if len(starts) > want + 1 else seq_end
                c = self._CONTENT.search(text, hit.end()) if text[hit.end() - 1] != " " else None
                if c is None:
                    p = hit.end()
                    while text[p] == " ":
                        p += 1
                    if text[p] in "\n#":
                        c = self._CONTENT.search(text, p)
                        if c is None:
                            return None
                        p = c.start(2)
                else:
                    p = c.start(2)
                pos, end, at = p, nxt, p
                if text[pos] in "[{&*!|>\"'" and not last:
                    return None
                continue
            if head in "[{&*!?|>":
                return None
            q = re.escape(token)
            keyre = rf"(?:{q}|\"{q}\"|'{q}')[ \t]*:(?:[ \t]|$)"
            mm = self._pat(("key0", token), keyre).match(text, pos)
            if mm is None:
                # "\n" + indentation + the plain key is a literal prefix: the regex engine
                # scans for it at memchr-like speed instead of trying every position.
                mm = self._pat(("key", n, token), rf"\n {{{n}}}{q}[ \t]*:(?:[ \t]|$)").search(text, pos - 1, end)
                if mm is None:
                    mm = self._pat(("qkey", n, token), rf"\n {{{n}}}{keyre}").search(text, pos - 1, end)
                if mm is None:
                    return None
                key_at = mm.start() + 1 + n
            else:
                key_at = mm.start()
            at = key_at
            if last:
                break
            line_end = text.find("\n", mm.end())
            line_end = len(text) if line_end < 0 else line_end
            rest = text[mm.end():line_end].strip()
            if rest and not rest.startswith("#"):
                return None  # scalar, flow collection, anchor, alias or block scalar
            c = self._CONTENT.search(text, line_end + 1)
            if c is None:
                return None
            col = len(c.group(1))
            kcol = self._col(key_at)
            if col < kcol or (col == kcol and text[c.start(2)] != "-"):
                return None  # empty value
            pos = c.start(2)
            end = min(end, self._end(line_end + 1, kcol + 1)) if col > kcol else end
        return at

    def locate(self, pointer: str) -> tuple[int, int] | None:
        off = self.offset(pointer)
        return None if off is None else self.lines.line_col(off)


# --------------------------------------------------------------------------- truth and sample


def compose_positions(raw: bytes) -> dict[str, tuple[int, int]]:
    """Every node's position from PyYAML's node tree: the exact reference (keys for members,
    item start for sequence items)."""
    import yaml

    node = yaml.compose(raw, Loader=yaml.CSafeLoader)
    out: dict[str, tuple[int, int]] = {"": (node.start_mark.line + 1, node.start_mark.column + 1)}
    stack = [(node, "")]
    while stack:
        n, ptr = stack.pop()
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                p = ptr + "/" + str(k.value).replace("~", "~0").replace("/", "~1")
                out[p] = (k.start_mark.line + 1, k.start_mark.column + 1)
                stack.append((v, p))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                p = f"{ptr}/{i}"
                out[p] = (v.start_mark.line + 1, v.start_mark.column + 1)
                stack.append((v, p))
    return out


def all_pointers(data, ptr: str = "", out: list | None = None) -> list[str]:
    """Every pointer in document order."""
    if out is None:
        out = []
    out.append(ptr)
    if isinstance(data, dict):
        for k, v in data.items():
            all_pointers(v, ptr + "/" + str(k).replace("~", "~0").replace("/", "~1"), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            all_pointers(v, f"{ptr}/{i}", out)
    return out


def sample_pointers(data, n: int = 100) -> list[str]:
    """``n`` pointers spread evenly over the document (deterministic)."""
    ptrs = all_pointers(data)[1:]
    return [ptrs[int((i + 0.5) * len(ptrs) / n)] for i in range(n)]


def resolve(data, pointer: str):
    for token in (pointer[1:].split("/") if pointer else []):
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


# --------------------------------------------------------------------------- bench

HERE = Path(__file__).resolve().parent


def _one(kind: str, path: str, n: int) -> dict:
    """One measurement in this process (called by ``bench`` in a fresh process)."""
    raw = Path(path).read_bytes()
    out: dict = {"bytes": len(raw)}
    if kind.startswith("json"):
        import orjson

        t0 = time.perf_counter()
        data = orjson.loads(raw)
        out["parse"] = time.perf_counter() - t0
        ptrs = sample_pointers(data, n)
        t0 = time.perf_counter()
        text = raw.decode("utf-8")
        loc = JsonLocator(text)
        found = [loc.locate(p) for p in ptrs]
        out["locate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        loc1 = JsonLocator(text)
        loc1.locate(ptrs[0])
        out["first"] = time.perf_counter() - t0
        # self-check: the value at each offset decodes to the data at the pointer
        dec = json.JSONDecoder()
        bad = sum(dec.raw_decode(text, loc.value_offset(p))[0] != resolve(data, p) for p in ptrs)
        out["wrong"] = bad + sum(f is None for f in found)
        return out
    import yaml_rs

    t0 = time.perf_counter()
    data = yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)
    out["parse"] = time.perf_counter() - t0
    ptrs = sample_pointers(data, n)
    if kind == "yaml-ryml":
        t0 = time.perf_counter()
        loc = RymlLocator(raw)
        found = [loc.locate(p) for p in ptrs]
    elif kind == "yaml-text":
        t0 = time.perf_counter()
        loc = YamlTextLocator(raw.decode("utf-8"))
        found = [loc.locate(p) for p in ptrs]
    elif kind == "yaml-compose":
        t0 = time.perf_counter()
        table = compose_positions(raw)
        found = [table.get(p) for p in ptrs]
    out["locate"] = time.perf_counter() - t0
    truth = compose_positions(raw)
    out["unresolved"] = sum(f is None for f in found)
    out["wrong_line"] = sum(f is not None and f[0] != truth[p][0] for p, f in zip(ptrs, found))
    out["wrong_col"] = sum(f is not None and f != truth[p] for p, f in zip(ptrs, found))
    return out


def bench() -> None:
    sys.path.insert(0, str(HERE))
    from parsers import CORPUS, api_dir, timed_process

    api = api_dir()
    cases = [
        ("json", str(api / "github.com/api.github.com.json"), 100),
        ("json", str(api / "microsoft.com/graph-beta.json"), 1),
        ("json", str(api / "microsoft.com/graph-beta.json"), 100),
        ("yaml-ryml", str(CORPUS / "stripe/spec3.yaml"), 100),
        ("yaml-text", str(CORPUS / "stripe/spec3.yaml"), 100),
        ("yaml-compose", str(CORPUS / "stripe/spec3.yaml"), 100),
    ]
    print("| file | locator | pointers | parse (s) | locate (s) | first pointer (s) | checks | wall (s) | RSS (MB) |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|")
    for kind, path, n in cases:
        r = timed_process([sys.executable, __file__, "one", kind, path, str(n)])
        if "error" in r:
            print(f"| {Path(path).name} | {kind} | {n} | error {r['error'][:80]} |")
            continue
        if kind == "json":
            checks = f"{r['wrong']} wrong"
        else:
            checks = f"{r['unresolved']} unresolved, {r['wrong_line']} wrong line, {r['wrong_col']} wrong line:col"
        first = f"{r['first']:.3f}" if "first" in r else ""
        print(f"| {Path(path).name} | {kind} | {n} | {r['parse']:.3f} | {r['locate']:.3f} | {first} | {checks} "
              f"| {r['wall']:.2f} | {r['rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["one"]:
        print(json.dumps(_one(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    elif sys.argv[1:2] == ["bench"]:
        bench()
    else:
        print(__doc__)
