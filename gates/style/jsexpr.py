"""The JavaScript subset that JSONPath filter expressions (``[?(...)]``) are written in.

Spectral's JSONPath dialect (JSONPath-Plus) evaluates filters as JavaScript. We never run
JavaScript: a filter is parsed here into a small tree and evaluated by Python with
JavaScript's semantics for what real rulesets use: ``@``, ``@property``, ``@parentProperty``,
``@parent``, ``@root``, ``@path``, member access (``@.x``, ``@['x-y']``, ``@[0]``),
literals (strings, numbers, ``true``/``false``/``null``/``undefined``, regular expressions),
``! && || === !== == != < <= > >= in typeof``, ``Array.isArray(...)``,
``Object.keys(...)`` and the string and array methods ``match test startsWith endsWith
includes indexOf toLowerCase toUpperCase trim`` and ``length``. Anything else is a
`JSError` at compile time (the ruleset is refused with its location).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["JSError", "UNDEFINED", "compile_expr", "compile_filter", "js_regex", "truthy"]


class JSError(ValueError):
    """A filter expression outside the supported subset."""


from gates.style.api import UNDEFINED  # noqa: E402  (JavaScript's undefined)


class _Fail(Exception):
    """JavaScript would throw (e.g. a property of undefined): the filter does not match."""


def truthy(value: Any) -> bool:
    kind = type(value)
    if kind is dict or kind is list:
        return True  # objects and arrays, even empty ones
    if kind is str:
        return value != ""
    if kind is bool:
        return value
    if value is None or value is UNDEFINED:
        return False
    if kind is int or kind is float:
        return value != 0 and value == value
    return True


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
            tokens.append(("re", js_regex(m.group(1), m.group(2))))
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
    """Parse a filter expression into a tree for `evaluate`; `JSError` when unsupported."""
    return _Parser(text).parse()


# ------------------------------------------------------------------ evaluation


def _type(value: Any) -> str:
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, re.Pattern):
        return "object"
    return "object"  # null, objects and arrays


def _strict_eq(a: Any, b: Any) -> bool:
    ta, tb = _type(a), _type(b)
    if ta != tb:
        return False
    if ta == "object" and (isinstance(a, (dict, list)) or isinstance(b, (dict, list))):
        return a is b
    return a == b


def _loose_eq(a: Any, b: Any) -> bool:
    nullish = (None, UNDEFINED)
    if a in nullish or b in nullish:
        return (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED)
    ta, tb = _type(a), _type(b)
    if ta == tb:
        return _strict_eq(a, b)
    if {ta, tb} <= {"number", "string", "boolean"}:
        return _num(a) == _num(b)
    return False


def _num(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return float("nan")
    if value is None:
        return 0.0
    return float("nan")


_CONSTRUCTOR = ((bool, "Boolean"), (int, "Number"), (float, "Number"), (str, "String"),
                (list, "Array"), (dict, "Object"))


def _member(obj: Any, key: Any) -> Any:
    if obj is None or obj is UNDEFINED:
        raise _Fail
    if isinstance(obj, tuple) and obj[:1] == ("constructor",):  # `x.constructor.name`
        return obj[1] if key == "name" else UNDEFINED
    if key == "constructor" and not (isinstance(obj, dict) and "constructor" in obj):
        return next((("constructor", name) for kind, name in _CONSTRUCTOR
                     if isinstance(obj, kind)), UNDEFINED)
    if isinstance(obj, dict):
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            key = str(int(key)) if float(key).is_integer() else str(key)
        return obj.get(key, UNDEFINED) if isinstance(key, str) else UNDEFINED
    if isinstance(obj, (list, str)):
        if key == "length":
            return len(obj)
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(obj):
            return obj[key]
        return UNDEFINED
    return UNDEFINED


def _call(obj: Any, method: str, args: list[Any]) -> Any:
    if obj is None or obj is UNDEFINED:
        raise _Fail
    arg = args[0] if args else UNDEFINED
    if isinstance(obj, tuple) and obj[0] == "global":
        name = obj[1]
        if name == "Array" and method == "isArray":
            return isinstance(arg, list)
        if name == "Object" and method == "keys":
            if isinstance(arg, dict):
                return list(arg)
            if isinstance(arg, list):
                return [str(i) for i in range(len(arg))]
            if arg is None or arg is UNDEFINED:
                raise _Fail
            return []
        raise _Fail
    if isinstance(obj, re.Pattern) and method == "test":
        return obj.search(_to_str(arg)) is not None
    if isinstance(obj, str):
        if method == "match":
            pattern = arg if isinstance(arg, re.Pattern) else js_regex(_to_str(arg))
            m = pattern.search(obj)
            return None if m is None else [m.group(0), *m.groups()]
        if method == "startsWith":
            return obj.startswith(_to_str(arg))
        if method == "endsWith":
            return obj.endswith(_to_str(arg))
        if method == "includes":
            return _to_str(arg) in obj
        if method == "indexOf":
            return obj.find(_to_str(arg))
        if method == "toLowerCase":
            return obj.lower()
        if method == "toUpperCase":
            return obj.upper()
        if method == "trim":
            return obj.strip()
        raise _Fail
    if isinstance(obj, list):
        if method == "includes":
            return any(_strict_eq(x, arg) for x in obj)
        if method == "indexOf":
            return next((i for i, x in enumerate(obj) if _strict_eq(x, arg)), -1)
        raise _Fail
    if isinstance(obj, dict) and method == "hasOwnProperty":
        return _to_str(arg) in obj
    raise _Fail


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else _to_str(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        x, y = a, b
    else:
        x, y = _num(a), _num(b)
        if x != x or y != y:
            return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


_SLOT = {"@": 0, "@property": 1, "@parent": 2, "@parentProperty": 3, "@root": 4, "@path": 5}


def _closure(node: tuple) -> Callable[[tuple], Any]:
    """Compile a tree into a Python closure over the scope ``(value, property, parent,
    parentProperty, root, path-function)``: no tree is walked per evaluation."""
    kind = node[0]
    if kind == "lit":
        const = node[1]
        return lambda s: const
    if kind == "var":
        slot = _SLOT[node[1]]
        if slot == 5:
            return lambda s: s[5]()
        return lambda s: s[slot]
    if kind == "global":
        return lambda s: node
    if kind == "get":
        obj = _closure(node[1])
        if node[2][0] == "lit" and isinstance(node[2][1], str):
            name = node[2][1]

            def get_name(s: tuple) -> Any:
                o = obj(s)
                if type(o) is dict:
                    return o.get(name, UNDEFINED)
                if o is None or o is UNDEFINED:
                    raise _Fail
                if type(o) is str and name != "length":
                    return UNDEFINED
                return _member(o, name)
            return get_name
        key = _closure(node[2])
        return lambda s: _member(obj(s), key(s))
    if kind == "bin":
        op = node[1]
        a, b = _closure(node[2]), _closure(node[3])
        if op == "&&":
            terms = [_closure(t) for t in _conjuncts(node)]

            def and_(s: tuple) -> Any:
                value = None
                for term in terms:
                    value = term(s)
                    if value is not True and not truthy(value):
                        return value
                return value
            return and_
        if op == "||":
            def or_(s: tuple) -> Any:
                left = a(s)
                return left if truthy(left) else b(s)
            return or_
        if op in ("===", "!==", "==", "!=") and node[3][0] == "lit" \
                and isinstance(node[3][1], str):
            const = node[3][1]
            negate = op.startswith("!")

            def eq_str(s: tuple) -> bool:
                value = a(s)
                if type(value) is str:
                    return (value == const) != negate
                if op in ("==", "!=") and not isinstance(value, (dict, list)) \
                        and value is not None and value is not UNDEFINED:
                    return _loose_eq(value, const) != negate
                return negate
            return eq_str
        if op in ("===", "!==") and node[3][0] == "lit" and node[3][1] is UNDEFINED:
            if op == "===":
                return lambda s: a(s) is UNDEFINED
            return lambda s: a(s) is not UNDEFINED
        if op == "===":
            return lambda s: _strict_eq(a(s), b(s))
        if op == "!==":
            return lambda s: not _strict_eq(a(s), b(s))
        if op == "==":
            return lambda s: _loose_eq(a(s), b(s))
        if op == "!=":
            return lambda s: not _loose_eq(a(s), b(s))
        if op == "in":
            def in_(s: tuple) -> bool:
                x, y = a(s), b(s)
                if isinstance(y, dict):
                    return _to_str(x) in y
                if isinstance(y, list):
                    return isinstance(x, int) and 0 <= x < len(y)
                raise _Fail
            return in_
        if op == "+":
            def plus(s: tuple) -> Any:
                x, y = a(s), b(s)
                if isinstance(x, str) or isinstance(y, str):
                    return _to_str(x) + _to_str(y)
                return _num(x) + _num(y)
            return plus
        if op == "-":
            return lambda s: _num(a(s)) - _num(b(s))
        return lambda s: _compare(op, a(s), b(s))
    if kind == "not":
        inner = _closure(node[1])
        return lambda s: not truthy(inner(s))
    if kind == "neg":
        inner = _closure(node[1])
        return lambda s: -_num(inner(s))
    if kind == "typeof":
        inner = _closure(node[1])
        return lambda s: _type(inner(s))
    if kind == "call":
        target = node[1]
        method = node[2]
        args = [_closure(x) for x in node[3]]
        if target[0] == "global":
            return lambda s: _call(target, method, [f(s) for f in args])
        obj = _closure(target)
        if method == "match" and len(node[3]) == 1 and node[3][0][0] == "lit" \
                and isinstance(node[3][0][1], re.Pattern):
            pattern = node[3][0][1]

            def match(s: tuple) -> Any:
                o = obj(s)
                if type(o) is str:
                    m = pattern.search(o)
                    return None if m is None else [m.group(0), *m.groups()]
                return _call(o, "match", [pattern])
            return match
        return lambda s: _call(obj(s), method, [f(s) for f in args])
    if kind == "cond":
        test, yes, no = (_closure(x) for x in node[1:])
        return lambda s: yes(s) if truthy(test(s)) else no(s)
    raise JSError(f"cannot evaluate {kind}")


def needs_container(tree: tuple) -> bool:
    """Whether the filter can only hold when ``@`` is an object or array: it is a
    conjunction one of whose terms compares a property of ``@`` (not ``length``) to a
    string, or tests such a property for truth. The walk then skips scalar children."""
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


def _own_property(node: tuple) -> bool:
    return (node[0] == "get" and node[1] == ("var", "@") and node[2][0] == "lit"
            and isinstance(node[2][1], str) and node[2][1] != "length")


def _conjuncts(node: tuple) -> list[tuple]:
    if node[0] == "bin" and node[1] == "&&":
        return [*_conjuncts(node[2]), *_conjuncts(node[3])]
    return [node]


def compile_filter(tree: tuple) -> Callable[[tuple], bool]:
    """The filter's predicate over a scope (see `_closure`); an expression that would throw
    in JavaScript does not match."""
    fn = _closure(tree)

    def predicate(scope: tuple) -> bool:
        try:
            value = fn(scope)
        except (_Fail, RecursionError, TypeError, ValueError):
            return False
        if value is True:
            return True
        if value is False or value is None or value is UNDEFINED:
            return False
        return truthy(value)
    return predicate


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
