"""Examples against schemas in the document's JSON Schema dialect (see the gate's docs).

OpenAPI Schema Objects become plain JSON Schema (draft 4 for 2.0 and 3.0, 2020-12 for 3.1),
`$ref`s inlined; jsonschema-rs says whether an example is valid, jsonschema explains why not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from gatekeeper import Pointer, Spec

TYPE_CHECKING = False  # `typing` costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

#: Keywords that hold one subschema / a list of them / a map of them.
_ONE = ("additionalProperties", "not", "contains", "if", "then", "else", "propertyNames",
        "unevaluatedProperties", "unevaluatedItems", "additionalItems", "items")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
#: Annotations that validators ignore anyway; dropped to keep converted schemas small.
_DROP = frozenset({"example", "examples", "description", "title", "xml", "externalDocs",
                   "discriminator", "nullable", "x-nullable", "deprecated", "$schema", "$id",
                   "$comment", "default"})
_MAX_DEPTH = 64


def _draft(spec: Spec):
    """jsonschema's validator class of the document's dialect, its `pattern` keyword run on
    `gatekeeper.patterns.search` (the `regex` module with a timeout): a spec's pattern is
    attacker-controlled and Python's `re` has no time limit (a beezup.com pattern hung it)."""
    return _safe_validator(spec.version in ("2.0", "3.0"))


@functools.lru_cache(maxsize=1024)
def _compiles(pattern: str) -> bool:
    """Whether `regex` compiles the pattern (one it cannot is not the example's fault)."""
    import regex

    try:
        regex.compile(pattern)
    except Exception:  # regex.error, and the odd ValueError or RecursionError
        return False
    return True


@functools.cache
def _safe_validator(draft4: bool):
    from jsonschema import Draft4Validator, Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    from gatekeeper import pattern_search as search

    def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(patrn, str) and validator.is_type(instance, "string") \
                and _compiles(patrn) and search(patrn, instance) is False:
            yield ValidationError(f"{instance!r} does not match {patrn!r}")  # (None: timed out)

    from gatekeeper import in_instance_order

    base = Draft4Validator if draft4 else Draft202012Validator
    return validators.extend(in_instance_order(base), {"pattern": pattern})


class _Converter:
    """OpenAPI schema objects to plain JSON Schema, `$ref`s inlined (a cycle becomes `{}`,
    which accepts anything: an example is never blamed for what could not be followed)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.legacy = spec.version in ("2.0", "3.0")
        self.cache: dict[tuple[Pointer, str], Any] = {}

    def convert(self, schema: Any, pointer: Pointer, mode: str) -> Any:
        return self._conv(schema, pointer, mode, (), 0)

    def _conv(self, schema: Any, pointer: Pointer, mode: str, stack: tuple, depth: int) -> Any:
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            return {}
        siblings = None
        if "$ref" in schema:
            if not self.legacy and len(schema) > 1:
                siblings = {k: v for k, v in schema.items() if k != "$ref"}
            target, target_ptr = self.spec.resolve(schema, pointer)
            if target is schema:  # unresolved (remote, $defs-relative, ...): accept
                return {}
            schema, pointer = target, target_ptr
        key = (pointer, mode)
        if key in self.cache:
            out = self.cache[key]
        elif pointer in stack or depth > _MAX_DEPTH:
            return {}
        else:
            out = self._object(schema, pointer, mode, (*stack, pointer), depth + 1)
            self.cache[key] = out
        if siblings:
            return {"allOf": [out, self._object(siblings, pointer, mode, stack, depth + 1)]}
        return out

    def _object(self, schema: dict, pointer: Pointer, mode: str, stack: tuple,
                depth: int) -> dict:
        out: dict[str, Any] = {}
        for k, v in schema.items():
            if k in _DROP or k.startswith("x-"):
                continue
            if k in _MAP and isinstance(v, dict):
                out[k] = {n: self._conv(s, pointer.join(k, n), mode, stack, depth)
                          for n, s in v.items()}
            elif k in _LIST and isinstance(v, list):
                converted = [self._conv(s, pointer.join(k, i), mode, stack, depth)
                             for i, s in enumerate(v)]
                if k == "oneOf":  # read as anyOf (see the module docs)
                    out.setdefault("allOf", [])
                    out["allOf"] = [*out["allOf"], {"anyOf": converted}]
                else:
                    out[k] = [*out.get(k, []), *converted] if k == "allOf" else converted
            elif k in _ONE and isinstance(v, (dict, bool)):
                out[k] = self._conv(v, pointer / k, mode, stack, depth)
            elif k == "type" and v == "file":  # 2.0 uploads: nothing to check in JSON
                continue
            else:
                out[k] = v
        required = out.get("required")
        props = schema.get("properties")
        if isinstance(required, list) and isinstance(props, dict):
            hidden = "readOnly" if mode == "request" else "writeOnly" if mode == "response" \
                else None
            drop = {n for n, p in props.items()
                    if isinstance(n, str) and self._flag(p, pointer.join("properties", n),
                                                         hidden, mode)}
            kept = [n for n in required if n not in drop]
            if kept:
                out["required"] = kept
            else:
                out.pop("required")
        if self.legacy and (self.spec.is_swagger2 or schema.get("nullable") is True):
            out = {"anyOf": [{"type": "null"}, out]}
        return out

    def _flag(self, prop: Any, pointer: Pointer, hidden: str | None, mode: str) -> bool:
        if hidden is None:  # a schema-level example: neither request nor response
            resolved, _ = self.spec.resolve(prop, pointer)
            return isinstance(resolved, dict) and (resolved.get("readOnly") is True
                                                   or resolved.get("writeOnly") is True)
        resolved, _ = self.spec.resolve(prop, pointer)
        return isinstance(resolved, dict) and resolved.get(hidden) is True


class Checker:
    """Validates values against schemas, one compiled validator per (schema, mode)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.converter = _Converter(spec)
        self._draft: Any = None
        self.validators: dict[tuple[Pointer, str], Any] = {}
        self.fast: dict[tuple[Pointer, str], Any] = {}
        self.converted: dict[tuple[Pointer, str], Any] = {}

    def error(self, value: Any, schema: Any, pointer: Pointer, mode: str) -> str | None:
        key = (pointer, mode)
        converted = self.converted.get(key)
        if converted is None:
            converted = self.converted[key] = self.converter.convert(schema, pointer, mode)
            self.fast[key] = _fast_validator(self.spec, converted)
        fast = self.fast[key]
        if fast is not None:  # most examples are valid: jsonschema-rs says so ~50x faster
            try:
                if fast.is_valid(value):
                    return None
            except Exception:  # a value or schema it cannot take: ask jsonschema
                pass
        validator = self.validators.get(key)
        if validator is None:  # jsonschema explains the error (and decides the odd case)
            if self._draft is None:
                self._draft = _draft(self.spec)
            validator = self.validators[key] = self._draft(converted)
        from jsonschema.exceptions import best_match

        try:
            err = best_match(validator.iter_errors(value))
        except Exception:  # a pattern Python cannot compile, an unknown type: not the
            return None    # example's fault (the validity gate judges the schema)
        if err is None:
            return None
        where = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        where = where.lstrip(".")
        return f"{where}: {_short(err.message)}" if where else _short(err.message)


def _refuse(uri: str) -> Any:
    raise ValueError(f"not fetched: {uri}")  # examples are checked offline, always


def _fast_validator(spec: Spec, schema: Any) -> Any:
    """A jsonschema-rs validator of the same dialect (formats not checked), or None."""
    try:
        import jsonschema_rs

        cls = jsonschema_rs.Draft4Validator if spec.version in ("2.0", "3.0") \
            else jsonschema_rs.Draft202012Validator
        return cls(schema, validate_formats=False, retriever=_refuse)
    except Exception:  # not installed, an older release, a pattern it rejects
        return None


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
