"""Documentation coverage: every element a client reads about is described.

The metric is a category-weighted coverage: for each
category, documented / total unique elements, averaged with weights (operations 30 %,
parameters and response headers 20 %, schema properties 25 %, request bodies 10 %, responses
5 %, info 4 %, tags 3 %, security schemes 3 %, servers 0); categories with no element drop out
and the rest are renormalised. The gate also needs every category listed in `min-category`
(default: operations at 95 %) to reach its floor, so twenty bare operations cannot hide
behind four hundred described properties.

Elements are counted once by where they are written: a `components.parameters.Limit` used by
ten operations is one parameter. A description counts if it is non-blank and not a
placeholder (`TODO`, `TBD`, `n/a`, the element's own name, ...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

from gatekeeper import Gate, Metric, MetricPart, Pointer, Severity, Spec, Violation, rule
from gatekeeper.record import Record

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


def _median(values: list[float]) -> float:
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


def _compute(spec: Spec, operation_text: str, inherit: bool, include_webhooks: bool,
             include_callbacks: bool, exclude_methods: tuple[str, ...],
             include_unreferenced: bool, reject_placeholders: bool, min_words: int,
             strict_responses: bool, count_info_summary: bool) -> Coverage:
    cov = Coverage()

    seen_texts: dict[tuple[Any, Any], tuple[bool, bool]] = {}

    def doc(text: Any, name: str | None = None) -> tuple[bool, bool]:
        if text is not None and not isinstance(text, str):
            return _documented(text, name, reject_placeholders=reject_placeholders,
                               min_words=min_words)
        key = (text, name)  # big specs repeat the same texts: judge each once
        hit = seen_texts.get(key)
        if hit is None:
            hit = seen_texts[key] = _documented(text, name,
                                                reject_placeholders=reject_placeholders,
                                                min_words=min_words)
        return hit

    # info
    info_text = spec.info.get("description")
    if count_info_summary and not (isinstance(info_text, str) and info_text.strip()):
        info_text = spec.info.get("summary")
    ok, ph = doc(info_text)
    cov.add(Element("info", spec.root / "info", "info", ok, info_text, ph))

    # security schemes
    for name, scheme in spec.security_schemes.items():
        ok, ph = doc(scheme.description, name)
        cov.add(Element("security_schemes", scheme.pointer, f"security scheme {name}", ok,
                        scheme.description, ph))

    # servers
    for server in spec.servers:
        if spec.is_swagger2:
            break
        ok, ph = doc(server.description)
        cov.add(Element("servers", server.pointer, f"server {server.url}", ok,
                        server.description, ph))

    # tags: declared, plus used-but-undeclared (undocumented by definition)
    declared = {name: (desc, ptr) for name, desc, ptr in spec.declared_tags}
    for name, (desc, ptr) in declared.items():
        ok, ph = doc(desc, name)
        cov.add(Element("tags", ptr, f"tag {name}", ok, desc, ph))

    schema_roots: list[tuple[Any, Pointer]] = []
    undeclared: set[str] = set()
    for op in spec.operations:
        if op.kind == "webhook" and not include_webhooks:
            continue
        if op.kind == "callback" and not include_callbacks:
            continue
        if op.method in exclude_methods:
            continue
        summary, description = op.summary, op.description
        if inherit:
            summary = summary or _str(op.path_item.get("summary"))
            description = description or _str(op.path_item.get("description"))
        s_ok, s_ph = doc(summary)
        d_ok, d_ph = doc(description)
        ok = {"summary": s_ok, "description": d_ok, "both": s_ok and d_ok}.get(
            operation_text, s_ok or d_ok)
        cov.add(Element("operations", op.pointer, op.label, ok, summary or description,
                        (s_ph or d_ph) and not ok))
        for i, tag in enumerate(op.tags):
            if tag not in declared and tag not in undeclared:
                undeclared.add(tag)  # one element per tag name, located at its first use
                cov.add(Element("tags", op.pointer.join("tags", i), f"tag {tag}", False))

        op_docs = [ok]
        for p in op.parameters:
            if p.location == "body":
                continue
            if p.location == "header" and p.name.lower() in {"accept", "content-type",
                                                            "authorization"}:
                continue
            text = p.description
            if not doc(text, p.name)[0] and p.ref_description and spec.version != "2.0":
                text = p.ref_description
            p_ok, p_ph = doc(text, p.name)
            cov.add(Element("parameters", p.pointer, f"parameter {p.name} ({p.location})",
                            p_ok, text, p_ph))
            op_docs.append(p_ok)
            if isinstance(p.schema, dict) and p.schema is not p.data:
                schema_roots.append((p.schema, _schema_ptr_at(spec, p.data, p.pointer)))
        body = op.request_body
        if body is not None:
            text = body.description or body.ref_description
            b_ok, b_ph = doc(text)
            if not b_ok:
                for media in body.content.values():
                    if isinstance(media.schema, dict) and doc(media.schema.get("description"))[0]:
                        b_ok, b_ph, text = True, False, media.schema.get("description")
                        break
            cov.add(Element("request_bodies", body.pointer, f"request body of {op.label}",
                            b_ok, text, b_ph))
            op_docs.append(b_ok)
            for media in body.content.values():
                if media.schema_pointer is not None:
                    schema_roots.append((media.schema, media.schema_pointer))
        for code, resp in op.responses.items():
            text = resp.description or resp.ref_description
            r_ok, r_ph = doc(text)
            if r_ok and strict_responses and _PUNCT.sub(" ", text.lower()).strip() in \
                    REASON_PHRASES:
                r_ok = False
            cov.add(Element("responses", resp.pointer, f"response {code} of {op.label}", r_ok,
                            text, r_ph))
            for media in resp.content.values():
                if media.schema_pointer is not None:
                    schema_roots.append((media.schema, media.schema_pointer))
            for hname, header in resp.headers.items():
                if hname.lower() == "content-type" and not spec.is_swagger2:
                    continue
                text = header.description or header.ref_description
                h_ok, h_ph = doc(text, hname)
                cov.add(Element("parameters", header.pointer, f"response header {hname}", h_ok,
                                text, h_ph))
                if isinstance(header.schema, dict) and header.schema is not header.data:
                    schema_roots.append((header.schema,
                                         _schema_ptr_at(spec, header.data, header.pointer)))
        cov.per_operation.append(sum(op_docs) / len(op_docs))

    if include_unreferenced:
        for _name, (schema, ptr) in spec.schemas.items():
            schema_roots.append((schema, ptr))
    _collect_properties(spec, cov, schema_roots, doc)
    return cov


def _schema_ptr(spec: Spec, ptr: Pointer) -> Pointer:
    value = spec.get(ptr)
    return spec.resolve(value, ptr)[1] if value is not None else ptr


def _schema_ptr_at(spec: Spec, node: Any, ptr: Pointer) -> Pointer:
    """`_schema_ptr(spec, ptr / "schema")` for the `node` written at `ptr`, without walking
    the document from its root again."""
    value = node.get("schema") if isinstance(node, dict) else None
    return spec.resolve(value, ptr / "schema")[1] if value is not None else ptr / "schema"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _described(spec: Spec, schema: Any, ptr: Pointer, doc: Any, depth: int = 0) -> bool:
    """Own description; or any allOf branch described; or all oneOf/anyOf branches (IBM)."""
    schema, ptr = spec.resolve(schema, ptr)
    if not isinstance(schema, dict) or depth > 20:
        return False
    if doc(schema.get("description"))[0]:
        return True
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and any(
            _described(spec, m, ptr.join("allOf", i), doc, depth + 1)
            for i, m in enumerate(all_of)):
        return True
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches and all(
                _described(spec, m, ptr.join(key, i), doc, depth + 1)
                for i, m in enumerate(branches)):
            return True
    return False


def _collect_properties(spec: Spec, cov: Coverage, roots: list[tuple[Any, Pointer]],
                        doc: Any) -> None:
    seen: set[Pointer] = set()
    stack = list(roots)
    while stack:
        schema, ptr = stack.pop()
        schema, ptr = spec.resolve(schema, ptr)
        if ptr in seen or not isinstance(schema, dict):
            continue
        seen.add(ptr)
        props = schema.get("properties")
        if isinstance(props, dict):
            for name, raw in props.items():
                prop_ptr = ptr.join("properties", name)
                ok = False
                text = None
                if isinstance(raw, dict):
                    sibling = raw.get("description") if "$ref" in raw else None
                    if sibling is not None and doc(sibling, name)[0]:
                        ok, text = True, sibling
                        if spec.version in ("2.0", "3.0"):
                            cov.ref_sibling_descriptions.append((prop_ptr, name))
                    elif _described(spec, raw, prop_ptr, lambda t: doc(t, name)):
                        ok = True
                        text = spec.resolve(raw, prop_ptr)[0].get("description") \
                            if isinstance(spec.resolve(raw, prop_ptr)[0], dict) else None
                ph = isinstance(raw, dict) and isinstance(raw.get("description"), str) and \
                    bool(raw.get("description").strip()) and not ok
                cov.add(Element("schema_properties", prop_ptr, f"property {name}", ok,
                                text, ph))
        for _role, child, child_ptr in spec.schema_children(schema, ptr):
            if child_ptr not in seen:
                stack.append((child, child_ptr))


# ---------------------------------------------------------------------- metric


def documentation_coverage(
    spec: Spec,
    *,
    formula: str = "weighted",
    weights: dict[str, float] = dict(DEFAULT_WEIGHTS),  # noqa: B006 - read-only default
    operation_text: str = "either",
    inherit_path_item_text: bool = True,
    include_webhooks: bool = True,
    include_callbacks: bool = True,
    exclude_methods: tuple[str, ...] = ("options", "trace"),
    include_unreferenced_components: bool = False,
    reject_placeholders: bool = True,
    min_words: int = 0,
    strict_response_descriptions: bool = False,
    count_servers: bool = False,
    count_info_summary: bool = False,
) -> Metric:
    """Category-weighted documentation coverage (F3): sum of weight x documented/total over
    the categories that have elements, divided by the sum of their weights. `formula` may be
    `flat` (all elements alike, F1) or `per_operation` (median over operations of each
    operation's own documented share, F2). The per-category documented/total counts and the
    flat ratio are always reported next to it."""
    cov = compute_coverage(
        spec, operation_text=operation_text, inherit_path_item_text=inherit_path_item_text,
        include_webhooks=include_webhooks, include_callbacks=include_callbacks,
        exclude_methods=exclude_methods,
        include_unreferenced_components=include_unreferenced_components,
        reject_placeholders=reject_placeholders, min_words=min_words,
        strict_response_descriptions=strict_response_descriptions,
        count_info_summary=count_info_summary)
    w = {**DEFAULT_WEIGHTS, **weights}
    if count_servers and w.get("servers", 0) == 0:
        w["servers"] = 0.03
    parts = []
    num = den = 0.0
    flat_d = flat_n = 0
    for category in CATEGORIES:
        d, n = cov.counts(category)
        parts.append(MetricPart(category, d, n, float(w.get(category, 0.0))))
        if category == "servers" and w.get("servers", 0) == 0:
            continue
        flat_d += d
        flat_n += n
        if n and w.get(category, 0) > 0:
            num += w[category] * d / n
            den += w[category]
    weighted = num / den if den else 1.0
    flat = flat_d / flat_n if flat_n else 1.0
    per_op = _median(cov.per_operation) if cov.per_operation else 1.0
    value = {"flat": flat, "per_operation": per_op}.get(formula, weighted)
    undocumented = [
        {"category": e.category, "subject": e.subject, "pointer": str(e.pointer)}
        for c in CATEGORIES for e in cov.elements[c].values() if not e.documented
    ]
    label = {"flat": "documentation coverage (flat)",
             "per_operation": "documentation coverage (per-operation median)"}.get(
        formula, "documentation coverage")
    return Metric(value=value, label=label, passed=flat_d, total=flat_n, breakdown=tuple(parts),
                  details={"formula": formula, "weighted": round(weighted, 4),
                           "flat": round(flat, 4), "per_operation_median": round(per_op, 4),
                           "undocumented": undocumented})


# ---------------------------------------------------------------------- rules

_COV_OPTIONS = ("operation_text", "inherit_path_item_text", "include_webhooks",
                "include_callbacks", "exclude_methods", "include_unreferenced_components",
                "reject_placeholders", "min_words", "strict_response_descriptions",
                "count_info_summary")


def _cov(spec: Spec, options: dict[str, Any]) -> Coverage:
    return compute_coverage(spec, **{k: v for k, v in options.items() if k in _COV_OPTIONS})


def _undocumented(spec: Spec, category: str, opts: dict[str, Any]) -> Iterator[Element]:
    for e in _cov(spec, opts).elements[category].values():
        if not e.documented:
            yield e


@rule("docs/category-below-floor", severity=Severity.ERROR)
def category_below_floor(
    spec: Spec,
    *,
    min_category: dict[str, float] = {"operations": 95},  # noqa: B006
    operation_text: str = "either",
    inherit_path_item_text: bool = True,
    include_webhooks: bool = True,
    include_callbacks: bool = True,
    exclude_methods: tuple[str, ...] = ("options", "trace"),
    reject_placeholders: bool = True,
    min_words: int = 0,
) -> Iterator[Violation]:
    """## What it does
    Fails when a category's own coverage is below its floor (default: operations at 95 %),
    whatever the weighted total says.

    ## Why is this bad?
    Twenty undocumented endpoints out of a hundred make an API hard to use even when every
    schema property is described; a weighted average alone would let them through.

    ## Example
    With 40 operations of which 8 have neither summary nor description, operation coverage is
    80 %: the gate fails even if the weighted coverage is 96 %.

    ## Options
    `min-category`: a table of category name to percent, e.g. `{operations = 95,
    parameters = 80}`. Categories: operations, parameters, schema_properties, request_bodies,
    responses, info, tags, security_schemes, servers.
    """
    cov = _cov(spec, dict(operation_text=operation_text,
                          inherit_path_item_text=inherit_path_item_text,
                          include_webhooks=include_webhooks, include_callbacks=include_callbacks,
                          exclude_methods=exclude_methods, reject_placeholders=reject_placeholders,
                          min_words=min_words))
    for category, floor in min_category.items():
        if category not in CATEGORIES:
            continue
        d, n = cov.counts(category)
        if n and d / n * 100 < floor - 1e-9:
            yield Violation(spec.root, f"{category.replace('_', ' ')} coverage is "
                                       f"{d / n * 100:.1f} % ({d}/{n}), below the {floor:g} % "
                                       f"floor", subject=category)


def _element_rule(category: str, what: str) -> Any:
    def check(
        spec: Spec,
        *,
        operation_text: str = "either",
        inherit_path_item_text: bool = True,
        include_webhooks: bool = True,
        include_callbacks: bool = True,
        exclude_methods: tuple[str, ...] = ("options", "trace"),
        reject_placeholders: bool = True,
        min_words: int = 0,
        strict_response_descriptions: bool = False,
        count_info_summary: bool = False,
    ) -> Iterator[Violation]:
        opts = dict(operation_text=operation_text, inherit_path_item_text=inherit_path_item_text,
                    include_webhooks=include_webhooks, include_callbacks=include_callbacks,
                    exclude_methods=exclude_methods, reject_placeholders=reject_placeholders,
                    min_words=min_words, strict_response_descriptions=strict_response_descriptions,
                    count_info_summary=count_info_summary)
        for e in _undocumented(spec, category, opts):
            reason = "has a placeholder description" if e.placeholder else "has no description"
            if category == "operations":
                reason = ("has a placeholder summary/description" if e.placeholder
                          else f"has no {'summary or description' if operation_text == 'either' else operation_text}")
            if category == "tags" and e.pointer.tokens[:1] != ("tags",):
                reason = "is used but not declared in the root `tags` list"
            owner = _property_owner(e.pointer.tokens) if category == "schema_properties" else ""
            yield Violation(e.pointer, f"`{e.subject}`{owner} {reason}", subject=e.subject)
    return check


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace",
                      "query"})


def _property_owner(tokens: tuple[str, ...]) -> str:
    """`` of schema `Pet` `` (a named schema, nested properties dotted: `Pet.owner`) or `` in
    the schema at `GET /pets > responses > 200` `` (an inline one): which schema a property
    belongs to, so that two `property id` findings can be told apart."""
    last = max((i for i, t in enumerate(tokens) if t == "properties"), default=-1)
    if last < 0:
        return ""
    owner = tokens[:last]
    named = None
    if owner[:2] == ("components", "schemas") and len(owner) >= 3:
        named, rest = owner[2], owner[3:]
    elif owner[:1] == ("definitions",) and len(owner) >= 2:
        named, rest = owner[1], owner[2:]
    if named is not None:
        parts = [named] + [rest[i + 1] for i, t in enumerate(rest[:-1]) if t == "properties"]
        if len(parts) - 1 == sum(1 for t in rest if t == "properties"):
            return f" of schema `{'.'.join(parts)}`"
        return f" in schema `{named}`"
    if owner[:1] == ("paths",) and len(owner) >= 3 and owner[2] in _METHODS:
        where = [f"{owner[2].upper()} {owner[1]}", *owner[3:]]
        shown = [t for t in where if t not in ("content", "schema")]
        if len(shown) > 5:
            shown = [*shown[:4], "…"]
        return f" in the schema at `{' > '.join(shown)}`"
    return ""


def _doc(what: str, example_bad: str, example_good: str, why: str) -> str:
    return (f"## What it does\nFlags {what} without a usable description (missing, blank, or "
            f"a placeholder such as `TODO`).\n\n## Why is this bad?\n{why}\n\n"
            f"## Example\n```yaml\n{example_bad}\n```\nUse instead:\n```yaml\n{example_good}\n```"
            "\n\n## Options\nThe gate options `reject-placeholders` (true) and `min-words` (0) "
            "decide what counts as a description.")


def _make(rule_id: str, category: str, severity: Severity, what: str, bad: str, good: str,
          why: str, recommended: bool = True) -> Any:
    fn = _element_rule(category, what)
    fn.__doc__ = _doc(what, bad, good, why)
    fn.__name__ = rule_id.split("/")[1].replace("-", "_")
    return rule(rule_id, severity=severity, recommended=recommended)(fn)


undocumented_operation = _make(
    "docs/undocumented-operation", "operations", Severity.WARNING,
    "operations (by default a summary or a description is enough; path-item text is "
    "inherited)",
    "/pets:\n  get:\n    responses: {200: {description: The pets}}",
    "/pets:\n  get:\n    summary: List the pets in the store",
    "An operation is the unit a client developer looks for; without a sentence about what it "
    "does they must guess from its path.")
undocumented_parameter = _make(
    "docs/undocumented-parameter", "parameters", Severity.INFO,
    "request parameters and response headers",
    "parameters:\n  - {name: limit, in: query, schema: {type: integer}}",
    "parameters:\n  - name: limit\n    in: query\n    description: Largest number of items "
    "to return (1 to 100).\n    schema: {type: integer}",
    "Parameter names rarely say their units, limits or defaults; clients send wrong values.")
undocumented_request_body = _make(
    "docs/undocumented-request-body", "request_bodies", Severity.INFO, "request bodies",
    "requestBody:\n  content: {application/json: {schema: {type: object}}}",
    "requestBody:\n  description: The pet to add\n  content: {application/json: {schema: "
    "{type: object}}}",
    "What a request body means (create, replace, merge) is not visible from its schema.")
undocumented_response = _make(
    "docs/undocumented-response", "responses", Severity.INFO, "responses",
    "responses:\n  '404': {description: ''}",
    "responses:\n  '404': {description: No pet has this id}",
    "A response description says when the status happens; OpenAPI requires it.")
undocumented_property = _make(
    "docs/undocumented-property", "schema_properties", Severity.INFO,
    "schema properties reachable from operations (a `$ref` property counts as described when "
    "its target is; `allOf`: any branch; `oneOf`/`anyOf`: every branch)",
    "properties:\n  status: {type: string}",
    "properties:\n  status:\n    type: string\n    description: Adoption status of the pet",
    "Field names alone do not carry units, formats, invariants or meaning.")
undocumented_tag = _make(
    "docs/undocumented-tag", "tags", Severity.INFO,
    "tags (declared without a description, or used by an operation but not declared)",
    "tags:\n  - name: pets", "tags:\n  - name: pets\n    description: Everything about pets",
    "Tags group operations in documentation portals; an undescribed group is a bare label.")
undocumented_security_scheme = _make(
    "docs/undocumented-security-scheme", "security_schemes", Severity.INFO, "security schemes",
    "securitySchemes:\n  bearer: {type: http, scheme: bearer}",
    "securitySchemes:\n  bearer:\n    type: http\n    scheme: bearer\n    description: A "
    "token from POST /oauth/token",
    "Clients need to know how to obtain the credential a scheme expects.")
missing_info_description = _make(
    "docs/missing-info-description", "info", Severity.INFO, "the API itself (`info.description`)",
    "info:\n  title: Pets\n  version: 1.0.0",
    "info:\n  title: Pets\n  version: 1.0.0\n  description: Adopt and manage pets.",
    "The API description is the landing page: what the API is for and how to start.")
undocumented_server = _make(
    "docs/undocumented-server", "servers", Severity.INFO, "servers (OpenAPI 3)",
    "servers:\n  - url: https://api.example.com",
    "servers:\n  - url: https://api.example.com\n    description: Production",
    "Without a description users cannot tell production from sandbox servers.",
    recommended=False)


@rule("docs/ref-sibling-description", severity=Severity.INFO)
def ref_sibling_description(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a property whose description sits next to a `$ref` in Swagger 2.0 or OpenAPI 3.0,
    where siblings of `$ref` are ignored by the specification. It still counts as documented
    because most tools render it.

    ## Why is this bad?
    Strict tools drop the text; wrap the reference in `allOf` to keep it.

    ## Example
    ```yaml
    owner: {$ref: '#/components/schemas/User', description: The pet's owner}
    ```
    Use instead:
    ```yaml
    owner:
      description: The pet's owner
      allOf: [{$ref: '#/components/schemas/User'}]
    ```
    """
    for ptr, name in _cov(spec, {}).ref_sibling_descriptions:
        yield Violation(ptr, f"description of property `{name}` is a sibling of `$ref`, which "
                             f"OpenAPI {spec.version} ignores; wrap the $ref in allOf",
                        subject=name)


@rule("docs/duplicated-description", severity=Severity.INFO, recommended=False)
def duplicated_description(spec: Spec, *, min_repeats: int = 5,
                           min_length: int = 20) -> Iterator[Violation]:
    """## What it does
    Flags a description copied verbatim onto many different operations or parameters.

    ## Why is this bad?
    Copied text usually describes none of the elements well (vacuum `description-duplication`).

    ## Example
    The same "Returns the data." on 30 operations.

    ## Options
    `min-repeats` (5): how many copies make a finding; `min-length` (20): shorter text is
    ignored.
    """
    cov = _cov(spec, {})
    seen: dict[str, list[Element]] = {}
    for category in ("operations", "parameters"):
        for e in cov.elements[category].values():
            if e.documented and isinstance(e.text, str) and len(e.text.strip()) >= min_length:
                seen.setdefault(" ".join(e.text.split()).lower(), []).append(e)
    for _text, items in seen.items():
        if len(items) >= min_repeats:
            for e in items:
                yield Violation(e.pointer, f"`{e.subject}` repeats a description used by "
                                           f"{len(items)} elements", subject=e.subject)


GATE = Gate(
    "docs",
    title="Documentation coverage",
    rules=(category_below_floor, undocumented_operation, undocumented_parameter,
           undocumented_request_body, undocumented_response, undocumented_property,
           undocumented_tag, undocumented_security_scheme, missing_info_description,
           undocumented_server, ref_sibling_description, duplicated_description),
    metric=documentation_coverage,
    threshold=0.95,
    description=__doc__.split("\n")[0],
    mandatory=True,
    compare_metric="coverage",
)
