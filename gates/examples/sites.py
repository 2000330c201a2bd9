"""Where the examples of a document are, and which bodies carry one."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Pointer, Spec, is_json_media

TYPE_CHECKING = False  # `typing` costs start-up time; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


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


def body_sites(spec: Spec) -> dict[str, list[tuple[str, Pointer, bool]]]:
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
