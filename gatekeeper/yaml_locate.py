"""Where a node sits in a YAML text read by the fast path (`gatekeeper.yaml_fast`), which
builds no position table: an indentation-aware search of the text that returns None where
it is unsure, and the caller then asks the PyYAML loader's exact table
(`gatekeeper.yaml_exact`), built once per file on first need.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["TextLocator"]

_CONTENT = re.compile(r"^( *)([^ #\n])", re.M)
_SMALL = 8192  # a mapping spanning fewer characters is searched per key, not indexed
_COMPOSE_MAX = 1 << 20  # a node's own text parsed for exact positions, up to 1 MiB
_ITEM_START = re.compile(r"-(?: |$)", re.M)
# One key and its colon: double-quoted, single-quoted or plain (up to the first ": ").
_KEY = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^ \t\n#'"\[{&*!|>?%@`][^\n]*?)[ \t]*:(?=[ \t\r]|$)""", re.M)


class TextLocator:
    """Pointer tokens -> offset by searching the YAML text, block style only.

    A block mapping whose keys sit at column ``n`` owns the lines from its first key to the
    first later line indented less than ``n``; the search for key K is one regex
    ``\\n {n}K[ \\t]*:`` (a literal prefix: memchr speed) over that range. Sequence items are
    ``- `` at column ``n``. Flow collections, anchors, explicit ``? `` keys and anything
    unexpected return None: the caller then uses an exact method. Ported from
    benchmarks/locate.py (exact on 145,000 corpus pointers, never a wrong line).
    """

    def __init__(self, text: str, data: Any = None) -> None:
        self.text = text
        #: the document's data, when it is what `text` holds: a mapping key's value ends
        #: where the key after it starts (see `_value_end`)
        self.data = data
        self._next_keys: dict[int, tuple[Any, dict[str, str]]] = {}
        self._pats: dict[Any, re.Pattern[str]] = {}
        self._ends: dict[Any, int] = {}
        self._keys: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
        self._items: dict[tuple[int, int], list[re.Match[str]]] = {}
        #: pointer prefix -> (offset of its node, end of its lines, its data), for the next
        #: pointer
        self._states: dict[tuple[str, ...], tuple[int, int, Any]] = {}

    def _compose(self, pos: int, end: int, tokens: tuple[str, ...]) -> int | None:
        """Exact offset of `tokens` below the node at `pos` (lines up to `end`) from PyYAML's
        node tree of that node's text alone, indented as in the file so that columns match
        (flow collections, keys with escapes). Too big or unparsable: None."""
        if not tokens or end - pos > _COMPOSE_MAX:
            return None
        import yaml

        text = self.text
        line_start = text.rfind("\n", 0, pos) + 1
        try:
            node = yaml.compose(" " * (pos - line_start) + text[pos:end],
                                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, RecursionError):
            return None
        mark = None
        for token in tokens:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == token:
                        mark, node = key.start_mark, value
                        break
                else:
                    return None
            elif isinstance(node, yaml.SequenceNode):
                if not token.isdigit() or int(token) >= len(node.value):
                    return None
                node = node.value[int(token)]
                mark = node.start_mark
            else:
                return None
        if mark is None:
            return None
        p = line_start
        for _ in range(mark.line):
            p = text.find("\n", p) + 1
        return p + mark.column

    def _colon_after(self, p: int) -> int | None:
        """Offset after the key's colon if only blanks separate `p` from it."""
        text = self.text
        size = len(text)
        while p < size and text[p] in " \t":
            p += 1
        if p < size and text[p] == ":" and (p + 1 == size or text[p + 1] in " \t\r\n"):
            return p + 1
        return None

    def _find_key(self, pos: int, n: int, end: int, token: str) -> tuple[int, int] | None:
        """(key offset, offset after its colon) of `token` in the block mapping whose first
        key is at `pos` (column `n`) and whose lines end at `end`; str.find, no regex."""
        text = self.text
        if "\n" in token or "\r" in token:
            return None
        forms = (token, '"' + token + '"', "'" + token.replace("'", "''") + "'")
        for form in forms:
            if text.startswith(form, pos):
                after = self._colon_after(pos + len(form))
                if after is not None:
                    return pos, after
        indent = "\n" + " " * n
        for form in forms:
            hit = self._key_line(indent, form, max(pos - 1, 0), end)
            if hit is not None:
                return hit
        return None

    def _key_line(self, indent: str, key: str, start: int, end: int
                  ) -> tuple[int, int] | None:
        """(key offset, offset after its colon) of the first line between `start` and `end`
        that is `indent` (a line break and the mapping's indentation), then `key` as written,
        then the key's colon; None if there is none."""
        text = self.text
        needle = indent + key
        i = text.find(needle, start, end)
        while i != -1:
            after = self._colon_after(i + len(needle))
            if after is not None:
                return i + len(indent), after
            i = text.find(needle, i + 1, end)
        return None

    def _index_keys(self, pos: int, n: int, end: int, node: Any = None
                    ) -> dict[str, tuple[int, int]]:
        """{key: (key offset, offset after its colon)} for the block mapping at `pos`.

        Keys are plain or quoted on one line; a double-quoted key with an escape is left
        out (its lookup returns None and the caller asks the exact table)."""
        if type(node) is dict:
            found = self._keys_in_order(pos, n, end, node)
            if found is not None:
                return found
        out: dict[str, tuple[int, int]] = {}
        text = self.text
        first = _KEY.match(text, pos)
        found = [(pos, first)] if first else []
        rx = self._pat(("keys", n), rf"\n {{{n}}}(?=[^ \n#-]|-[^ \n])")
        for m in rx.finditer(text, pos, end):
            at = m.end()
            k = _KEY.match(text, at)
            if k is not None:
                found.append((at, k))
        for at, k in found:
            key = k.group(1)
            if key[:1] == '"':
                if "\\" in key:
                    continue
                key = key[1:-1]
            elif key[:1] == "'":
                key = key[1:-1].replace("''", "'")
            out.setdefault(key, (at, k.end()))
        return out

    def _keys_in_order(self, pos: int, n: int, end: int, node: dict[Any, Any]
                       ) -> dict[str, tuple[int, int]] | None:
        """`_index_keys` from the mapping's data, whose keys yaml_rs keeps in written order:
        each plain key is searched from where the one before it was found, so the text is
        read once at `str.find` speed; None at the first key not found so (a quoted key, a
        key the data spells otherwise), and the caller reads the keys off the text instead.

        Speed: Stripe's 6,186 reported pointers are located in 0.25 to 0.27 s (medians of five)
        against 0.27 to 0.30 s with the regex over every line of each big mapping
        (benchmarks/README.md, "Locating findings")."""
        out: dict[str, tuple[int, int]] = {}
        indent = "\n" + " " * n
        start = pos  # the first key is at `pos` itself, maybe after a sequence's "- "
        for key in node:
            if type(key) is not str or not key or "\n" in key or "\r" in key:
                return None
            hit = None
            if start == pos and self.text.startswith(key, pos):
                after = self._colon_after(pos + len(key))
                hit = (pos, after) if after is not None else None
            if hit is None:
                hit = self._key_line(indent, key, max(start - 1, 0), end)
            if hit is None:
                return None
            out[key] = hit
            start = hit[0] + 1
        return out

    def _pat(self, key: Any, fmt: str) -> re.Pattern[str]:
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
        # "Indented less than n": `(?! {n}) *+`, not ` {0,n-1}` (which retried each shorter
        # run of spaces on every deeper line): Stripe locates in 0.21 s, not 0.29 (benchmarks/).
        if seq:
            pat = self._pat(
                ("seqend", n),
                rf"\n(?: {{{n}}}(?:[^ #\n-]|-[^ \n])|(?! {{{n}}}) *+[^ #\n])"
                if n else r"\n(?:[^ #\n-]|-[^ \n])",
            )
        elif n == 0:
            return len(self.text)
        else:
            pat = self._pat(("end", n), rf"\n(?! {{{n}}}) *+[^ #\n]")
        m = pat.search(self.text, max(start - 1, 0))
        return m.start() + 1 if m else len(self.text)

    def _item_starts(self, pos: int, n: int, seq_end: int) -> list[re.Match[str]]:
        """The `- ` of every item of the block sequence whose first item is at `pos`
        (column `n`), up to `seq_end`."""
        text = self.text
        item = self._pat(("item", n), rf"(?<=\n) {{{n}}}-(?: |$)")
        first = _ITEM_START.match(text, pos)
        starts = [first] if first else []
        starts.extend(item.finditer(text, text.find("\n", pos) + 1 if first else pos, seq_end))
        return starts

    def _col(self, off: int) -> int:
        return off - (self.text.rfind("\n", 0, off) + 1)

    def offset(self, tokens: tuple[str, ...]) -> int | None:
        """Offset of the node at `tokens` (its key, for a mapping member), or None when the
        text search is unsure. Starts where an earlier pointer with the longest same prefix
        left off, else at the document's first content."""
        text = self.text
        if not tokens:
            return None
        states = self._states
        begin = len(tokens) - 1
        while begin and tokens[:begin] not in states:
            begin -= 1
        if begin:  # resume where an earlier pointer with the same prefix left off
            pos, end, node = states[tokens[:begin]]
        else:
            m = _CONTENT.search(text)
            while m and (text.startswith("---", m.start(2)) or text[m.start(2)] == "%"):
                m = _CONTENT.search(text, text.find("\n", m.start(2)) + 1)
            if m is None:
                return None
            pos = m.start(2)
            end = len(text)
            node = self.data
        return self._walk(tokens, begin, pos, end, node)

    def _walk(self, tokens: tuple[str, ...], begin: int, pos: int,  # noqa: C901 - one walk
              end: int, node: Any) -> int | None:
        """`offset`'s walk down from `tokens[begin]`, whose container's node is at `pos`,
        whose lines end at `end` and whose data is `node` (None: unknown)."""
        text = self.text
        states = self._states
        at: int | None = None
        for i in range(begin, len(tokens)):
            token = tokens[i]
            last = i == len(tokens) - 1
            n = self._col(pos)
            head = text[pos]
            if head == "-" and text[pos + 1:pos + 2] in (" ", "\n"):
                if not token.isdigit():
                    return None
                seq_end = min(end, self._end(pos, n, seq=True))
                want = int(token)
                starts = self._items.get((pos, seq_end))
                if starts is None:  # every item of this sequence, once
                    starts = self._items[pos, seq_end] = self._item_starts(pos, n, seq_end)
                if len(starts) <= want:
                    return None
                hit = starts[want]
                nxt = starts[want + 1].start() if len(starts) > want + 1 else seq_end
                c = _CONTENT.search(text, hit.end()) if text[hit.end() - 1] != " " else None
                if c is None:
                    p = hit.end()
                    while p < len(text) and text[p] == " ":
                        p += 1
                    if p >= len(text):
                        return None
                    if text[p] in "\n#":
                        c = _CONTENT.search(text, p)
                        if c is None:
                            return None
                        p = c.start(2)
                else:
                    p = c.start(2)
                if p >= nxt and not last:
                    return None
                pos, end, at = p, nxt, p
                if text[pos] in "[{&*!|>\"'" and not last:
                    return self._compose(pos, end, tokens[i + 1:])
                node = _child(node, token)
                if not last:
                    states[tokens[:i + 1]] = (pos, end, node)
                continue
            if head in "[{&*!?|>":
                return self._compose(pos, end, tokens[i:])
            members = None
            if end - pos <= _SMALL:  # a small mapping: look for this key only
                hit = self._find_key(pos, n, end, token)
            else:
                members = self._keys.get((pos, end))
                if members is None:  # every key of this big mapping, once
                    members = self._keys[pos, end] = self._index_keys(pos, n, end, node)
                hit = members.get(token)
            if hit is None:  # e.g. a key with an escape, or an explicit `? ` key
                return self._compose(pos, end, tokens[i:])
            key_at, after = hit
            at = key_at
            if last:
                break
            line_end = text.find("\n", after)
            line_end = len(text) if line_end < 0 else line_end
            rest = text[after:line_end].strip()
            if rest and not rest.startswith("#"):  # a flow collection on the key's line
                return self._compose(pos, end, tokens[i:])
            c = _CONTENT.search(text, line_end + 1)
            if c is None:
                return None
            col = len(c.group(1))
            kcol = n  # every key of this mapping sits at its column
            if col < kcol or (col == kcol and text[c.start(2)] != "-"):
                return None
            pos = c.start(2)
            if col > kcol:
                end = self._value_end(node, token, key_at, kcol, end, members) or \
                    min(end, self._end(line_end + 1, kcol + 1))
            node = _child(node, token)
            states[tokens[:i + 1]] = (pos, end, node)
        return at

    def _value_end(self, node: Any, token: str, key_at: int, n: int, end: int,
                   members: dict[str, tuple[int, int]] | None) -> int | None:
        """Where the block value of key `token` (at `key_at`, column `n`) of the mapping
        `node` ends: the start of the line of the key after it in the data (yaml_rs keeps
        the written order and refuses duplicate keys), or `end` for the last key. None when
        unknown (no data, or that key not found by a plain search).

        Speed: one `str.find` for the next key instead of a regex visiting every line of the
        value. Locating Stripe's 6,186 reported pointers spent 104 to 136 ms in `_find_end`'s
        regex, 56 to 76 ms here, key searches included (benchmarks/README.md, "Locating
        findings")."""
        if type(node) is not dict:
            return None
        known = self._next_keys.get(id(node))
        if known is None or known[0] is not node:  # the entry keeps `node`: no id reuse
            keys = list(node)
            known = self._next_keys[id(node)] = (node, dict(zip(keys, keys[1:])))
        following = known[1].get(token)
        if following is None:
            return end if token in node else None
        hit = members.get(following) if members is not None else \
            self._find_key(key_at, n, end, following)
        return hit[0] - n if hit is not None else None


def _child(node: Any, token: str) -> Any:
    """`node`'s member at `token` in the data, or None."""
    if type(node) is dict:
        return node.get(token)
    if type(node) is list and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return None
