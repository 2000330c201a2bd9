"""Spectral's words for a JSON Schema error: ajv's messages as @stoplight/better-ajv-errors
and Spectral's `schema` function reword them, built from a jsonschema error (whose own
messages differ: Python reprs, sorted lists). Used by the core `schema` function and the
`spectral:oas` example and document rules."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from gates.style.api import UNDEFINED
from gates.style.jseval import includes, number_text, same_value

__all__ = ["as_ajv_reports", "best_match", "describe", "leven", "prettified", "print_value"]


def print_value(value: Any) -> str:
    """Spectral's `printValue`: JSON for primitives, ``Array[]``/``Object{}`` otherwise."""
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, list):
        return "Array[]"
    if isinstance(value, dict):
        return "Object{}"
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return number_text(value)  # JSON.stringify writes numbers as String does
    return json.dumps(value, ensure_ascii=False)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _first_extra(error: Any) -> str:
    """The property an `additionalProperties: false` error is about: the first one written,
    as ajv names it (jsonschema's message lists them sorted)."""
    from gatekeeper import extra_properties

    return str(next(extra_properties(error.instance, error.schema), "?"))


def leven(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character each)."""
    if len(a) < len(b):
        a, b = b, a
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def best_match(value: Any, allowed: Any) -> str | None:
    """The allowed string closest to a string `value` that Spectral suggests ("Did you mean
    ...?"): the first of the least distance, if it is the only allowed value or the distance
    is under its length; else None."""
    if not isinstance(value, str) or not isinstance(allowed, list):
        return None
    strings = [v for v in allowed if isinstance(v, str)]
    if not strings:
        return None
    distance, _, best = min((leven(v, value), i, v) for i, v in enumerate(strings))
    return best if len(allowed) == 1 or distance < len(best) else None


def _duplicate_pair(items: list[Any], schema: Any) -> tuple[int, int] | None:
    """(j, i), the two indices ajv names in "items ## j and i are identical". With scalar
    `items` types ajv scans from the end keeping the last index of each value (skipping items
    of other types); otherwise it looks for the highest `i` with an equal item below it."""
    item_schema = schema.get("items") if isinstance(schema, dict) else None
    types = item_schema.get("type") if isinstance(item_schema, dict) else None
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if types and not any(t in ("object", "array") for t in types):
        seen: dict[Any, int] = {}
        for i in range(len(items) - 1, -1, -1):
            item = items[i]
            kind = type_name(item, True)
            if kind not in types and not (kind == "integer" and "number" in types):
                continue
            key = (type(item) is str and len(types) > 1, _js_key(item))
            if key in seen:
                return seen[key], i
            seen[key] = i
        return None
    for i in range(len(items) - 1, 0, -1):
        for j in range(i - 1, -1, -1):
            if _js_equal(items[i], items[j]):
                return j, i
    return None


def type_name(value: Any, integers: bool = False) -> str:
    """A JSON value's type as JSON Schema names it; a whole number is "integer" when
    `integers`, else "number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        if integers and (isinstance(value, int) or (math.isfinite(value) and value.is_integer())):
            return "integer"
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _js_key(value: Any) -> Any:
    """The key of a scalar as a JavaScript object key: numbers by value (1 and 1.0 alike)."""
    return ("n", float(value)) if is_number(value) else ("v", value)


def _js_equal(a: Any, b: Any) -> bool:
    """Deep equality as JavaScript's fast-deep-equal has it for JSON values: containers member
    by member, the rest as `includes` compares them (1 equals 1.0, `true` never equals 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_js_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_js_equal(x, y) for x, y in zip(a, b))
    return same_value(a, b)


def describe(error: Any, base: tuple[Any, ...], allowed: list[Any] | None = None) -> str:
    """Spectral's words for one jsonschema error (ajv's message, as @stoplight/better-ajv-
    errors and Spectral's `schema` function reword it): the subject is the last token of the
    error's own path as a JSON pointer writes it (`"application~1json" property`), else the
    target's name; an enum names the closest allowed value; an error about an array item
    starts "Item at index N"; a combinator none of whose branches matched says so.
    `allowed`: an enum's values when several enum errors were merged (`prettified`)."""
    from gatekeeper import escape

    if allowed is None and error.validator == "enum":
        allowed = error.validator_value

    rel = list(error.absolute_path)
    path = [*base, *rel]
    name = escape(str(rel[-1])) if rel else str(path[-1]) if path else None
    prop = f'"{name}" property ' if name is not None else ""
    validator = error.validator
    if validator == "type":
        wanted = error.validator_value
        wanted = ",".join(wanted) if isinstance(wanted, list) else wanted
        text = f"{prop}type must be {wanted}"
    elif validator == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        name = missing.group(1) if missing else error.message
        text = f'{prop}must have required property "{name}"'
    elif validator == "enum":
        listed = ", ".join(print_value(v) for v in allowed)
        text = f"{prop}must be equal to one of the allowed values: {listed}"
    elif validator == "additionalProperties":
        text = f'Property "{_first_extra(error)}" is not expected to be here'
    elif validator == "const":
        text = f"{prop}must be equal to constant"
    elif validator in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
                       "pattern", "format", "multipleOf", "uniqueItems", "exclusiveMinimum",
                       "exclusiveMaximum"):
        # draft 4 writes `exclusiveMinimum: true` beside `minimum`: ajv then says "> 0"
        exclusive = isinstance(error.schema, dict) and error.schema.get(
            "exclusiveMinimum" if validator == "minimum" else "exclusiveMaximum") is True
        words = {"minLength": "must NOT have fewer than {} characters",
                 "maxLength": "must NOT have more than {} characters",
                 "minimum": "must be > {}" if exclusive else "must be >= {}",
                 "maximum": "must be < {}" if exclusive else "must be <= {}",
                 "exclusiveMinimum": "must be > {}", "exclusiveMaximum": "must be < {}",
                 "minItems": "must NOT have fewer than {} items",
                 "maxItems": "must NOT have more than {} items",
                 "pattern": 'must match pattern "{}"', "format": 'must match format "{}"',
                 "multipleOf": "must be multiple of {}",
                 "uniqueItems": "must NOT have duplicate items"}
        text = prop + words[validator].format(error.validator_value)
    elif validator in ("oneOf", "anyOf"):
        text = f"{prop}must match exactly one schema in oneOf" if validator == "oneOf" \
            else f"{prop}must match a schema in anyOf"
    elif validator == "not":
        text = f'{prop}must NOT be valid'
    else:
        text = f"{prop}{error.message}"
    text = text.replace("NOT", "not").replace("'", '"').strip()
    if validator == "uniqueItems" and isinstance(error.instance, list):
        pair = _duplicate_pair(error.instance, error.schema)
        if pair is not None:
            text += f" (items ## {pair[0]} and {pair[1]} are identical)"
    elif validator == "enum":
        match = best_match(error.instance, allowed)
        if match is not None:
            text += f'. Did you mean "{match}"?'
    index = str(rel[-1]) if rel else ""
    if index.isdigit() and index.isascii():
        for lead in (f'"{index}" property type', f'"{index}" property'):
            if text.startswith(lead):
                text = f"Item at index {index}{text[len(lead):]}"
                break
    if validator == "anyOf" or (validator == "oneOf" and
                                "is valid under each of" not in error.message):
        text += ". None of the schemas matched, see the other errors reported for this value"
    return text


def as_ajv_reports(error: Any) -> list[Any]:
    """The errors Spectral's validator reports where jsonschema's first error is `error`: for a
    failed `oneOf`/`anyOf`, the first error of each failing branch (each expanded the same
    way), then the combinator's own; otherwise the error alone. (When several branches of a
    `oneOf` match, jsonschema keeps no branch errors, where ajv keeps some: docs/style.md.)"""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    firsts: dict[Any, Any] = {}
    for sub in error.context:
        branch = sub.relative_schema_path[0] if sub.relative_schema_path else None
        firsts.setdefault(branch, sub)
    out = []
    for sub in firsts.values():
        out.extend(as_ajv_reports(sub))
    out.append(error)
    return out


#: How @stoplight/better-ajv-errors splits an instance path into tree nodes: a key (ASCII
#: word characters, `$`, `-`) with the array index after it, if any. A key with another
#: character is passed over, and an error whose path has no such key at all is dropped.
_SEGMENT = re.compile(r"/[\w$-]+(?:/\d+)?", re.ASCII)


class _Node:
    __slots__ = ("children", "errors")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.errors: list[Any] = []


def prettified(errors: list[Any]) -> list[tuple[Any, list[Any] | None]]:
    """The errors Spectral's `schema` function reports of ajv's `errors` (here jsonschema's,
    in ajv's order, paths relative to the validated value), as @stoplight/better-ajv-errors
    prunes and orders them: (error, merged enum values or None).

    The errors go into a tree by instance path (`_SEGMENT`). A node holding an `anyOf` error
    and children drops its own errors; a node holding only `enum` errors is dropped when its
    parent has any other child. Each node then gives its errors, then its children's, except
    that a node of only `enum` errors gives one, the first, with every allowed value."""
    from gatekeeper import escape

    root = _Node()
    for error in errors:
        pointer = "".join("/" + escape(str(t)) for t in error.absolute_path)
        parts = [""] if not pointer else [m.group(0) for m in _SEGMENT.finditer(pointer)]
        node = root
        for part in parts:
            node = node.children.setdefault(part, _Node())
        if parts:
            node.errors.append(error)
    _prune(root, None, None)
    out: list[tuple[Any, list[Any] | None]] = []
    _gather(root, out)
    return out


def _prune(node: _Node, parent: _Node | None, key: str | None) -> None:
    if node.children and any(e.validator == "anyOf" for e in node.errors):
        node.errors = []
    if node.errors and all(e.validator == "enum" for e in node.errors) and parent is not None \
            and any(k != key for k in parent.children):
        del parent.children[key]
    for name, child in list(node.children.items()):
        _prune(child, node, name)


def _gather(node: _Node, out: list[tuple[Any, list[Any] | None]]) -> None:
    if node.errors and all(e.validator == "enum" for e in node.errors):
        values: list[Any] = []
        for error in node.errors:
            for value in error.validator_value if isinstance(error.validator_value, list) \
                    else ():
                if not includes(values, value):
                    values.append(value)
        out.append((node.errors[0], values))
        return
    out.extend((error, None) for error in node.errors)
    for child in node.children.values():
        _gather(child, out)
