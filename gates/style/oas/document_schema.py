"""`oasDocumentSchema`: the document against the OpenAPI JSON Schema of its version, with
findings where Spectral puts them.

Spectral validates with its own copies of the OpenAPI schemas (shipped here in `schemas/`, see
`schemas/README.md`): they differ from the official ones gatekeeper's validity gate uses (their
Reference-or-X choices are `if $ref then Reference else X`, and they carry `errorMessage`s), and
the path of each finding follows from those differences. Spectral's validator reports every
error (not only the first): each failing keyword, the branches of a failed `oneOf`/`anyOf`
(each branch's errors and the combinator's own), an unexpected property at the property itself.
An `errorMessage` replaces the errors of the schema that carries it by one error (keyword
messages replace that keyword's errors; `properties` messages those under that property; `_`
all the rest), as ajv-errors does.

Valid documents (most of them) are confirmed by jsonschema-rs when it is installed; only an
invalid one is walked again with jsonschema for the error details.
"""

from __future__ import annotations

import functools
import json
import os
import re

from gates.style.api import Result
from gates.style.fast_schema import surely_valid
from gates.style.jsexpr import JSError, JSPattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from gates.style.api import Context

_HERE = os.path.join(os.path.dirname(__file__), "schemas")
_DOCUMENT = {"oas2": "oas2.0", "oas3_0": "oas3.0", "oas3_1": "oas3.1", "oas3_2": "oas3.2"}
_RESOURCES = ("draft-04", "draft-2020-12", "draft-2020-12.validation", "oas3.1.dialect",
              "oas3.1.meta", "oas3.2.dialect", "oas3.2.meta")
#: Keys that stay on a schema object carrying an `errorMessage` (identity and definitions:
#: references into them must keep resolving).
_STAY = {"$id", "id", "$defs", "definitions", "$anchor", "$dynamicAnchor",
         "$comment", "$vocabulary", "description", "title"}


@functools.cache
def _load(name: str) -> Any:
    with open(os.path.join(_HERE, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _with_error_messages(node: Any) -> Any:
    """A copy in which every schema carrying `errorMessage` keeps only identity keys, and its
    keywords move into `errorMessage` (`{"message": ..., "schema": {...}}`), so that the
    keyword validates them together and replaces their errors."""
    if isinstance(node, list):
        return [_with_error_messages(item) for item in node]
    if not isinstance(node, dict):
        return node
    # `$schema` goes: every file is read as 2020-12 (as Spectral compiles them), by the one
    # validator class that knows `errorMessage`.
    copied = {key: _with_error_messages(value) for key, value in node.items()
              if key != "$schema"}
    if "errorMessage" not in copied:
        return copied
    message = copied.pop("errorMessage")
    outer = {key: value for key, value in copied.items() if key in _STAY}
    inner = {key: value for key, value in copied.items() if key not in _STAY}
    outer["errorMessage"] = {"message": message, "schema": inner}
    return outer


def _error_message(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    errors = list(validator.descend(instance, value["schema"]))
    if not errors:
        return
    message = value["message"]
    if isinstance(message, str):
        yield ValidationError(message, validator="errorMessage")
        return
    remaining = []
    replaced: set[str] = set()
    properties = message.get("properties") if isinstance(message.get("properties"), dict) else {}
    for error in errors:
        keyword = error.relative_schema_path[0] if error.relative_schema_path else None
        relative = list(error.relative_path)
        if keyword in message and keyword not in ("properties", "_") \
                and len(error.relative_schema_path) == 1:
            if keyword not in replaced:
                replaced.add(keyword)
                yield ValidationError(message[keyword], validator="errorMessage")
        elif relative and relative[0] in properties:
            key = f"properties/{relative[0]}"
            if key not in replaced:
                replaced.add(key)
                yield ValidationError(properties[relative[0]], validator="errorMessage",
                                      path=[relative[0]])
        else:
            remaining.append(error)
    if remaining:
        if "_" in message:
            yield ValidationError(message["_"], validator="errorMessage")
        else:
            yield from remaining


_URI_FRAGMENT = re.compile(r"/|:")
# RFC 3986's URI grammar as one regular expression (the form ajv-formats checks `uri` with).
_URI = re.compile(
    r"^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?"
    r"(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::"
    r"(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|"
    r"(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:)"
    r"{0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)"
    r"(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|"
    r"2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|"
    r"(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)"
    r"\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|"
    r"(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|"
    r"%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:"
    r"[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|"
    r"%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:"
    r"[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|"
    r"%[0-9a-f]{2})*)?$", re.I)
_EMAIL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
                    re.I)
_Z_ANCHOR = re.compile(r"[^\\]\\Z")


@functools.lru_cache(maxsize=4096)  # pure; big specs repeat the same patterns
def _is_regex(text: str) -> bool:
    """ajv-formats' `regex`, which Spectral checks ``format: regex`` with: no ``\\Z`` anchor,
    and JavaScript's ``new RegExp(text)`` (no flags) does not throw.

    Without the ``u`` flag JavaScript reads the web-compatible syntax (ECMAScript's Annex B):
    ``\\A``, ``\\z`` or ``\\p{L}`` are escapes of the letter itself, ``x{1`` and a lone ``]``
    are literals; ``(?i)``, ``a++`` or ``(?<=a)*`` are errors. Python's `re` disagrees on
    each of these (amazonaws.com's storagegateway spec writes ``\\A...\\z``). `JSPattern`
    (regress, a parser of ECMAScript's syntax) reads it as Node does;
    sample_specs/style/regex-patterns.yaml holds it to Spectral's answers."""
    if _Z_ANCHOR.search(text):
        return False
    try:
        JSPattern(text)
    except JSError as exc:  # regress stops at some hundreds of nested groups; V8 reads any
        return "too deeply nested" in str(exc)
    return True


#: The formats Spectral's validator checks here, for strings; both validators use them, so
#: that the two agree on every value.
_FORMATS = {
    "uri": lambda v: bool(_URI_FRAGMENT.search(v) and _URI.match(v)),
    "email": lambda v: bool(_EMAIL.match(v)),
    "regex": _is_regex,
}


@functools.cache
def _format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, test in _FORMATS.items():
        checker.checks(name)(lambda v, test=test: not isinstance(v, str) or test(v))
    return checker


@functools.cache
def _detail_validator(name: str) -> Any:
    from jsonschema.validators import Draft202012Validator, extend

    from gatekeeper import in_instance_order, registered_validator

    resources = []
    for resource in (*_RESOURCES, name):
        contents = _with_error_messages(_load(resource))
        resources.append((contents.get("$id") or contents.get("id"), contents))
    cls = extend(in_instance_order(Draft202012Validator), {"errorMessage": _error_message})
    return registered_validator(cls, resources[-1][0], resources,
                                format_checker=_format_checker())


@functools.cache
def _fast_validator(name: str) -> Any:
    """jsonschema-rs over the same schemas (errorMessage only rewords, so validity is the
    same), or None without it."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        resources = [((_load(r).get("$id") or _load(r).get("id")).rstrip("#"), _load(r))
                     for r in _RESOURCES]
        registry = jsonschema_rs.Registry(resources)
        return jsonschema_rs.validator_for(_load(name), registry=registry,
                                           validate_formats=True, formats=_FORMATS)
    except Exception:  # noqa: BLE001 - an older jsonschema-rs: jsonschema alone is used
        return None


def _flatten(errors: Any) -> Iterator[Any]:
    for error in errors:
        yield error
        if error.validator in ("anyOf", "oneOf") and error.context:
            yield from _flatten(error.context)


def _results(document: Any, name: str) -> list[Result]:
    from gatekeeper import extra_properties

    results: list[Result] = []
    seen: set[tuple] = set()
    for error in _flatten(_detail_validator(name).iter_errors(document)):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and error.validator_value is False \
                and isinstance(error.instance, dict):
            for extra in extra_properties(error.instance, error.schema):
                key = (*path, extra)
                if key not in seen:
                    seen.add(key)
                    results.append(Result(f'Property "{extra}" is not expected to be here', key))
            continue
        message = _message(error, path)
        if (path, message) not in seen:
            seen.add((path, message))
            results.append(Result(message, path))
    return results


def _message(error: Any, path: tuple) -> str:
    if error.validator == "errorMessage":
        return error.message.replace("{{property}}", str(path[-1]) if path else "")
    from gatekeeper import escape

    subject = f'"{escape(str(path[-1]))}" property ' if path else ""  # as ajv's instancePath
    keyword = error.validator
    if keyword == "required":
        missing = re.match(r"^'?(.*?)'? is a required property$", error.message)
        return f'{subject}must have required property "{missing.group(1) if missing else ""}"'
    if keyword == "type":
        expected = error.validator_value
        return f"{subject}must be {','.join(expected) if isinstance(expected, list) else expected}"
    if keyword == "enum":
        from gates.style.messages import best_match

        values = ", ".join(json.dumps(v) for v in error.validator_value)
        match = best_match(error.instance, error.validator_value)
        hint = f'. Did you mean "{match}"?' if match is not None else ""
        return f"{subject}must be equal to one of the allowed values: {values}{hint}"
    if keyword == "not":
        return f"{subject}must not be valid"
    if keyword == "format":
        return f'{subject}must match format "{error.validator_value}"'
    if keyword == "oneOf":
        return f"{subject}must match exactly one schema in oneOf"
    if keyword == "anyOf":
        return f"{subject}must match a schema in anyOf"
    if keyword == "unevaluatedProperties":
        return f"{subject}must not have unevaluated properties"
    return f"{subject}{error.message}"


def oasDocumentSchema(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    formats = ctx.formats
    if "oas2" in formats:
        name = _DOCUMENT["oas2"]
    elif "oas3_2" in formats:
        name = _DOCUMENT["oas3_2"]
    elif "oas3_1" in formats:
        name = _DOCUMENT["oas3_1"]
    elif formats:
        name = _DOCUMENT["oas3_0"]
    else:
        return None
    if surely_valid(_fast_validator(name), target):  # else the detailed check decides
        return None
    return _results(target, name)
