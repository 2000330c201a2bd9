"""Spectral's core functions, with the options and messages Spectral documents.

Each function has the shape of `gates.style.api`: ``fn(target, options, ctx)`` returning
`Result`s (or None). A target of the wrong type is skipped silently, as Spectral does.
Messages may hold ``#{{print("property")}}`` and ``#{{print("value")}}``; the runner fills
them in (`gates.style.messages`). `OPTION_CHECKS` validate ``functionOptions`` when the
ruleset is loaded, with Spectral's error texts.
"""

from __future__ import annotations

import re
from math import nan

from gates.style.api import UNDEFINED, Result
from gates.style.collation import locale_compare
from gates.style.fast_schema import fast_validator, surely_valid
from gates.style.jseval import string_number
from gates.style.jseval import truthy as _truthy
from gates.style.jsexpr import JSError, JSPattern, js_regex
from gates.style.messages import as_ajv_reports, describe, prettified, print_value, type_name
from gates.style.messages import is_number as _is_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["CORE", "OPTION_CHECKS", "print_value"]


# ------------------------------------------------------------------ functions


def alphabetical(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, (dict, list)):
        return None
    items: list[Any] = list(target) if isinstance(target, dict) else target
    if len(items) < 2:
        return None
    keyed_by = (options or {}).get("keyedBy")
    if keyed_by is not None:
        keyed = []
        for item in items:
            if not isinstance(item, dict):
                return [Result('#{{print("property")}}must be an object')]
            keyed.append(item.get(keyed_by, UNDEFINED))
        items = keyed
    if not all(isinstance(x, str) or _is_number(x) for x in items):
        return [Result('#{{print("property")}}must be one of the allowed types: number, string')]
    for i in range(len(items) - 1):
        if _compare(items[i], items[i + 1]) >= 1:
            if keyed_by is not None:
                return [Result("properties must follow the alphabetical order")]
            where = i if isinstance(target, list) else items[i]
            return [Result(f"{print_value(items[i])} must be placed after "
                           f"{print_value(items[i + 1])}", (*ctx.path, where))]
    return None


def _compare(a: Any, b: Any) -> float:
    """Spectral's `compare`, which its `alphabetical` calls unsorted at 1 or more: `a` a
    number or not numeric and `b` a number or numeric, their difference clamped to [-1, 1]
    (so 1.5 before 1.0 is in order, and NaN is); else two strings by JavaScript's
    `localeCompare` (`gates.style.collation`); else 0."""
    na = float(a) if _is_number(a) else string_number(a) if isinstance(a, str) else nan
    nb = float(b) if _is_number(b) else string_number(b) if isinstance(b, str) else nan
    if (_is_number(a) or na != na) and (_is_number(b) or nb == nb):
        difference = na - nb
        return 0 if difference != difference else min(1.0, max(-1.0, difference))
    if not isinstance(a, str) or not isinstance(b, str):
        return 0
    return locale_compare(a, b)


_DIGITS = "{__DIGITS__}"
CASES = {
    "flat": "[a-z][a-z{__DIGITS__}]*",
    "camel": "[a-z][a-z{__DIGITS__}]*(?:[A-Z{__DIGITS__}](?:[a-z{__DIGITS__}]+|$))*",
    "pascal": "[A-Z][a-z{__DIGITS__}]*(?:[A-Z{__DIGITS__}](?:[a-z{__DIGITS__}]+|$))*",
    "kebab": "[a-z][a-z{__DIGITS__}]*(?:-[a-z{__DIGITS__}]+)*",
    "cobol": "[A-Z][A-Z{__DIGITS__}]*(?:-[A-Z{__DIGITS__}]+)*",
    "snake": "[a-z][a-z{__DIGITS__}]*(?:_[a-z{__DIGITS__}]+)*",
    "macro": "[A-Z][A-Z{__DIGITS__}]*(?:_[A-Z{__DIGITS__}]+)*",
}
_casing_cache: dict[tuple[Any, ...], re.Pattern[str]] = {}


def casing(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, str) or not target:
        return None
    kind = options["type"]
    separator = options.get("separator")
    if (len(target) == 1 and separator is not None and separator.get("allowLeading") is True
            and target == separator.get("char")):
        return None
    key = (kind, options.get("disallowDigits") is True,
           separator.get("char") if separator else None,
           bool(separator and separator.get("allowLeading") is True))
    pattern = _casing_cache.get(key)
    if pattern is None:
        base = CASES[kind].replace(_DIGITS, "" if key[1] else "0-9")
        if separator is None:
            source = f"^{base}$"
        else:
            # an empty `char` (Spectral's schema for the option allows it) is JavaScript's
            # empty class `[]`, which matches nothing
            sep = "[" + re.escape(separator["char"]) + "]" if separator["char"] else "(?!)"
            lead = sep + "?" if key[3] else ""
            source = f"^{lead}{base}(?:{sep}{base})*$"
        pattern = _casing_cache[key] = js_regex(source)
    if pattern.search(target):
        return None
    return [Result(f"must be {kind} case")]


def defined(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if target is UNDEFINED:
        return [Result('#{{print("property")}}must be defined')]
    return None


def undefined(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if target is not UNDEFINED:
        return [Result('#{{print("property")}}must be undefined')]
    return None


def truthy(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not _truthy(target):
        return [Result('#{{print("property")}}must be truthy')]
    return None


def falsy(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if _truthy(target):
        return [Result('#{{print("property")}}must be falsy')]
    return None


def _js_in(value: Any, values: list[Any]) -> bool:
    return any(type(v) is type(value) and v == value
               or (_is_number(v) and _is_number(value) and v == value) for v in values)


def enumeration(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not (target is None or isinstance(target, (str, bool)) or _is_number(target)):
        return None
    values = options["values"]
    if _js_in(target, values):
        return None
    allowed = ", ".join(print_value(v) for v in values)
    return [Result(f'#{{{{print("value")}}}} must be equal to one of the allowed values: {allowed}')]


def length(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if isinstance(target, (dict, list, str)):
        size = len(target)
    elif _is_number(target):
        size = target
    else:
        return None
    results = []
    if "min" in options and size < options["min"]:
        results.append(Result(f'#{{{{print("property")}}}}must be longer than '
                              f'{print_value(options["min"])}'))
    if "max" in options and size > options["max"]:
        results.append(Result(f'#{{{{print("property")}}}}must be shorter than '
                              f'{print_value(options["max"])}'))
    return results or None


_REGEX_LITERAL = re.compile(r"^/(.+)/([a-z]*)$", re.DOTALL)
_pattern_cache: dict[str, JSPattern] = {}


def regex_option(text: str) -> JSPattern:
    """A pattern option: ``/source/flags`` or a bare source (Spectral's `getFromCache`)."""
    found = _pattern_cache.get(text)
    if found is None:
        m = _REGEX_LITERAL.match(text)
        found = JSPattern(m.group(1), m.group(2)) if m else JSPattern(text)
        _pattern_cache[text] = found
    return found


def pattern(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, str):
        return None
    results = []
    if "match" in options and not regex_option(options["match"]).search(target):
        results.append(Result(f'#{{{{print("value")}}}} must match the pattern '
                              f'{print_value(options["match"])}'))
    if "notMatch" in options and regex_option(options["notMatch"]).search(target):
        results.append(Result(f'#{{{{print("value")}}}} must not match the pattern '
                              f'{print_value(options["notMatch"])}'))
    return results or None


def xor(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, dict):
        return None
    properties = options["properties"]
    if len(properties) < 2:
        return None
    present = [key for key in target if key in properties]
    if not present:
        return _none_of(properties)
    if len(present) > 1:
        return [Result('Just one of "' + '" and "'.join(present) + '" must be defined')]
    return None


def _none_of(properties: list[str]) -> list[Result]:
    if len(properties) > 4:
        count = f"{len(properties) - 3} other properties must be defined"
        return [Result('At least one of "' + '" or "'.join(properties[:3]) + '" or ' + count)]
    return [Result('At least one of "' + '" or "'.join(properties) + '" must be defined')]


def or_(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, dict):
        return None
    properties = options["properties"]
    if len(properties) < 2 or any(key in properties for key in target):
        return None
    return _none_of(properties)


def typed_enum(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, dict) or not isinstance(target.get("enum"), list) \
            or "type" not in target:
        return None
    kind = target["type"]
    if not (isinstance(kind, str) or isinstance(kind, list)):
        return None
    formats = ctx.formats or frozenset()
    if (target.get("nullable") is True and "oas3_0" in formats) or \
            (target.get("x-nullable") is True and "oas2" in formats):
        kind = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    check_int = kind == "integer" or (isinstance(kind, list) and "integer" in kind)
    results = []
    for i, value in enumerate(target["enum"]):
        vt = type_name(value, check_int)
        if vt == kind or (isinstance(kind, list) and vt in kind):
            continue
        shown = ",".join(kind) if isinstance(kind, list) else str(kind)
        results.append(Result(f'Enum value {print_value(value)} must be "{shown}".',
                              (*ctx.path, "enum", i)))
    return results or None


_refs_cache: dict[int, tuple[Any, frozenset[str]]] = {}


def _local_refs(document: Any, written: set[str] | None = None) -> frozenset[str]:
    """The targets (``file#/pointer``) that a `$ref` of `document` names from outside them
    (`gates.style.refs.outside_refs`); `written`: those `$ref` strings, when the caller has
    them."""
    cached = _refs_cache.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    from gatekeeper import PointerError, parse_fragment
    from gates.style.refs import outside_refs_of

    if written is None:
        written = outside_refs_of(document)
    targets: set[str] = set()
    for ref in written:
        if "#" in ref:
            head, _, frag = ref.partition("#")
            try:
                targets.add(head + "#/" + "/".join(parse_fragment(frag)))
            except PointerError:
                pass
    result = frozenset(targets)
    _refs_cache.clear()
    _refs_cache[id(document)] = (document, result)
    return result


def unreferenced_reusable_object(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if not isinstance(target, dict):
        return None
    location = options["reusableObjectsLocation"]
    refs = _local_refs(ctx.unresolved, getattr(ctx, "outside_refs", None))
    from gatekeeper import parse_fragment

    base = parse_fragment(location)
    results = []
    for name in target:
        if "#/" + "/".join((*base, name)) not in refs:
            results.append(Result("Potential orphaned reusable object has been detected",
                                  (*base, name)))
    return results or None


# ------------------------------------------------------------------ schema


_DIALECTS = {
    "draft4": "Draft4Validator", "draft6": "Draft6Validator", "draft7": "Draft7Validator",
    "draft2019-09": "Draft201909Validator", "draft2020-12": "Draft202012Validator",
}
_SCHEMA_URI = re.compile(r"^https?://json-schema\.org/(?:draft-0([467])|draft/(20(?:19-09|20-12)))"
                         r"/(?:hyper-)?schema#?$")
_validators: dict[tuple[int, str, bool], Any] = {}


def _dialect(schema: Any, wanted: str | None) -> str:
    if wanted not in (None, "auto"):
        return wanted
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if isinstance(uri, str) and "//json-schema.org/" in uri:
        m = _SCHEMA_URI.match(uri)
        if m:
            return f"draft{m.group(1)}" if m.group(1) else f"draft{m.group(2)}"
    return "draft7"


def _validator(schema: Any, dialect: str) -> Any:
    key = (id(schema), dialect, True)
    found = _validators.get(key)
    if found is None:
        import jsonschema

        from gatekeeper import in_instance_order

        cls = in_instance_order(getattr(jsonschema, _DIALECTS[dialect]))
        found = cls(schema, format_checker=cls.FORMAT_CHECKER)
        _validators[key] = found
    return found


def schema(target: Any, options: Any, ctx: Any) -> list[Result] | None:
    if target is UNDEFINED:
        return [Result('#{{print("property")}}must exist', ctx.path)]
    schema_obj = options["schema"]
    if surely_valid(fast_validator(schema_obj), target):  # else jsonschema decides
        return None
    dialect = _dialect(schema_obj, options.get("dialect"))
    try:
        validator = _validator(schema_obj, dialect)
        errors = validator.iter_errors(target)
        if options.get("allErrors") is True:
            found = list(errors)
        else:
            first = next(errors, None)
            found = [] if first is None else [first]
    except Exception as exc:  # an unresolvable $ref inside the schema, a bad pattern...
        return [Result(str(exc).splitlines()[0], ctx.path)]
    # ajv reports a failed `oneOf`/`anyOf` with the first error of each branch before it
    reports = [r for e in found for r in as_ajv_reports(e)]
    return [Result(describe(r, ctx.path, allowed), (*ctx.path, *r.absolute_path))
            for r, allowed in prettified(reports)] or None


# ------------------------------------------------------------------ option checks


def _check_none(options: Any, name: str) -> str | None:
    if options is not None:
        return f'"{name}" function does not accept any options'
    return None


def _check_alphabetical(options: Any) -> str | None:
    if options is None:
        return None
    if not isinstance(options, dict) or set(options) - {"keyedBy"} or \
            ("keyedBy" in options and not isinstance(options["keyedBy"], str)):
        return ('"alphabetical" function has invalid options specified. Example valid options: '
                'null (no options), { "keyedBy": "my-key" }')
    return None


def _check_casing(options: Any) -> str | None:
    example = ('"casing" function has invalid options specified. Example valid options: '
               '{ "type": "camel" }, { "type": "pascal", "disallowDigits": true }')
    if not isinstance(options, dict) or "type" not in options:
        return example
    if options["type"] not in CASES:
        return ('"casing" function and its "type" option accept the following values: '
                + ", ".join(CASES))
    if set(options) - {"type", "disallowDigits", "separator"}:
        return example
    if "disallowDigits" in options and not isinstance(options["disallowDigits"], bool):
        return example
    sep = options.get("separator")
    if sep is not None:
        if not isinstance(sep, dict) or not isinstance(sep.get("char"), str) \
                or len(sep["char"]) > 1:
            return ('"casing" function and its "separator.char" option accepts only char, '
                    'i.e. "I" or "/"')
        if "allowLeading" in sep and not isinstance(sep["allowLeading"], bool):
            return example
    return None


def _check_enumeration(options: Any) -> str | None:
    if not isinstance(options, dict) or not isinstance(options.get("values"), list):
        return ('"enumeration" function has invalid options specified. Example valid options: '
                '{ "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }')
    if not all(v is None or isinstance(v, (str, bool, int, float)) for v in options["values"]):
        return ('"enumeration" and its "values" option support only arrays of primitive '
                'values, i.e. ["Berlin", "London", "Paris"]')
    return None


def _check_length(options: Any) -> str | None:
    if not isinstance(options, dict) or not ({"min", "max"} & set(options)) or \
            set(options) - {"min", "max"} or \
            not all(_is_number(options[k]) for k in options):
        return ('"length" function has invalid options specified. Example valid options: '
                '{ "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }')
    return None


def _check_pattern(options: Any) -> str | None:
    if not isinstance(options, dict) or not ({"match", "notMatch"} & set(options)) or \
            set(options) - {"match", "notMatch"} or \
            not all(isinstance(options[k], str) for k in options):
        return ('"pattern" function has invalid options specified. Example valid options: '
                '{ "match": "^Stoplight" }, { "notMatch": "Swagger" }, '
                '{ "match": "Stoplight", "notMatch": "Swagger" }')
    for key in options:
        try:
            regex_option(options[key])
        except JSError as exc:
            return f'"pattern" function: {exc}'
    return None


def _check_properties(name: str, minimum: int) -> Callable[[Any], str | None]:
    def check(options: Any) -> str | None:
        props = options.get("properties") if isinstance(options, dict) else None
        if not isinstance(props, list) or not all(isinstance(p, str) for p in props) \
                or set(options) - {"properties"}:
            return (f'"{name}" function has invalid options specified. Example valid options: '
                    '{ "properties": ["id", "name"] }, { "properties": ["country", "street"] }')
        if len(props) < minimum:
            return (f'"{name}" requires at least two enumerated "properties", '
                    'i.e. ["country", "street"], ["one", "two", "three"], etc.')
        return None
    return check


def _check_schema(options: Any) -> str | None:
    if not isinstance(options, dict) or not isinstance(options.get("schema"), (dict, bool)) \
            or set(options) - {"schema", "dialect", "allErrors", "prepareResults"}:
        return ('"schema" function has invalid options specified. Example valid options: '
                '{ "schema": { /* any JSON Schema can be defined here */ } , '
                '{ "schema": { "type": "object" }, "dialect": "auto" }')
    dialect = options.get("dialect", "auto")
    if dialect != "auto" and dialect not in _DIALECTS:
        return ('"schema" function and its "dialect" option accepts only the following '
                'values: "auto", "draft4", "draft6", "draft7", "draft2019-09", "draft2020-12"')
    if "allErrors" in options and not isinstance(options["allErrors"], bool):
        return '"schema" function and its "allErrors" option accepts only the following types: boolean'
    import jsonschema

    cls = getattr(jsonschema, _DIALECTS[_dialect(options["schema"], dialect)])
    try:
        cls.check_schema(options["schema"])
    except jsonschema.SchemaError as exc:
        return f'"schema" function: the schema is not valid: {exc.message}'
    return None


def _check_unreferenced(options: Any) -> str | None:
    loc = options.get("reusableObjectsLocation") if isinstance(options, dict) else None
    if not isinstance(loc, str) or not loc.startswith("#") or set(options) - \
            {"reusableObjectsLocation"}:
        return ('"unreferencedReusableObject" function has invalid options specified. '
                'Example valid options: { "reusableObjectsLocation": "#/components/schemas" }, '
                '{ "reusableObjectsLocation": "#/$defs" }')
    return None


CORE: dict[str, Callable[..., Any]] = {
    "alphabetical": alphabetical, "casing": casing, "defined": defined,
    "enumeration": enumeration, "falsy": falsy, "length": length, "pattern": pattern,
    "schema": schema, "truthy": truthy, "undefined": undefined,
    "unreferencedReusableObject": unreferenced_reusable_object, "xor": xor, "or": or_,
    "typedEnum": typed_enum,
}

OPTION_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "alphabetical": _check_alphabetical, "casing": _check_casing,
    "defined": lambda o: _check_none(o, "defined"),
    "undefined": lambda o: _check_none(o, "undefined"),
    "truthy": lambda o: _check_none(o, "truthy"),
    "falsy": lambda o: _check_none(o, "falsy"),
    "typedEnum": lambda o: _check_none(o, "typedEnum"),
    "enumeration": _check_enumeration, "length": _check_length, "pattern": _check_pattern,
    "schema": _check_schema, "xor": _check_properties("xor", 2),
    "or": _check_properties("or", 2), "unreferencedReusableObject": _check_unreferenced,
}
