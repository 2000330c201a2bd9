"""Load a spec once and index it: the views every rule reads.

`load(path)` reads and parses each file once (`gatekeeper.loader`), checks and resolves
every reference (`gatekeeper.resolver`) and returns a `Spec`. The index hides the
differences between Swagger 2.0 and OpenAPI 3.0/3.1 so that rules never have to know them:

* `Spec.operations`: every operation under ``paths`` (plus ``webhooks`` and ``callbacks``,
  marked by `Operation.kind`) with path and operation parameters merged and resolved, the
  request body (2.0 ``in: body`` parameters become one), responses with their media types
  (2.0 ``produces`` applied), and the effective security requirements;
* `Spec.security_schemes`, `Spec.servers`, `Spec.tags`, `Spec.info`, `Spec.schemas`;
* `Spec.resolve(value, pointer)`: follows ``$ref`` and returns the value and the pointer
  where it is *written*, so findings land at definitions;
* `Spec.location(pointer)`: ``file:line:column``, computed only for what is reported.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping

from gatekeeper.errors import SpecError
from gatekeeper.loader import Document, Limits, load_document
from gatekeeper.pointer import Pointer
from gatekeeper.record import Record
from gatekeeper.report import Location
from gatekeeper.resolver import resolve_all

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "Response",
    "SecurityScheme",
    "Server",
    "Spec",
    "load",
]

METHODS_2 = ("get", "put", "post", "delete", "options", "head", "patch")
METHODS_3 = (*METHODS_2, "trace")
METHODS_32 = (*METHODS_3, "query")
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
# Header parameters that OpenAPI 3 says "SHALL be ignored".
IGNORED_HEADER_PARAMS = frozenset({"accept", "content-type", "authorization"})


class MediaType(Record):
    __slots__ = ("name", "schema", "schema_pointer", "pointer", "data")

    def __init__(self, name: str, schema: Any, schema_pointer: Pointer | None, pointer: Pointer,
                 data: Mapping[str, Any]) -> None:
        self.name = name  # e.g. "application/json" (parameters kept as written)
        self.schema = schema  # resolved schema value, or None
        self.schema_pointer = schema_pointer
        self.pointer = pointer
        self.data = data

    @property
    def essence(self) -> str:
        """Lower-case type/subtype without parameters (``application/json``)."""
        return self.name.split(";", 1)[0].strip().lower()


class Header(Record):
    __slots__ = (
        "name", "description", "schema", "pointer", "use_pointer", "ref_description", "data",
    )

    def __init__(self, name: str, description: str | None, schema: Any, pointer: Pointer,
                 use_pointer: Pointer, ref_description: str | None = None,
                 data: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.description = description
        self.schema = schema
        self.pointer = pointer  # where the header object is written
        self.use_pointer = use_pointer  # where the operation's response lists it
        self.ref_description = ref_description  # 3.1 Reference Object description override
        self.data = {} if data is None else data


class Response(Record):
    __slots__ = (
        "code", "description", "content", "headers", "pointer", "use_pointer", "data",
        "ref_description",
    )

    def __init__(self, code: str, description: str | None, content: Mapping[str, MediaType],
                 headers: Mapping[str, Header], pointer: Pointer, use_pointer: Pointer,
                 data: Mapping[str, Any], ref_description: str | None = None) -> None:
        self.code = code  # normalised to a string: "200", "4XX", "default"
        self.description = description
        self.content = content
        self.headers = headers
        self.pointer = pointer  # where the response object is written
        self.use_pointer = use_pointer  # #/paths/~1pets/get/responses/200
        self.data = data
        self.ref_description = ref_description

    @property
    def kind(self) -> str:
        """``success`` (2xx), ``redirect`` (3xx), ``error`` (4xx/5xx), ``info`` or ``default``."""
        c = self.code.upper()
        if c == "DEFAULT":
            return "default"
        return {"1": "info", "2": "success", "3": "redirect", "4": "error",
                "5": "error"}.get(c[:1], "unknown")


class Parameter(Record):
    __slots__ = (
        "name", "location", "required", "description", "schema", "pointer", "use_pointer",
        "data", "ref_description",
    )

    def __init__(self, name: str, location: str, required: bool, description: str | None,
                 schema: Any, pointer: Pointer, use_pointer: Pointer, data: Mapping[str, Any],
                 ref_description: str | None = None) -> None:
        self.name = name
        self.location = location  # the `in` field: path, query, header, cookie, formData
        self.required = required
        self.description = description
        self.schema = schema  # resolved schema (2.0: the parameter itself carries type/format)
        self.pointer = pointer  # where it is written (shared components counted once)
        self.use_pointer = use_pointer  # where the operation or path item lists it
        self.data = data
        self.ref_description = ref_description

    @property
    def key(self) -> tuple[str, str]:
        return self.name.lower() if self.location == "header" else self.name, self.location


class RequestBody(Record):
    __slots__ = (
        "description", "required", "content", "pointer", "use_pointer", "data",
        "ref_description",
    )

    def __init__(self, description: str | None, required: bool, content: Mapping[str, MediaType],
                 pointer: Pointer, use_pointer: Pointer, data: Mapping[str, Any],
                 ref_description: str | None = None) -> None:
        self.description = description
        self.required = required
        self.content = content
        self.pointer = pointer
        self.use_pointer = use_pointer
        self.data = data
        self.ref_description = ref_description


class SecurityScheme(Record):
    __slots__ = ("name", "type", "scheme", "location", "scopes", "description", "pointer", "data")

    def __init__(self, name: str, type: str, scheme: str | None, location: str | None,
                 scopes: frozenset[str], description: str | None, pointer: Pointer,
                 data: Mapping[str, Any]) -> None:
        self.name = name
        self.type = type  # apiKey, http, oauth2, openIdConnect, mutualTLS (2.0 basic -> http/basic)
        self.scheme = scheme  # http scheme, lower-case (basic, bearer, ...)
        self.location = location  # apiKey: header, query, cookie
        self.scopes = scopes  # every scope any flow declares
        self.description = description
        self.pointer = pointer
        self.data = data


class Server(Record):
    __slots__ = ("url", "description", "pointer")

    def __init__(self, url: str, description: str | None, pointer: Pointer) -> None:
        self.url = url
        self.description = description
        self.pointer = pointer


class Operation(Record):
    __slots__ = (
        "method", "path", "kind", "pointer", "path_item_pointer", "data", "path_item",
        "parameters", "request_body", "responses", "security", "security_pointer", "servers",
        "parent",
    )

    def __init__(self, method: str, path: str, kind: str, pointer: Pointer,
                 path_item_pointer: Pointer, data: Mapping[str, Any],
                 path_item: Mapping[str, Any], parameters: tuple[Parameter, ...],
                 request_body: RequestBody | None, responses: Mapping[str, Response],
                 security: tuple[Mapping[str, list[str]], ...] | None,
                 security_pointer: Pointer | None, servers: tuple[Server, ...],
                 parent: str | None = None) -> None:
        self.method = method  # lower-case
        self.path = path  # the path template, webhook name, or callback expression
        self.kind = kind  # "path", "webhook" or "callback"
        self.pointer = pointer
        self.path_item_pointer = path_item_pointer
        self.data = data
        self.path_item = path_item
        self.parameters = parameters
        self.request_body = request_body
        self.responses = responses
        #: Effective security requirements (operation's own, else the root's); None if neither
        #: declares any. ``()`` means explicitly public (``security: []``).
        self.security = security
        self.security_pointer = security_pointer
        self.servers = servers
        self.parent = parent  # callbacks: the label of the operation that declares them

    @property
    def label(self) -> str:
        if self.kind == "webhook":
            return f"{self.method.upper()} webhook {self.path}"
        if self.kind == "callback":
            return f"{self.method.upper()} {self.path} (callback of {self.parent})"
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.data.get("operationId")
        return value if isinstance(value, str) else None

    @property
    def summary(self) -> str | None:
        return _text(self.data.get("summary"))

    @property
    def description(self) -> str | None:
        return _text(self.data.get("description"))

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.data.get("tags")
        return tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()

    @property
    def deprecated(self) -> bool:
        return self.data.get("deprecated") is True

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def response(self, code: str) -> Response | None:
        return self.responses.get(code)


#: Every keyword `Spec.schema_children` looks at.
_SCHEMA_CHILD_KEYS = frozenset({"properties", "items", "additionalProperties", "not", "contains",
                                "allOf", "oneOf", "anyOf", "prefixItems", "patternProperties"})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class Spec:
    """A loaded, resolved and indexed OpenAPI document (see the module docs)."""

    def __init__(self, resolution_docs: dict[str, Document], targets: dict[int, Any],
                 display: str, version: str, ref_count: int,
                 missing_refs: list[tuple[Pointer, str]] | None = None) -> None:
        #: References to files that do not exist (left opaque; see the validity gate).
        self.missing_refs = list(missing_refs or ())
        self.documents = resolution_docs
        self._targets = targets
        self.path = display
        self.version = version  # "2.0", "3.0", "3.1" (or "3.2")
        self.ref_count = ref_count
        self.raw: dict[str, Any] = resolution_docs[""].data
        self._memo: dict[Any, Any] = {}
        self.root = Pointer("")
        self.notes = list(resolution_docs[""].notes)
        self.operations: tuple[Operation, ...] = tuple(_build_operations(self))

    # ------------------------------------------------------------------ basics

    @property
    def openapi_version(self) -> str:
        return str(self.raw.get("openapi") or self.raw.get("swagger") or "")

    @property
    def is_swagger2(self) -> bool:
        return self.version == "2.0"

    @property
    def info(self) -> Mapping[str, Any]:
        info = self.raw.get("info")
        return info if isinstance(info, dict) else {}

    @property
    def title(self) -> str:
        return str(self.info.get("title") or "")

    @property
    def api_version(self) -> str:
        value = self.info.get("version")
        return "" if value is None else str(value)

    def memo(self, key: Any, factory: Callable[[], Any]) -> Any:
        """Compute once per spec (e.g. documentation coverage shared by a metric and rules)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def resolve(self, value: Any, pointer: Pointer) -> tuple[Any, Pointer]:
        """Follow `$ref` (already checked at load) to the value and where it is written."""
        if isinstance(value, dict) and "$ref" in value:
            target = self._targets.get(id(value))
            if target is not None:
                return target
        return value, pointer

    def get(self, pointer: Pointer) -> Any:
        node = self.documents[pointer.file].data
        for token in pointer.tokens:
            if isinstance(node, dict):
                node = node.get(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return node

    def location(self, pointer: Pointer) -> Location:
        doc = self.documents.get(pointer.file) or self.documents[""]
        line, col = doc.locate(pointer.tokens)
        return Location(doc.display, line, col)

    def display_file(self, pointer: Pointer) -> str:
        doc = self.documents.get(pointer.file) or self.documents[""]
        return doc.display

    # ------------------------------------------------------------------ views

    @property
    def paths(self) -> Mapping[str, Any]:
        paths = self.raw.get("paths")
        return paths if isinstance(paths, dict) else {}

    @property
    def security_schemes(self) -> Mapping[str, SecurityScheme]:
        return self.memo("security_schemes", lambda: _build_security_schemes(self))

    def security_scheme(self, name: str) -> SecurityScheme | None:
        """Look a scheme up by name; exact first, then case-insensitively."""
        schemes = self.security_schemes
        if name in schemes:
            return schemes[name]
        lowered = name.lower()
        return next((s for n, s in schemes.items() if n.lower() == lowered), None)

    @property
    def servers(self) -> tuple[Server, ...]:
        return self.memo("servers", lambda: _root_servers(self))

    @property
    def declared_tags(self) -> tuple[tuple[str, str | None, Pointer], ...]:
        """(name, description, pointer) of each root-level tag."""
        tags = self.raw.get("tags")
        out = []
        if isinstance(tags, list):
            for i, tag in enumerate(tags):
                if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                    out.append((tag["name"], _text(tag.get("description")),
                                self.root.join("tags", i)))
        return tuple(out)

    @property
    def schemas(self) -> Mapping[str, tuple[Any, Pointer]]:
        """Named schemas: 3.x ``components.schemas``, 2.0 ``definitions``."""
        def build() -> dict[str, tuple[Any, Pointer]]:
            if self.is_swagger2:
                base, ptr = self.raw.get("definitions"), self.root / "definitions"
            else:
                comps = self.raw.get("components")
                base = comps.get("schemas") if isinstance(comps, dict) else None
                ptr = self.root.join("components", "schemas")
            if not isinstance(base, dict):
                return {}
            return {name: self.resolve(value, ptr / name) for name, value in base.items()}
        return self.memo("schemas", build)

    def in_paths(self) -> tuple[Operation, ...]:
        """Operations under ``paths`` only (what gates 2 to 5 judge by default)."""
        return tuple(op for op in self.operations if op.kind == "path")

    # ------------------------------------------------------------------ schemas

    def schema_children(self, schema: Any, pointer: Pointer) -> Iterator[tuple[str, Any, Pointer]]:
        """Direct subschemas: (role, resolved value, where it is written).

        Roles: ``property:<name>``, ``items``, ``additionalProperties``, ``allOf``, ``oneOf``,
        ``anyOf``, ``not``, ``prefixItems``, ``patternProperties``.
        """
        if not isinstance(schema, dict) or _SCHEMA_CHILD_KEYS.isdisjoint(schema):
            return
        # Hot (every gate walks schemas): `resolve` and `Pointer.join` inlined.
        targets = self._targets
        file, tokens = pointer.file, pointer.tokens
        props = schema.get("properties")
        if isinstance(props, dict):
            base = (*tokens, "properties")
            for name, value in props.items():
                target = targets.get(id(value)) if isinstance(value, dict) and "$ref" in value \
                    else None
                if target is None:
                    yield f"property:{name}", value, Pointer(file, (*base, str(name)))
                else:
                    yield f"property:{name}", target[0], target[1]
        for key in ("items", "additionalProperties", "not", "contains"):
            value = schema.get(key)
            if value is None:
                continue
            if isinstance(value, dict):
                target = targets.get(id(value)) if "$ref" in value else None
                if target is None:
                    yield key, value, Pointer(file, (*tokens, key))
                else:
                    yield key, target[0], target[1]
            elif key == "items" and isinstance(value, list):
                for i, item in enumerate(value):
                    resolved, ptr = self.resolve(item, pointer.join(key, i))
                    yield key, resolved, ptr
        for key in ("allOf", "oneOf", "anyOf", "prefixItems"):
            value = schema.get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    target = targets.get(id(item)) \
                        if isinstance(item, dict) and "$ref" in item else None
                    if target is None:
                        yield key, item, Pointer(file, (*tokens, key, str(i)))
                    else:
                        yield key, target[0], target[1]
        pattern = schema.get("patternProperties")
        if isinstance(pattern, dict):
            for name, value in pattern.items():
                resolved, ptr = self.resolve(value, pointer.join("patternProperties", name))
                yield "patternProperties", resolved, ptr

    def walk_schema(self, schema: Any, pointer: Pointer) -> Iterator[tuple[Any, Pointer]]:
        """Every schema reachable from `schema` once (recursion-safe, iterative)."""
        return self.walk_schemas(((schema, pointer),))

    def walk_schemas(self, roots: Iterable[tuple[Any, Pointer]]) -> Iterator[tuple[Any, Pointer]]:
        """Every schema reachable from any of `roots`, once overall (one shared `seen`, so
        a web of shared components is walked once, not once per root)."""
        seen: set[Pointer] = set()
        for schema, pointer in roots:
            schema, pointer = self.resolve(schema, pointer)
            stack = [(schema, pointer)]
            while stack:
                node, ptr = stack.pop()
                if ptr in seen or not isinstance(node, dict):
                    continue
                seen.add(ptr)
                yield node, ptr
                for child, child_ptr in self._schema_child_list(node, ptr):
                    if child_ptr not in seen:
                        stack.append((child, child_ptr))

    def _schema_child_list(self, schema: dict, pointer: Pointer) -> list[tuple[Any, Pointer]]:
        """`schema_children` without the roles, as a list, in the same order (the walks'
        hot path: no generator, no role strings)."""
        if _SCHEMA_CHILD_KEYS.isdisjoint(schema):  # a leaf, as most schemas are
            return []
        out: list[tuple[Any, Pointer]] = []
        add = out.append
        targets = self._targets
        file, tokens = pointer.file, pointer.tokens
        get = schema.get
        props = get("properties")
        if isinstance(props, dict):
            base = (*tokens, "properties")
            for name, value in props.items():
                target = targets.get(id(value)) if isinstance(value, dict) and "$ref" in value \
                    else None
                add((value, Pointer(file, (*base, str(name)))) if target is None else target)
        for key in ("items", "additionalProperties", "not", "contains"):
            value = get(key)
            if value is None:
                continue
            if isinstance(value, dict):
                target = targets.get(id(value)) if "$ref" in value else None
                add((value, Pointer(file, (*tokens, key))) if target is None else target)
            elif key == "items" and isinstance(value, list):
                for i, item in enumerate(value):
                    add(self.resolve(item, pointer.join(key, i)))
        for key in ("allOf", "oneOf", "anyOf", "prefixItems"):
            value = get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    target = targets.get(id(item)) \
                        if isinstance(item, dict) and "$ref" in item else None
                    add((item, Pointer(file, (*tokens, key, str(i)))) if target is None
                        else target)
        pattern = get("patternProperties")
        if isinstance(pattern, dict):
            for name, value in pattern.items():
                add(self.resolve(value, pointer.join("patternProperties", name)))
        return out

    def merged_properties(self, schema: Any, pointer: Pointer) -> dict[str, tuple[Any, Pointer]]:
        """Properties of a schema with ``allOf`` branches merged in (recursion-safe).

        Computed once per (schema, pointer) and shared: treat the result as read-only."""
        cache = self._memo.get("spec.merged-properties")
        if cache is None:
            cache = self._memo["spec.merged-properties"] = {}
        key = (id(schema), pointer)
        hit = cache.get(key)
        if hit is not None and hit[0] is schema:  # the entry keeps `schema` alive: no id reuse
            return hit[1]
        out: dict[str, tuple[Any, Pointer]] = {}
        cache[key] = (schema, out)
        stack = [self.resolve(schema, pointer)]
        seen: set[Pointer] = set()
        while stack:
            node, ptr = stack.pop()
            if ptr in seen or not isinstance(node, dict):
                continue
            seen.add(ptr)
            props = node.get("properties")
            if isinstance(props, dict):
                for name, value in props.items():
                    out.setdefault(name, self.resolve(value, ptr.join("properties", name)))
            members = node.get("allOf")
            if isinstance(members, list):
                for i, member in enumerate(members):
                    stack.append(self.resolve(member, ptr.join("allOf", i)))
        return out


# ---------------------------------------------------------------------- loading


def load(path: str, *, limits: Limits | None = None, ref_root: str | None = None,
         display: str | None = None) -> Spec:
    """Load, check the shape of, resolve and index the spec at `path`."""
    limits = limits or Limits()
    display = display or path
    abs_path = os.path.abspath(path)
    from gatekeeper.loader import paused_gc

    with paused_gc():  # parse, resolve and index: no cycles, millions of new objects
        root_doc = load_document(abs_path, display, limits)
        version = _check_shape(root_doc)
        root_dir = os.path.abspath(ref_root) if ref_root else os.path.dirname(abs_path)
        resolution = resolve_all(root_doc, root_dir=root_dir, limits=limits,
                                 display_dir=os.path.dirname(display))
        return Spec(resolution.documents, resolution.targets, display, version,
                    resolution.ref_count, missing_refs=resolution.missing_files)


def _check_shape(doc: Document) -> str:
    """R6: a mapping with a string `openapi`/`swagger` of a supported version."""
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("NoneType", "null")
        kind = {"list": "list", "str": "string", "int": "number", "float": "number"}.get(kind,
                                                                                          kind)
        raise SpecError(f"top level must be a mapping, got {kind}", file=doc.display, line=1)
    field_name = "openapi" if "openapi" in data else "swagger" if "swagger" in data else None
    if field_name is None and isinstance(data.get("swaggerVersion"), (str, int, float)):
        old = str(data["swaggerVersion"])[:20]  # Swagger 1.x resource listings
        raise SpecError(f"Swagger {old} is not supported (supported: 2.0, 3.0.x, 3.1.x, "
                        "3.2.x); convert it to OpenAPI 3", file=doc.display,
                        line=doc.locate(("swaggerVersion",))[0])
    if field_name is None:
        raise SpecError("not an OpenAPI or Swagger document (no `openapi` or `swagger` field)",
                        file=doc.display, line=1)
    value = data[field_name]
    line = doc.locate((field_name,))[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value)
        doc.notes.append(((field_name,), f"`{field_name}: {text}` is a number; quote it "
                                        f"(`{field_name}: \"{text}\"`)"))
        value = text
        data[field_name] = text
    if not isinstance(value, str):
        raise SpecError(f"`{field_name}` must be a string such as \"3.1.0\"", file=doc.display,
                        line=line)
    if field_name == "swagger":
        if value.strip() == "2.0":
            return "2.0"
        if value.startswith("1."):
            raise SpecError(f"Swagger {value} is not supported (supported: 2.0, 3.0.x, 3.1.x, "
                            "3.2.x); convert it to OpenAPI 3", file=doc.display, line=line)
    else:
        for prefix in ("3.0", "3.1", "3.2"):
            if value == prefix or value.startswith(prefix + "."):
                return prefix
    raise SpecError(f"unsupported {'Swagger' if field_name == 'swagger' else 'OpenAPI'} version"
                    f" {value[:40]} (supported: 2.0, 3.0.x, 3.1.x, 3.2.x)", file=doc.display,
                    line=line)


# ---------------------------------------------------------------------- index building


def _methods(spec: Spec) -> tuple[str, ...]:
    if spec.version == "2.0":
        return METHODS_2
    if spec.version == "3.2":
        return METHODS_32
    return METHODS_3


def _build_operations(spec: Spec) -> Iterator[Operation]:
    root = spec.root
    root_security = spec.raw.get("security")
    root_servers = _root_servers(spec)
    paths = spec.raw.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            yield from _path_item_operations(spec, str(path), item, root.join("paths", path),
                                             "path", root_security, root_servers, None)
    webhooks = spec.raw.get("webhooks") if not spec.is_swagger2 else None
    if isinstance(webhooks, dict):
        for name, item in webhooks.items():
            yield from _path_item_operations(spec, str(name), item, root.join("webhooks", name),
                                             "webhook", root_security, root_servers, None)


def _path_item_operations(spec: Spec, path: str, item: Any, ptr: Pointer, kind: str,
                          root_security: Any, servers: tuple[Server, ...],
                          parent: str | None) -> Iterator[Operation]:
    item, item_ptr = spec.resolve(item, ptr)
    if not isinstance(item, dict):
        return
    if not spec.is_swagger2 and isinstance(item.get("servers"), list):
        servers = _servers(item["servers"], item_ptr / "servers") or servers
    shared = _parameters(spec, item["parameters"], item_ptr / "parameters") \
        if isinstance(item.get("parameters"), list) else []
    entries = [(method, item[method], item_ptr / method) for method in _methods(spec)
               if method in item]  # most methods are absent: no pointer for them
    extra = item.get("additionalOperations") if spec.version == "3.2" else None
    if isinstance(extra, dict):  # 3.2: operations of other methods (PURGE, LINK, ...)
        entries += [(str(name).lower(), value, item_ptr.join("additionalOperations", name))
                    for name, value in extra.items()]
    for method, raw_op, method_ptr in entries:
        # Operation objects are not Reference-able in OpenAPI, but multi-file specs such as
        # DigitalOcean's put each operation in its own file; Redocly resolves them too.
        op, op_ptr = spec.resolve(raw_op, method_ptr)
        if not isinstance(op, dict):
            continue
        own = _parameters(spec, op["parameters"], op_ptr / "parameters") \
            if isinstance(op.get("parameters"), list) else []
        merged = {p.key: p for p in shared}
        merged.update({p.key: p for p in own})
        params = tuple(merged.values())
        if spec.is_swagger2:
            body = _swagger2_body(spec, op, params)
            params = tuple(p for p in params if p.location != "body")
            produces = op.get("produces", spec.raw.get("produces"))
            responses = _responses(spec, op.get("responses"), op_ptr / "responses",
                                   produces if isinstance(produces, list) else None)
        else:
            body = _request_body(spec, op.get("requestBody"), op_ptr / "requestBody")
            responses = _responses(spec, op.get("responses"), op_ptr / "responses", None)
        if "security" in op:
            security, sec_ptr = op.get("security"), op_ptr / "security"
        elif root_security is not None:
            security, sec_ptr = root_security, spec.root / "security"
        else:
            security, sec_ptr = None, None
        sec_value = (tuple(r for r in security if isinstance(r, dict))
                     if isinstance(security, list) else None)
        op_servers = servers
        if not spec.is_swagger2 and isinstance(op.get("servers"), list):
            op_servers = _servers(op["servers"], op_ptr / "servers") or servers
        operation = Operation(
            method=method, path=path, kind=kind, pointer=op_ptr, path_item_pointer=item_ptr,
            data=op, path_item=item, parameters=params, request_body=body,
            responses=responses, security=sec_value,
            security_pointer=sec_ptr if sec_value is not None else None,
            servers=op_servers, parent=parent,
        )
        yield operation
        callbacks = op.get("callbacks") if not spec.is_swagger2 else None
        if isinstance(callbacks, dict):
            for cb_name, cb in callbacks.items():
                cb, cb_ptr = spec.resolve(cb, op_ptr.join("callbacks", cb_name))
                if not isinstance(cb, dict):
                    continue
                for expr, cb_item in cb.items():
                    if str(expr).startswith("x-"):
                        continue
                    yield from _path_item_operations(spec, str(expr), cb_item, cb_ptr / expr,
                                                     "callback", root_security, servers,
                                                     operation.label)


def _parameters(spec: Spec, value: Any, ptr: Pointer) -> list[Parameter]:
    out: list[Parameter] = []
    if not isinstance(value, list):
        return out
    for i, raw in enumerate(value):
        use = ptr / i
        param, where = spec.resolve(raw, use)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        location = str(param.get("in", ""))
        schema = param.get("schema")
        if isinstance(schema, dict) and "$ref" in schema:  # else `resolve` returns it as is
            schema = spec.resolve(schema, where / "schema")[0]
        elif spec.is_swagger2:
            schema = param
        ref_desc = _text(raw.get("description")) if raw is not param and spec.version != "2.0" \
            else None
        out.append(Parameter(
            name=param["name"], location=location, required=param.get("required") is True,
            description=_text(param.get("description")), schema=schema, pointer=where,
            use_pointer=use, data=param, ref_description=ref_desc,
        ))
    return out


def _swagger2_body(spec: Spec, op: Mapping[str, Any], params: tuple[Parameter, ...]
                   ) -> RequestBody | None:
    body = next((p for p in params if p.location == "body"), None)
    if body is None:
        return None
    consumes = op.get("consumes", spec.raw.get("consumes"))
    media = consumes if isinstance(consumes, list) and consumes else ["application/json"]
    schema_raw = body.data.get("schema")
    schema, schema_ptr = spec.resolve(schema_raw, body.pointer / "schema") \
        if isinstance(schema_raw, dict) else (None, None)
    content = {str(m): MediaType(str(m), schema, schema_ptr, body.pointer, body.data)
               for m in media}
    return RequestBody(description=body.description, required=body.required, content=content,
                       pointer=body.pointer, use_pointer=body.use_pointer, data=body.data)


def _content(spec: Spec, value: Any, ptr: Pointer) -> dict[str, MediaType]:
    out: dict[str, MediaType] = {}
    if not isinstance(value, dict):
        return out
    for name, media in value.items():
        if not isinstance(media, dict):
            continue
        mptr = ptr / name
        raw_schema = media.get("schema")
        if isinstance(raw_schema, dict):
            schema, sptr = spec.resolve(raw_schema, mptr / "schema")
        else:
            schema, sptr = None, None
        out[str(name)] = MediaType(str(name), schema, sptr, mptr, media)
    return out


def _request_body(spec: Spec, value: Any, ptr: Pointer) -> RequestBody | None:
    if not isinstance(value, dict):
        return None
    body, where = spec.resolve(value, ptr)
    if not isinstance(body, dict):
        return None
    ref_desc = _text(value.get("description")) if value is not body else None
    return RequestBody(description=_text(body.get("description")),
                       required=body.get("required") is True,
                       content=_content(spec, body.get("content"), where / "content"),
                       pointer=where, use_pointer=ptr, data=body, ref_description=ref_desc)


def _responses(spec: Spec, value: Any, ptr: Pointer, produces: list[Any] | None
               ) -> dict[str, Response]:
    out: dict[str, Response] = {}
    if not isinstance(value, dict):
        return out
    for code, raw in value.items():
        code = str(code)
        if code.startswith("x-"):
            continue
        use = ptr / code
        resp, where = spec.resolve(raw, use)
        if not isinstance(resp, dict):
            continue
        shared_key = (id(resp), where, None if produces is None else tuple(map(str, produces)))
        cached = spec._memo.get(("spec.response-parts", shared_key)) if raw is not resp \
            else None
        if cached is not None:  # a component response used by many operations: built once
            content, headers = cached
            out[code] = Response(
                code=code, description=_text(resp.get("description")), content=content,
                headers=headers, pointer=where, use_pointer=use, data=resp,
                ref_description=_text(raw.get("description")) if isinstance(raw, dict)
                else None)
            continue
        if spec.is_swagger2:
            raw_schema = resp.get("schema")
            content: dict[str, MediaType] = {}
            if isinstance(raw_schema, dict):
                schema, sptr = spec.resolve(raw_schema, where / "schema")
                media = [str(m) for m in produces] if produces else ["application/json"]
                content = {m: MediaType(m, schema, sptr, where, resp) for m in media}
        else:
            content = _content(spec, resp.get("content"), where / "content")
        headers: dict[str, Header] = {}
        raw_headers = resp.get("headers")
        if isinstance(raw_headers, dict):
            for name, raw_h in raw_headers.items():
                h_use = where.join("headers", name)
                header, h_ptr = spec.resolve(raw_h, h_use)
                if not isinstance(header, dict):
                    continue
                schema = header.get("schema") if not spec.is_swagger2 else header
                if isinstance(schema, dict) and schema is not header:
                    schema = spec.resolve(schema, h_ptr / "schema")[0]
                headers[str(name)] = Header(
                    name=str(name), description=_text(header.get("description")), schema=schema,
                    pointer=h_ptr, use_pointer=h_use, data=header,
                    ref_description=_text(raw_h.get("description")) if raw_h is not header
                    and isinstance(raw_h, dict) else None)
        if raw is not resp:
            spec._memo[("spec.response-parts", shared_key)] = (content, headers)
        out[code] = Response(
            code=code, description=_text(resp.get("description")), content=content,
            headers=headers, pointer=where, use_pointer=use, data=resp,
            ref_description=_text(raw.get("description")) if raw is not resp
            and isinstance(raw, dict) else None)
    return out


def _servers(value: Any, ptr: Pointer) -> tuple[Server, ...]:
    out = []
    if isinstance(value, list):
        for i, server in enumerate(value):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                url = server["url"]
                variables = server.get("variables")
                if isinstance(variables, dict):
                    for var, spec_ in variables.items():
                        if isinstance(spec_, dict) and "default" in spec_:
                            url = url.replace("{" + str(var) + "}", str(spec_["default"]))
                out.append(Server(url, _text(server.get("description")), ptr / i))
    return tuple(out)


def _root_servers(spec: Spec) -> tuple[Server, ...]:
    if spec.is_swagger2:
        host = spec.raw.get("host")
        base = spec.raw.get("basePath") or ""
        schemes = spec.raw.get("schemes")
        schemes = [s for s in schemes if isinstance(s, str)] if isinstance(schemes, list) \
            else []
        if not host and not base:
            return ()
        host_text = str(host) if host else ""
        ptr = spec.root / ("host" if host else "basePath")
        if not schemes:
            return (Server(f"//{host_text}{base}" if host_text else str(base), None, ptr),)
        return tuple(Server(f"{s}://{host_text}{base}", None, ptr) for s in schemes)
    return _servers(spec.raw.get("servers"), spec.root / "servers")


def _build_security_schemes(spec: Spec) -> dict[str, SecurityScheme]:
    if spec.is_swagger2:
        base, ptr = spec.raw.get("securityDefinitions"), spec.root / "securityDefinitions"
    else:
        comps = spec.raw.get("components")
        base = comps.get("securitySchemes") if isinstance(comps, dict) else None
        ptr = spec.root.join("components", "securitySchemes")
    out: dict[str, SecurityScheme] = {}
    if not isinstance(base, dict):
        return out
    for name, raw in base.items():
        scheme, where = spec.resolve(raw, ptr / name)
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        http_scheme = scheme.get("scheme")
        if kind == "basic":  # Swagger 2.0
            kind, http_scheme = "http", "basic"
        scopes: set[str] = set()
        if isinstance(scheme.get("scopes"), dict):  # 2.0
            scopes.update(map(str, scheme["scopes"]))
        flows = scheme.get("flows")
        if isinstance(flows, dict):
            for flow in flows.values():
                if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                    scopes.update(map(str, flow["scopes"]))
        out[str(name)] = SecurityScheme(
            name=str(name), type=kind,
            scheme=http_scheme.lower() if isinstance(http_scheme, str) else None,
            location=str(scheme["in"]) if isinstance(scheme.get("in"), str) else None,
            scopes=frozenset(scopes), description=_text(scheme.get("description")),
            pointer=where, data=scheme)
    return out


# ---------------------------------------------------------------------- error and auth views
# (added for the `errors` and `auth` gates; module-level so the classes above stay untouched)

import re as _re  # noqa: E402

_ERROR_CODE = _re.compile(r"^[45]([0-9]{2}|[xX]{2})$")
PROBLEM_MEMBERS = ("type", "title", "status", "detail", "instance")
#: Paths that are public by nature (docs/conventions.md, Public endpoints): OAuth and sign-in endpoints.
#: Matched on the last segment (lower-cased, `-`/`_` and a file extension dropped) ...
WELL_KNOWN_AUTH_SEGMENTS = frozenset({
    "token", "authorize", "login", "signin", "signup", "register", "forgotpassword",
    "resetpassword", "passwordreset", "refreshtoken", "accesstoken", "accesstokens",
})
#: ... or on the path's end.
WELL_KNOWN_AUTH_ENDPOINTS = (
    "/oauth/token", "/oauth2/token", "/oauth2/revoke", "/oauth/revoke", "/password/reset",
    "/password/forgot", "/token/refresh",
)
#: Health probes: their 503 body is a health report, not an error format.
HEALTH_SEGMENTS = frozenset({"health", "healthz", "healthcheck", "heartbeat", "readyz",
                             "livez"})  # anywhere in the path: /heartbeat/database
HEALTH_LAST_SEGMENTS = frozenset({"ready", "liveness", "readiness", "ping"})


@functools.lru_cache(maxsize=4096)  # pure, called per response by several gates
def is_json_media(name: str) -> bool:
    """JSON-ish media (docs/conventions.md, Media types): ``application/json`` or any ``+json`` suffix."""
    essence = name.split(";", 1)[0].strip().lower()
    return essence in ("application/json", "text/json") or essence.endswith("+json")


def is_problem_media(name: str) -> bool:
    essence = name.split(";", 1)[0].strip().lower()
    return essence in ("application/problem+json", "application/problem+xml")


def has_explicit_success(op: Operation) -> bool:
    """True when the operation declares a 2xx/2XX or 3xx response (so `default` is an error)."""
    return any(r.kind in ("success", "redirect") for r in op.responses.values())


@functools.lru_cache(maxsize=4096)  # pure, called per response by several gates
def is_error_code(code: str) -> bool:
    """4xx/5xx exact codes and ranges (``4XX``, also lower-case ``4xx``)."""
    return bool(_ERROR_CODE.match(code))


def error_responses(op: Operation, *, accept_default: bool = True) -> tuple[Response, ...]:
    """The operation's error responses: 4xx/5xx codes and ranges, plus `default` when the
    operation also declares an explicit success (a lone `default` *is* the success response,
    docs/conventions.md, Response codes)."""
    out = [r for code, r in op.responses.items() if is_error_code(code)]
    if accept_default and "default" in op.responses and has_explicit_success(op):
        out.append(op.responses["default"])
    return tuple(out)


def is_well_known_auth_endpoint(path: str) -> bool:
    """OAuth and sign-in endpoints, public by nature (``/oauth2/token``, ``/users/login``,
    ``/auth/forgot-password``)."""
    p = path.lower().rstrip("/")
    return _last_segment(p) in WELL_KNOWN_AUTH_SEGMENTS or any(
        p.endswith(e) for e in WELL_KNOWN_AUTH_ENDPOINTS)


def is_health_endpoint(path: str) -> bool:
    """Health and readiness probes (``/health``, ``/v1/healthz``, ``/heartbeat/database``,
    ``/ping``)."""
    p = path.lower().rstrip("/")
    segments = {seg.replace("-", "").replace("_", "") for seg in p.split("/")}
    return bool(segments & HEALTH_SEGMENTS) or _last_segment(p) in HEALTH_LAST_SEGMENTS


def _last_segment(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.startswith("."):  # /login.json -> login
        last = last.split(".", 1)[0]
    return last.replace("-", "").replace("_", "")


def schema_shape(spec: Spec, schema: Any, pointer: Pointer) -> dict[str, Any]:
    """What an (error) body schema looks like, allOf merged, refs followed.

    Returns ``{"structured": bool, "kind": "problem"|"error-envelope"|"errors-envelope"|
    "custom"|"unstructured", "properties": frozenset, "base": Pointer}`` where ``base`` is the
    named schema the body derives from (its own `$ref` target, or the first named `allOf`
    member, followed transitively), used as the schema family's identity. ``oneOf``/``anyOf``
    bodies are structured only when every branch is; their kind is the branches' common kind.
    """
    key = ("schema_shape", pointer)
    return spec.memo(key, lambda: _schema_shape(spec, schema, pointer, 0))


def _is_named(pointer: Pointer) -> bool:
    t = pointer.tokens
    return (len(t) == 3 and t[:2] == ("components", "schemas")) or \
        (len(t) == 2 and t[0] == "definitions") or (pointer.file != "" and len(t) <= 1)


def _schema_shape(spec: Spec, schema: Any, pointer: Pointer, depth: int) -> dict[str, Any]:
    schema, pointer = spec.resolve(schema, pointer)
    empty = {"structured": False, "kind": "unstructured", "properties": frozenset(),
             "base": pointer if _is_named(pointer) else None}
    if not isinstance(schema, dict) or depth > 8:
        return empty
    base = pointer if _is_named(pointer) else None
    members = schema.get("allOf")
    if base is None and isinstance(members, list):
        for i, m in enumerate(members):
            _, mptr = spec.resolve(m, pointer.join("allOf", i))
            if _is_named(mptr):
                inner = _schema_shape(spec, m, pointer.join("allOf", i), depth + 1)
                base = inner["base"] or mptr
                break
    props = spec.merged_properties(schema, pointer)
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches and not props:
            shapes = [_schema_shape(spec, b, pointer.join(key, i), depth + 1)
                      for i, b in enumerate(branches)]
            kinds = {s["kind"] for s in shapes}
            bases = {s["base"] for s in shapes}
            names = frozenset().union(*(s["properties"] for s in shapes))
            if base is None and len(bases) == 1:
                base = next(iter(bases))
            return {"structured": all(s["structured"] for s in shapes),
                    "kind": kinds.pop() if len(kinds) == 1 else "custom",
                    "properties": names, "base": base}
    types = schema.get("type")
    types = set(types) if isinstance(types, list) else {types} if isinstance(types, str) else set()
    if "array" in types and not props:
        items = schema.get("items")
        if isinstance(items, dict):
            inner = _schema_shape(spec, items, pointer / "items", depth + 1)
            return {**inner, "base": base or inner["base"]}
        return empty
    if not props:
        return {**empty, "base": base}
    names = frozenset(props)
    kind = "custom"
    if len(_problem_members(props)) >= 2:
        kind = "problem"
    elif "error" in props and {"code", "message"} <= set(
            spec.merged_properties(*props["error"])):
        kind = "error-envelope"
    elif "errors" in props:
        items = props["errors"][0].get("items") if isinstance(props["errors"][0], dict) else None
        if isinstance(items, dict):
            inner = spec.merged_properties(items, props["errors"][1] / "items")
            if {"code", "message"} & set(inner):
                kind = "errors-envelope"
    return {"structured": True, "kind": kind, "properties": names, "base": base}


def _problem_members(props: dict[str, Any]) -> set[str]:
    """The RFC 9457 members a schema declares. A `type` pinned to plain words (Box's
    `type: {enum: [error]}`) is a discriminator, not a problem type (a URI reference)."""
    members = set(props) & set(PROBLEM_MEMBERS)
    value = props.get("type", (None,))[0]
    if "type" in members and isinstance(value, dict):
        fixed = value.get("enum") if isinstance(value.get("enum"), list) else \
            [value["const"]] if "const" in value else []
        if fixed and all(isinstance(v, str) and ":" not in v and "/" not in v for v in fixed):
            members.discard("type")
    return members


def security_class(op: Operation, *, empty_means: str = "public") -> str:
    """``undeclared``, ``public``, ``optional`` or ``protected`` (the auth gate's definition in gates/auth.py)."""
    sec = op.security
    if sec is None:
        return "undeclared"
    if not sec:
        return "public" if empty_means == "public" else "undeclared"
    empties = sum(1 for r in sec if not r)
    if empties == len(sec):
        return "public"
    return "optional" if empties else "protected"


# ---------------------------------------------------------------------- collection view
# (added for the `pagination` gate, docs/gates/pagination.md; module-level so the classes above
# stay untouched; `Spec.collection_operations` is attached at the end)

#: Array property names that make a wrapper object a definite collection (5.2 C4 b).
ITEM_ARRAY_NAMES = ("items", "data", "value", "values", "results", "records", "content",
                    "entries", "elements", "list", "rows", "resources", "hits", "nodes", "edges")
#: JSON-looking media types that stream rather than page (1.5): never collections.
STREAMING_MEDIA = frozenset({"application/x-ndjson", "application/jsonl", "application/json-seq",
                             "application/x-json-stream", "application/stream+json",
                             "text/event-stream", "application/jsonlines"})
COLLECTION_METHODS = ("get", "query")
#: Lists that are small by nature (lookups): exempt as "a fixed small set" (Amendments).
BOUNDED_RESOURCES = ("countries", "currencies", "languages", "locales", "markets", "regions",
                     "timezones", "genres", "devices", "images", "units", "scopes",
                     "versions", "statuses")
#: First words of a path segment naming a ranking, bounded by nature (`/top-tracks`).
RANKING_WORDS = frozenset({"top", "related", "recommended", "similar", "popular", "trending",
                           "featured"})
#: Words of the last path segment naming a random draw, bounded by the request
#: (`/properties/random`, `/words.json/randomWords`, `/random-quotes`).
SAMPLE_WORDS = frozenset({"random", "randomly", "shuffle", "shuffled"})
_SMALL_SET_TEXT = __import__("re").compile(
    r"(?i)\b(?:up to|at most|maximum of|a maximum of|no more than|max\.?)\s+(\d+)\b"
    r"|\b(fixed|small|short|predefined|static) (?:set|list)\b")
#: A required query parameter listing the ids to fetch makes a batch read, not a collection.
_BATCH_IDS = __import__("re").compile(
    r"^(ids|IDs|Ids|ids\[\])$|[_\-.](ids|IDs)$|[a-z0-9](Ids|IDs)$")
import re as _re_c  # noqa: E402


class Collection(Record):
    """Why an operation is (or is not) a collection operation (docs/gates/pagination.md)."""

    __slots__ = (
        "operation", "confidence", "shape", "response", "media", "schema", "schema_pointer",
        "array_name", "array_schema", "excluded",
    )

    def __init__(self, operation: Operation, confidence: str | None, shape: str | None,
                 response: Response | None, media: MediaType | None, schema: Any,
                 schema_pointer: Pointer | None, array_name: str | None, array_schema: Any,
                 excluded: str | None = None) -> None:
        self.operation = operation
        #: ``definite`` (top-level array, or a wrapper with a well-known/resource-named array),
        #: ``probable`` (small wrapper object with one array), or ``None`` when not a collection.
        self.confidence = confidence
        self.shape = shape  # "array" (top-level), "wrapper" (object around an array), None
        self.response = response
        self.media = media
        self.schema = schema  # the success body schema (the matching oneOf/anyOf branch)
        self.schema_pointer = schema_pointer
        self.array_name = array_name  # the wrapped array's property name (None for a top-level array)
        self.array_schema = array_schema
        #: Why a candidate is not a collection: "method", "kind", "no-json-body", "streaming",
        #: "shape", "item-path", "batch" (a required `ids` query parameter), "bounded", "root"
        #: (`/`, `/v2`, `/apis/apps/v1/`: a discovery document), or None.
        self.excluded = excluded

    @property
    def is_collection(self) -> bool:
        return self.confidence is not None and self.excluded is None


def schema_types(schema: Any) -> frozenset[str]:
    """The schema's `type` as a set (3.1 lists), inferring array/object from `items` and
    `properties` when `type` is absent."""
    if not isinstance(schema, dict):
        return frozenset()
    t = schema.get("type")
    if isinstance(t, str):
        return frozenset({t})
    if isinstance(t, list):
        return frozenset(x for x in t if isinstance(x, str))
    if "items" in schema or "prefixItems" in schema:
        return frozenset({"array"})
    if "properties" in schema or "allOf" in schema:
        return frozenset({"object"})
    return frozenset()


def success_json_body(op: Operation) -> tuple[Response, MediaType] | None:
    """C3: the first of 200, 2XX, 206, 203 with a JSON-ish, non-streaming media type."""
    for code in ("200", "2XX", "2xx", "206", "203"):
        resp = op.responses.get(code)
        if resp is None:
            continue
        for media in resp.content.values():
            if media.essence in STREAMING_MEDIA:
                continue
            e = media.essence
            if e in ("application/json", "text/json", "*/*", "application/*") \
                    or e.endswith("+json") or e.endswith("/x-json"):
                return resp, media
        return None
    return None


def _last_literal_segment(path: str) -> str | None:
    for seg in reversed([s for s in path.split("/") if s]):
        if "{" not in seg:
            return seg.split(".", 1)[0].lower()
    return None


def _named_after(name: str, segment: str) -> bool:
    """`dependent_phone_numbers` for `/DependentPhoneNumbers.json`, `usage_records` for
    `/Usage/Records`, `media_list` for `/Media`: the array is named after the resource."""
    a = _re_c.sub(r"[\W_]", "", name).lower()
    b = _re_c.sub(r"[\W_]", "", segment).lower()
    if not a or not b:
        return False
    return a == b or (len(b) >= 4 and (a.endswith(b) or a.startswith(b))) \
        or (len(a) >= 4 and b.endswith(a))


def _collection_shape(spec: Spec, schema: Any, ptr: Pointer, path: str,
                      names: frozenset[str], max_props: int, depth: int = 0
                      ) -> tuple[str, str, str | None, Any, Any, Pointer] | None:
    """(confidence, shape, array name, array schema, matched schema, pointer) or None."""
    schema, ptr = spec.resolve(schema, ptr)
    if not isinstance(schema, dict) or depth > 4:
        return None
    types = schema_types(schema)
    if "array" in types:
        return "definite", "array", None, schema, schema, ptr
    props = spec.merged_properties(schema, ptr)
    if props:
        arrays = {n: v for n, (v, _p) in props.items() if "array" in schema_types(v)}
        last = _last_literal_segment(path)
        for name, value in arrays.items():
            if name.lower() in names or (last is not None and _named_after(name, last)):
                return "definite", "wrapper", name, value, schema, ptr
        embedded = props.get("_embedded")
        if embedded is not None:
            emb_props = spec.merged_properties(*embedded)
            for name, (value, _p) in emb_props.items():
                if "array" in schema_types(value):
                    return "definite", "wrapper", f"_embedded.{name}", value, schema, ptr
        if arrays and len(props) <= max_props:
            name, value = next(iter(arrays.items()))
            return "probable", "wrapper", name, value, schema, ptr
    best = None
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                found = _collection_shape(spec, branch, ptr.join(key, i), path, names,
                                          max_props, depth + 1)
                if found is not None and (best is None or found[0] == "definite"):
                    best = found
                    if found[0] == "definite":
                        return best
    return best


def collection_of(spec: Spec, op: Operation, *, search_methods: tuple[str, ...] = (),
                  search_pattern: str = r"(?i)(search|query|find|filter|list)",
                  item_array_names: tuple[str, ...] = ITEM_ARRAY_NAMES,
                  max_wrapper_props: int = 4, bounded_max_items: int = 100,
                  bounded_resources: tuple[str, ...] = BOUNDED_RESOURCES) -> Collection:
    """Classify one operation per docs/gates/pagination.md (C1 to C4 and the exclusions)."""
    def out(excluded: str | None, found: Any = None, resp: Any = None,
            media: Any = None) -> Collection:
        if found is None:
            return Collection(op, None, None, resp, media, None, None, None, None, excluded)
        conf, shape, name, arr, schema, sptr = found
        return Collection(op, conf, shape, resp, media, schema, sptr, name, arr, excluded)

    method_ok = op.method in COLLECTION_METHODS or (
        op.method in {m.lower() for m in search_methods}
        and bool(_re_c.search(search_pattern, f"{op.path} {op.operation_id or ''}")))
    if not method_ok:
        return out("method")
    if op.kind != "path":
        return out("kind")
    segs = [seg for seg in op.path.split("/") if seg]
    if not segs or all(_re_c.match(r"^v?\d+(\.\d+)*$", seg) for seg in segs) \
            or _re_c.match(r"^v\d+((alpha|beta)\d*)?$", segs[-1]):
        return out("root")  # `/`, `/v2.1`, `/apis/apps/v1/`: a discovery document
    body = success_json_body(op)
    if body is None:
        streaming = any(m.essence in STREAMING_MEDIA for r in op.responses.values()
                        if r.kind == "success" for m in r.content.values())
        return out("streaming" if streaming else "no-json-body")
    resp, media = body
    if media.schema is None:
        return out("no-json-body", resp=resp, media=media)
    names = frozenset(n.lower() for n in item_array_names)
    found = _collection_shape(spec, media.schema, media.schema_pointer or media.pointer,
                              op.path, names, max_wrapper_props)
    if found is None:
        return out("shape", resp=resp, media=media)
    last = [s for s in op.path.split("/") if s][-1:] or [""]
    if found[1] == "wrapper" and "{" in last[0]:
        return out("item-path", found, resp, media)
    if any(p.required and p.location == "query" and _BATCH_IDS.search(p.name)
           for p in op.parameters):
        return out("batch", found, resp, media)  # GET /albums?ids=a,b: bounded by the input
    arr = found[3]
    max_items = arr.get("maxItems") if isinstance(arr, dict) else None
    if isinstance(max_items, int) and not isinstance(max_items, bool) \
            and max_items <= bounded_max_items:
        return out("bounded", found, resp, media)
    last_literal = _last_literal_segment(op.path) or ""
    words = _re_c.split(r"[-_]", last_literal)
    bounded_names = {b.lower() for b in bounded_resources}
    if words and (words[-1] in bounded_names or words[-1] + "s" in bounded_names
                  or words[-1] + "es" in bounded_names):
        return out("bounded", found, resp, media)  # GET /countries, /markets: lookups
    if len(words) > 1 and words[0] in RANKING_WORDS:
        return out("bounded", found, resp, media)  # /top-tracks, /related-artists: a top N
    last_raw = next((seg for seg in reversed(segs) if "{" not in seg), "")
    if SAMPLE_WORDS & {w.lower() for w in _re_c.findall(r"[A-Z]?[a-z]+|[A-Z]+", last_raw)}:
        return out("bounded", found, resp, media)  # /properties/random, /randomWords: a draw
    texts = [op.summary, op.description, resp.description,
             arr.get("description") if isinstance(arr, dict) else None]
    for text in texts:
        m = _SMALL_SET_TEXT.search(text or "")
        if m and (m.group(2) or int(m.group(1)) <= bounded_max_items):
            return out("bounded", found, resp, media)  # "returns up to 20 items"
    return out(None, found, resp, media)


def collection_operations(spec: Spec, **options: Any) -> tuple[Collection, ...]:
    """Collection operations under ``paths`` (5.2); options as for `collection_of`."""
    key = ("collections", tuple(sorted((k, repr(v)) for k, v in options.items())))

    def build() -> tuple[Collection, ...]:
        found = (collection_of(spec, op, **options) for op in spec.in_paths())
        return tuple(c for c in found if c.is_collection)
    return spec.memo(key, build)


Spec.collection_operations = collection_operations  # type: ignore[attr-defined]
