"""Which elements a client reads about are documented: counted once where they are written,
per category, with what counts as a description (`OPTIONS`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping

from gatekeeper import SCHEMA_CHILD_KEYS, Operation, Pointer, Record, Spec

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
_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS))


#: Where the schema walk starts: a schema as written (`$ref` or not), with the file and the
#: tokens of where it is written.
Root = tuple["Any", str, tuple[str, ...]]


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
    if min_words <= 0:
        # The normal form of a prefix of `text` is a prefix of the normal form of `text`,
        # and the raw text is never shorter than that: a head whose normal form is longer
        # than every placeholder and than the name settles a long text without normalising
        # all of it (Graph beta: 26k texts, 1.8M characters, 0.084 -> 0.031 s of CPU).
        longest = max(_LONGEST_PLACEHOLDER, len(name.lower())) if name is not None \
            else _LONGEST_PLACEHOLDER
        head = longest + 4
        if len(text) > head and len(_PUNCT.sub(" ", text[:head].lower()).strip()) > longest:
            return False
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
    schema_roots: list[Root] = []
    undeclared: set[str] = set()
    # What a parameter or a response adds, by the id of its (live) pointer or content: the
    # same for every use of a shared one (Graph beta: 89k parameter uses, 67k responses).
    used: dict[int, Any] = {}
    per_operation = cov.per_operation
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
        op_docs = [ok, *_parameters(spec, op, cov, doc, schema_roots, used)]
        body = _request_body(op, label, cov, doc, schema_roots)
        if body is not None:
            op_docs.append(body)
        _responses(spec, op, label, cov, doc, schema_roots, strict_responses, used)
        per_operation.append(sum(op_docs) / len(op_docs))

    if include_unreferenced:
        for _name, (schema, ptr) in spec.schemas.items():
            schema_roots.append((schema, ptr.file, ptr.tokens))
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
    if operation_text == "summary":
        ok = s_ok
    elif operation_text == "description":
        ok = d_ok
    elif operation_text == "both":
        ok = s_ok and d_ok
    else:
        ok = s_ok or d_ok
    cov.add(Element("operations", op.pointer, label, ok, summary or description,
                    (s_ph or d_ph) and not ok))
    return ok


_IMPLIED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def _parameters(spec: Spec, op: Operation, cov: Coverage,
                doc: Callable[..., tuple[bool, bool]],
                schema_roots: list[Root], used: dict[int, Any]) -> list[bool]:
    """Whether each parameter of `op` is documented (its own description, else the one
    beside its `$ref`), adding its element at its first use and its schema as a root."""
    found = []
    elements = cov.elements["parameters"]
    for p in op.parameters:
        # A use without text beside its `$ref` is judged as every such use of the same
        # place, once: (documented, its schema root or None), or `_SKIPPED`. Graph beta's
        # 89k uses are 50k places: 0.19 -> 0.14 s of CPU, bare schemas left out of the roots.
        where, ref_text = p.pointer, p.ref_description
        hit = used.get(id(where)) if ref_text is None else None
        if hit is None:
            location = p.location
            if location == "body" or (location == "header"
                                      and p.name.lower() in _IMPLIED_HEADERS):
                hit = _SKIPPED
            else:
                text = p.description
                p_ok, p_ph = doc(text, p.name)
                if not p_ok and ref_text and spec.version != "2.0":
                    text = ref_text
                    p_ok, p_ph = doc(text, p.name)
                if where not in elements:  # a shared parameter: one element, its first use
                    elements[where] = Element("parameters", where,
                                              f"parameter {p.name} ({location})", p_ok, text,
                                              p_ph)
                hit = (p_ok, _schema_root(p))
            if ref_text is None:
                used[id(where)] = hit
        if hit is _SKIPPED:
            continue
        found.append(hit[0])
        if hit[1] is not None:
            schema_roots.append(hit[1])
    return found


_SKIPPED = (None, None)


def _request_body(op: Operation, label: str, cov: Coverage,
                  doc: Callable[..., tuple[bool, bool]],
                  schema_roots: list[Root]) -> bool | None:
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
            where = media.schema_pointer
            schema_roots.append((media.schema, where.file, where.tokens))
    return b_ok


def _responses(spec: Spec, op: Operation, label: str, cov: Coverage,
               doc: Callable[..., tuple[bool, bool]],
               schema_roots: list[Root], strict_responses: bool, used: dict[int, Any]) -> None:
    """Each response of `op` and its headers (one element each, from its first use), and
    their schemas as roots."""
    responses = cov.elements["responses"]
    for code, resp in op.responses.items():
        if resp.pointer not in responses:  # a shared response: one element, its first use
            text = resp.description or resp.ref_description
            r_ok, r_ph = doc(text)
            if r_ok and strict_responses and _PUNCT.sub(" ", text.lower()).strip() in \
                    REASON_PHRASES:
                r_ok = False
            responses[resp.pointer] = Element("responses", resp.pointer,
                                              f"response {code} of {label}", r_ok, text, r_ph)
        # A shared response's content and headers are the same objects at every use (the
        # index builds them once): their roots are found once, and the walk passes over a
        # root tuple it has had (Graph beta, responses and walk: 0.23 -> 0.20 s of CPU).
        content, headers = resp.content, resp.headers
        roots = used.get(id(content)) if content else ()
        if roots is None:
            roots = used[id(content)] = [
                (media.schema, media.schema_pointer.file, media.schema_pointer.tokens)
                for media in content.values()
                if media.schema_pointer is not None and _walked(media.schema)]
        schema_roots += roots
        if headers:
            roots = used.get(id(headers))
            if roots is None:
                roots = used[id(headers)] = _header_roots(spec, headers, cov, doc)
            schema_roots += roots


def _header_roots(spec: Spec, headers: Mapping[str, Any], cov: Coverage,
                  doc: Callable[..., tuple[bool, bool]]) -> list[Root]:
    """The schema roots of a response's `headers`, adding the element of each header whose
    place has none yet."""
    elements = cov.elements["parameters"]
    roots = []
    for hname, header in headers.items():
        if not spec.is_swagger2 and hname.lower() == "content-type":
            continue
        if header.pointer not in elements:
            text = header.description or header.ref_description
            h_ok, h_ph = doc(text, hname)
            elements[header.pointer] = Element("parameters", header.pointer,
                                               f"response header {hname}", h_ok, text, h_ph)
        root = _schema_root(header)
        if root is not None:
            roots.append(root)
    return roots


def _schema_root(record: Any) -> Root | None:
    """The schema of the parameter or header `record` as a root: its `schema` as written,
    with where that is written (the walk follows a `$ref`); None when the record is its own
    schema (2.0) or its schema is bare (`_walked`)."""
    schema = record.schema
    if not isinstance(schema, dict) or schema is record.data or _WALK_KEYS.isdisjoint(schema):
        return None
    where = record.pointer
    return record.data.get("schema"), where.file, (*where.tokens, "schema")


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


def _walked(schema: Any) -> bool:
    """Whether the walk visits `schema` (`Spec.walk_schema_places`: a schema without a child
    keyword or a `$ref` has no property and leads nowhere)."""
    return isinstance(schema, dict) and not _WALK_KEYS.isdisjoint(schema)


_WALK_KEYS = SCHEMA_CHILD_KEYS | {"$ref"}


def _collect_properties(spec: Spec, cov: Coverage, roots: list[Root], doc: Any) -> None:
    """One element per property of every schema reachable from `roots`, in the order of a
    depth-first walk from the last root back to the first (`spec.walk_schemas` over the
    reversed roots: the order the report's `undocumented` list shows). By place
    (`Spec.walk_schema_places`): a `Pointer` only for each property, its element's key."""
    elements = cov.elements["schema_properties"]
    ref_siblings = cov.ref_sibling_descriptions if spec.version in ("2.0", "3.0") else None
    for node, file, tokens in spec.walk_schema_places(roots[::-1]):
        props = node.get("properties")
        if isinstance(props, dict):
            base = (*tokens, "properties")
            for name, raw in props.items():
                prop_ptr = Pointer(file, (*base, str(name)))
                elements[prop_ptr] = _property(spec, raw, prop_ptr, name, doc, ref_siblings)


def _property(spec: Spec, raw: Any, prop_ptr: Pointer, name: Any, doc: Any,
              ref_siblings: list[tuple[Pointer, str]] | None) -> Element:
    """The element of the property `name` written at `prop_ptr` as `raw`."""
    ok = False
    text = None
    if isinstance(raw, dict):
        sibling = raw.get("description") if "$ref" in raw else None
        if sibling is not None and doc(sibling, name)[0]:
            ok, text = True, sibling
            if ref_siblings is not None:
                ref_siblings.append((prop_ptr, name))
        elif _described(spec, raw, prop_ptr, doc, name):
            ok = True
            target = spec.resolve(raw, prop_ptr)[0]
            text = target.get("description") if isinstance(target, dict) else None
    ph = isinstance(raw, dict) and isinstance(raw.get("description"), str) and \
        bool(raw.get("description").strip()) and not ok
    return Element("schema_properties", prop_ptr, f"property {name}", ok, text, ph)


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
