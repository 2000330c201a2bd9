"""`oasSchema` and `oasExample`: JSON Schema checks in the dialect the OpenAPI version implies,
through the core `schema` function (`gates.style.functions`).

`oasSchema` picks the dialect: draft 4 for Swagger 2.0 and OpenAPI 3.0 (whose Schema Objects
are draft 4 with extensions the validator ignores, `nullable` included), the document's
`jsonSchemaDialect` (else 2020-12) for 3.1 and 3.2.

`oasExample` validates the examples and defaults a schema, a media type, a parameter or a header
carries against its schema, as Spectral does:

- schema-like nodes (`type: schema`): `example`, `default` (and 2.0's `x-example`), each at its
  own path;
- media types (`type: media`): 3.x `example`, or else each of `examples` (its `value`; an
  entry with `externalValue` is skipped, one without `value` is reported as missing); 2.0 each
  of a response's `examples`;
- in request bodies, `readOnly` properties are not required; in responses, `writeOnly` ones;
- a boolean `required` (a 2.0 parameter's) is not part of the schema, and `id` members of
  non-schema values inside it (examples, extensions) are dropped before validating.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from gates.style.api import Context, Result

_DRAFT = re.compile(r"^https?://json-schema\.org/(?:draft-0([467])|draft/(2019-09|2020-12))"
                    r"/schema#?$")

#: Keywords whose values are schemas (or lists / maps of schemas); anything else inside a
#: schema is data.
_SCHEMA_KEYWORDS = {"additionalItems", "items", "contains", "additionalProperties",
                    "propertyNames", "not", "if", "then", "else"}
_SCHEMA_LIST_KEYWORDS = {"items", "allOf", "anyOf", "oneOf"}
_SCHEMA_MAP_KEYWORDS = {"$defs", "definitions", "properties", "patternProperties",
                        "dependencies"}
_SKIP_KEYWORDS = {"default", "enum", "const", "required", "maximum", "minimum",
                  "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "maxLength",
                  "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems",
                  "maxProperties", "minProperties"}


def _core_schema() -> Any:
    from gates.style.functions import CORE

    return CORE["schema"]


def _undefined() -> Any:
    from gates.style import functions

    return getattr(functions, "UNDEFINED", None)


def _dialect(ctx: Context) -> str:
    formats = ctx.formats
    if not formats:
        return "auto"
    if "oas3_1" in formats or "oas3_2" in formats:
        declared = ctx.unresolved.get("jsonSchemaDialect") if isinstance(ctx.unresolved, dict) \
            else None
        match = _DRAFT.match(declared) if isinstance(declared, str) else None
        if match:
            return f"draft{match.group(1)}" if match.group(1) else f"draft{match.group(2)}"
        return "draft2020-12"
    return "draft4"


def oasSchema(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    return _core_schema()(target, {**(options or {}), "dialect": _dialect(ctx)}, ctx)


_CLASSES = {"draft4": "Draft4Validator", "draft6": "Draft6Validator",
            "draft7": "Draft7Validator", "draft2019-09": "Draft201909Validator",
            "draft2020-12": "Draft202012Validator", "auto": "Draft7Validator"}
_validators: dict[tuple[int, str], Any] = {}


def _validate_example(value: Any, schema: Any, ctx: Context, path: tuple) -> list[Result] | None:
    """The first error of `value` against a prepared example schema, as the core `schema`
    function words it, with the formats Spectral's validator checks (`formats.checker`)."""
    from gates.style import functions as core
    from gates.style.api import Result as _Result

    if value is getattr(core, "UNDEFINED", object()):
        return [_Result('#{{print("property")}}must exist', path)]
    dialect = _dialect(ctx)
    key = (id(schema), dialect)
    validator = _validators.get(key)
    if validator is None:
        import jsonschema

        from .formats import checker

        from gatekeeper import in_instance_order

        cls = in_instance_order(getattr(jsonschema, _CLASSES.get(dialect, "Draft7Validator")))
        validator = _validators[key] = cls(schema, format_checker=checker())
    try:
        first = next(validator.iter_errors(value), None)
    except Exception as exc:  # noqa: BLE001 - a schema the validator cannot use
        return [_Result(str(exc).splitlines()[0], path)]
    if first is None:
        return None
    from gates.style.messages import as_ajv_reports, describe, prettified

    return [_Result(describe(error, path, allowed), (*path, *error.absolute_path))
            for error, allowed in prettified(as_ajv_reports(first))]


def _drop_data_ids(node: Any, parent_keyword: str | None) -> None:
    """Remove `id` from objects that sit in data positions of a schema (an example, an
    extension), where a draft-4 validator would read it as a schema identifier."""
    if isinstance(node, list):
        for item in node:
            _drop_data_ids(item, parent_keyword)
        return
    if not isinstance(node, dict):
        return
    known = parent_keyword is None or parent_keyword in _SCHEMA_KEYWORDS \
        or parent_keyword in _SCHEMA_LIST_KEYWORDS or parent_keyword in _SCHEMA_MAP_KEYWORDS
    if not known and ("id" in node or "$id" in node):
        node.pop("id", None)
    for key, value in node.items():
        if key in _SKIP_KEYWORDS:
            continue
        if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            for member in value.values():
                _drop_data_ids(member, key)
        elif isinstance(value, (dict, list)):
            _drop_data_ids(value, key)


def _relax_required(schema: Any, read_only: bool, write_only: bool) -> None:
    """Drop `readOnly` (requests) / `writeOnly` (responses) properties from `required`,
    except under `not`."""
    if not (read_only or write_only):
        return

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, member in properties.items():
                if isinstance(member, dict) and (
                        (member.get("readOnly") is True and read_only)
                        or (member.get("writeOnly") is True and write_only)):
                    required = node.get("required", None)
                    if "required" not in node or isinstance(required, list):
                        if isinstance(required, list):
                            kept = [r for r in required if r != name]
                            if kept:
                                node["required"] = kept
                            else:
                                node.pop("required")
        for key, value in node.items():
            if key == "not":
                continue
            if key in _SCHEMA_KEYWORDS and isinstance(value, dict):
                visit(value)
            elif key in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
                for item in value:
                    visit(item)
            elif key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
                for item in value.values():
                    visit(item)
    visit(schema)


_REQUEST_MEDIA = {2: (), 3: (("components", "requestBodies"), ("paths", "*", "*", "requestBody"))}
_RESPONSE_MEDIA = {2: (("responses",), ("paths", "*", "*", "responses")),
                   3: (("components", "responses"), ("paths", "*", "*", "responses"))}


def _under(path: tuple, prefixes: tuple) -> bool:
    return any(len(path) >= len(prefix) and all(p == "*" or p == path[i]
                                                for i, p in enumerate(prefix))
               for prefix in prefixes)


def _schema_items(target: dict, path: tuple, version: int) -> Iterator[tuple[Any, tuple]]:
    fields = ("example", "x-example", "default") if version == 2 else ("example", "default")
    for field in fields:
        if field in target:
            yield target[field], (*path, field)


def _media_items(target: dict, path: tuple, version: int) -> Iterator[tuple[Any, tuple]]:
    missing = _undefined()
    if version == 3 and "example" in target:
        yield target["example"], (*path, "example")
        return
    if "examples" not in target:
        return
    examples = target["examples"]
    if not isinstance(examples, (dict, list)):
        return
    keys = list(examples) if isinstance(examples, dict) else list(range(len(examples)))
    for key in keys:
        value = examples[key]
        if version == 2:
            yield value, (*path, "examples", key)
            continue
        if not isinstance(value, (dict, list)) or (isinstance(value, dict)
                                                   and "externalValue" in value):
            continue
        yield (value.get("value", missing) if isinstance(value, dict) else missing), \
            (*path, "examples", key, "value")


def _nullable(node: Any, oas2: bool) -> str | None:
    """Apply the `nullable` keyword the way Spectral's validator (ajv) reads it: `type` gains
    "null"; 2.0's `x-nullable` counts as `nullable`. Returns the error ajv raises when it
    compiles such a schema (`nullable` without `type`), else None."""
    problem = None
    if isinstance(node, list):
        for item in node:
            problem = _nullable(item, oas2) or problem
        return problem
    if not isinstance(node, dict):
        return None
    if oas2 and node.get("x-nullable") is True:
        node["nullable"] = True
        del node["x-nullable"]
    if "nullable" in node:
        declared = node.get("type")
        types = [declared] if isinstance(declared, str) else \
            list(declared) if isinstance(declared, list) else []
        if "null" in types:
            if node["nullable"] is False:
                problem = '"nullable" cannot be used with "type": "null"'
        elif not types:
            problem = '"nullable" cannot be used without "type"'
        elif node["nullable"] is True:
            node["type"] = [*types, "null"]
    for key, value in node.items():
        if key in _SKIP_KEYWORDS:
            continue
        if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            for member in value.values():
                problem = _nullable(member, oas2) or problem
        elif key in _SCHEMA_KEYWORDS or key in _SCHEMA_LIST_KEYWORDS:
            problem = _nullable(value, oas2) or problem
    return problem


def _has_ref(node: Any) -> bool:
    """Does the schema still hold a `$ref` (one the resolver left: recursive or external)?
    Spectral's validator cannot compile it and, the rule reading the resolved document,
    reports nothing for it."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                return True
            for key, value in item.items():  # schema positions only, not example values
                if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
                    stack.extend(value.values())
                elif key in _SCHEMA_KEYWORDS or key in _SCHEMA_LIST_KEYWORDS:
                    stack.append(value)
    return False


def _js_numbers(value: Any) -> Any:
    """A copy of the value as JavaScript sees it: a whole float (YAML `2.0`) is an integer."""
    if type(value) is dict:
        return {k: _js_numbers(v) if isinstance(v, (dict, list, float)) else v
                for k, v in value.items()}
    if type(value) is list:
        return [_js_numbers(v) if isinstance(v, (dict, list, float)) else v for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_prepared: dict[tuple, tuple[Any, Any]] = {}


_SKIP = object()

# ajv checks a schema's keywords in this order, whatever order they are written in: keywords
# for any type first, then those of numbers, strings, arrays and objects; `type` first, unless
# the schema names one type and has keywords of that type (then after them). With one error
# reported, the order decides which.
_ANY = ("const", "enum", "not", "anyOf", "oneOf", "allOf", "if", "then", "else")
_GROUPS = {
    "number": ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
               "format"),
    "integer": ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
                "format"),
    "string": ("maxLength", "minLength", "pattern", "format"),
    "array": ("maxItems", "minItems", "uniqueItems", "additionalItems", "items", "prefixItems",
              "contains"),
    "object": ("maxProperties", "minProperties", "required", "dependentRequired",
               "propertyNames", "additionalProperties", "dependencies", "dependentSchemas",
               "properties", "patternProperties"),
}
_TYPED_ORDER = tuple(dict.fromkeys(k for g in ("number", "string", "array", "object")
                                   for k in _GROUPS[g]))
_JS_ESCAPES = set("dDwWsSbBcfnrtv0123456789xuk")


def _ranks(group: str | None) -> dict[str, int]:
    order = (*_ANY, *_GROUPS[group], *_TYPED_ORDER) if group else (*_ANY, *_TYPED_ORDER)
    ranks: dict[str, int] = {}
    for key in order:
        ranks.setdefault(key, len(ranks))
    return ranks


#: Per declared type (None: not one of `_GROUPS`), each keyword's place in ajv's order: a
#: schema's keywords are sorted by it, not looked up one by one. 40 lookups per node made
#: `_ajv_order` a third of preparing GitHub's example schemas; ordering each of the 53,000
#: schema nodes it meets there (with its subtree) took 1.56 s of CPU, sorted 0.99 s
_RANKS = {group: _ranks(group) for group in (None, *_GROUPS)}


class _AsWritten(str):
    """A pattern rewritten for Python that prints as the spec wrote it: a finding's message
    ("must match pattern ...") quotes the pattern written, as Spectral does."""

    written: str

    def __format__(self, spec: str) -> str:
        return format(self.written, spec)


def _js_pattern(pattern: str) -> str:
    """A JavaScript regular expression (no `u` flag) as Python reads it: an escaped letter
    JavaScript does not know is that letter (`\\A` is "A", not Python's anchor)."""
    if "\\" not in pattern:
        return pattern
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.isalpha() and nxt not in _JS_ESCAPES:
                out.append(nxt)
            else:
                out.append(c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    rewritten = "".join(out)
    if rewritten == pattern:
        return pattern
    read = _AsWritten(rewritten)
    read.written = pattern
    return read


def _ajv_order(node: Any) -> Any:
    """The schema with its keywords in ajv's order and its patterns read as JavaScript's."""
    if isinstance(node, list):
        return [_ajv_order(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    declared = node.get("type")
    group = declared if isinstance(declared, str) and declared in _GROUPS else None
    type_last = group is not None and any(k in node for k in _GROUPS[group])
    if "type" in node and not type_last:
        out["type"] = node["type"]
    rank = _RANKS[group]
    for _, key in sorted((rank[k], k) for k in node if k in rank):
        out[key] = node[key]
    if "type" in node and "type" not in out:
        out["type"] = node["type"]
    for key, value in node.items():
        if key not in out:
            out[key] = value
    for key, value in out.items():
        if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            out[key] = {k: _ajv_order(v) for k, v in value.items()}
            if key == "patternProperties":
                out[key] = {_js_pattern(k): v for k, v in out[key].items()}
        elif key in _SCHEMA_KEYWORDS or key in _SCHEMA_LIST_KEYWORDS:
            out[key] = _ajv_order(value)
        elif key == "pattern" and isinstance(value, str):
            out[key] = _js_pattern(value)
    return out


class _Broken:
    """A schema Spectral's validator refuses to compile: each value is reported with why."""

    def __init__(self, message: str) -> None:
        self.message = message


def _prepare(schema: Any, oas2: bool, read_only: bool, write_only: bool) -> Any:
    """The schema as validated (a copy; cached per source object for the run, which keeps the
    source alive so that its identity stays unique)."""
    key = (id(schema), oas2, read_only, write_only)
    found = _prepared.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    prepared = schema
    if oas2 and isinstance(schema, dict) and isinstance(schema.get("required"), bool):
        prepared = {k: v for k, v in schema.items() if k != "required"}
    prepared = _js_numbers(prepared)  # a copy, whole floats made integers
    _drop_data_ids(prepared, None)
    _relax_required(prepared, read_only, write_only)
    problem = _nullable(prepared, oas2)
    if problem is not None:  # found as the validator compiles, before any `$ref`
        prepared = _Broken(problem)
    elif _has_ref(prepared):
        prepared = _SKIP
    else:
        prepared = _ajv_order(prepared)
    if len(_prepared) > 20000:
        _prepared.clear()
        _validators.clear()  # keyed by the identity of prepared schemas
    _prepared[key] = (schema, prepared)
    return prepared


def oasExample(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    if not isinstance(target, dict):
        return None
    options = options or {}
    version = options.get("oasVersion")
    field = options.get("schemaField", "$")
    schema = target if field == "$" else target.get(field)
    if not isinstance(schema, (dict, bool)):
        return None
    media = options.get("type") == "media"
    items = (_media_items if media else _schema_items)(target, ctx.path, version)
    read_only = media and _under(ctx.path, _REQUEST_MEDIA.get(version, ()))
    write_only = media and _under(ctx.path, _RESPONSE_MEDIA.get(version, ()))
    prepared = _prepare(schema, "oas2" in ctx.formats, read_only, write_only)
    if prepared is _SKIP:
        return None
    results: list[Result] | None = None
    if isinstance(prepared, _Broken):
        from gates.style.api import Result as _Result

        return [_Result(prepared.message, path) for _, path in items] or None
    for value, path in items:
        value = _js_numbers(value)
        found = _validate_example(value, prepared, ctx, path)
        if found:
            results = [*(results or ()), *found]
    return results
