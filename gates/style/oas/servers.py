"""`serverVariables`: servers whose URL template, after every substitution of its variables,
is a valid URL, as Spectral's OpenAPI function checks them (split from `functions` for size)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from gates.style.api import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from gates.style.api import Context


# --- server variables ---------------------------------------------------------------------

_SERVER_VARIABLE_KEYS = {"enum", "default", "description", "examples"}


def _valid_server(target: Any) -> bool:
    if not isinstance(target, dict) or not isinstance(target.get("url"), str):
        return False
    variables = target.get("variables", {})
    if not isinstance(variables, dict):
        return False
    for variable in variables.values():
        if not isinstance(variable, dict):
            return False
        for key, value in variable.items():
            if key.startswith("x-"):
                continue
            if key not in _SERVER_VARIABLE_KEYS:
                return False
            if key == "enum":
                if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    return False
            elif not isinstance(value, str):
                return False
    return True


def serverVariables(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """A Server Object's `{variables}` and `variables` agree, defaults are in their enums,
    (option) every variable has a default, and (option) substituting the values gives URLs."""
    if not _valid_server(target):
        return [Result("Invalid Server Object", ctx.path)]
    options = options or {}
    url: str = target["url"]
    found = [m[1:-1] for m in re.findall(r"\{.+?\}", url)]
    variables = target.get("variables")
    defined = list(variables) if isinstance(variables, dict) else []
    path = ctx.path
    results = [Result(f'Server\'s "variables" object has unused defined "{name}" url variable.',
                      (*path, "variables", name)) for name in defined if name not in found]
    if not found:
        return results
    missing = [name for name in found if name not in defined]
    if missing:
        results.append(Result('Not all server\'s variables are described with "variables" '
                              f'object. Missed: {", ".join(missing)}.', (*path, "variables")))
    if not isinstance(variables, dict):
        return results
    pairs: list[tuple[str, list[str]]] = []
    for name in defined:
        if name not in found:
            continue
        variable = variables[name]
        if "enum" in variable:
            pairs.append((name, variable["enum"]))
            if "default" in variable and variable["default"] not in variable["enum"]:
                results.append(Result(f'Server Variable "{name}" has a default not listed in '
                                      'the enum.', (*path, "variables", name, "default")))
        elif "default" in variable:
            pairs.append((name, [variable["default"]]))
        else:
            pairs.append((name, []))
        if "default" not in variable and options.get("requireDefault") is True:
            results.append(Result(f'Server Variable "{name}" has a missing default.',
                                  (*path, "variables", name)))
    if options.get("checkSubstitutions") is True and pairs:
        invalid = []
        for candidate in _substitutions(url, pairs):
            if not _is_url(candidate):
                invalid.append(candidate)
                if len(invalid) == 5:
                    break
        if len(invalid) == 5:
            results.append(Result("At least 5 substitutions of server variables resulted in "
                                  f"invalid URLs: {', '.join(invalid)} and more",
                                  (*path, "variables")))
        elif invalid:
            results.append(Result("A few substitutions of server variables resulted in invalid "
                                  f"URLs: {', '.join(invalid)}", (*path, "variables")))
    return results


def _encode_uri(value: str) -> str:
    """`encodeURI`."""
    return quote(value, safe="-_.!~*'();/?:@&=+$,#")


def _substitutions(url: str, pairs: list[tuple[str, list[str]]]) -> Iterator[str]:
    """Every combination of values substituted (depth first, as Spectral enumerates them)."""
    def walk(current: str, index: int) -> Iterator[str]:
        name, values = pairs[index]
        for value in values:
            substituted = current.replace("{" + name + "}", _encode_uri(value))
            if index == len(pairs) - 1:
                yield substituted
            else:
                yield from walk(substituted, index + 1)
    yield from walk(url, 0)


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):(.*)$", re.S)
_SPECIAL = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "file": None}
_FORBIDDEN_HOST = set(" #%/:<>?@[\\]^|\t\n\r\x00")


def _is_url(text: str) -> bool:
    """Would `new URL(text)` (WHATWG URL parsing, no base) accept `text`?"""
    text = text.strip(" \t\n\r\x0c\x00")
    match = _SCHEME.match(text)
    if not match:
        return False
    scheme, rest = match.group(1).lower(), match.group(2).replace("\\", "/") \
        if match.group(1).lower() in _SPECIAL else match.group(2)
    if scheme not in _SPECIAL:
        if rest.startswith("//"):
            authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
            return _valid_authority(authority, special=False)
        return True
    rest = rest.lstrip("/")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if scheme == "file":
        return True
    return authority != "" and _valid_authority(authority, special=True)


def _valid_authority(authority: str, special: bool) -> bool:
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return False
        host, port = authority[:end + 1], authority[end + 1:]
        if port and not port.startswith(":"):
            return False
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
        if special and host == "":
            return False
        if special:  # a domain is percent-decoded before it is checked: `%7B` is `{`, allowed
            decoded = unquote(host, errors="replace")
            if "\ufffd" in decoded and "\ufffd" not in host:
                return False  # not UTF-8 once decoded
            if any(c in _FORBIDDEN_HOST or c < " " or c == "\x7f" for c in decoded):
                return False
        elif any(c in _FORBIDDEN_HOST and c != "%" for c in host):
            return False
    if port and (not port.isdigit() or int(port) > 65535):
        return False
    return True
