"""The OpenAPI-specific functions `spectral:oas` calls (Spectral's names, Spectral's shape:
``fn(target, options, ctx) -> list[Result] | None``, see `gates.style.api`).

Each function first checks its input the way Spectral's function declares it (a target of the
wrong shape yields nothing, except `serverVariables`, which reports "Invalid Server Object"),
then reads the document with JavaScript's semantics where they decide a finding (see
`gates.style.oas.jsvalues`). Paths are absolute from the document root.
"""

from __future__ import annotations

import re

from gates.style.api import Result
from gates.style.jseval import includes, to_str
from gates.style.messages import type_name

from .jsvalues import is_object, js_number
from .servers import serverVariables

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from gates.style.api import Context

#: The operation keys Spectral's OpenAPI functions visit (its `getAllOperations`).
OPERATION_KEYS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def _operations(paths: Any) -> Iterator[tuple[str, str, dict]]:
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method in OPERATION_KEYS and isinstance(operation, dict):
                yield to_str(path), method, operation


def oasOpSuccessResponse(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """An operation's `responses` has a 2xx or 3xx code (3.x: also `2XX`/`3XX`)."""
    if not isinstance(target, dict):
        return None
    oas3 = "oas3" in ctx.formats
    for code in target:
        code = to_str(code)
        if oas3 and code in ("2XX", "3XX"):
            return None
        if 200 <= js_number(code) < 400:
            return None
    return [Result("Operation must define at least a single 2xx or 3xx response", ctx.path)]


_FORM_MEDIA = re.compile(r"(application/x-www-form-urlencoded|multipart/form-data)")


def oasOpFormDataConsumeCheck(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Swagger 2.0: an operation with `in: formData` parameters consumes a form media type."""
    if not isinstance(target, dict):
        return None
    parameters, consumes = target.get("parameters"), target.get("consumes")
    if not isinstance(parameters, list) or not isinstance(consumes, list):
        return None
    if any(isinstance(p, dict) and p.get("in") == "formData" for p in parameters) and \
            not _FORM_MEDIA.search(",".join("" if c is None else to_str(c) for c in consumes)):
        return [Result("Consumes must include urlencoded, multipart, or form-data media type "
                       "when using formData parameter.", ctx.path)]
    return None


def oasOpIdUnique(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Every operationId after the first occurrence of its value."""
    if not isinstance(target, dict):
        return None
    seen: set[Any] = set()
    results = []
    for path, method, operation in _operations(target):
        if "operationId" not in operation:
            continue
        key = _identity(operation["operationId"])
        if key in seen:
            results.append(Result("operationId must be unique.",
                                  ("paths", path, method, "operationId")))
        else:
            seen.add(key)
    return results


def _identity(value: Any) -> Any:
    """A hashable key equal for two values exactly when `[a].includes(b)` holds."""
    if isinstance(value, (dict, list)):
        return ("object", id(value))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", float(value)) if value == value else ("number", "NaN")
    return (type(value).__name__, value)


def oasOpParams(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """An operation's parameters: no repeated (name, in), no body with formData, one body."""
    if not isinstance(target, list) or len(target) < 2:
        return None
    seen: set[str] = set()
    duplicates: list[int] = []
    bodies: list[int] = []
    forms = 0
    for index, param in enumerate(target):
        if not is_object(param) or (isinstance(param, dict) and "$ref" in param):
            continue
        get = param.get if isinstance(param, dict) else (lambda _key: None)
        fingerprint = f"{_js_string_or_undefined(param, 'in')}-" \
                      f"{_js_string_or_undefined(param, 'name')}"
        if fingerprint in seen:
            duplicates.append(index)
        else:
            seen.add(fingerprint)
        where = get("in")
        if where == "body":
            bodies.append(index)
        elif where == "formData":
            forms += 1
    results = [Result('A parameter in this operation already exposes the same combination of '
                      '"name" and "in" values.', (*ctx.path, i)) for i in duplicates]
    if bodies and forms:
        results.append(Result('Operation must not have both "in:body" and "in:formData" '
                              'parameters.', ctx.path))
    results.extend(Result('Operation must not have more than a single instance of the '
                          '"in:body" parameter.', (*ctx.path, i)) for i in bodies[1:])
    return results


def _js_string_or_undefined(value: Any, key: str) -> str:
    if not isinstance(value, dict) or key not in value:
        return "undefined"
    return to_str(value[key])


_PATH_PARAM = re.compile(r"(\{;?\??[a-zA-Z0-9_-]+\*?\})")


def oasPathParam(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Path templates and path parameters agree: each template variable is declared (on the
    path item or the operation) with `required: true`, each declared one is used, none is
    declared twice or used twice, and no two paths are the same template."""
    if not isinstance(target, dict):
        return None
    results: list[Result] = []
    templates: dict[str, str] = {}
    for raw_path, item in target.items():
        if not is_object(item):
            continue
        path = to_str(raw_path)
        normalized = _PATH_PARAM.sub("%", path)
        if normalized in templates:
            results.append(Result(f'Paths "{templates[normalized]}" and "{path}" must not be '
                                  f'equivalent.', ("paths", path)))
        else:
            templates[normalized] = path
        used: list[str] = []
        for match in _PATH_PARAM.finditer(path):
            name = re.sub(r"[{}?*;]", "", match.group(0))
            if name in used:
                results.append(Result(f'Path "{path}" must not use parameter "{{{name}}}" '
                                      f'multiple times.', ("paths", path)))
            else:
                used.append(name)
        if not isinstance(item, dict):
            continue
        shared = _declared(item.get("parameters"), ("paths", path, "parameters"), results)
        for method, operation in item.items():
            if not is_object(operation) or method not in OPERATION_KEYS:
                continue
            own = _declared(operation.get("parameters") if isinstance(operation, dict) else None,
                            ("paths", path, method, "parameters"), results)
            declared = {**shared, **own}
            for name, where in declared.items():
                if name not in used:
                    results.append(Result(f'Parameter "{name}" must be used in path "{path}".',
                                          where))
            for name in used:
                if name not in declared:
                    results.append(Result(f'Operation must define parameter "{{{name}}}" as '
                                          f'expected by path "{path}".', ("paths", path, method)))
    return results


def _declared(parameters: Any, base: tuple, results: list[Result]) -> dict[str, tuple]:
    """The named path parameters of one `parameters` list, by name (the first declaration),
    reporting those not `required: true` and those declared again."""
    declared: dict[str, tuple] = {}
    if not isinstance(parameters, list):
        return declared
    for index, param in enumerate(parameters):
        if not isinstance(param, dict) or param.get("in") != "path" or "name" not in param:
            continue
        where = (*base, index)
        name = to_str(param["name"])
        if param.get("required") is not True:
            results.append(Result(f'Path parameter "{name}" must have "required" property that '
                                  f'is set to "true".', where))
        if name in declared:
            results.append(Result(f'Path parameter "{name}" must not be defined multiple times.',
                                  where))
            continue
        declared[name] = where
    return declared


def oasTagDefined(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Each operation tag is the name of a tag in the document's `tags`."""
    if not isinstance(target, dict):
        return None
    tags = target.get("tags")
    defined = [tag["name"] for tag in tags if isinstance(tag, dict)
               and isinstance(tag.get("name"), str)] if isinstance(tags, list) else []
    results = []
    for path, method, operation in _operations(target.get("paths")):
        used = operation.get("tags")
        if not isinstance(used, list):
            continue
        for index, tag in enumerate(used):
            if not includes(defined, tag):
                results.append(Result("Operation tags must be defined in global tags.",
                                      ("paths", path, method, "tags", index)))
    return results


def uniquenessTags(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Each repeated tag name after its first occurrence."""
    if not isinstance(target, list) or not all(
            isinstance(tag, dict) and isinstance(tag.get("name"), str) for tag in target):
        return None
    seen: set[str] = set()
    results = []
    for index, tag in enumerate(target):
        if tag["name"] in seen:
            results.append(Result(f'"tags" object contains duplicate tag name "{tag["name"]}".',
                                  (*ctx.path, index, "name")))
        seen.add(tag["name"])
    return results


def oasDiscriminator(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Swagger 2.0: a schema's `discriminator` names one of its properties, a required one."""
    if not isinstance(target, dict) or not isinstance(target.get("discriminator"), str):
        return None
    name = target["discriminator"]
    results = []
    properties = target.get("properties")
    if not is_object(properties) or not (isinstance(properties, dict) and name in properties):
        results.append(Result("The discriminator property must be defined in this schema.",
                              (*ctx.path, "properties")))
    required = target.get("required")
    if not isinstance(required, list) or name not in [r for r in required if isinstance(r, str)]:
        results.append(Result("The discriminator property must be in the required property "
                              "list.", (*ctx.path, "required")))
    return results


def oasSecurityDefined(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """A security requirement names defined schemes, and (OAuth) scopes they list."""
    if not isinstance(target, dict) or not all(
            isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)
            for scopes in target.values()):
        return None
    if not target or not isinstance(ctx.unresolved, dict):
        return None
    version = (options or {}).get("oasVersion")
    document = ctx.unresolved
    if version == 2:
        schemes = document.get("securityDefinitions")
    else:
        components = document.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    results = []
    for name, scopes in target.items():
        if not isinstance(schemes, dict) or name not in schemes:
            subject = "API" if len(ctx.path) == 2 else "Operation"
            location = "securityDefinitions" if version == 2 else "components.securitySchemes"
            results.append(Result(f'{subject} "security" values must match a scheme defined in '
                                  f'the "{location}" object.', (*ctx.path, name)))
            continue
        for index, scope in enumerate(scopes):
            if not _scope_defined(version, scope, schemes[name]):
                results.append(Result(f'"{scope}" must be listed among scopes.',
                                      (*ctx.path, name, index)))
    return results or None


def _scope_defined(version: Any, scope: str, scheme: Any) -> bool:
    if not isinstance(scheme, dict):
        return False
    if version == 2:
        scopes = scheme.get("scopes")
        return isinstance(scopes, dict) and scope in scopes
    flows = scheme.get("flows")
    if isinstance(flows, dict):
        for flow in flows.values():
            if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict) \
                    and scope in flow["scopes"]:
                return True
    return False


def refSiblings(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Each key next to a `$ref` (the target is the `$ref` value; the document as written)."""
    path = ctx.path
    if not path:
        return None
    parent: Any = ctx.unresolved
    for key in path[:-1]:
        if not is_object(parent):
            return None
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return None
    if not is_object(parent):
        return None
    keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
    if len(keys) == 1:
        return None
    return [Result("$ref must not be placed next to any other properties", (*path[:-1], key))
            for key in keys if key != "$ref"]


def typedEnum(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Each enum value has the schema's `type` (3.0 `nullable` / 2.0 `x-nullable` add null)."""
    if not isinstance(target, dict) or not isinstance(target.get("enum"), list):
        return None
    declared = target.get("type")
    if not (isinstance(declared, str) or (isinstance(declared, list)
                                          and all(isinstance(t, str) for t in declared))):
        return None
    if (target.get("nullable") is True and "oas3_0" in ctx.formats) or \
            (target.get("x-nullable") is True and "oas2" in ctx.formats):
        declared = [*declared, "null"] if isinstance(declared, list) else [declared, "null"]
    integers = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
    results = []
    for index, value in enumerate(target["enum"]):
        kind = type_name(value, integers)
        if kind == declared or (isinstance(declared, list) and kind in declared):
            continue
        shown = ",".join(declared) if isinstance(declared, list) else declared
        results.append(Result(f'Enum value {_print_value(value)} must be "{shown}".',
                              (*ctx.path, "enum", index)))
    return results or None


def _print_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return "Object{}" if isinstance(value, dict) else "Array[]"
    return to_str(value)

# --- unused components -----------------------------------------------------------------------

def referenced_pointers(document: Any, written: Any = None) -> set[str]:
    """The local JSON pointers (decoded, '#/...') that a `$ref` of the document names from
    outside them (`gates.style.refs.outside_refs`); `written`: those `$ref` strings, when the
    caller has them."""
    from urllib.parse import unquote

    if written is None:
        from gates.style.refs import outside_refs_of

        written = outside_refs_of(document)
    return {unquote(ref) for ref in written if ref.startswith("#")}


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def unused_in(target: dict, location: str, referenced: set[str]) -> list[Result]:
    """The members of `target` (the object at `location`, '#/...') that no `$ref` names."""
    base = tuple(_unescape(part) for part in location[2:].split("/"))
    results = []
    for name in target:
        name = to_str(name)
        pointer = f"{location}/{name}"
        if pointer not in referenced:
            results.append(Result("Potential orphaned reusable object has been detected",
                                  (*base, *(_unescape(p) for p in name.split("/")))))
    return results


_COMPONENT_TYPES = ("schemas", "responses", "parameters", "examples", "requestBodies",
                    "headers", "links", "callbacks")


def oasUnusedComponent(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    """Each member of `components.<type>` that no `$ref` of the document names."""
    if not isinstance(target, dict) or not isinstance(target.get("components"), dict):
        return None
    # the runner has walked the document for its references already (gates.style.runner)
    referenced = referenced_pointers(ctx.unresolved, getattr(ctx, "outside_refs", None))
    results = []
    for kind in _COMPONENT_TYPES:
        members = target["components"].get(kind)
        if isinstance(members, dict):
            results.extend(unused_in(members, f"#/components/{kind}", referenced))
    return results


def _document_schema(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    from .document_schema import oasDocumentSchema

    return oasDocumentSchema(target, options, ctx)


def _example(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    from .examples import oasExample

    return oasExample(target, options, ctx)


def _schema(target: Any, options: Any, ctx: Context) -> list[Result] | None:
    from .examples import oasSchema

    return oasSchema(target, options, ctx)


_document_schema.__name__ = "oasDocumentSchema"
_example.__name__ = "oasExample"
_schema.__name__ = "oasSchema"

FUNCTIONS = {
    "oasOpSuccessResponse": oasOpSuccessResponse,
    "oasOpFormDataConsumeCheck": oasOpFormDataConsumeCheck,
    "oasOpIdUnique": oasOpIdUnique,
    "oasOpParams": oasOpParams,
    "oasPathParam": oasPathParam,
    "oasTagDefined": oasTagDefined,
    "oasDiscriminator": oasDiscriminator,
    "oasSecurityDefined": oasSecurityDefined,
    "oasUnusedComponent": oasUnusedComponent,
    "oasDocumentSchema": _document_schema,
    "oasExample": _example,
    "oasSchema": _schema,
    "refSiblings": refSiblings,
    "typedEnum": typedEnum,
    "uniquenessTags": uniquenessTags,
    "serverVariables": serverVariables,
}
