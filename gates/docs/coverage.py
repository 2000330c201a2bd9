"""Which elements a client reads about are documented: counted once where they are written,
per category, with what counts as a description (`OPTIONS`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping

from gatekeeper import Operation, Pointer, Record, Spec

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


DEFAULT_WEIGHTS: Mapping[str, float] = {
    "operations": 0.30,
    "parameters": 0.20,
    "schema_properties": 0.25,
    "request_bodies": 0.10,
    "responses": 0.05,
    "info": 0.04,
    "tags": 0.03,
    "security_schemes": 0.03,
    "servers": 0.0,
}
CATEGORIES = tuple(DEFAULT_WEIGHTS)
PLACEHOLDERS = frozenset({"todo", "tbd", "fixme", "na", "n/a", "none", "-", ".", "description",
                          "string", "xxx", "tba", "null", "undefined", "placeholder"})
REASON_PHRASES = frozenset({
    "ok", "created", "accepted", "no content", "bad request", "unauthorized", "forbidden",
    "not found", "conflict", "internal server error", "success", "successful operation",
    "error", "unexpected error", "default response", "response", "successful response",
})
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


class Element(Record):
    __slots__ = ("category", "pointer", "subject", "documented", "text", "placeholder")

    def __init__(self, category: str, pointer: Pointer, subject: str, documented: bool,
                 text: str | None = None, placeholder: bool = False) -> None:
        self.category = category
        self.pointer = pointer
        self.subject = subject
        self.documented = documented
        self.text = text
        self.placeholder = placeholder


class Coverage:
    __slots__ = ("elements", "ref_sibling_descriptions", "per_operation")

    def __init__(self) -> None:
        self.elements: dict[str, dict[Pointer, Element]] = {c: {} for c in CATEGORIES}
        self.ref_sibling_descriptions: list[tuple[Pointer, str]] = []
        self.per_operation: list[float] = []

    def add(self, element: Element) -> None:
        self.elements[element.category].setdefault(element.pointer, element)

    def counts(self, category: str) -> tuple[int, int]:
        items = self.elements[category].values()
        return sum(1 for e in items if e.documented), len(items)


def median(values: list[float]) -> float:
    """`statistics.median` (whose import, with fractions and decimal, costs about 3 ms of
    start-up)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@functools.lru_cache(maxsize=1 << 16)  # pure; big specs repeat the same texts many times
def _is_placeholder(text: str, name: str | None, min_words: int) -> bool:
    norm = _PUNCT.sub(" ", text.strip().lower()).strip()
    if not norm:
        return True
    raw = text.strip().lower()
    if raw in PLACEHOLDERS or norm in PLACEHOLDERS:
        return True
    if name is not None and norm == _PUNCT.sub(" ", name.lower()).strip():
        return True
    return min_words > 0 and len(norm.split()) < min_words


def _documented(text: Any, name: str | None, *, reject_placeholders: bool,
                min_words: int) -> tuple[bool, bool]:
    """(documented, is_placeholder) for a description value."""
    if not isinstance(text, str) or not text.strip():
        return False, False
    if reject_placeholders and _is_placeholder(text, name, min_words):
        return False, True
    return True, False


def compute_coverage(
    spec: Spec,
    *,
    operation_text: str = "either",
    inherit_path_item_text: bool = True,
    include_webhooks: bool = True,
    include_callbacks: bool = True,
    exclude_methods: tuple[str, ...] = ("options", "trace"),
    include_unreferenced_components: bool = False,
    reject_placeholders: bool = True,
    min_words: int = 0,
    strict_response_descriptions: bool = False,
    count_info_summary: bool = False,
) -> Coverage:
    key = ("docs.coverage", operation_text, inherit_path_item_text, include_webhooks,
           include_callbacks, tuple(exclude_methods), include_unreferenced_components,
           reject_placeholders, min_words, strict_response_descriptions, count_info_summary)
    return spec.memo(key, lambda: _compute(
        spec, operation_text, inherit_path_item_text, include_webhooks, include_callbacks,
        tuple(m.lower() for m in exclude_methods), include_unreferenced_components,
        reject_placeholders, min_words, strict_response_descriptions, count_info_summary))


def _judge(reject_placeholders: bool, min_words: int) -> Callable[..., tuple[bool, bool]]:
    """`doc(text, name)`: (documented, placeholder), each distinct text judged once (big
    specs repeat the same texts)."""
    seen_texts: dict[tuple[Any, Any], tuple[bool, bool]] = {}

    def doc(text: Any, name: str | None = None) -> tuple[bool, bool]:
        if text is not None and not isinstance(text, str):
            return _documented(text, name, reject_placeholders=reject_placeholders,
                               min_words=min_words)
        key = (text, name)
        hit = seen_texts.get(key)
        if hit is None:
            hit = seen_texts[key] = _documented(text, name,
                                                reject_placeholders=reject_placeholders,
                                                min_words=min_words)
        return hit
    return doc


def _compute(spec: Spec, operation_text: str, inherit: bool, include_webhooks: bool,
             include_callbacks: bool, exclude_methods: tuple[str, ...],
             include_unreferenced: bool, reject_placeholders: bool, min_words: int,
             strict_responses: bool, count_info_summary: bool) -> Coverage:
    cov = Coverage()
    doc = _judge(reject_placeholders, min_words)
    declared = _api_level(spec, cov, doc, count_info_summary)
    schema_roots: list[tuple[Any, Pointer]] = []
    schema_at = _schema_root_at(spec)
    undeclared: set[str] = set()
    for op in spec.operations:
        if op.kind == "webhook" and not include_webhooks:
            continue
        if op.kind == "callback" and not include_callbacks:
            continue
        if op.method in exclude_methods:
            continue
        label = op.label
        ok = _operation_text(op, label, cov, doc, operation_text, inherit)
        for i, tag in enumerate(op.tags):
            if tag not in declared and tag not in undeclared:
                undeclared.add(tag)  # one element per tag name, located at its first use
                cov.add(Element("tags", op.pointer.join("tags", i), f"tag {tag}", False))
        op_docs = [ok, *_parameters(spec, op, cov, doc, schema_roots, schema_at)]
        body = _request_body(op, label, cov, doc, schema_roots)
        if body is not None:
            op_docs.append(body)
        _responses(spec, op, label, cov, doc, schema_roots, schema_at, strict_responses)
        cov.per_operation.append(sum(op_docs) / len(op_docs))

    if include_unreferenced:
        for _name, (schema, ptr) in spec.schemas.items():
            schema_roots.append((schema, ptr))
    _collect_properties(spec, cov, schema_roots, doc)
    return cov


def _api_level(spec: Spec, cov: Coverage, doc: Callable[..., tuple[bool, bool]],
               count_info_summary: bool) -> dict[str, tuple[Any, Pointer]]:
    """Info, security schemes, servers and declared tags; returns the declared tags."""
    info_text = spec.info.get("description")
    if count_info_summary and not (isinstance(info_text, str) and info_text.strip()):
        info_text = spec.info.get("summary")
    ok, ph = doc(info_text)
    cov.add(Element("info", spec.root / "info", "info", ok, info_text, ph))
    for name, scheme in spec.security_schemes.items():
        ok, ph = doc(scheme.description, name)
        cov.add(Element("security_schemes", scheme.pointer, f"security scheme {name}", ok,
                        scheme.description, ph))
    for server in spec.servers:
        if spec.is_swagger2:
            break
        ok, ph = doc(server.description)
        cov.add(Element("servers", server.pointer, f"server {server.url}", ok,
                        server.description, ph))
    # tags: declared here; used-but-undeclared ones are added per operation (undocumented)
    declared = {name: (desc, ptr) for name, desc, ptr in spec.declared_tags}
    for name, (desc, ptr) in declared.items():
        ok, ph = doc(desc, name)
        cov.add(Element("tags", ptr, f"tag {name}", ok, desc, ph))
    return declared


def _operation_text(op: Operation, label: str, cov: Coverage,
                    doc: Callable[..., tuple[bool, bool]], operation_text: str,
                    inherit: bool) -> bool:
    summary, description = op.summary, op.description
    if inherit:
        summary = summary or _str(op.path_item.get("summary"))
        description = description or _str(op.path_item.get("description"))
    s_ok, s_ph = doc(summary)
    d_ok, d_ph = doc(description)
    ok = {"summary": s_ok, "description": d_ok, "both": s_ok and d_ok}.get(
        operation_text, s_ok or d_ok)
    cov.add(Element("operations", op.pointer, label, ok, summary or description,
                    (s_ph or d_ph) and not ok))
    return ok


_IMPLIED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def _parameters(spec: Spec, op: Operation, cov: Coverage,
                doc: Callable[..., tuple[bool, bool]],
                schema_roots: list[tuple[Any, Pointer]],
                schema_at: Callable[[Any], tuple[Any, Pointer]]) -> list[bool]:
    """Whether each parameter of `op` is documented (its own description, else the one
    beside its `$ref`), adding its element at its first use and its schema as a root."""
    found = []
    elements = cov.elements["parameters"]
    may_use_ref_text = spec.version != "2.0"
    for p in op.parameters:
        if p.location == "body":
            continue
        if p.location == "header" and p.name.lower() in _IMPLIED_HEADERS:
            continue
        text = p.description
        p_ok, p_ph = doc(text, p.name)
        if not p_ok and p.ref_description and may_use_ref_text:
            text = p.ref_description
            p_ok, p_ph = doc(text, p.name)
        if p.pointer not in elements:  # a shared parameter: one element, from its first use
            elements[p.pointer] = Element("parameters", p.pointer,
                                          f"parameter {p.name} ({p.location})", p_ok, text, p_ph)
        found.append(p_ok)
        if isinstance(p.schema, dict) and p.schema is not p.data:
            schema_roots.append(schema_at(p))
    return found


def _request_body(op: Operation, label: str, cov: Coverage,
                  doc: Callable[..., tuple[bool, bool]],
                  schema_roots: list[tuple[Any, Pointer]]) -> bool | None:
    body = op.request_body
    if body is None:
        return None
    text = body.description or body.ref_description
    b_ok, b_ph = doc(text)
    if not b_ok:
        for media in body.content.values():
            if isinstance(media.schema, dict) and doc(media.schema.get("description"))[0]:
                b_ok, b_ph, text = True, False, media.schema.get("description")
                break
    cov.add(Element("request_bodies", body.pointer, f"request body of {label}",
                    b_ok, text, b_ph))
    for media in body.content.values():
        if media.schema_pointer is not None:
            schema_roots.append((media.schema, media.schema_pointer))
    return b_ok


def _responses(spec: Spec, op: Operation, label: str, cov: Coverage,
               doc: Callable[..., tuple[bool, bool]],
               schema_roots: list[tuple[Any, Pointer]],
               schema_at: Callable[[Any], tuple[Any, Pointer]],
               strict_responses: bool) -> None:
    """Each response of `op` and its headers (one element each, from its first use), and
    their schemas as roots."""
    responses = cov.elements["responses"]
    headers = cov.elements["parameters"]
    swagger2 = spec.is_swagger2
    for code, resp in op.responses.items():
        if resp.pointer not in responses:  # a shared response: one element, its first use
            text = resp.description or resp.ref_description
            r_ok, r_ph = doc(text)
            if r_ok and strict_responses and _PUNCT.sub(" ", text.lower()).strip() in \
                    REASON_PHRASES:
                r_ok = False
            responses[resp.pointer] = Element("responses", resp.pointer,
                                              f"response {code} of {label}", r_ok, text, r_ph)
        for media in resp.content.values():
            if media.schema_pointer is not None:
                schema_roots.append((media.schema, media.schema_pointer))
        for hname, header in resp.headers.items():
            if not swagger2 and hname.lower() == "content-type":
                continue
            if header.pointer not in headers:
                text = header.description or header.ref_description
                h_ok, h_ph = doc(text, hname)
                headers[header.pointer] = Element("parameters", header.pointer,
                                                  f"response header {hname}", h_ok, text, h_ph)
            if isinstance(header.schema, dict) and header.schema is not header.data:
                schema_roots.append(schema_at(header))


def _schema_root_at(spec: Spec) -> Callable[[Any], tuple[Any, Pointer]]:
    """`at(record)`: (the schema of the parameter or header `record`, where that schema is
    written), computed once per record's pointer: shared components are used by many
    operations (Graph beta: 89k parameter uses)."""
    cache: dict[Pointer, tuple[Any, Pointer]] = {}

    def at(record: Any) -> tuple[Any, Pointer]:
        hit = cache.get(record.pointer)
        if hit is None:
            hit = cache[record.pointer] = (
                record.schema, _schema_ptr_at(spec, record.data, record.pointer))
        return hit
    return at


def _schema_ptr_at(spec: Spec, node: Any, ptr: Pointer) -> Pointer:
    """`_schema_ptr(spec, ptr / "schema")` for the `node` written at `ptr`, without walking
    the document from its root again."""
    value = node.get("schema") if isinstance(node, dict) else None
    return spec.resolve(value, ptr / "schema")[1] if value is not None else ptr / "schema"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _described(spec: Spec, schema: Any, ptr: Pointer, doc: Any, name: str,
               depth: int = 0) -> bool:
    """Own description; or any allOf branch described; or all oneOf/anyOf branches (IBM)."""
    schema, ptr = spec.resolve(schema, ptr)
    if not isinstance(schema, dict) or depth > 20:
        return False
    if doc(schema.get("description"), name)[0]:
        return True
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and any(
            _described(spec, m, ptr.join("allOf", i), doc, name, depth + 1)
            for i, m in enumerate(all_of)):
        return True
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches and all(
                _described(spec, m, ptr.join(key, i), doc, name, depth + 1)
                for i, m in enumerate(branches)):
            return True
    return False


def _collect_properties(spec: Spec, cov: Coverage, roots: list[tuple[Any, Pointer]],
                        doc: Any) -> None:
    """One element per property of every schema reachable from `roots`, in the order of a
    depth-first walk from the last root back to the first (`spec.walk_schemas` over the
    reversed roots: the order the report's `undocumented` list shows)."""
    elements = cov.elements["schema_properties"]
    ref_siblings = spec.version in ("2.0", "3.0")
    for schema, ptr in spec.walk_schemas(reversed(roots)):
        props = schema.get("properties")
        if not isinstance(props, dict):
            continue
        file, base = ptr.file, (*ptr.tokens, "properties")
        for name, raw in props.items():
            prop_ptr = Pointer(file, (*base, str(name)))  # each visited once (the walk's)
            ok = False
            text = None
            if isinstance(raw, dict):
                sibling = raw.get("description") if "$ref" in raw else None
                if sibling is not None and doc(sibling, name)[0]:
                    ok, text = True, sibling
                    if ref_siblings:
                        cov.ref_sibling_descriptions.append((prop_ptr, name))
                elif _described(spec, raw, prop_ptr, doc, name):
                    ok = True
                    target = spec.resolve(raw, prop_ptr)[0]
                    text = target.get("description") if isinstance(target, dict) else None
            ph = isinstance(raw, dict) and isinstance(raw.get("description"), str) and \
                bool(raw.get("description").strip()) and not ok
            elements[prop_ptr] = Element("schema_properties", prop_ptr, f"property {name}", ok,
                                         text, ph)


#: What counts as documented, declared once for the gate (`[gates.docs]`): the metric and
#: the rules take these without a default, the nine `undocumented-*` rules through `**options`.
OPTIONS: dict[str, Any] = {
    "operation_text": "either", "inherit_path_item_text": True, "include_webhooks": True,
    "include_callbacks": True, "exclude_methods": ("options", "trace"),
    "reject_placeholders": True, "min_words": 0, "strict_response_descriptions": False,
    "count_info_summary": False,
}
_COV_OPTIONS = ("operation_text", "inherit_path_item_text", "include_webhooks",
                "include_callbacks", "exclude_methods", "include_unreferenced_components",
                "reject_placeholders", "min_words", "strict_response_descriptions",
                "count_info_summary")


def coverage_of(spec: Spec, options: dict[str, Any]) -> Coverage:
    return compute_coverage(spec, **{k: v for k, v in options.items() if k in _COV_OPTIONS})


def undocumented_of(spec: Spec, category: str, opts: dict[str, Any]) -> Iterator[Element]:
    for e in coverage_of(spec, opts).elements[category].values():
        if not e.documented:
            yield e
