"""The lifecycle of an API element: deprecated or not, since when, until when, how stable.

One shared reading, used by every gate that reasons about retiring parts of an API (breaking
change detection, deprecation hygiene). Pure functions over what a spec says, nothing else:
an *element* is an operation, parameter, schema, property, header or response, given either
as the plain mapping written in the document or as a `gatekeeper.spec` view that carries
one (`Operation`, `Parameter`, `Header`, `Response`, ... expose it as ``.data``).

What is read, and where:

* deprecated: ``deprecated: true`` (OpenAPI), on the element itself.
* sunset date: ``x-sunset`` on the element; for an operation, also the ``example`` or
  ``default`` of a ``Sunset`` response header (RFC 8594) of any of its responses.
* deprecation date: ``x-deprecated-at`` on the element; for an operation, also a
  ``Deprecation`` response header (RFC 9745 ``@<unix seconds>``, or a date).
* stability level: ``x-stability-level``, one of ``draft < alpha < beta < stable``.
* replacement: what the description says to use instead ("Use `GET /v2/pets` instead",
  "replaced by ...", "superseded by ..."), or ``x-replaced-by``.

Dates are accepted as ISO 8601 dates (``2026-03-31``), ISO 8601 date-times
(``2026-03-31T00:00:00Z``; the date part is kept), RFC 8594 / RFC 9110 HTTP-dates
(``Tue, 31 Mar 2026 23:59:59 GMT``) and RFC 9745 ``@1774915200``; YAML may already have
turned an unquoted ISO date into a `datetime.date`. Anything else reads as "no date".

The API of this module is stable: functions are added, never renamed.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping

from gatekeeper.record import Record

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "STABILITY_LEVELS", "Lifecycle", "days_until_sunset", "deprecation_date", "is_deprecated",
    "lifecycle", "parse_date", "replacement", "stability_decreased", "stability_level",
    "stability_rank", "sunset_date", "sunset_passed",
]

#: Stability levels from least to most stable (``x-stability-level``).
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")

_ISO_DATE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ][0-9:.]+(?:[Zz]|[+-]\d{2}:?\d{2})?)?\s*$")
_HTTP_DATE = re.compile(
    r"^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{2,4})(?:\s+[0-9:]+)?"
    r"(?:\s*GMT|\s*UTC)?\s*$")
_UNIX = re.compile(r"^\s*@(-?\d{1,12})\s*$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# "Use `X` instead", "replaced by X", "superseded by X", "use X.", "see X"
_REPLACEMENT = re.compile(
    r"(?:\buse\s+(?P<a>`[^`]+`|\S+)\s+instead\b"
    r"|\b(?:replaced|superseded)\s+by\s+(?P<b>`[^`]+`|[^\s,;]+(?:\s+/[^\s,;]+)?)"
    r"|\bdeprecated\b[^.]*?[:;,]\s*use\s+(?P<c>`[^`]+`|[^\s,;]+(?:\s+/[^\s,;]+)?))",
    re.IGNORECASE)


class Lifecycle(Record):
    """Everything this module reads about one element, in one value."""

    __slots__ = ("deprecated", "sunset", "deprecated_at", "stability", "replacement")

    def __init__(self, deprecated: bool, sunset: _dt.date | None, deprecated_at: _dt.date | None,
                 stability: str | None, replacement: str | None) -> None:
        self.deprecated = deprecated
        self.sunset = sunset
        self.deprecated_at = deprecated_at
        self.stability = stability
        self.replacement = replacement


def _data(element: Any) -> Mapping[str, Any]:
    """The mapping written in the document for `element` (a mapping or a spec view)."""
    if isinstance(element, Mapping):
        return element
    data = getattr(element, "data", None)
    return data if isinstance(data, Mapping) else {}


def parse_date(value: Any) -> _dt.date | None:
    """A date from an ISO 8601 date or date-time, an HTTP-date (RFC 8594 ``Sunset``), an
    RFC 9745 ``@<unix seconds>``, or a `datetime.date`/`datetime.datetime` (YAML reads
    unquoted ISO dates as dates). None when `value` is none of these.

    >>> parse_date("2026-03-31"), parse_date("Tue, 31 Mar 2026 23:59:59 GMT")
    (datetime.date(2026, 3, 31), datetime.date(2026, 3, 31))
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        m = _ISO_DATE.match(value)
        if m:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _HTTP_DATE.match(value)
        if m and m.group(2).lower() in _MONTHS:
            year = int(m.group(3))
            year += 2000 if year < 70 else 1900 if year < 100 else 0  # RFC 850's two digits
            return _dt.date(year, _MONTHS[m.group(2).lower()], int(m.group(1)))
        m = _UNIX.match(value)
        if m:
            return _dt.datetime.fromtimestamp(int(m.group(1)), _dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        return None
    return None


def is_deprecated(element: Any) -> bool:
    """Whether the element says ``deprecated: true`` (only the boolean counts)."""
    return _data(element).get("deprecated") is True


def _header_dates(element: Any, name: str) -> Iterable[Any]:
    """The documented values (``example``, ``default``, ``schema.example|default``,
    ``examples.*.value``) of response header `name` across an operation's responses.

    Works on an `Operation` view (headers already resolved) and on a plain operation mapping
    (inline headers only: a plain mapping cannot follow ``$ref``)."""
    lowered = name.lower()
    headers: list[Mapping[str, Any]] = []
    responses = getattr(element, "responses", None)
    if isinstance(responses, Mapping) and not isinstance(element, Mapping):
        for resp in responses.values():
            for hname, header in getattr(resp, "headers", {}).items():
                if str(hname).lower() == lowered:
                    data = dict(getattr(header, "data", {}) or {})
                    schema = getattr(header, "schema", None)
                    if isinstance(schema, Mapping):
                        data.setdefault("schema", schema)
                    headers.append(data)
    else:
        responses = _data(element).get("responses")
        if isinstance(responses, Mapping):
            for resp in responses.values():
                hs = resp.get("headers") if isinstance(resp, Mapping) else None
                if isinstance(hs, Mapping):
                    headers += [h for k, h in hs.items()
                                if str(k).lower() == lowered and isinstance(h, Mapping)]
    for header in headers:
        yield header.get("example")
        yield header.get("default")
        schema = header.get("schema")
        if isinstance(schema, Mapping):
            yield schema.get("example")
            yield schema.get("default")
        examples = header.get("examples")
        if isinstance(examples, Mapping):
            for ex in examples.values():
                if isinstance(ex, Mapping):
                    yield ex.get("value")


def _first_date(values: Iterable[Any]) -> _dt.date | None:
    for value in values:
        date = parse_date(value)
        if date is not None:
            return date
    return None


def sunset_date(element: Any) -> _dt.date | None:
    """When the element goes away: ``x-sunset``, else (operations) the documented value of a
    ``Sunset`` response header. None when neither gives a readable date."""
    own = parse_date(_data(element).get("x-sunset"))
    return own if own is not None else _first_date(_header_dates(element, "Sunset"))


def deprecation_date(element: Any) -> _dt.date | None:
    """When the element was deprecated: ``x-deprecated-at``, else (operations) the documented
    value of a ``Deprecation`` response header. None when unknown (``Deprecation: true``, the
    old draft's form, carries no date)."""
    own = parse_date(_data(element).get("x-deprecated-at"))
    return own if own is not None else _first_date(_header_dates(element, "Deprecation"))


def stability_level(element: Any) -> str | None:
    """The element's ``x-stability-level`` (lower-cased) when it is one of
    `STABILITY_LEVELS`, else None."""
    value = _data(element).get("x-stability-level")
    if isinstance(value, str) and value.strip().lower() in STABILITY_LEVELS:
        return value.strip().lower()
    return None


def stability_rank(level: str | None) -> int | None:
    """0 for ``draft`` up to 3 for ``stable``; None for no (or an unknown) level."""
    if not isinstance(level, str) or level.strip().lower() not in STABILITY_LEVELS:
        return None
    return STABILITY_LEVELS.index(level.strip().lower())


def stability_decreased(old: Any, new: Any) -> bool:
    """Whether `new` declares a lower stability level than `old` (``stable`` -> ``beta``).
    Both are elements; a level missing on either side is not a decrease."""
    a, b = stability_rank(stability_level(old)), stability_rank(stability_level(new))
    return a is not None and b is not None and b < a


def replacement(element: Any) -> str | None:
    """What the element says to use instead: ``x-replaced-by``, else the first "use X
    instead" / "replaced by X" / "superseded by X" / "deprecated ...: use X" in its
    description (backticks removed). None when it names nothing."""
    data = _data(element)
    explicit = data.get("x-replaced-by")
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    text = data.get("description")
    if not isinstance(text, str):
        return None
    m = _REPLACEMENT.search(text)
    if m is None:
        return None
    found = next(g for g in m.group("a", "b", "c") if g)
    return found.strip("`").rstrip(".") or None


def days_until_sunset(element: Any, today: _dt.date) -> int | None:
    """Days from `today` to the element's sunset date (negative once it has passed); None
    when it has none."""
    date = sunset_date(element)
    return None if date is None else (date - today).days


def sunset_passed(element: Any, today: _dt.date) -> bool:
    """Whether the element's sunset date is today or earlier (it may be removed)."""
    days = days_until_sunset(element, today)
    return days is not None and days <= 0


def lifecycle(element: Any) -> Lifecycle:
    """All of the above for one element."""
    return Lifecycle(is_deprecated(element), sunset_date(element), deprecation_date(element),
                     stability_level(element), replacement(element))
