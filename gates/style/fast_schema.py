"""A fast first answer for the `schema` function: jsonschema-rs on the schemas whose keywords
mean the same there as in jsonschema.

A value it finds valid has no finding; any other value goes to jsonschema, which words the
findings as Spectral does. Schemas with keywords outside `_FAST_KEYWORDS` always go to
jsonschema.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["fast_validator"]

#: Keywords whose meaning jsonschema and jsonschema-rs share exactly on data as the loader
#: builds it (str, int, float, bool, None, dict, list): `fast_validator` is used only for
#: schemas made of these. Left out: numbers' types (bool and 1.0 as integer differ by
#: draft), formats and patterns (different checkers and regular expression engines),
#: ``$schema`` and references.
_FAST_KEYWORDS = frozenset({"type", "items", "uniqueItems", "minItems", "maxItems", "required",
                            "properties", "additionalProperties", "description", "title"})
_FAST_TYPES = frozenset({"array", "object", "string", "boolean", "null"})
_fast_validators: dict[int, tuple[Any, Any]] = {}


def _fast_safe(schema: Any) -> bool:
    if type(schema) is bool:
        return True
    if type(schema) is not dict or not set(schema) <= _FAST_KEYWORDS:
        return False
    kind = schema.get("type")
    if kind is not None and not (kind in _FAST_TYPES if type(kind) is str else
                                 type(kind) is list and all(k in _FAST_TYPES for k in kind)):
        return False
    if "required" in schema and not (type(schema["required"]) is list
                                     and all(type(r) is str for r in schema["required"])):
        return False
    props = schema.get("properties", {})
    return type(props) is dict and all(_fast_safe(v) for v in props.values()) \
        and all(_fast_safe(schema[k]) for k in ("items", "additionalProperties") if k in schema)


def fast_validator(schema: Any) -> Any:
    """A jsonschema-rs validator for a schema `_fast_safe` accepts, else None.

    The `schema` function (`gates.style.functions`) asks it first and leaves a valid value
    there: jsonschema (the words of the findings) is imported and run only for a value that
    has an error. Measured
    on Stripe's spec3.yaml with spectral:oas (3,400 enums through duplicated-entry-in-enum's
    uniqueItems schema): about 0.1 s of jsonschema's import and calls, which this avoids."""
    key = id(schema)
    if key in _fast_validators:
        return _fast_validators[key][1]
    found = None
    if _fast_safe(schema):
        try:
            import jsonschema_rs

            found = jsonschema_rs.validator_for(schema)
        except Exception:  # noqa: BLE001 - no or an older jsonschema-rs: jsonschema decides
            found = None
    _fast_validators[key] = (schema, found)  # the schema kept: its id stays its own
    return found


def surely_valid(validator: Any, value: Any) -> bool:
    """Whether a jsonschema-rs `validator` (None: there is none) accepts `value`; False when
    it cannot tell (a value it cannot read), so the caller's slower path decides."""
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(value))
    except Exception:  # noqa: BLE001 - a value jsonschema-rs cannot read
        return False

