"""One-line messages for JSON Schema errors, in OpenAPI's words.

A schema error is a tree: a `oneOf`/`anyOf` failure holds the failures of every branch. The
message names the branch the author meant (the one whose discriminating fields match the
document: `in: header` picks the header-parameter branch, not the body one), then the deepest
failure inside it, and says what is wrong with the author's value without pasting the
document (a short excerpt at most).
"""

from __future__ import annotations

import ast
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: JSON type names of Python values, as OpenAPI and JSON Schema say them.
_JSON_TYPE = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
              float: "number", type(None): "null"}
_ARTICLE = {"object": "an object", "array": "an array", "integer": "an integer"}


def json_type(value: Any) -> str:
    return _JSON_TYPE.get(type(value), "value")


def a_type(type_name: str) -> str:
    """"an object", "a string", ..."""
    return _ARTICLE.get(type_name, f"a {type_name}")


def short(value: Any, limit: int = 60) -> str:
    """A short excerpt of `value`: JSON-like text, cut with an ellipsis."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        text = "{" + ", ".join(str(k) for k in list(value)[:4]) + (", …}" if len(value) > 4
                                                                 else "}")
    elif isinstance(value, list):
        text = f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _branches(error: Any) -> list[list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for child in error.context:
        groups.setdefault(child.relative_schema_path[0] if child.relative_schema_path else 0,
                          []).append(child)
    return list(groups.values())


def _mismatched(errors: list[Any], depth: int) -> dict[str, set[Any]]:
    """The fields of the object at `depth` that this branch rejects because their value selects
    another branch (a `const`, or an `enum` of one value: `in: [body]` on a parameter, `type:
    [apiKey]` on a security scheme), with the values the branch would take. A nested
    `oneOf`/`anyOf` on the same object counts when all of its branches reject the field."""
    found: dict[str, set[Any]] = {}
    for e in errors:
        path = list(e.absolute_path)
        if len(path) == depth + 1 and (e.validator == "const" or (
                e.validator == "enum" and len(e.validator_value) == 1)):
            found.setdefault(str(path[-1]), set()).update(
                [e.validator_value] if e.validator == "const" else e.validator_value)
        elif e.context and len(path) == depth and e.validator in ("oneOf", "anyOf"):
            nested = [_mismatched(b, depth) for b in _branches(e)]
            for name in set.intersection(*(set(n) for n in nested)) if nested else ():
                found.setdefault(name, set()).update(*(n[name] for n in nested))
    return found


def _reach(error: Any) -> int:
    return max([len(error.absolute_path), *(_reach(c) for c in error.context)])


class Synthetic:
    """A message computed from several branches at once."""

    def __init__(self, error: Any, message: str, path: list[Any]) -> None:
        self.error = error
        self.message = message
        self.absolute_path = path
        self.context = ()


def _choose(error: Any) -> Any:
    """For a `oneOf`/`anyOf` error: the errors of the branch the author meant (a Reference
    branch only for an object with `$ref`; then the fewest discriminating fields
    contradicted; then the branch that got furthest into the document), or a `Synthetic`
    error when every branch rejects the same discriminating field (that field is the cause)."""
    depth = len(error.absolute_path)
    branches = _branches(error)
    mismatches = [_mismatched(b, depth) for b in branches]
    common = set.intersection(*(set(m) for m in mismatches)) if mismatches else set()
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in sorted(common):
        if name in instance:
            allowed = sorted({v for m in mismatches for v in m[name]}, key=str)
            listed = ", ".join(f"`{short(v, 20)}`" for v in allowed[:10])
            return Synthetic(error, f"`{short(instance[name], 40)}` is not a valid `{name}`: "
                                    f"must be one of {listed}", [*error.absolute_path, name])

    def rank(index: int) -> tuple[Any, ...]:
        branch = branches[index]
        is_reference_branch = any(e.validator == "required" and "$ref" in e.validator_value
                                  for e in branch)
        return (is_reference_branch, len(mismatches[index]), -max(_reach(c) for c in branch))

    return branches[min(range(len(branches)), key=rank)]


def best(error: Any) -> Any:
    """The one error that names the real cause (the deepest failure of the meant branch)."""
    while error.context:
        chosen = _choose(error)
        if isinstance(chosen, Synthetic):
            return chosen
        error = min(chosen, key=lambda e: (
            -_reach(e),
            e.validator in ("required", "oneOf", "anyOf", "not"),
            e.validator in ("additionalProperties", "unevaluatedProperties")))
    return error


def causes(error: Any, limit: int = 10) -> list[Any]:
    """Every failure inside the branch the author meant, not only the deepest: a response
    schema with a misspelt `type` *and* a string `nullable` has two causes. A missing field
    beside an unexpected one on the same object is left out (the unexpected field is the
    cause: a misspelt name, or an unsupported keyword in place of `type`), and so is "more
    than one form matches" beside a real failure."""
    if not error.context:
        return [error]
    chosen = _choose(error)
    if isinstance(chosen, Synthetic):
        return [chosen]
    out = [leaf for e in chosen for leaf in causes(e, limit)]
    unexpected_at = {tuple(e.absolute_path) for e in out
                     if getattr(e, "validator", None) in ("additionalProperties",
                                                          "unevaluatedProperties")}
    kept = [e for e in out if not (getattr(e, "validator", None) == "required"
                                   and tuple(e.absolute_path) in unexpected_at)]
    real = [e for e in kept if not (getattr(e, "validator", None) == "oneOf"
                                    and not e.context)]
    kept = real or kept
    seen: set[Any] = set()
    unique = []
    for e in kept:
        key = (tuple(e.absolute_path), getattr(e, "validator", None), str(e.message))
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique[:limit] or [best(error)]


#: RFC 9110 `token`: the syntax of an HTTP field name (the 3.2 schema's header-name pattern).
_HTTP_TOKEN = "^[0-9A-Za-z!#$%&'*+.^_`|~-]+$"


def is_name_error(error: Any) -> bool:
    """True for an error about a field *name* (`propertyNames`): it is located at the name."""
    return "propertyNames" in list(getattr(error, "relative_schema_path", ()) or ())


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)", re.S)


def unexpected_fields(error: Any) -> list[str]:
    """The fields the error rejects. jsonschema names them in its message (for
    `unevaluatedProperties` it alone knows which were evaluated); otherwise the fields matched
    by neither `properties` nor `patternProperties`, where `^x-` extensions are always
    allowed in OpenAPI objects that reject unknown fields."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    match = _UNEXPECTED.search(str(error.message))
    if match:
        try:
            names = ast.literal_eval(f"[{match.group(1)}]")
            if all(isinstance(n, str) and n in instance for n in names):
                return names
        except (ValueError, SyntaxError):
            pass
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {})) + ["^x-"]
    return [k for k in instance if k not in allowed
            and not any(re.search(p, str(k)) for p in patterns)]


def describe(error: Any) -> str:
    """A one-line message that never embeds more than a short excerpt of the document."""
    if isinstance(error, Synthetic):
        return error.message
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    if kind == "required":
        missing = [m for m in value if isinstance(instance, dict) and m not in instance]
        if missing == ["required"] and isinstance(instance, dict) and instance.get("in") == "path":
            return (f"path parameter `{short(instance.get('name'), 40)}` must have "
                    "`required: true`")
        names = ", ".join(f"`{m}`" for m in missing[:3]) or f"`{short(value)}`"
        return f"missing required field{'s' if len(missing) > 1 else ''} {names}"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        extra = unexpected_fields(error)
        names = ", ".join(f"`{short(e, 40)}`" for e in extra[:3]) or "fields"
        return f"unexpected field{'s' if len(extra) > 1 else ''} {names}"
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        return (f"must be {' or '.join(a_type(str(w)) for w in wanted)}, "
                f"not {a_type(json_type(instance))}")
    if kind in ("enum", "const"):
        options = list(value) if kind == "enum" else [value]
        path = list(error.absolute_path)
        if path and path[-1] == "type" and instance == "file":
            return "type `file` is allowed only for parameters `in: formData`"
        allowed = ", ".join(f"`{short(v, 20)}`" for v in options[:8])
        more = ", …" if len(options) > 8 else ""
        if len(options) == 1:
            return f"`{short(instance, 40)}` is not allowed here: must be {allowed}"
        return f"`{short(instance, 40)}` must be one of {allowed}{more}"
    if kind == "pattern":
        if value == _HTTP_TOKEN:
            return (f"`{short(instance, 40)}` is not a valid HTTP header name (letters, digits "
                    "and !#$%&'*+.^_`|~- only)")
        what = "name" if is_name_error(error) else "value"
        return f"{what} `{short(instance, 40)}` does not match the pattern `{short(value, 60)}`"
    if kind in ("oneOf", "anyOf"):
        if kind == "oneOf" and "valid under each of" in str(error.message):
            return "matches more than one allowed form of this object; it must match exactly one"
        return f"{a_type(json_type(instance))} that matches none of the allowed forms here"
    if kind == "not":
        if isinstance(value, dict) and set(value) == {"required"}:
            names = " and ".join(f"`{n}`" for n in value["required"])
            return f"{names} must not be used together"
        return "this form is not allowed here"
    if kind == "minItems":
        return f"must have at least {value} item{'s' if value != 1 else ''}"
    if kind == "maxItems":
        return f"must have at most {value} item{'s' if value != 1 else ''}"
    if kind == "minProperties":
        return f"must have at least {value} field{'s' if value != 1 else ''}"
    if kind == "uniqueItems":
        return "items must be unique"
    if kind == "format":
        return f"`{short(instance, 40)}` is not a valid {value}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                "minLength", "maxLength"):
        return f"`{short(instance, 40)}` violates {kind} {short(value, 20)}"
    if kind is False or value is False or "False schema" in str(error.message):
        path = list(error.absolute_path)
        return f"field `{path[-1]}` is not allowed here" if path else "not allowed here"
    if kind in ("propertyNames",):
        return f"field names must match {short(value, 60)}"
    return f"does not satisfy `{kind}` {short(value, 40)}"


_VERDICT = re.compile(r"\s(?:is|does|has|was|were)\s(?:not|a|too|less|more|expected|unexpected)"
                      r"\b.*$", re.S)
_FAST_TYPE = re.compile(r'is not of type "(\w+)"')
_FAST_REQUIRED = re.compile(r'^"([^"]{1,80})" is a required property')


def describe_fast(message: str, instance: Any = None) -> str:
    """jsonschema-rs messages (used for very large documents only) start with the instance:
    keep only the verdict, in the same words as `describe` where the form is known."""
    match = _FAST_REQUIRED.match(message)
    if match:
        return f"missing required field `{match.group(1)}`"
    match = _FAST_TYPE.search(message)
    if match and instance is not None:
        return f"must be {a_type(match.group(1))}, not {a_type(json_type(instance))}"
    matches = list(_VERDICT.finditer(message))
    if message[:1] in "{[\"" and matches:
        return "value" + message[matches[-1].start():][:200]
    return short(message.split("\n")[0], 200)
