"""The JavaScript subset that JSONPath filter expressions (``[?(...)]``) are written in.

Spectral's JSONPath dialect (JSONPath-Plus) evaluates filters as JavaScript. We never run
JavaScript: a filter is parsed here into a small tree, which `gates.style.jseval` evaluates
in Python with JavaScript's semantics for what real rulesets use: ``@``, ``@property``, ``@parentProperty``,
``@parent``, ``@root``, ``@path``, member access (``@.x``, ``@['x-y']``, ``@[0]``),
literals (strings, numbers, ``true``/``false``/``null``/``undefined``, regular expressions),
``! && || === !== == != < <= > >= in typeof``, ``Array.isArray(...)``,
``Object.keys(...)`` and the string and array methods ``match test startsWith endsWith
includes indexOf toLowerCase toUpperCase trim`` and ``length``. Anything else is a
`JSError` at compile time (the ruleset is refused with its location).
"""

from __future__ import annotations

import re

from gatekeeper import well_formed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["JSError", "JSPattern", "UNDEFINED", "compile_expr", "js_regex", "needs_container",
           "required_keys", "required_value", "uses", "variables"]


class JSError(ValueError):
    """A filter expression outside the supported subset."""


from gates.style.api import UNDEFINED  # noqa: E402  (JavaScript's undefined)


# ------------------------------------------------------------------ regular expressions


def js_regex(source: str, flags: str = "") -> re.Pattern[str]:
    """A JavaScript regular expression as a Python one: ``$`` means the very end (no
    trailing-newline exception), ``(?<name>`` is a named group, ``[^]`` any character."""
    out = []
    i, n = 0, len(source)
    in_class = False
    multiline = "m" in flags
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "/":
                out.append("/")
            elif nxt == "d" and not in_class:
                out.append("[0-9]")
            elif nxt == "d":
                out.append("0-9")
            elif nxt == "u" and source[i + 2:i + 3] == "{":
                end = source.index("}", i)
                out.append("\\U%08x" % int(source[i + 3:end], 16))
                i = end + 1
                continue
            else:
                out.append(c + nxt)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(c)
        elif c == "[":
            if source.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            in_class = True
            out.append(c)
        elif c == "$" and not multiline:
            out.append(r"\Z")
        elif c == "(" and source.startswith("(?<", i) and source[i + 3:i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(c)
        i += 1
    pyflags = 0
    if "i" in flags:
        pyflags |= re.IGNORECASE
    if multiline:
        pyflags |= re.MULTILINE
    if "s" in flags:
        pyflags |= re.DOTALL
    try:
        return re.compile("".join(out), pyflags)
    except re.error as exc:
        raise JSError(f"invalid regular expression /{source}/: {exc}") from None


class JSPattern:
    """A JavaScript regular expression for the `pattern` function, matched by regress, an
    engine of ECMAScript's own syntax and semantics: with the ``u`` flag ``\\p{Lu}`` is a
    Unicode property, without it (Annex B) ``\\z`` is the letter z and ``x{1`` a literal;
    ``$`` is the very end; named groups and ``\\k<name>``. `search(text)` is `RegExp.test`
    after ``lastIndex = 0``, as Spectral calls it (``g`` changes nothing, ``y`` anchors at the
    start).

    One difference stays: regress matches code points, JavaScript without ``u`` UTF-16 units,
    so ``^.$`` matches an emoji here and not there."""

    __slots__ = ("_find", "_sticky", "_count")

    def __init__(self, source: str, flags: str = "") -> None:
        if len(set(flags)) != len(flags) or set(flags) - set("dgimsuvy") or \
                ("u" in flags and "v" in flags):
            raise JSError(f"invalid regular expression /{source}/{flags}: invalid flags")
        import regress

        self._sticky = "y" in flags
        self._count = _group_count(source)
        try:
            self._find = regress.Regex(well_formed(source),
                                       "".join(f for f in flags if f in "imsuv"))
        except Exception as exc:  # noqa: BLE001 - regress.RegressError: not a pattern
            raise JSError(f"invalid regular expression /{source}/{flags}: {exc}") from None

    def search(self, text: str) -> bool:
        try:
            found = self._find.find(text)
        except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800"): regress reads
            found = self._find.find(well_formed(text))  # UTF-8 only
        return found is not None and (not self._sticky or found.range().start == 0)

    def groups(self, text: str) -> list[Any] | None:
        """``text.match(regex)`` without the ``g`` flag: the match and its groups (None for
        a group that took no part), or None."""
        data = text
        try:
            found = self._find.find(data)
        except UnicodeEncodeError:
            data = well_formed(text)
            found = self._find.find(data)
        if found is None or (self._sticky and found.range().start != 0):
            return None
        raw = data.encode()  # regress gives UTF-8 byte offsets
        spans = [found.range()] + [found.group(i) for i in range(1, self._count + 1)]
        return [None if span is None else raw[span].decode() for span in spans]


def _group_count(source: str) -> int:
    """The capturing groups of JavaScript regular expression `source`: each ``(`` not
    escaped, not in a class, not followed by ``?`` (or followed by ``?<name>``)."""
    count, i, in_class = 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(" and (not source.startswith("?", i + 1) or (
                source.startswith("?<", i + 1) and source[i + 3:i + 4] not in ("=", "!"))):
            count += 1
        i += 1
    return count


# ------------------------------------------------------------------ tokens

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<var>@[A-Za-z_$][\w$]*|@)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[!<>().\[\],+\-?:])
""", re.VERBOSE)
_REGEX = re.compile(r"/((?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+)/([a-z]*)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.match(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        # a regular expression literal may start where an operand is expected
        if text[pos] == "/" and (not tokens or tokens[-1][0] == "op"
                                 and tokens[-1][1] not in (")", "]")):
            m = _REGEX.match(text, pos)
            if m is None:
                raise JSError(f"unterminated regular expression at {text[pos:pos + 20]!r}")
            tokens.append(("re", JSPattern(m.group(1), m.group(2))))
            pos = m.end()
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise JSError(f"unsupported syntax at {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        value = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "num":
            tokens.append(("lit", float(value) if any(c in value for c in ".eE") else int(value)))
        elif kind == "str":
            tokens.append(("lit", _unquote(value)))
        elif kind == "name" and value in ("true", "false", "null", "undefined"):
            tokens.append(("lit", {"true": True, "false": False, "null": None,
                                   "undefined": UNDEFINED}[value]))
        else:
            tokens.append((kind, value))
    tokens.append(("end", None))
    return tokens


# ------------------------------------------------------------------ parser (Pratt)

_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "===": 3, "!==": 3,
           "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4, "+": 5, "-": 5}
_VARS = {"@", "@property", "@parentProperty", "@parent", "@root", "@path"}
_METHODS = {"match", "test", "startsWith", "endsWith", "includes", "indexOf", "toLowerCase",
            "toUpperCase", "trim", "keys", "isArray", "hasOwnProperty"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, Any]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise JSError(f"expected {op!r}, found {tok[1]!r}")

    def parse(self) -> tuple:
        node = self.expr(0)
        if self.peek()[0] != "end":
            raise JSError(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self, min_prec: int) -> tuple:
        left = self.unary()
        while True:
            kind, value = self.peek()
            if kind == "op" and value == "?" and min_prec == 0:
                self.take()
                then = self.expr(0)
                self.expect(":")
                other = self.expr(0)
                left = ("cond", left, then, other)
                continue
            op = value if kind in ("op", "name") else None
            prec = _BINARY.get(op) if op is not None else None
            if prec is None or prec < min_prec:
                return left
            self.take()
            right = self.expr(prec + 1)
            left = ("bin", op, left, right)

    def unary(self) -> tuple:
        kind, value = self.peek()
        if kind == "op" and value == "!":
            self.take()
            return ("not", self.unary())
        if kind == "op" and value == "-":
            self.take()
            return ("neg", self.unary())
        if kind == "name" and value == "typeof":
            self.take()
            return ("typeof", self.unary())
        if kind == "name" and value == "void":  # `void 0`: undefined (spectral:oas uses it)
            self.take()
            self.unary()
            return ("lit", UNDEFINED)
        return self.postfix(self.primary())

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "lit":
            return ("lit", value)
        if kind == "re":
            return ("lit", value)
        if kind == "var":
            if value not in _VARS:
                raise JSError(f"unsupported variable {value}")
            return ("var", value)
        if kind == "name" and value in ("Array", "Object", "String", "Number", "Boolean"):
            return ("global", value)
        if (kind, value) == ("op", "("):
            node = self.expr(0)
            self.expect(")")
            return node
        raise JSError(f"unsupported expression at {value!r}")

    def postfix(self, node: tuple) -> tuple:
        while True:
            kind, value = self.peek()
            if (kind, value) == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind not in ("name", "lit") or not isinstance(name, str):
                    raise JSError(f"expected a property name after '.', found {name!r}")
                node = ("get", node, ("lit", name))
            elif (kind, value) == ("op", "["):
                self.take()
                key = self.expr(0)
                self.expect("]")
                node = ("get", node, key)
            elif (kind, value) == ("op", "("):
                self.take()
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.expr(0))
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.expr(0))
                self.expect(")")
                if node[0] != "get" or node[2][0] != "lit" or node[2][1] not in _METHODS:
                    raise JSError("unsupported function call")
                node = ("call", node[1], node[2][1], tuple(args))
            else:
                return node


def compile_expr(text: str) -> tuple:
    """Parse a filter expression into a tree for `gates.style.jseval.compile_filter`;
    `JSError` when unsupported."""
    return _Parser(text).parse()


def needs_container(tree: tuple) -> bool:
    """Whether the filter can only hold when ``@`` is an object or array: it is a
    conjunction one of whose terms compares a property of ``@`` (not ``length`` or
    ``constructor``, which other values have too) to a string, or tests such a property for
    truth. The walk then skips scalar children."""
    kind = tree[0]
    if kind == "bin" and tree[1] == "&&":
        return needs_container(tree[2]) or needs_container(tree[3])
    if kind == "bin" and tree[1] == "||":
        return needs_container(tree[2]) and needs_container(tree[3])
    if kind == "bin" and tree[1] in ("===", "==") and tree[3][0] == "lit" \
            and isinstance(tree[3][1], str):
        return _own_property(tree[2])
    if kind == "bin" and tree[1] in ("!==", "!=") and tree[3][0] == "lit" \
            and (tree[3][1] is UNDEFINED or (tree[1] == "!=" and tree[3][1] is None)):
        return _own_property(tree[2])  # `@.x !== void 0`: only an object has it
    return _own_property(tree)


def required_keys(tree: tuple) -> frozenset[str] | None:
    """Keys of which ``@`` must have one for the filter to hold: the filter can only hold
    when ``@`` is an object with at least one of them (None: no such set is known).

    Where it comes from: a term ``@.x`` tested for truth, compared to a string, or to
    ``undefined``/``null`` with ``!==``/``!=``, is false unless ``@`` is an object that has
    ``x`` (`gates.style.jseval` reads a missing property, and any property of an array or a
    scalar other than ``length`` and indices, as undefined); ``&&`` needs one of its terms'
    sets, ``||`` the union of both. ``constructor``, ``length`` and digit names are left out
    (they are defined on values that are not objects). The walk tests the set before the
    filter: on spectral:oas most nodes have none of the keys."""
    kind = tree[0]
    if kind == "bin" and tree[1] == "&&":
        left, right = required_keys(tree[2]), required_keys(tree[3])
        if left is None or right is None:
            return left if right is None else right
        return left if len(left) <= len(right) else right
    if kind == "bin" and tree[1] == "||":
        left, right = required_keys(tree[2]), required_keys(tree[3])
        return None if left is None or right is None else left | right
    if kind == "bin" and tree[1] in ("===", "==") and tree[3][0] == "lit" \
            and isinstance(tree[3][1], str):
        return _own_key(tree[2])
    if kind == "bin" and tree[1] in ("!==", "!=") and tree[3][0] == "lit" \
            and (tree[3][1] is UNDEFINED or (tree[1] == "!=" and tree[3][1] is None)):
        return _own_key(tree[2])
    return _own_key(tree)


def required_value(tree: tuple) -> tuple[str, str] | None:
    """``(key, text)`` when the filter can only hold for an object whose `key` is the string
    `text`: one of its top-level ``&&`` terms is ``@.key === 'text'`` (or ``==`` with a text
    no number equals, so that loose equality is string equality in `gates.style.jseval`).
    spectral:oas's ``@.type == "array"`` is tested on every schema object otherwise."""
    kind = tree[0]
    if kind == "bin" and tree[1] == "&&":
        return required_value(tree[2]) or required_value(tree[3])
    if kind == "bin" and tree[1] in ("===", "==") and tree[3][0] == "lit" \
            and isinstance(tree[3][1], str) and _own_key(tree[2]) is not None:
        text = tree[3][1]
        if tree[1] == "==":
            try:
                float(text.strip() or 0)
                return None  # `1 == "1"`, `0 == ""`: loose equality is not string equality
            except ValueError:
                pass
        return tree[2][2][1], text
    return None


def _own_key(node: tuple) -> frozenset[str] | None:
    if not _own_property(node):
        return None
    name = node[2][1]
    if name.isdigit():
        return None
    return frozenset({name})


def _own_property(node: tuple) -> bool:
    """``@.name`` for a name only objects have (``length`` is an array's or a string's too,
    ``constructor`` every value's)."""
    return (node[0] == "get" and node[1] == ("var", "@") and node[2][0] == "lit"
            and isinstance(node[2][1], str) and node[2][1] not in ("length", "constructor"))


def variables(node: Any) -> set[str]:
    """The ``@`` variables the tree reads."""
    if not isinstance(node, tuple):
        return set()
    if node[0] == "var":
        return {node[1]}
    found: set[str] = set()
    for child in node[1:]:
        if isinstance(child, tuple):
            found |= variables(child)
    return found


def uses(node: Any, name: str) -> bool:
    """Whether the tree reads the variable `name` (``@path`` forbids some sharing)."""
    if not isinstance(node, tuple):
        return False
    if node[:2] == ("var", name):
        return True
    return any(uses(child, name) for child in node[1:] if isinstance(child, tuple))
