"""The `format`s Spectral's JSON Schema validator checks in examples (ajv with ajv-formats'
"full" formats), as a jsonschema `FormatChecker`.

A format this module does not list is not checked (ajv ignores unknown formats too);
`uri-reference` and `uri-template` are accepted unchecked (see docs/style.md).
"""

from __future__ import annotations

import functools
import ipaddress
import re

from .document_schema import _EMAIL, _URI, _URI_FRAGMENT, _is_regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_DATE = re.compile(r"^(\d\d\d\d)-(\d\d)-(\d\d)$")
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$", re.I)
_DURATION = re.compile(r"^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$")
_HOSTNAME = re.compile(r"^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                       r"(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$", re.I)
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)$")
_UUID = re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.I)
_JSON_POINTER = re.compile(r"^(?:/(?:[^~/]|~0|~1)*)*$")
_RELATIVE_POINTER = re.compile(r"^(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^~/]|~0|~1)*)*)$")
# dperini's web URL expression (public IPs, or host names with a top-level domain), the form
# ajv-formats checks `url` with.
_URL = re.compile(
    r"^(?:https?|ftp)://(?:\S+(?::\S*)?@)?(?:(?!(?:10|127)(?:\.\d{1,3}){3})"
    r"(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))|(?:(?:[a-z0-9\u00a1-\uffff]+-)*"
    r"[a-z0-9\u00a1-\uffff]+)(?:\.(?:[a-z0-9\u00a1-\uffff]+-)*[a-z0-9\u00a1-\uffff]+)*"
    r"(?:\.(?:[a-z\u00a1-\uffff]{2,})))(?::\d{2,5})?(?:/[^\s]*)?$", re.I)
_BYTE = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", re.M)


def _date(text: str) -> bool:
    match = _DATE.match(text)
    if not match:
        return False
    year, month, day = (int(g) for g in match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])


def _time(text: str, zone_required: bool = False) -> bool:
    match = _TIME.match(text)
    if not match:
        return False
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3))
    in_range = (hour <= 23 and minute <= 59 and second <= 59) or \
        (hour == 23 and minute == 59 and second == 60)
    return in_range and (not zone_required or bool(match.group(5)))


def _date_time(text: str) -> bool:
    parts = re.split(r"t|\s", text, flags=re.I)
    return len(parts) == 2 and _date(parts[0]) and _time(parts[1], True)


def _ipv6(text: str) -> bool:
    if "%" in text or text.startswith("[") or not text:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _is_int32(value: Any) -> bool:
    return float(value).is_integer() and -(2 ** 31) <= value <= 2 ** 31 - 1


_STRINGS = {
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "duration": lambda v: bool(_DURATION.match(v)),
    "uri": lambda v: bool(_URI_FRAGMENT.search(v) and _URI.match(v)),
    "url": lambda v: bool(_URL.match(v)),
    "email": lambda v: bool(_EMAIL.match(v)),
    "hostname": lambda v: bool(_HOSTNAME.match(v)),
    "ipv4": lambda v: bool(_IPV4.match(v)),
    "ipv6": _ipv6,
    "regex": _is_regex,
    "uuid": lambda v: bool(_UUID.match(v)),
    "json-pointer": lambda v: bool(_JSON_POINTER.match(v)),
    "relative-json-pointer": lambda v: bool(_RELATIVE_POINTER.match(v)),
    "byte": lambda v: bool(_BYTE.match(v)),
}
_NUMBERS = {
    "int32": _is_int32,
    "int64": lambda v: float(v).is_integer(),
}


@functools.cache
def checker() -> Any:
    from jsonschema import FormatChecker

    found = FormatChecker(formats=())
    for name, test in _STRINGS.items():
        found.checks(name)(lambda v, test=test: not isinstance(v, str) or test(v))
    for name, test in _NUMBERS.items():
        found.checks(name)(lambda v, test=test: isinstance(v, bool)
                           or not isinstance(v, (int, float)) or test(v))
    return found
