"""Examples: request and response bodies carry examples, and every example is valid.

A reviewer gate (docs/gates/examples.md). Documentation "with comprehensive examples" is what
reviewers ask for, and generated docs, mock servers and SDK tests all use the examples of a
document. The metric is the share of JSON request bodies, JSON success responses and JSON error
responses that carry an example: the media type's `example`/`examples`, the schema's `example`
or (3.1) `examples` array, or in 2.0 the response's `examples` map.

A wrong example is worse than none (readers copy it), so `examples/invalid-example` is an error:
every example (media, schema, parameter and header examples) is validated against its schema
in the JSON Schema dialect of the document version: draft 4 with `nullable` (3.0) or
`x-nullable` read as "null is allowed" (2.0 has no way to say it, so `null` passes
there), draft 2020-12 for 3.1 (type arrays, `$ref` with siblings). Parameter and header
examples are read as the text they put on the wire (`'10'` is a fine example of an integer
query parameter); a JSON body example written as JSON text is read as the JSON it spells. A `readOnly` property is not required in a request example and a `writeOnly`
property not in a response example. `externalValue` is never fetched. Formats are not checked
(validators disagree on them, and the example's shape is what readers copy).

The gate is opt-in (`extend-select = ["examples"]`); set `[gates.examples] fail-under` to make
the coverage a bar.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from gatekeeper import Gate, Metric, MetricPart, Pointer, Severity, Spec, Violation, rule
from gatekeeper.spec import is_json_media

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

    from gatekeeper.patterns import search

    def pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(patrn, str) and validator.is_type(instance, "string") \
                and _compiles(patrn) and search(patrn, instance) is False:
            yield ValidationError(f"{instance!r} does not match {patrn!r}")  # (None: timed out)

    base = Draft4Validator if draft4 else Draft202012Validator
    return validators.extend(base, {"pattern": pattern})


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


class _Checker:
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


# ---------------------------------------------------------------------- where examples are


class ExampleSite:
    """One example value and the schema it must fit."""

    __slots__ = ("value", "pointer", "schema", "schema_pointer", "mode", "label")

    def __init__(self, value: Any, pointer: Pointer, schema: Any, schema_pointer: Pointer,
                 mode: str, label: str) -> None:
        self.value = value
        self.pointer = pointer
        self.schema = schema
        self.schema_pointer = schema_pointer
        self.mode = mode
        self.label = label


def _media_examples(spec: Spec, data: Any, pointer: Pointer) -> Iterator[tuple[Any, Pointer]]:
    """(value, where) of an object's `example` and `examples` map (3.x Example Objects,
    `$ref`s followed; `externalValue` skipped: never fetched)."""
    if not isinstance(data, dict):
        return
    if "example" in data:
        yield data["example"], pointer / "example"
    examples = data.get("examples")
    if isinstance(examples, dict):
        for name, ex in examples.items():
            ex, ex_ptr = spec.resolve(ex, pointer.join("examples", name))
            if isinstance(ex, dict) and "value" in ex:
                yield ex["value"], ex_ptr / "value"


def _has_example(spec: Spec, media_data: Any, schema: Any) -> bool:
    if isinstance(media_data, dict) and ("example" in media_data or media_data.get("examples")):
        return True
    return isinstance(schema, dict) and ("example" in schema or bool(schema.get("examples")))


def example_sites(spec: Spec) -> list[ExampleSite]:
    """Every example of the document with its schema, each written example once."""
    def build() -> list[ExampleSite]:
        sites: list[ExampleSite] = []
        seen: set[Pointer] = set()

        def add(value: Any, ptr: Pointer, schema: Any, schema_ptr: Pointer | None, mode: str,
                label: str) -> None:
            if ptr in seen or schema_ptr is None or not isinstance(schema, (dict, bool)):
                return
            seen.add(ptr)
            sites.append(ExampleSite(value, ptr, schema, schema_ptr, mode, label))

        roots: list[tuple[Any, Pointer]] = [spec.schemas[n] for n in spec.schemas]
        param_schemas: dict[Pointer, str] = {}
        for op in spec.operations:
            body = op.request_body
            for media in (body.content.values() if body is not None else ()):
                if media.schema_pointer is not None:
                    roots.append((media.schema, media.schema_pointer))
                if is_json_media(media.name):
                    for value, ptr in _media_examples(spec, media.data, media.pointer):
                        add(value, ptr, media.schema, media.schema_pointer, "request",
                            f"request body of `{op.label}`")
            for resp in op.responses.values():
                for media in resp.content.values():
                    if media.schema_pointer is not None:
                        roots.append((media.schema, media.schema_pointer))
                    if is_json_media(media.name) and not spec.is_swagger2:
                        for value, ptr in _media_examples(spec, media.data, media.pointer):
                            add(value, ptr, media.schema, media.schema_pointer, "response",
                                f"{resp.code} response of `{op.label}`")
                if spec.is_swagger2 and isinstance(resp.data.get("examples"), dict):
                    schema = resp.data.get("schema")
                    schema, schema_ptr = spec.resolve(schema, resp.pointer / "schema")
                    for mime, value in resp.data["examples"].items():
                        if is_json_media(mime):
                            add(value, resp.pointer.join("examples", mime), schema, schema_ptr,
                                "response", f"{resp.code} response of `{op.label}`")
                for header in resp.headers.values():
                    schema_ptr = header.pointer / "schema"
                    for value, ptr in _media_examples(spec, header.data, header.pointer):
                        add(value, ptr, header.schema, spec.resolve(
                            header.data.get("schema"), schema_ptr)[1], "response",
                            f"header `{header.name}`")
            for param in op.parameters:
                if param.location == "body" or spec.is_swagger2:
                    continue
                raw = param.data.get("schema")
                if raw is None:
                    continue
                schema, schema_ptr = spec.resolve(raw, param.pointer / "schema")
                roots.append((schema, schema_ptr))
                param_schemas[schema_ptr] = param.name
                for value, ptr in _media_examples(spec, param.data, param.pointer):
                    add(value, ptr, schema, schema_ptr, "request",
                        f"parameter `{param.name}`")
        for node, ptr in spec.walk_schemas(roots):
            if "example" not in node and "examples" not in node:
                continue
            owner = param_schemas.get(ptr) or param_schemas.get(ptr.parent)
            label = f"parameter `{owner}` (its schema)" if owner else f"schema `{_name(ptr)}`"
            if "example" in node:
                add(node["example"], ptr / "example", node, ptr, "schema", label)
            if not spec.is_swagger2 and spec.version != "3.0" \
                    and isinstance(node.get("examples"), list):
                for i, value in enumerate(node["examples"]):
                    add(value, ptr.join("examples", i), node, ptr, "schema", label)
        return sites
    return spec.memo("examples.sites", build)


def _name(ptr: Pointer) -> str:
    tokens = ptr.tokens
    for marker in ("schemas", "definitions"):
        if marker in tokens:
            rest = tokens[tokens.index(marker) + 1:]
            return ".".join(t for t in rest if t not in ("properties", "items", "allOf",
                                                         "oneOf", "anyOf")) or ptr.fragment
    return ptr.fragment


# ---------------------------------------------------------------------- coverage


def _body_sites(spec: Spec) -> dict[str, list[tuple[str, Pointer, bool]]]:
    """(label, pointer, has example) per request body, success and error response."""
    def build() -> dict[str, list[tuple[str, Pointer, bool]]]:
        parts: dict[str, list[tuple[str, Pointer, bool]]] = {
            "request_bodies": [], "success_responses": [], "error_responses": []}
        seen: set[tuple[str, Pointer]] = set()
        for op in spec.in_paths():
            body = op.request_body
            for media in (body.content.values() if body is not None else ()):
                if is_json_media(media.name) and media.schema is not None \
                        and ("request", media.pointer) not in seen:
                    seen.add(("request", media.pointer))
                    parts["request_bodies"].append(
                        (f"request body of `{op.label}`", media.pointer,
                         _has_example(spec, media.data, media.schema)))
            for resp in op.responses.values():
                kind = "success_responses" if resp.kind == "success" else "error_responses" \
                    if resp.kind in ("error", "default") else None
                if kind is None:
                    continue
                for media in resp.content.values():
                    if not is_json_media(media.name) or media.schema is None \
                            or (kind, media.pointer) in seen:
                        continue
                    seen.add((kind, media.pointer))
                    has = _has_example(spec, media.data, media.schema) or (
                        spec.is_swagger2 and isinstance(resp.data.get("examples"), dict)
                        and any(is_json_media(m) for m in resp.data["examples"]))
                    parts[kind].append((f"{resp.code} response of `{op.label}`",
                                        media.pointer, has))
        return parts
    return spec.memo("examples.bodies", build)


WEIGHTS = {"request_bodies": 0.4, "success_responses": 0.4, "error_responses": 0.2}


def example_coverage(spec: Spec) -> Metric:
    """Share of JSON request bodies, success (2xx) responses and error (4xx, 5xx, `default`)
    responses under `paths` that carry an example (the media type's `example`/`examples`,
    the schema's `example` or 3.1 `examples`, or a 2.0 response's `examples`), weighted
    0.4, 0.4 and 0.2; a part with nothing to judge is left out. 100 % when there is none."""
    parts = _body_sites(spec)
    breakdown = []
    total_weight = value = 0.0
    passed = total = 0
    for name, items in parts.items():
        good = sum(1 for _, _, has in items if has)
        breakdown.append(MetricPart(name=name, passed=good, total=len(items),
                                    weight=WEIGHTS[name]))
        passed += good
        total += len(items)
        if items:
            total_weight += WEIGHTS[name]
            value += WEIGHTS[name] * good / len(items)
    return Metric(value=value / total_weight if total_weight else 1.0,
                  label="JSON bodies with an example", passed=passed, total=total,
                  breakdown=tuple(breakdown),
                  details={"without_example": [label for items in parts.values()
                                               for label, _, has in items if not has][:200]})


# ---------------------------------------------------------------------- rules


def _parsed_json(text: str) -> Any:
    """A JSON body example written as JSON text (Atlassian's style): the value it spells."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _as_text_value(value: Any, schema: Any) -> Any:
    """Parameters and headers travel as text: `'10'` is a fine example of an integer query
    parameter, `10` of a string one. The example is read as the text it puts on the wire."""
    types = schema.get("type") if isinstance(schema, dict) else None
    types = {types} if isinstance(types, str) else set(types or ())
    if isinstance(value, list) and isinstance(schema, dict):
        return [_as_text_value(v, schema.get("items")) for v in value]
    if isinstance(value, str) and "array" in types and isinstance(schema, dict):
        # `ids=a,b,c`: the form style's comma-separated text of an array
        return [_as_text_value(v, schema.get("items")) for v in value.split(",")]
    if isinstance(value, str) and types & {"integer", "number", "boolean"}:
        parsed = _parsed_json(value.strip())
        return parsed if isinstance(parsed, (int, float, bool)) else value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "string" in types:
        return str(value)
    if isinstance(value, bool) and "string" in types:
        return "true" if value else "false"
    return value



@rule("examples/invalid-example", severity=Severity.ERROR)
def invalid_example(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an example that does not validate against its schema: media type `example` and
    `examples`, schema `example` (and 3.1 `examples`), parameter and header examples, and a
    2.0 response's `examples`. The schema is read in the dialect of the document: `nullable`
    (3.0) and `x-nullable` (2.0) allow `null`, 3.1 uses JSON Schema 2020-12 (type arrays);
    `readOnly` properties are not required in request examples nor `writeOnly` ones in
    response examples. `oneOf` is read as `anyOf` and formats are not checked. Parameter
    and header examples are compared as the text they put on the wire (`'10'` fits an
    integer, `10` a string); a JSON body example written as JSON text is parsed first; in
    2.0, which cannot say "nullable", `null` passes.
    `externalValue` is never fetched.

    ## Why is this bad?
    Readers copy examples; mock servers serve them; contract tests send them. A wrong example
    is worse than none (Spectral `oas3-valid-media-example`, `oas3-valid-schema-example`;
    Redocly `no-invalid-media-type-examples`; IBM `ibm-valid-schema-example`).

    ## Example
    ```yaml
    schema:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    example: {id: "42"}
    ```
    Use instead:
    ```yaml
    example: {id: 42}
    ```
    """
    checker = _Checker(spec)
    for site in example_sites(spec):
        value = site.value
        if site.label.startswith(("parameter", "header")):
            value = _as_text_value(value, site.schema)
        elif isinstance(value, str) and value.lstrip()[:1] in ("{", "[") \
                and not (isinstance(site.schema, dict) and site.schema.get("type") == "string"):
            value = _parsed_json(value)
        problem = checker.error(value, site.schema, site.schema_pointer, site.mode)
        if problem is not None:
            yield Violation(site.pointer, f"example of {site.label} does not match its schema: "
                                          f"{problem}", subject=str(site.pointer))


@rule("examples/missing-example", severity=Severity.INFO)
def missing_example(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a JSON request body, success response or error response under `paths` whose media
    type has no example: no `example`/`examples` on the media type, no `example` (or 3.1
    `examples`) on its schema, and in 2.0 no `examples` on the response. Shared responses are
    reported once, where they are written.

    ## Why is this bad?
    An example shows in one glance what a schema takes a page to describe; documentation
    portals, mock servers and generated SDK docs show it first (Redocly's score counts example
    coverage as much as descriptions; vacuum `oas3-missing-example`; IBM
    `ibm-success-response-example`).

    ## Example
    ```yaml
    '200':
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
    ```
    Use instead:
    ```yaml
    '200':
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
          example: {id: 1, name: Rex}
    ```

    ## Options
    `[gates.examples] fail-under = <percent>` turns the coverage into a bar.
    """
    for items in _body_sites(spec).values():
        for label, pointer, has in items:
            if not has:
                yield Violation(pointer, f"{label} has no example", subject=str(pointer))


GATE = Gate(
    "examples",
    title="Examples",
    rules=(invalid_example, missing_example),
    metric=example_coverage,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
