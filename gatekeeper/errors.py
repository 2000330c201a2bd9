"""Errors that end a check with exit code 2: the input or the configuration cannot be used."""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "SpecError"]


class InputError(Exception):
    """Something the user gave us cannot be used. `str()` is one actionable line (or a few)."""

    exit_code = 2


class SpecError(InputError):
    """A spec file that cannot be loaded, parsed or resolved.

    `file` is the display path; `line`/`column` are 1-based when known; `pointer` is the JSON
    pointer of the offending node when known. `details` are extra lines (e.g. one per
    refused reference), each already located.
    """

    def __init__(self, message: str, *, file: str = "", line: int | None = None,
                 column: int | None = None, pointer: str | None = None,
                 details: tuple[str, ...] = ()) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.pointer = pointer
        self.details = details
        super().__init__(self.headline)

    @property
    def headline(self) -> str:
        if not self.file:  # the message carries its own location
            return self.message
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        return text

    def __str__(self) -> str:
        return "\n".join((self.headline, *self.details))


class ConfigError(InputError):
    """A configuration file or flag that cannot be used."""


def short(value: object, limit: int = 80) -> str:
    """`value` as text, cut to `limit` characters with an ellipsis (for one-line errors)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
