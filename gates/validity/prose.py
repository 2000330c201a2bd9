"""Rules the OpenAPI and Swagger specifications state in prose, which no JSON Schema carries.

Each rule quotes the sentence it enforces; docs/validity.md lists them with the versions they
apply to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from . import walk
from .helped import walk_facts
from .messages import a_type, json_type, short
from .schemas import dialect_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
_FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def _found(pointer: Pointer, message: str, subject: str) -> Violation:
    """A finding whose message ends with its JSON pointer, as the schema check's do."""
    where = (f"{pointer.file}#" if pointer.file else "") + (pointer.fragment[1:] or "/")
    return Violation(pointer, f"{message} (at {short(where, 400)})", subject=subject)


def _unique_operations(spec: Spec) -> list[Any]:
    """Each operation once, though a path item referenced twice lists it twice."""
    def build() -> list[Any]:
        seen: set[tuple[int, str]] = set()
        out = []
        for op in spec.operations:  # the same operation object under the same method
            key = (id(op.data), op.method)
            if key not in seen:
                seen.add(key)
                out.append(op)
        return out

    return spec.memo("validity.unique-operations", build)


@rule("validity/duplicate-operation-id", severity=Severity.ERROR)
def duplicate_operation_id(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an `operationId` used by more than one operation (paths, webhooks, callbacks and
    3.2 `additionalOperations` alike).

    ## Why is this bad?
    The specification: "The id MUST be unique among all operations described in the API."
    Code generators name methods after it and links (`operationId`) point at it; a duplicate
    makes both ambiguous.

    ## Example
    ```yaml
    /pets: {get: {operationId: list, ...}}
    /owners: {get: {operationId: list, ...}}
    ```
    Use instead: `listPets`, `listOwners`.
    """
    first: dict[str, Any] = {}
    for op in _unique_operations(spec):
        op_id = op.data.get("operationId")
        if not isinstance(op_id, str):
            continue
        if op_id in first:
            yield _found(op.pointer / "operationId",
                            f"operationId `{short(op_id)}` of `{op.label}` is already used by "
                            f"`{first[op_id].label}`; it must be unique", subject=op_id)
        else:
            first[op_id] = op


@rule("validity/duplicate-tag", severity=Severity.ERROR)
def duplicate_tag(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a tag name declared twice in the root `tags` list.

    ## Why is this bad?
    The specification: "Each tag name in the list MUST be unique." Documentation tools group
    operations by tag; which description and parent apply is undefined.

    ## Example
    ```yaml
    tags: [{name: pets}, {name: pets, description: Pets}]
    ```
    Use instead: one entry per name.
    """
    seen: set[str] = set()
    for name, _, pointer in spec.declared_tags:
        if name in seen:
            yield _found(pointer / "name", f"tag `{short(name)}` is declared more than once",
                            subject=name)
        seen.add(name)


@rule("validity/tag-parent", severity=Severity.ERROR)
def tag_parent(spec: Spec) -> Iterator[Violation]:
    """## What it does
    OpenAPI 3.2: flags a tag whose `parent` names no declared tag, or whose chain of parents
    comes back to itself.

    ## Why is this bad?
    The specification: "The name of a tag that this tag is nested under. The named tag MUST
    exist in the API description, and circular references between parent and child tags MUST
    NOT be used." Navigation built from the hierarchy breaks or loops.

    ## Example
    ```yaml
    tags: [{name: cats, parent: animals}]     # no tag `animals`
    ```
    Use instead: declare `animals`, or drop `parent`.
    """
    if spec.version != "3.2":
        return
    tags = spec.raw.get("tags")
    if not isinstance(tags, list):
        return
    parents: dict[str, str] = {}
    where: dict[str, Pointer] = {}
    for name, _, pointer in spec.declared_tags:
        tag = spec.get(pointer)
        parent = tag.get("parent") if isinstance(tag, dict) else None
        where.setdefault(name, pointer)
        if isinstance(parent, str):
            parents.setdefault(name, parent)
    in_reported_cycle: set[str] = set()
    for name, parent in parents.items():
        pointer = where[name] / "parent"
        if parent not in where:
            yield _found(pointer, f"tag `{short(name)}` has parent `{short(parent)}`, which "
                                     "is not a declared tag", subject=f"{name} {parent}")
            continue
        chain = [name]
        current = parent
        while current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
        if current == name and name not in in_reported_cycle:
            in_reported_cycle.update(chain)
            cycle = " → ".join(f"`{short(n, 30)}`" for n in [*chain, name])
            yield _found(pointer, f"tag parents form a cycle: {cycle}", subject=name)


@rule("validity/duplicate-parameter", severity=Severity.ERROR)
def duplicate_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a parameter listed twice (same `name` and `in`) in one `parameters` list of an
    operation or a path item.

    ## Why is this bad?
    The specification: "The list MUST NOT include duplicated parameters. A unique parameter is
    defined by a combination of a name and location." Which of the two applies is undefined.

    ## Example
    ```yaml
    parameters:
      - {name: limit, in: query, type: integer}
      - {name: limit, in: query, type: string}
    ```
    Use instead: one entry per name and location.
    """
    # Each entry's pointer is made only for a finding, and a written (not `$ref`) entry is
    # read as it is: 0.10 -> 0.07 s of CPU on Graph beta (18,000 lists, 64,000 entries).
    resolve = spec.resolve
    for owner_ptr, params in _parameter_owners(spec, min_length=2):
        seen: set[tuple[str, str]] = set()
        for i, raw in enumerate(params):
            param = resolve(raw, owner_ptr)[0] if isinstance(raw, dict) and "$ref" in raw \
                else raw
            if not isinstance(param, dict):
                continue
            name, location = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(location, str):
                continue
            key = (name.lower() if location == "header" else name, location)
            if key in seen:
                yield _found(owner_ptr.join("parameters", i), f"parameter `{short(name)}` in "
                                f"{location} is listed twice", subject=f"{location} {name}")
            seen.add(key)


def _parameter_owners(spec: Spec, min_length: int = 1) -> Iterator[tuple[Pointer, list[Any]]]:
    """Each `parameters` list of a path item or an operation (once) with at least
    `min_length` entries, with where its owner is written."""
    seen: set[int] = set()
    for op in _unique_operations(spec):
        for owner, owner_ptr in ((op.path_item, op.path_item_pointer), (op.data, op.pointer)):
            params = owner.get("parameters")
            if not isinstance(params, list) or len(params) < min_length or id(params) in seen:
                continue
            seen.add(id(params))  # the list object itself: a shared path item counts once
            yield owner_ptr, params


def _parameter_lists(spec: Spec) -> Iterator[list[tuple[int, dict[str, Any], Pointer]]]:
    """Each `parameters` list of a path item or an operation (once), its entries resolved
    (index, parameter, where it is written)."""
    for owner_ptr, params in _parameter_owners(spec):
        pointer = owner_ptr / "parameters"
        resolved = []
        for i, raw in enumerate(params):
            param, at = spec.resolve(raw, pointer / i)
            if isinstance(param, dict):
                resolved.append((i, param, at))
        yield resolved


def _effective_parameters(spec: Spec, op: Any) -> list[tuple[Pointer, dict[str, Any]]]:
    """An operation's parameters with those of its path item it does not override."""
    merged: dict[Any, tuple[Pointer, dict[str, Any]]] = {}
    for owner, owner_ptr in ((op.path_item, op.path_item_pointer), (op.data, op.pointer)):
        raw = owner.get("parameters")
        if not isinstance(raw, list):
            continue
        for i, entry in enumerate(raw):
            param, _ = spec.resolve(entry, owner_ptr.join("parameters", i))
            if isinstance(param, dict):
                key = (param.get("name"), param.get("in")) if isinstance(
                    param.get("name"), str) else (owner_ptr, i)
                merged[key] = (owner_ptr.join("parameters", i), param)
    return list(merged.values())


@rule("validity/body-parameter", severity=Severity.ERROR)
def body_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Swagger 2.0: flags an operation with more than one `in: body` parameter, or with `body`
    and `formData` parameters together.

    ## Why is this bad?
    The specification: "There can be one "body" parameter at most", and "Body and form
    parameters cannot exist together for the same operation." The request has one payload.

    ## Example
    ```yaml
    parameters:
      - {name: pet, in: body, schema: {$ref: '#/definitions/Pet'}}
      - {name: photo, in: formData, type: file}
    ```
    Use instead: one body parameter, or form parameters alone.
    """
    if not spec.is_swagger2:
        return
    for op in _unique_operations(spec):
        params = _effective_parameters(spec, op)
        bodies = [(p, d) for p, d in params if d.get("in") == "body"]
        for pointer, _ in bodies[1:]:
            yield _found(pointer, f"`{op.label}` has more than one body parameter",
                            subject=op.label)
        form = [(p, d) for p, d in params if d.get("in") == "formData"]
        if bodies and form:
            yield _found(form[0][0], f"`{op.label}` has both body and formData parameters",
                            subject=f"{op.label} form")


@rule("validity/file-parameter", severity=Severity.ERROR)
def file_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Swagger 2.0: flags a `type: file` parameter of an operation whose `consumes` (its own or
    the document's) includes neither `multipart/form-data` nor
    `application/x-www-form-urlencoded`. (A `type: file` parameter outside `formData` is a
    schema violation.)

    ## Why is this bad?
    The specification: "If type is "file", the consumes MUST be either "multipart/form-data",
    "application/x-www-form-urlencoded" or both and the parameter MUST be in "formData"."

    ## Example
    ```yaml
    consumes: [application/json]
    parameters: [{name: photo, in: formData, type: file}]
    ```
    Use instead: `consumes: [multipart/form-data]`.
    """
    if not spec.is_swagger2:
        return
    for op in _unique_operations(spec):
        consumes = op.data.get("consumes", spec.raw.get("consumes"))
        media = [str(m).split(";")[0].strip().lower() for m in consumes] \
            if isinstance(consumes, list) else []
        if any(m in _FORM_MEDIA for m in media):
            continue
        for pointer, param in _effective_parameters(spec, op):
            if param.get("type") == "file" and param.get("in") == "formData":
                declared = ", ".join(f"`{short(m, 40)}`" for m in media[:3]) or "nothing"
                written = spec.get(pointer)  # a `$ref` entry: point at the entry itself
                at = pointer / "type" if isinstance(written, dict) and "type" in written \
                    else pointer
                yield _found(at, f"file parameter `{short(param.get('name'))}`"
                                f" of `{op.label}` needs `consumes` with multipart/form-data or "
                                f"application/x-www-form-urlencoded (it has {declared})",
                                subject=f"{op.label} {param.get('name')}")


@rule("validity/array-without-items", severity=Severity.ERROR)
def array_without_items(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Swagger 2.0: flags a `type: array` parameter, header or `items` object without `items`.

    ## Why is this bad?
    The specification (Parameter, Items and Header Objects): "items: Required if type is
    "array". Describes the type of items in the array." A client cannot serialise the values.

    ## Example
    ```yaml
    - {name: ids, in: query, type: array}
    ```
    Use instead:
    ```yaml
    - {name: ids, in: query, type: array, items: {type: integer}}
    ```
    """
    if not spec.is_swagger2:
        return
    seen: set[Any] = set()

    def check(node: Any, pointer: Pointer, what: str) -> Iterator[Violation]:
        while isinstance(node, dict) and pointer not in seen:
            seen.add(pointer)
            if node.get("type") == "array" and "items" not in node:
                yield _found(pointer, f"{what} is an array without `items`",
                                subject=f"{what}")
            node, pointer, what = node.get("items"), pointer / "items", f"`items` of {what}"

    for params in _parameter_lists(spec):
        for _, param, where in params:  # a shared parameter is reported where it is written
            if param.get("in") != "body":
                yield from check(param, where, f"parameter `{short(param.get('name'))}`")
    for op in _unique_operations(spec):
        for response in op.responses.values():
            for header in response.headers.values():
                yield from check(header.data, header.pointer, f"header `{short(header.name)}`")
    shared = spec.raw.get("parameters")
    if isinstance(shared, dict):
        for name, param in shared.items():
            if isinstance(param, dict) and param.get("in") != "body":
                yield from check(param, spec.root.join("parameters", name),
                                 f"parameter `{short(param.get('name', name))}`")


@rule("validity/invalid-response-code", severity=Severity.ERROR)
def invalid_response_code(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a response code that is not an HTTP status code (100 to 599), `default`, or (3.x) a
    range such as `4XX`.

    ## Why is this bad?
    The specification: "Any HTTP status code can be used as the property name", and HTTP
    status codes are three digits from 100 to 599 (RFC 9110). A server cannot send `600` or
    `099`; tools drop or reject the response.

    ## Example
    ```yaml
    responses:
      '600': {description: Weird}
    ```
    Use instead: a real status code, or `default`.
    """
    seen: set[Any] = set()
    for op in _unique_operations(spec):
        responses = op.data.get("responses")
        if not isinstance(responses, dict):
            continue
        for code in responses:
            text = str(code)
            if text[:1] in "12345" or not re.fullmatch(r"\d{3}", text):
                continue
            if not 100 <= int(text) <= 599:
                pointer = op.pointer.join("responses", text)
                if pointer not in seen:
                    seen.add(pointer)
                    yield _found(pointer, f"response code `{text}` of `{op.label}` is not an "
                                             "HTTP status code (100-599)",
                                    subject=f"{op.label} {text}")


@rule("validity/repeated-path-placeholder", severity=Severity.ERROR)
def repeated_path_placeholder(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path template that uses the same `{name}` twice.

    ## Why is this bad?
    The specification: "Each template expression in the path MUST correspond to a path
    parameter", and a parameter is unique by name and location: one value cannot fill two
    places, and routers reject the template.

    ## Example
    ```yaml
    /users/{id}/friends/{id}:
    ```
    Use instead: `/users/{userId}/friends/{friendId}`.
    """
    paths = spec.raw.get("paths")
    if not isinstance(paths, dict):
        return
    for path in paths:
        if str(path).count("{") < 2:
            continue
        names = _TEMPLATE.findall(str(path))
        repeated = sorted({n for n in names if names.count(n) > 1})
        for name in repeated:
            yield _found(spec.root.join("paths", path),
                            f"path `{short(path, 80)}` uses `{{{short(name, 30)}}}` more than once",
                            subject=f"{path} {name}")


_PY_TYPE = {"string": (str,), "boolean": (bool,), "array": (list,), "object": (dict,)}


def _conforms(value: Any, type_name: str) -> bool:
    if type_name in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return type_name == "number" or isinstance(value, int) or float(value).is_integer()
    expected = _PY_TYPE.get(type_name)
    return expected is None or isinstance(value, expected)


def _schema_roots(spec: Spec, operations: Any) -> list[tuple[Any, str, tuple[str, ...]]]:
    """Where the schema walk starts, as (value, file, tokens) of where it is written: the
    named schemas, then each operation's parameters (2.0: the non-body parameter itself),
    request body and response media."""
    roots = [(value, ptr.file, ptr.tokens) for value, ptr in spec.schemas.values()]
    add = roots.append
    # A root written at a place already listed adds nothing to the walk (its place is
    # walked): shared parameters and responses are listed once (Graph beta: 200,000 uses).
    # Known by the id of their (live) pointer, not its hash: a place listed twice under two
    # equal pointers is dropped by the walk instead. Roots as tokens, not `ptr / "schema"`:
    # 0.13 -> 0.08 s of CPU on Graph beta.
    listed: set[int] = set()  # parameters' places
    listed_media: set[int] = set()  # body schemas' places
    for op in operations:
        for p in op.parameters:
            where = p.pointer
            if id(where) in listed:
                continue
            listed.add(id(where))
            data, schema = p.data, p.schema  # the latter resolved: bare, it adds nothing
            if schema is data:
                add((data, where.file, where.tokens))
            elif isinstance(schema, dict) and not walk.NOTED_KEYS.isdisjoint(schema):
                add((data.get("schema"), where.file, (*where.tokens, "schema")))
        body = op.request_body
        for response in (body, *op.responses.values()) if body else op.responses.values():
            for media in response.content.values():
                where = media.schema_pointer
                if where is not None and media.schema is not None and \
                        id(where) not in listed_media:
                    listed_media.add(id(where))
                    add((media.schema, where.file, where.tokens))
    return roots


def schema_walk(spec: Spec) -> tuple[list[tuple[dict[str, Any], Pointer]], ...]:
    """One walk over every Schema Object reachable from `_schema_roots` of each operation
    once, kept per spec as what the rules read, in walk order: (the typed nodes, see
    `_typed_nodes`, with a `default` or a `$schema`; the walked schemas with a string
    `pattern`). Graph beta, 120,000 schemas: validity took 2.5 s of CPU with a walk for
    the default-type and the pattern rules each, 1.6 s with one; keeping only these nodes,
    not every schema and its pointer, took the check's peak RSS from 646 to 618 MB."""
    return spec.memo("validity.schema-walk", lambda: walk_facts(spec)  # the helper's
                     or _walk_facts(spec, _unique_operations(spec)))


def _walk_facts(spec: Spec, operations: Any) -> tuple[list[tuple[dict[str, Any], Pointer]], ...]:
    """`schema_walk` from the roots of `operations`."""
    return walk.schema_facts(spec, _schema_roots(spec, operations))


def schema_walk_all_operations(spec: Spec) -> list[tuple[dict[str, Any], Pointer]]:
    """The walked schemas with a string `pattern`, from every listed operation, duplicates
    included. The same walk as `schema_walk` when each repeated operation object sits at the
    place it was first listed (its roots are then pointers already walked); an operation
    shared by two inline path items (a `$ref`) or by a YAML anchor adds the second place's
    parameters, so that case walks on its own."""
    first: dict[tuple[int, str], Any] = {}
    for op in spec.operations:
        seen = first.setdefault((id(op.data), op.method), op)
        if seen is not op and (seen.pointer, seen.path_item_pointer) != (
                op.pointer, op.path_item_pointer):
            return _walk_facts(spec, spec.operations)[1]
    return schema_walk(spec)[1]


def _typed_nodes(spec: Spec) -> Iterator[tuple[dict[str, Any], Pointer]]:
    """Every Schema Object, and in 2.0 every non-body parameter, header and items object,
    that has a `default` or a `$schema` (what the rules below read)."""
    yield from schema_walk(spec)[0]


@rule("validity/default-type-mismatch", severity=Severity.ERROR)
def default_type_mismatch(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Swagger 2.0 and OpenAPI 3.0: flags a `default` whose JSON type contradicts the `type`
    beside it (`type: integer, default: "10"`). A `null` default needs `nullable: true` (3.0).
    OpenAPI 3.1 and later follow JSON Schema, where `default` is not constrained.

    ## Why is this bad?
    OpenAPI 3.0: "default ... Unlike JSON Schema, the value MUST conform to the defined type
    for the Schema Object defined at the same level." Swagger 2.0 says the same of schemas,
    parameters, headers and items. Clients and servers that fill in the default send a value
    of the wrong type.

    ## Example
    ```yaml
    limit: {type: integer, default: "10"}
    ```
    Use instead: `default: 10`.
    """
    if spec.version not in ("2.0", "3.0"):
        return
    for node, pointer in _typed_nodes(spec):
        if "default" not in node or not isinstance(node.get("type"), str):
            continue
        type_name, value = node["type"], node["default"]
        if value is None:
            ok = node.get("nullable") is True or node.get("x-nullable") is True
        else:
            ok = _conforms(value, type_name)
        if not ok:
            shown = json.dumps(value, default=str) if not isinstance(value, (dict, list)) \
                else short(value, 40)
            kind = "null" if value is None else json_type(value)
            yield _found(pointer / "default", f"default `{short(shown, 40)}` is "
                            f"{'null' if value is None else a_type(kind)}, but the type is "
                            f"{type_name}", subject=f"{type_name}")


@rule("validity/unknown-dialect", severity=Severity.ERROR)
def unknown_dialect(spec: Spec) -> Iterator[Violation]:
    """## What it does
    OpenAPI 3.1/3.2: reports a `jsonSchemaDialect`, or a Schema Object's `$schema`, that names
    a JSON Schema dialect gatekeeper does not know (it knows the OpenAPI 3.1 and 3.2 dialects
    and JSON Schema 2020-12, 2019-09, draft-07, draft-06 and draft-04). The Schema Objects
    written in it are left unchecked rather than checked against a guessed dialect.

    ## Why is this bad?
    Tools that do not know the dialect cannot validate or generate code from those schemas,
    and gatekeeper cannot confirm that they are valid: a verdict of "valid" would be a guess.
    Most often the URI has a typo, which silently switches schema checking off. A custom
    dialect your tools do know can be waived for this rule.

    ## Example
    ```yaml
    jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema/   # trailing slash
    ```
    Use instead: `https://json-schema.org/draft/2020-12/schema`.
    """
    if spec.version not in ("3.1", "3.2"):
        return
    declared = spec.raw.get("jsonSchemaDialect")
    if isinstance(declared, str) and dialect_of(declared) is None:
        yield _found(spec.root / "jsonSchemaDialect",
                        f"unknown JSON Schema dialect `{short(declared, 80)}`: Schema Objects "
                        "are not checked against it", subject=declared)
    if not any("$schema" in doc.text or "\\u0024schema" in doc.text
               for doc in spec.documents.values()):
        return  # the schema walk costs seconds on 100k operations; most specs never say it
    for node, pointer in _typed_nodes(spec):
        uri = node.get("$schema")
        if isinstance(uri, str) and dialect_of(uri) is None:
            yield _found(pointer / "$schema", f"unknown JSON Schema dialect "
                            f"`{short(uri, 80)}`: this schema is not checked", subject=uri)


RULES = (duplicate_operation_id, duplicate_tag, tag_parent, duplicate_parameter, body_parameter,
         file_parameter, array_without_items, invalid_response_code, repeated_path_placeholder,
         default_type_mismatch, unknown_dialect)
