"""JSONPath in the dialect Spectral's rulesets are written in (JSONPath-Plus), compiled once;
`gates.style.query` evaluates them, all of a ruleset's `given` expressions in one walk.

An expression is parsed into steps; each step is "child" or "descendant" (``..``) plus a
selector: a name (``.key``, ``['key']``), an index (``[0]``, ``[-1]``), ``*``, a union
(``[get,put]``, ``['a','b']``), a slice (``[0:2]``) or a filter (``[?(...)]``, see
`gates.style.jsexpr`). A trailing ``~`` selects the property names instead of the values.
"""

from __future__ import annotations

import re

from gates.style.jseval import compile_filter
from gates.style.jsexpr import (
    JSError, compile_expr, needs_container, required_keys, required_value, uses, variables,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["JSONPathError", "Path", "Step", "compile_path", "field_path"]


class JSONPathError(ValueError):
    """An expression that is not valid JSONPath (or uses what is not supported)."""


class Step:
    __slots__ = ("descend", "kind", "arg", "test", "containers", "by_key", "guard", "value")

    def __init__(self, descend: bool, kind: str, arg: Any = None) -> None:
        self.descend = descend
        self.kind = kind  # "name", "index", "wild", "union", "slice", "filter"
        self.arg = arg
        self.test: Callable[..., bool] | None = None
        #: the test can only hold for an object or array (scalars are skipped unasked)
        self.containers = kind == "filter" and needs_container(arg)
        #: a filter that reads only ``@property``: decided by the name alone (and cached)
        self.by_key = kind == "filter" and variables(arg) <= {"@property"}
        #: keys of which an object must have one for the filter to hold (`required_keys`)
        self.guard = required_keys(arg) if kind == "filter" and not self.by_key else None
        #: (key, text): an object must have the string `text` at `key` (`required_value`)
        self.value = required_value(arg) if self.guard is not None else None

    def key_match(self, key: Any) -> bool:
        kind = self.kind
        if kind == "wild":
            return True
        if kind == "name":
            return key == self.arg or (type(key) is int and str(key) == self.arg)
        if kind == "union":
            return key in self.arg or str(key) in self.arg
        return False

    @property
    def by_value(self) -> bool:
        return self.kind in ("slice", "index") or (self.kind == "filter" and not self.by_key)

    def __repr__(self) -> str:
        return f"Step({'..' if self.descend else '.'}{self.kind}:{self.arg!r})"


class Path:
    """One compiled expression: `steps`; `keys` when it ends with ``~``."""

    __slots__ = ("text", "steps", "keys", "uses_path", "up")

    def __init__(self, text: str, steps: list[Step], keys: bool, uses_path: bool) -> None:
        self.text = text
        self.steps = steps
        self.keys = keys
        self.uses_path = uses_path
        #: how many parent selectors ``^`` end the path: each match stands for its ancestor
        self.up = 0


_NAME_END = re.compile(r"[.\[~]")


def _bracket_step(text: str, i: int, descend: bool) -> tuple[Step, int]:
    """A bracket selector and the stray `]`s after it: Spectral ignores those
    (`[?(...)]]` selects as `[?(...)]`; published rulesets hold such typos), so they are
    skipped rather than refused."""
    step, i = _bracket(text, i, descend)
    while text.startswith("]", i):
        i += 1
    return step, i


#: JSONPath-Plus's type selectors, which Spectral's engine reads its own way (``$.info@object()``
#: yields the objects *in* `info`); refused rather than read as part of a property name.
_TYPE_SELECTOR = re.compile(r"@(?:null|boolean|number|string|integer|undefined|nonFinite|"
                            r"scalar|array|object|function|other)\(\)")


_FIELDS: dict[str, Path] = {}


def field_path(text: str) -> Path:
    """A rule's ``then.field`` that starts with ``$``, as JSONPath-Plus reads it (compiled
    once): ``$.a``, ``$[...]`` and ``$..a`` are JSONPath, while ``$ref`` or ``$id.x`` start
    with a property of that name (JSONPath-Plus drops a leading ``$`` only when it stands
    alone). `JSONPathError` when it is not valid."""
    found = _FIELDS.get(text)
    if found is None:
        m = re.match(r"\$([^.\[]+)", text)
        if m is None:
            found = compile_path(text)
        else:
            name = m.group(1)
            quote = "'" if "'" not in name else '"'
            found = compile_path(f"$[{quote}{m.group(0)}{quote}]{text[m.end():]}")
            found.text = text
        _FIELDS[text] = found
    return found


def compile_path(text: str) -> Path:
    """Parse `text`; `JSONPathError` (with the reason) when it is not valid or supported."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise JSONPathError(f"JSONPath {text!r} must start with '$'")
    body = text.rstrip("^")
    if body != text and len(body) > 1 and not body.endswith(("~", ".")):
        # JSONPath-Plus's parent selector at the end (style guides end a filter with it):
        # each match of the rest stands for its parent; elsewhere it stays refused
        path = compile_path(body)
        path.text, path.up = text, len(text) - len(body)
        return path
    steps: list[Step] = []
    keys = False
    uses_path = False
    i, n = 1, len(text)
    while i < n:
        c = text[i]
        if keys:
            raise JSONPathError(f"'~' must end the JSONPath {text!r}")
        if c == "~":
            if not steps:
                raise JSONPathError(f"'~' needs a property to name in {text!r}")
            keys = True
            i += 1
            continue
        descend = False
        if text.startswith("..", i):
            descend = True
            i += 2
            if i >= n:
                raise JSONPathError(f"JSONPath {text!r} ends with '..'")
            if text[i] == "[":
                step, i = _bracket_step(text, i, descend)
                steps.append(step)
                uses_path = uses_path or (step.kind == "filter" and uses(step.arg, "@path"))
                continue
        elif c == ".":
            i += 1
            if text.startswith("[", i):  # `.[a,b]` is `..[a,b]` in Spectral (JSONPath-Plus)
                step, i = _bracket_step(text, i, True)
                steps.append(step)
                uses_path = uses_path or (step.kind == "filter" and uses(step.arg, "@path"))
                continue
        elif c == "[":
            if text.startswith("[[", i):  # `[[schema]]` is `..[schema]` (JSONPath-Plus)
                i += 1
                descend = True
            step, i = _bracket_step(text, i, descend)
            steps.append(step)
            uses_path = uses_path or (step.kind == "filter" and uses(step.arg, "@path"))
            continue
        else:
            raise JSONPathError(f"unexpected {c!r} at position {i} of JSONPath {text!r}")
        m = _NAME_END.search(text, i)
        end = m.start() if m else n
        name = text[i:end]
        if name == "":
            raise JSONPathError(f"missing property name at position {i} of JSONPath {text!r}")
        if name == "^" or name.endswith("^"):
            raise JSONPathError(f"the parent selector '^' is not supported in JSONPath {text!r}")
        if name.startswith("@") or name.startswith("^"):
            raise JSONPathError(f"unsupported selector {name!r} in JSONPath {text!r}")
        if _TYPE_SELECTOR.search(name):  # `title@string()`: not a property of that name
            raise JSONPathError(f"type selectors such as {_TYPE_SELECTOR.search(name)[0]!r} "
                                f"are not supported in JSONPath {text!r}")
        steps.append(Step(descend, "wild") if name == "*" else Step(descend, "name", name))
        i = end
    for step in steps:
        if step.kind == "slice":
            step.test = _slice_test(*step.arg)
        elif step.kind == "index":
            step.test = _index_test(step.arg)
    return Path(text, steps, keys, uses_path)


def _bracket(text: str, i: int, descend: bool) -> tuple[Step, int]:
    """The bracket at `i` (``[``): its step and the position after ``]``."""
    body_start = i + 1
    if text.startswith("?(", body_start):
        return _filter_step(text, body_start, descend)
    if text.startswith("(", body_start):
        raise JSONPathError(f"script expressions [(...)] are not supported in JSONPath {text!r}")
    items, end = _selectors(text, body_start)
    return _selector_step(text, items, descend), end


def _filter_step(text: str, body_start: int, descend: bool) -> tuple[Step, int]:
    """The filter ``[?(...)]`` whose ``?`` is at `body_start`."""
    end = _matching_paren(text, body_start + 1)
    if not text.startswith("]", end + 1):
        raise JSONPathError(f"expected ']' after the filter in JSONPath {text!r}")
    expr = text[body_start + 2:end]
    found = _FILTERS.get(expr)
    if found is None:
        try:
            tree = compile_expr(expr)
        except JSError as exc:
            raise JSONPathError(f"filter ?({expr}) in JSONPath {text!r}: {exc}") from None
        found = _FILTERS[expr] = (tree, _filter_test(tree))
    step = Step(descend, "filter", found[0])
    step.test = found[1]
    return step, end + 2


#: Filter expression text -> (tree, test). One test per distinct expression: the walk
#: evaluates a test once per node however many states share it (spectral:oas repeats its
#: example filters under four prefixes each).
_FILTERS: dict[str, tuple[tuple, Callable[[tuple], bool]]] = {}


def _selectors(text: str, body_start: int) -> tuple[list[Any], int]:
    """The comma-separated selectors of a bracket (quoted names, numbers, ``*``,
    slices) and the position after its ``]``."""
    items: list[Any] = []
    j = body_start
    while True:
        while j < len(text) and text[j] == " ":
            j += 1
        if j >= len(text):
            raise JSONPathError(f"unclosed '[' in JSONPath {text!r}")
        c = text[j]
        if c in "'\"":
            k = j + 1
            buf = []
            while k < len(text) and text[k] != c:
                if text[k] == "\\" and k + 1 < len(text):
                    k += 1
                buf.append(text[k])
                k += 1
            if k >= len(text):
                raise JSONPathError(f"unterminated string in JSONPath {text!r}")
            items.append("".join(buf))
            j = k + 1
        else:
            k = j
            while k < len(text) and text[k] not in ",]":
                k += 1
            raw = text[j:k].strip()
            if raw == "":
                raise JSONPathError(f"empty selector '[]' in JSONPath {text!r}")
            if ":" in raw:
                parts = raw.split(":")
                try:
                    nums = [int(p) if p.strip() else None for p in parts]
                except ValueError:
                    raise JSONPathError(f"invalid slice [{raw}] in JSONPath {text!r}") from None
                items.append(("slice", (nums + [None, None])[:3]))
            elif re.fullmatch(r"-?\d+", raw):
                items.append(int(raw))
            elif raw == "*":
                items.append(("wild",))
            elif raw.startswith(("?", "@", "(")):
                raise JSONPathError(f"unsupported selector [{raw}] in JSONPath {text!r}")
            else:
                items.append(raw)
            j = k
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == ",":
            j += 1
            continue
        if j < len(text) and text[j] == "]":
            break
        raise JSONPathError(f"expected ']' in JSONPath {text!r}")
    return items, j + 1


def _selector_step(text: str, items: list[Any], descend: bool) -> Step:
    """One step for the selectors of a bracket: a name, an index, ``*``, a slice or a
    union of names and indexes."""
    if len(items) == 1:
        item = items[0]
        if isinstance(item, str):
            return Step(descend, "name", item)
        if isinstance(item, int):
            if item >= 0:
                return Step(descend, "union", frozenset({item, str(item)}))
            return Step(descend, "index", item)
        if item[0] == "wild":
            return Step(descend, "wild")
        return Step(descend, "slice", tuple(item[1]))
    if any(not isinstance(x, (str, int)) or (isinstance(x, int) and x < 0) for x in items):
        raise JSONPathError(f"unsupported union in JSONPath {text!r}")
    keys = set()
    for x in items:
        keys.add(x)
        keys.add(str(x))
        if isinstance(x, str) and x.isdigit():
            keys.add(int(x))
    return Step(descend, "union", frozenset(keys))


def _matching_paren(text: str, i: int) -> int:
    depth = 0
    quote = None
    k = i
    while k < len(text):
        c = text[k]
        if quote:
            if c == "\\":
                k += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    raise JSONPathError(f"unbalanced parentheses in JSONPath {text!r}")


def _filter_test(tree: tuple) -> Callable[[tuple], bool]:
    """Tests take the scope ``(value, key, parent, parent key, root, path function)``."""
    return compile_filter(tree)


def _slice_test(start: int | None, stop: int | None, step: int | None
                ) -> Callable[[tuple], bool]:
    def test(scope: tuple) -> bool:
        key, parent = scope[1], scope[2]
        if type(key) is not int or not isinstance(parent, list):
            return False
        return key in range(len(parent))[slice(start, stop, step)]
    return test


def _index_test(index: int) -> Callable[[tuple], bool]:
    def test(scope: tuple) -> bool:
        key, parent = scope[1], scope[2]
        return isinstance(parent, list) and type(key) is int and key == len(parent) + index
    return test
