"""Spec-provided regular expressions, handled safely (docs/hardening.md R13).

A spec's `pattern` is attacker-controlled text. It is never matched with Python's `re`
(a backtracking engine with no time limit): `backtracking_risk` inspects its parse tree
(parsing is linear, nothing is matched), and `search` runs it on the `regex` module with a
timeout, returning ``None`` when the time ran out.
"""

from __future__ import annotations

import functools

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["TIMEOUT", "backtracking_risk", "pattern_search", "search"]

TIMEOUT = 0.1  # seconds per match; `regex` may overshoot it about 2x


@functools.lru_cache(maxsize=4096)  # pure; big specs repeat the same patterns (Graph: 1,544)
def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` may backtrack catastrophically (nested or overlapping repetition), or
    None. Patterns Python cannot parse (ECMA-only syntax) are not judged."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse  # type: ignore[no-redef]
    if len(pattern) > 10_000:
        return None
    import warnings

    try:
        with warnings.catch_warnings():  # "possible nested set" etc. are about the spec's text
            warnings.simplefilter("ignore")
            tree = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - any parse failure: not ours to judge here
        return None
    c = sre_parse
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT} | ({c.POSSESSIVE_REPEAT}
                                              if hasattr(c, "POSSESSIVE_REPEAT") else set())
    stack: list[Any] = [list(tree)]
    while stack:
        items = stack.pop()
        for op, av in items:
            if op in repeats:
                _low, high, sub = av
                body = _unwrap(list(sub), c)
                if high > 1:
                    problem = _ambiguous_body(body, c, repeats)
                    if problem:
                        return problem
                stack.append(body)
            elif op is c.SUBPATTERN:
                stack.append(list(av[-1]))
            elif op is c.BRANCH:
                stack.extend(list(alt) for alt in av[1])
            elif op in (c.ASSERT, c.ASSERT_NOT):
                stack.append(list(av[1]))
    return None


def _unwrap(items: list[Any], c: Any) -> list[Any]:
    while len(items) == 1 and items[0][0] is c.SUBPATTERN:
        items = list(items[0][1][-1])
    return items


def _ambiguous_body(body: list[Any], c: Any, repeats: set[Any]) -> str | None:
    """The body of an unbounded repetition that can split the same text in many ways."""
    inner = []
    for op, av in body:
        if op in repeats and av[1] > 1 and not _fixed_width(av):
            inner.append(_unwrap(list(av[2]), c))
        if op is c.BRANCH:
            alts = [list(a) for a in av[1]]
            firsts = [repr(a[0]) if a else "" for a in alts]
            if "" in firsts or len(set(firsts)) != len(firsts):
                return "a repeated alternation has overlapping alternatives"
            for alt in alts:  # (x+|y)+ : a repetition inside a repeated alternative
                if any(o in repeats and v[1] > 1 and not _fixed_width(v) for o, v in alt):
                    return "a repeated group contains another repetition"
    if not inner:
        return None
    # (x+sep)* is safe when `sep` is a literal none of the inner repetitions can match.
    for op, av in body:
        if op is c.LITERAL and not any(_may_match(rep, av, c) for rep in inner):
            return None
    return "a repeated group contains another repetition"


def _fixed_width(av: Any) -> bool:
    """A repetition with an exact count of a fixed-width body (`[A-Za-z0-9+/]{4}`) matches
    exactly one length, so it cannot split text in more than one way: base64's
    `^(?:[A-Za-z0-9+/]{4})*...$` is linear."""
    low, high, sub = av
    try:
        lo, hi = sub.getwidth()
    except Exception:  # noqa: BLE001 - not a parsed subpattern: judge it as variable
        return False
    return low == high and lo == hi


def _may_match(items: list[Any], char: int, c: Any) -> bool:
    if len(items) != 1:
        return True
    op, av = items[0]
    if op is c.LITERAL:
        return av == char
    if op is c.NOT_LITERAL:
        return av != char
    if op is c.IN:
        negate = any(o is c.NEGATE for o, _ in av)
        hit = False
        ch = chr(char)
        for o, v in av:
            if o is c.LITERAL and v == char or o is c.RANGE and v[0] <= char <= v[1]:
                hit = True
            elif o is c.CATEGORY:
                name = str(v).lower()
                test = (ch.isdigit() if "digit" in name else
                        (ch.isalnum() or ch == "_") if "word" in name else
                        ch.isspace() if "space" in name else True)
                hit = hit or (test != ("not" in name))
        return hit != negate
    return True


def search(pattern: str, value: str, timeout: float = TIMEOUT) -> bool | None:
    """Whether `pattern` finds a match in `value`, on the `regex` module with a timeout;
    None when the time ran out. A pattern `regex` cannot compile counts as no match."""
    import regex

    try:
        return regex.search(pattern, value, timeout=timeout) is not None
    except TimeoutError:
        return None
    except (regex.error, ValueError, OverflowError, RecursionError, MemoryError):
        return False


pattern_search = search  # its name in the public API (`from gatekeeper import ...`)
