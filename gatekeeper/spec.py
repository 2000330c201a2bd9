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

The records (`Operation`, `Parameter`, ...) and how they are built live in `gatekeeper.index`
(`records`, `build`), with the readings several gates share (`readings`); they are imported
here so that ``gatekeeper.spec`` keeps offering them. A heuristic only one gate uses lives in
that gate's package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping

from gatekeeper.errors import SpecError
from gatekeeper.index.build import _build_operations, _build_security_schemes, _root_servers
from gatekeeper.index.readings import (
    error_responses, is_error_code, is_health_endpoint, is_json_media,
    is_well_known_auth_endpoint, schema_types,
)
from gatekeeper.index.records import (
    Header, MediaType, Operation, Parameter, RequestBody, Response, SecurityScheme, Server, _text,
)
from gatekeeper.loader import Document, Limits, load_document
from gatekeeper.schema_walk import SCHEMA_CHILD_KEYS, walk_places
from gatekeeper.pointer import Pointer
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
    "error_responses",
    "is_error_code",
    "is_health_endpoint",
    "is_json_media",
    "is_well_known_auth_endpoint",
    "load",
    "schema_types",
]
#: `Spec.locations` forks for this many pointers or more (about 18 us each on Stripe's
#: YAML, a fork about 2 ms), in documents of at most `LOCATE_BESIDE_TEXT` characters: the
#: child copies every page it touches, which for Graph beta's 47 MB would cost more memory
#: than the check may use.
LOCATE_BESIDE_FROM = 1000
LOCATE_BESIDE_TEXT = 16 << 20


class Spec:
    """A loaded, resolved and indexed OpenAPI document (see the module docs)."""

    def __init__(self, resolution_docs: dict[str, Document], targets: dict[int, Any],
                 display: str, version: str, ref_count: int,
                 missing_refs: list[tuple[Pointer, str]] | None = None,
                 spare_core: bool = False) -> None:
        #: References to files that do not exist (left opaque, for a gate to report).
        self.missing_refs = list(missing_refs or ())
        #: this process may fork to work beside (`Limits.spare_core`; `locations`, and the
        #: command line's helpers forked after the load)
        self.spare_core = spare_core
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
        """Compute once per spec (e.g. documentation coverage shared by a metric and rules).
        A key starting with ``"<gate>."`` is that gate's own and is dropped when the gate has
        run (`gatekeeper.engine`); CONTRIBUTING.md, "Add a rule"."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def memo_of(self, key: Any, obj: Any, factory: Callable[[], Any], extra: Any = None
                ) -> Any:
        """`memo` per live object: ``factory()`` once per spec for the object `obj` (known by
        its identity, with `extra` when the result depends on more, such as where `obj` is
        written), in the table `memo` keeps under `key` (named as `memo`'s keys are). For
        what many operations share by reference: a shared response's `content`, a body
        schema. The entry holds `obj`, so its id is not another object's meanwhile."""
        table = self._memo.get(key)
        if table is None:
            table = self._memo[key] = {}
        slot = id(obj) if extra is None else (id(obj), extra)
        hit = table.get(slot)
        if hit is None or hit[0] is not obj:
            hit = table[slot] = (obj, factory())
        return hit[1]

    def forget_memos(self, prefix: str) -> None:
        """Drop the memos whose key (or a tuple key's first item) starts with `prefix`."""
        private = [key for key in self._memo
                   if isinstance(name := key[0] if type(key) is tuple and key else key, str)
                   and name.startswith(prefix)]
        for key in private:
            del self._memo[key]

    def resolve(self, value: Any, pointer: Pointer) -> tuple[Any, Pointer]:
        """Follow `$ref` (already checked at load) to the value and where it is written."""
        if isinstance(value, dict) and "$ref" in value:
            target = self._targets.get(id(value))
            if target is not None:
                return target
        return value, pointer

    def get(self, pointer: Pointer, default: Any = None) -> Any:
        """The value at `pointer` as written (no reference followed); `default` where there
        is none (a written ``null`` is None either way)."""
        node = self.documents[pointer.file].data
        for token in pointer.tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return default
        return node

    def _document(self, pointer: Pointer) -> Document:
        """The document `pointer` is in (the root document for a file not loaded)."""
        return self.documents.get(pointer.file) or self.documents[""]

    def location(self, pointer: Pointer) -> Location:
        doc = self._document(pointer)
        line, col = doc.locate(pointer.tokens)
        return Location(doc.display, line, col)

    def locations(self, pointers: list[Pointer]) -> Callable[[], list[Location]]:
        """`location` of each pointer, as a function to call when they are needed. With a
        core to spare (`spare_core`), many pointers and documents small enough, they are
        computed meanwhile in a forked process (`gatekeeper.beside`), so that the next
        gates run while a gate's findings are located: Stripe's 6,064 documentation
        findings take about 0.1 s to locate (benchmarks/README.md, "Locating beside"). Not
        while a gate's helper process holds the second core: Stripe's check with a ruleset
        took 0.841 s with both, 0.750 s without (12 runs each); a helper that has ended
        (the schema check's, short) holds none."""
        job = None
        if self.spare_core and len(pointers) >= LOCATE_BESIDE_FROM and sum(
                len(doc.text) for doc in self.documents.values()) <= LOCATE_BESIDE_TEXT \
                and not self._helper_running():
            from gatekeeper import beside

            job = beside.start(lambda: [self._line_column(p) for p in pointers])
        if job is None:
            located = [self.location(p) for p in pointers]
            return lambda: located

        def finish() -> list[Location]:
            found = job.result()
            if not isinstance(found, list) or len(found) != len(pointers):
                return [self.location(p) for p in pointers]  # the child failed: here
            return [Location(self.display_file(p), line, column)
                    for p, (line, column) in zip(pointers, found)]
        return finish

    def _helper_running(self) -> bool:
        """Whether a gate's helper process works for this spec now (`Gate.helper`)."""
        from gatekeeper.gate import gates_with_helpers

        return any(getattr(handle, "running", lambda: True)()
                   for handle in gates_with_helpers(self).values())

    def _line_column(self, pointer: Pointer) -> tuple[int, int]:
        return self._document(pointer).locate(pointer.tokens)

    def forget_texts(self) -> None:
        """Let go of each document's text (`Document.forget_text`) once every finding is
        located: what a spec kept alive until its process ends no longer needs them."""
        for doc in self.documents.values():
            doc.forget_text()

    def remember_location(self, pointer: Pointer, line: int, column: int) -> None:
        """What `location(pointer)` gives, computed by another process from its own copy of
        the same file (a gate's helper process): this process then does not search for it."""
        self._document(pointer).remember(pointer.tokens, line, column)

    def display_file(self, pointer: Pointer) -> str:
        return self._document(pointer).display

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
        if not isinstance(schema, dict) or SCHEMA_CHILD_KEYS.isdisjoint(schema):
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

    def walk_schema_places(self, roots: Iterable[tuple[Any, str, tuple[str, ...]]],
                           reads: frozenset[str] = frozenset()
                           ) -> Iterator[tuple[dict[str, Any], str, tuple[str, ...]]]:
        """`walk_schemas` by place: each schema reachable from `roots` (each the value as
        written, with the file and tokens of where it is written) once, in the same order,
        as (schema, file, tokens), without a `Pointer` per schema, and without the schemas
        that hold none of `reads`, no child keyword and no `$ref` (they have nothing to
        read and lead nowhere). See `gatekeeper.schema_walk`."""
        return walk_places(self._targets, roots, reads)

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
        if SCHEMA_CHILD_KEYS.isdisjoint(schema):  # a leaf, as most schemas are
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
                    resolution.ref_count, missing_refs=resolution.missing_files,
                    spare_core=limits.spare_core)


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

    def line() -> int:  # only an error needs it: the line table of a big file costs ~30 ms
        return doc.locate((field_name,))[0]

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value)
        doc.notes.append(((field_name,), f"`{field_name}: {text}` is a number; quote it "
                                        f"(`{field_name}: \"{text}\"`)"))
        value = text
        data[field_name] = text
    if not isinstance(value, str):
        raise SpecError(f"`{field_name}` must be a string such as \"3.1.0\"", file=doc.display,
                        line=line())
    if field_name == "swagger":
        if value.strip() == "2.0":
            return "2.0"
        if value.startswith("1."):
            raise SpecError(f"Swagger {value} is not supported (supported: 2.0, 3.0.x, 3.1.x, "
                            "3.2.x); convert it to OpenAPI 3", file=doc.display, line=line())
    else:
        for prefix in ("3.0", "3.1", "3.2"):
            if value == prefix or value.startswith(prefix + "."):
                return prefix
    raise SpecError(f"unsupported {'Swagger' if field_name == 'swagger' else 'OpenAPI'} version"
                    f" {value[:40]} (supported: 2.0, 3.0.x, 3.1.x, 3.2.x)", file=doc.display,
                    line=line())
