"""Evaluating a parsed filter expression (see `gates.style.jsexpr`) with JavaScript's
semantics: the tree is compiled once into nested Python closures, so evaluating a filter on
a node walks no tree. An expression that would throw in JavaScript does not match.
"""

from __future__ import annotations

import re

from gates.style.api import UNDEFINED
from gates.style.jsexpr import JSError, JSPattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["compile_filter", "includes", "number_text", "same_value", "to_str", "truthy"]


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


def _type(value: Any) -> str:
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JSPattern):
        return "object"
    return "object"  # null, objects and arrays


def same_value(a: Any, b: Any) -> bool:
    """`[a].includes(b)` (SameValueZero): primitives by type and value, objects by identity."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (a != a and b != b)
    return type(a) is type(b) and a == b


def includes(items: list[Any], value: Any) -> bool:
    return any(same_value(item, value) for item in items)


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
        return string_number(value)
    if value is None:
        return 0.0
    return float("nan")


_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")


def string_number(text: str) -> float:
    """JavaScript's ``Number(text)``: blank is 0, a decimal literal (``1e3``, ``.5``,
    ``Infinity``) or ``0x``/``0o``/``0b`` its value, anything else NaN (``1_000``, ``inf``,
    ``nan``, which Python's `float` reads)."""
    text = text.strip()
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    if _RADIX.fullmatch(text):
        return float(int(text, 0))
    return float("nan")


_CONSTRUCTOR = ((bool, "Boolean"), (int, "Number"), (float, "Number"), (str, "String"),
                (list, "Array"), (dict, "Object"))


_STRING_METHODS = frozenset(
    "at charAt charCodeAt codePointAt concat endsWith includes indexOf lastIndexOf localeCompare "
    "match matchAll normalize padEnd padStart repeat replace replaceAll search slice split "
    "startsWith substring substr toLowerCase toUpperCase toString trim trimEnd trimStart "
    "valueOf".split())
_ARRAY_METHODS = frozenset(
    "at concat entries every fill filter find findIndex flat flatMap forEach includes indexOf "
    "join keys lastIndexOf map pop push reduce reverse shift slice some sort splice toString "
    "unshift values".split())


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
        if key in (_STRING_METHODS if isinstance(obj, str) else _ARRAY_METHODS):
            # a method read, not called: a function, truthy (rulesets guard with
            # `@property.match && @property.match(...)`, false for an array index)
            return ("function", key)
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
    if isinstance(obj, JSPattern) and method == "test":
        return obj.search(to_str(arg))
    if isinstance(obj, str):
        if method == "match":
            pattern = arg if isinstance(arg, JSPattern) else _pattern(to_str(arg))
            return pattern.groups(obj)
        if method == "startsWith":
            return obj.startswith(to_str(arg))
        if method == "endsWith":
            return obj.endswith(to_str(arg))
        if method == "includes":
            return to_str(arg) in obj
        if method == "indexOf":
            return obj.find(to_str(arg))
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
        return to_str(arg) in obj
    raise _Fail


def number_text(value: float | int) -> str:
    """JavaScript's ``String(number)`` for a number (a double in JavaScript): the shortest
    digits that read back as the same double (Python's ``repr`` finds the same ones), written
    out in full from 1e-6 up to 1e21 and with an exponent beyond (``0.00003``, ``1.5e-7``,
    ``1e+21``), where Python writes ``3e-05`` and ``1.5e-07``."""
    x = float(value)
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    if x.is_integer() and abs(x) < 2**53:  # exact; beyond, JavaScript pads digits with zeros
        return sign + str(int(abs(x)))
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    written = whole + fraction
    digits = written.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(written) - len(digits))  # 0.DIGITS x 10^point
    digits = digits.rstrip("0")
    if len(digits) <= point <= 21:
        return sign + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    e = point - 1
    return (sign + digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e"
            + ("+" if e > 0 else "-") + str(abs(e)))


def to_str(value: Any) -> str:
    """JavaScript's ``String(value)``."""
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
    if isinstance(value, float) or (isinstance(value, int) and abs(value) >= 10**21):
        return number_text(value)
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_str(v) for v in value)
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
        return _get(node)
    if kind == "bin":
        return _binary(node)
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
        return _method_call(node)
    if kind == "cond":
        test, yes, no = (_closure(x) for x in node[1:])
        return lambda s: yes(s) if truthy(test(s)) else no(s)
    raise JSError(f"cannot evaluate {kind}")


def _get(node: tuple) -> Callable[[tuple], Any]:
    """``obj.name`` and ``obj[key]``."""
    obj = _closure(node[1])
    if node[2][0] == "lit" and isinstance(node[2][1], str):
        name = node[2][1]

        def get_name(s: tuple) -> Any:
            o = obj(s)
            if type(o) is dict:
                return o.get(name, UNDEFINED)
            if o is None or o is UNDEFINED:
                raise _Fail
            if type(o) is str and name != "length" and name not in _STRING_METHODS:
                return UNDEFINED
            return _member(o, name)
        return get_name
    key = _closure(node[2])
    return lambda s: _member(obj(s), key(s))


def _binary(node: tuple) -> Callable[[tuple], Any]:
    """A binary operator, with fast paths for ``&&`` chains and comparisons to a string
    literal or ``undefined``."""
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
                return to_str(x) in y
            if isinstance(y, list):
                return isinstance(x, int) and 0 <= x < len(y)
            raise _Fail
        return in_
    if op == "+":
        def plus(s: tuple) -> Any:
            x, y = a(s), b(s)
            if isinstance(x, str) or isinstance(y, str):
                return to_str(x) + to_str(y)
            return _num(x) + _num(y)
        return plus
    if op == "-":
        return lambda s: _num(a(s)) - _num(b(s))
    return lambda s: _compare(op, a(s), b(s))


_PATTERNS: dict[str, JSPattern] = {}


def _pattern(source: str) -> JSPattern:
    """``new RegExp(source)``, as ``text.match(source)`` reads a string argument; one that
    is not a regular expression throws in JavaScript, here the filter is false."""
    found = _PATTERNS.get(source)
    if found is None:
        try:
            found = _PATTERNS[source] = JSPattern(source)
        except JSError:
            raise _Fail from None
    return found


def _method_call(node: tuple) -> Callable[[tuple], Any]:
    """``Array.isArray(x)``, ``Object.keys(x)`` and the string and array methods, with a
    fast path for ``.match(/literal/)``."""
    target = node[1]
    method = node[2]
    args = [_closure(x) for x in node[3]]
    if target[0] == "global":
        return lambda s: _call(target, method, [f(s) for f in args])
    obj = _closure(target)
    if method == "match" and len(node[3]) == 1 and node[3][0][0] == "lit" \
            and isinstance(node[3][0][1], JSPattern):
        pattern = node[3][0][1]

        def match(s: tuple) -> Any:
            o = obj(s)
            if type(o) is str:
                return pattern.groups(o)
            return _call(o, "match", [pattern])
        return match
    return lambda s: _call(obj(s), method, [f(s) for f in args])


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
