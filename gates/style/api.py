"""The contract between the Spectral-ruleset engine (`gates.style`) and the functions it calls.

A ruleset function has Spectral's shape: ``fn(target, options, ctx) -> Iterable[Result] | None``.
`target` is the value a rule's `given` (and `then.field`) selected, `options` the rule's
``functionOptions`` (or None), `ctx` a `Context`. Each `Result` is one finding; its `path` is
absolute from the document root (empty means "the target itself").
"""

from __future__ import annotations

from typing import Any


class Result:
    __slots__ = ("message", "path")

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        self.message = message
        self.path = tuple(path)

    def __repr__(self) -> str:
        return f"Result({self.message!r}, {self.path!r})"


class Context:
    """What a function may read besides its target.

    `document`: the data the rule runs on (resolved unless the rule says ``resolved: false``);
    `unresolved`: the document as written; `path`: the target's path from the root;
    `rule_name`; `formats`: the document's formats (``oas2``, ``oas3``, ``oas3_0``, ``oas3_1``);
    `given_path`: the path the `given` expression matched (before `then.field`).
    """

    __slots__ = ("document", "unresolved", "path", "given_path", "rule_name", "formats")

    def __init__(self, document: Any, unresolved: Any, path: tuple[str | int, ...],
                 given_path: tuple[str | int, ...], rule_name: str, formats: frozenset[str]) -> None:
        self.document = document
        self.unresolved = unresolved
        self.path = path
        self.given_path = given_path
        self.rule_name = rule_name
        self.formats = formats


class _Undefined:
    """JavaScript's ``undefined``: what a function receives for a `then.field` that is absent
    (``None`` is JSON ``null``, a value that is present)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


#: The target of a rule whose `then.field` is absent (`defined`, `truthy` and others test it).
UNDEFINED: Any = _Undefined()
