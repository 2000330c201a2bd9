"""RFC 6901 JSON pointers that also name the file they point into.

A `Pointer` is where something is *written*: the spec file (relative to the root spec's
folder, ``""`` for the root document itself) plus a JSON pointer fragment. Its string form is
the `$ref` syntax users already know: ``#/paths/~1pets/get`` in the root document,
``schemas/pet.yaml#/properties/id`` in another file.
"""

from __future__ import annotations


TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Pointer", "PointerError", "escape", "parse_fragment", "unescape"]


class PointerError(ValueError):
    """A JSON pointer that is not well formed (RFC 6901)."""


def escape(token: object) -> str:
    """Escape one reference token: ``~`` first, then ``/`` (RFC 6901 section 3)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Unescape one reference token: ``~1`` first, then ``~0``; a stray ``~`` is an error."""
    if "~" in token:
        check = token.replace("~0", "").replace("~1", "")
        if "~" in check:
            raise PointerError(f"invalid '~' escape in JSON pointer token {token!r}")
        return token.replace("~1", "/").replace("~0", "~")
    return token


def parse_fragment(fragment: str) -> tuple[str, ...]:
    """Split a URI fragment (``#/a/b`` or ``/a/b``) into unescaped tokens.

    Percent-decoding comes first, then ``~1``/``~0`` unescaping, in that order (RFC 6901
    section 6), so ``%7E1`` is a literal ``~1`` only after the second step.
    """
    if fragment.startswith("#"):
        fragment = fragment[1:]
    if "%" in fragment:  # urllib.parse costs ~2 ms of start-up: imported only when needed
        from urllib.parse import unquote

        fragment = unquote(fragment)
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        raise PointerError(f"JSON pointer {fragment!r} must start with '/'")
    return tuple(unescape(t) for t in fragment[1:].split("/"))


class Pointer:
    """An immutable (file, tokens) pair; ``pointer / "responses"`` appends a token."""

    __slots__ = ("file", "tokens", "_hash")

    def __init__(self, file: str = "", tokens: tuple[str, ...] = ()) -> None:
        self.file = file
        self.tokens = tokens
        self._hash = hash((file, tokens))

    @classmethod
    def root(cls, file: str = "") -> Pointer:
        return cls(file, ())

    @classmethod
    def parse(cls, text: str, file: str = "") -> Pointer:
        """Parse ``file#/a/b`` or ``#/a/b`` (then `file` is used)."""
        if "#" in text:
            head, _, frag = text.partition("#")
            return cls(head or file, parse_fragment(frag))
        return cls(text or file, ())

    def __truediv__(self, token: object) -> Pointer:
        return Pointer(self.file, (*self.tokens, str(token)))

    def join(self, *tokens: object) -> Pointer:
        return Pointer(self.file, self.tokens + tuple(map(str, tokens)))

    @property
    def parent(self) -> Pointer:
        return Pointer(self.file, self.tokens[:-1])

    @property
    def fragment(self) -> str:
        tokens = self.tokens
        if not tokens:
            return "#"
        joined = "\x00".join(tokens)  # escape all tokens at once unless one holds a NUL
        if joined.count("\x00") == len(tokens) - 1:
            return "#/" + joined.replace("~", "~0").replace("/", "~1").replace("\x00", "/")
        return "#" + "".join("/" + escape(t) for t in tokens)

    def __str__(self) -> str:
        return f"{self.file}{self.fragment}"

    def __repr__(self) -> str:
        return f"Pointer({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pointer) and self.file == other.file and self.tokens == other.tokens

    def __lt__(self, other: Pointer) -> bool:
        return (self.file, self.tokens) < (other.file, other.tokens)

    def __reduce__(self) -> tuple[Any, ...]:  # the hash is recomputed where it is unpickled
        return (Pointer, (self.file, self.tokens))

    def __hash__(self) -> int:
        return self._hash

    def is_within(self, other: Pointer) -> bool:
        """True when this pointer is `other` or lies below it."""
        return self.file == other.file and self.tokens[: len(other.tokens)] == other.tokens
