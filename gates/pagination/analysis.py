"""What each collection operation offers: its paging signals (request parameters, response
fields and headers) and its paging styles, computed once per spec and option set."""

from __future__ import annotations

import fnmatch
import re

from gatekeeper import Operation, Pointer, Record, Severity, Spec, schema_types

from gates.pagination.collection import (
    BOUNDED_RESOURCES, COLLECTION_METHODS, Collection, ITEM_ARRAY_NAMES, collection_of,
)
from gates.pagination.names import (
    CONTAINERS, CONTINUATION_HEADERS, CURSOR_FIELDS, CURSOR_NAMES, DESC_OFFSET, DESC_PAGING,
    EVIDENCE_CURSOR_NAMES, GENERIC_TAILS, NAME_PART, NEXT_AMBIGUOUS, NEXT_LINK_FIELDS,
    OFFSET_NAMES, PAGE_NAMES, PAGING_FIELDS, REQUEST_STYLES, SIZE_NAMES, TOTAL_FIELDS,
    TOTAL_HEADERS, norm, role_by_description, role_by_words, words_of,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def type_of(schema: Any) -> str | None:
    types = schema_types(schema)
    types = types - {"null"}
    return next(iter(sorted(types)), None) if types else None


RESPONSE_STYLES = ("link_header", "next_link", "cursor", "range")


class Signals(Record):
    """What one operation offers for paging."""

    __slots__ = ("request", "size", "response", "totals", "next_fields")

    def __init__(self, request: dict[str, list[Any]] | None = None, size: list[Any] | None = None,
                 response: dict[str, list[str]] | None = None, totals: list[str] | None = None,
                 next_fields: list[str] | None = None) -> None:
        self.request = {} if request is None else request  # style -> [Parameter]
        self.size = [] if size is None else size  # size Parameters
        self.response = {} if response is None else response  # style -> [field/header]
        self.totals = [] if totals is None else totals
        self.next_fields = [] if next_fields is None else next_fields  # continuation field/header names

    # The gate reads these properties 80,000 times on Graph beta: list comprehensions and
    # plain loops, not generators (four reads of 10,590 collections: 0.007 -> 0.005 s).
    @property
    def request_styles(self) -> tuple[str, ...]:
        request = self.request
        return tuple([s for s in REQUEST_STYLES if request.get(s)]) if request else ()

    @property
    def response_styles(self) -> tuple[str, ...]:
        response = self.response
        return tuple([s for s in RESPONSE_STYLES if response.get(s)]) if response else ()

    @property
    def continuation(self) -> bool:
        request, response = self.request, self.response
        for s in REQUEST_STYLES:
            if request.get(s):
                return True
        for s in RESPONSE_STYLES:
            if response.get(s):
                return True
        return False

    @property
    def primary(self) -> tuple[str, ...]:
        """Primary styles (P2): request-side selectors if any, else response-side."""
        return self.request_styles or self.response_styles

    @property
    def any(self) -> bool:
        return bool(self.continuation or self.size)


class Paging(Record):
    __slots__ = ("operation", "collection", "signals", "confidence")

    def __init__(self, operation: Operation, collection: Collection | None, signals: Signals,
                 confidence: str) -> None:
        self.operation = operation
        self.collection = collection  # None: not a collection but carries paging signals
        self.signals = signals
        self.confidence = confidence  # definite | probable | signal

    @property
    def paginated(self) -> bool:
        return self.signals.continuation


def _response_fields(spec: Spec, coll: Collection | None, op: Operation
                     ) -> list[tuple[str, str, Any]]:
    """(container, field name, schema) for the success body: top level and one level down
    in well-known containers. Every oneOf/anyOf branch is searched."""
    if coll is not None and coll.schema is not None:
        roots = [(coll.schema, coll.schema_pointer or op.pointer)]
    else:
        roots = []
        for code in ("200", "2XX", "206", "203"):
            r = op.responses.get(code)
            if r is not None:
                roots = [(m.schema, m.schema_pointer or m.pointer) for m in r.content.values()
                         if isinstance(m.schema, dict)][:1]
                break
    if not roots:
        return []
    # Once per body schema: Graph beta's 10,000 collections share a few hundred bodies
    # (the gate took 2.2 s of CPU, a third of it here). Read-only for the callers.
    schema, ptr = roots[0]
    return spec.memo_of("shared.pagination.response-fields", schema,
                        lambda: _body_fields(spec, roots), ptr)


def _body_fields(spec: Spec, roots: list[tuple[Any, Pointer]]) -> list[tuple[str, str, Any]]:
    """`_response_fields` of one body schema."""
    out: list[tuple[str, str, Any]] = []
    seen: set[Pointer] = set()
    stack = list(roots)
    while stack:
        schema, ptr = spec.resolve(*stack.pop())
        if not isinstance(schema, dict) or ptr in seen or len(seen) > 20:
            continue
        seen.add(ptr)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                stack.extend(spec.resolve(b, ptr.join(key, i))
                             for i, b in enumerate(schema[key]))
        props = spec.merged_properties(schema, ptr)
        for name, (value, vptr) in props.items():
            out.append(("", name, value))
            if norm(name) not in CONTAINERS and isinstance(value, dict) \
                    and "array" not in schema_types(value):
                # an envelope inside the envelope (Spotify `{albums: {items, next, ...}}`)
                inner_props = spec.merged_properties(value, vptr)
                if any("array" in schema_types(v) or norm(k) in PAGING_FIELDS
                       for k, (v, _p) in inner_props.items()):
                    out.extend((norm(name), sub, sv) for sub, (sv, _p) in inner_props.items())
            if norm(name) in CONTAINERS and isinstance(value, dict):
                inner = value
                if "array" in schema_types(value) and isinstance(value.get("items"), dict):
                    inner = spec.resolve(value["items"], vptr / "items")[0]
                    if isinstance(inner, dict):
                        props = spec.merged_properties(inner, vptr / "items")
                        if "rel" in props and "href" in props:
                            out.append((norm(name), "rel-links", inner))
                        continue
                for sub, (sv, svp) in spec.merged_properties(inner, vptr).items():
                    out.append((norm(name), sub, sv))
                    if norm(sub) in CONTAINERS and isinstance(sv, dict):  # paging.cursors.after
                        for sub2, (sv2, _p) in spec.merged_properties(sv, svp).items():
                            out.append((norm(sub), sub2, sv2))
    return out


def _is_uri(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("format") in ("uri", "uri-reference", "url",
                                                                 "iri", "iri-reference")


def analyse(spec: Spec, op: Operation, coll: Collection | None,
            aliases: dict[str, tuple[str, ...]]) -> Signals:
    sig = Signals()
    fields = _response_fields(spec, coll, op)
    if fields:
        # What the body's fields say, once per body (`_response_fields` returns one list
        # a body): Graph beta's 10,590 collections share 2,709 (with the evidence fields
        # a constant and `_request_signals`' memos, `analyse` took 0.097 -> 0.076 s).
        field_names, field_sig, cursors = spec.memo_of(
            "pagination.field-signals", fields, lambda: _fields_read(spec, fields))
        sig.response = {k: list(v) for k, v in field_sig.response.items()}
        sig.totals = list(field_sig.totals)
    else:
        field_names, cursors = set(), False
    for key in ("next_link", "cursor"):
        if sig.response.get(key):
            sig.next_fields.extend(sig.response[key])
    pageable = op.data.get("x-ms-pageable")
    if isinstance(pageable, dict) and pageable.get("nextLinkName"):
        sig.response.setdefault("next_link", []).append(str(pageable["nextLinkName"]))
        sig.next_fields.append(str(pageable["nextLinkName"]))
    _header_signals(op, sig)
    evidence = bool(sig.response.get("next_link") or sig.response.get("link_header")
                    or not _EVIDENCE_FIELDS.isdisjoint(field_names) or cursors)
    _request_signals(spec, op, sig, coll, evidence, field_names, aliases)
    return sig


def _fields_read(spec: Spec, fields: list[tuple[str, str, Any]]
                 ) -> tuple[set[str], Signals, bool]:
    """What `analyse` reads of a body's fields: their names, their signals, and whether a
    `cursors` container is among them."""
    field_sig = Signals()
    _field_signals(spec, field_sig, fields)
    return ({norm(n) for _c, n, _s in fields}, field_sig,
            any(norm(c) == "cursors" for c, _n, _s in fields))


#: Response fields that show a continuation (for `after`, `before`, `token` parameters).
_EVIDENCE_FIELDS = frozenset({"hasmore", "hasnextpage", "next", "nextcursor", "cursor",
                              "endcursor", "startcursor", "after", "before", "nextpagetoken",
                              "nexttoken", "istruncated", "nextpage", "hasnext"})


def _field_signals(spec: Spec, sig: Signals, fields: list[tuple[str, str, Any]]) -> None:
    """Response-side: next links, cursors and totals among the body's fields."""
    for container, name, schema in fields:
        n = norm(name)
        if name == "rel-links":
            sig.response.setdefault("next_link", []).append(f"{container}[rel=next]")
            continue
        if n in NEXT_LINK_FIELDS:
            sig.response.setdefault("next_link", []).append(name)
        elif n in NEXT_AMBIGUOUS:
            is_obj = "object" in schema_types(schema) or (
                isinstance(schema, dict) and "href" in spec.merged_properties(
                    schema, Pointer()))
            described = isinstance(schema, dict) and isinstance(schema.get("description"), str) \
                and bool(re.search(r"(?i)\b(url|uri|link|href)\b", schema["description"]))
            if _is_uri(schema) or container == "links" or is_obj or described:
                sig.response.setdefault("next_link", []).append(name)
            elif type_of(schema) in ("integer", "number"):
                sig.response.setdefault("cursor", []).append(name)  # nextPage number
            else:
                sig.response.setdefault("cursor", []).append(name)
        elif n in CURSOR_FIELDS and (container or n not in ("cursor", "after", "more")):
            if n == "continue" and not container and type_of(schema) not in (None, "string"):
                continue
            sig.response.setdefault("cursor", []).append(name)
        elif n in ("cursor", "after") and type_of(schema) in (None, "string", "object"):
            sig.response.setdefault("cursor", []).append(name)
        if n in TOTAL_FIELDS and (not container or container in ("meta", "pagination",
                                                                  "paging", "page",
                                                                  "pageinfo", "metadata")):
            sig.totals.append(name)


def _header_signals(op: Operation, sig: Signals) -> None:
    """Response-side: `Link`, continuation, `Content-Range` and total-count headers."""
    for code in ("200", "2XX", "206", "203"):
        resp = op.responses.get(code)
        if resp is None:
            continue
        for hname in resp.headers:
            h = norm(hname)
            if h == "link":
                sig.response.setdefault("link_header", []).append(hname)
                sig.next_fields.append(hname)
            elif h in CONTINUATION_HEADERS or (h in ("contentrange",) and code == "206"):
                style = "range" if h in ("nextrange", "contentrange") else "cursor"
                sig.response.setdefault(style, []).append(hname)
                sig.next_fields.append(hname)
            elif h in TOTAL_HEADERS:
                sig.totals.append(hname)


def _request_signals(spec: Spec, op: Operation, sig: Signals, coll: Collection | None,
                     evidence: bool, field_names: set[str],
                     aliases: dict[str, tuple[str, ...]]) -> None:
    """Request-side: the role of each query parameter (and a `Range` header)."""
    # The aliases' names and the memos, once per `aliases` mapping (`pagings` hands one to
    # every operation), not once per operation; with the flags' own table of parameters
    # and `_shared_role`, 0.045 -> 0.026 s of CPU on Graph beta's 10,590 collections.
    extra, roles = spec.memo_of("pagination.aliases", aliases,
                                lambda: _alias_tables(spec, aliases))
    flags = (evidence, coll is not None, "continue" in field_names)
    by_data = roles.get(flags)
    if by_data is None:
        by_data = roles[flags] = {}  # id(Parameter Object) -> (it, its role)
    for p in op.parameters:
        location = p.location
        if location != "query":
            if location == "header" and norm(p.name) == "range":
                sig.request.setdefault("range", []).append(p)
            continue
        data = p.data
        known = by_data.get(id(data))
        if known is None or known[0] is not data:  # the entry keeps `data` alive
            known = by_data[id(data)] = (
                data, _shared_role(roles, p, flags, evidence, field_names, extra,
                                   coll is not None))
        role = known[1]
        if role is None:
            continue
        if role == "size":
            sig.size.append(p)
        else:
            sig.request.setdefault(role, []).append(p)
    if not sig.size:
        return  # nothing below applies
    firsts = [x for x in sig.size if norm(x.name) == "first"]
    if firsts and len(sig.size) == len(firsts):  # Keycloak `first` + an undocumented `max`
        sig.size += [x for x in op.parameters if x.location == "query" and norm(x.name) == "max"
                     and type_of(x.schema) in ("integer", "number") and not x.required]
    if firsts and len(sig.size) > len(firsts) and type_of(firsts[0].schema) != "string":
        # `first` next to another size (Keycloak `first` + `max`, JPA's first result and
        # max results) is the index of the first item: an offset, not a GraphQL page size
        sig.size = [x for x in sig.size if x not in firsts]
        sig.request.setdefault("offset", []).extend(firsts)


def _alias_tables(spec: Spec, aliases: dict[str, tuple[str, ...]]
                  ) -> tuple[dict[str, frozenset[str]], dict[Any, Any]]:
    """The aliases' normalised names by role, and the table of parameter roles for them: a
    parameter's role depends on its Parameter Object and `_request_signals`' flags only, so
    it is found once per shared parameter (Graph beta's `$top`, `$skip`, ... on 10,000
    operations)."""
    extra = {role: frozenset(norm(x) for x in names) for role, names in aliases.items()}
    return extra, spec.memo(("shared.pagination.roles", tuple(sorted(extra.items()))), dict)


def _shared_role(roles: dict[Any, Any], p: Any, flags: tuple[bool, ...], evidence: bool,
                 field_names: set[str], extra: dict[str, frozenset[str]],
                 heuristics: bool) -> str | None:
    """`_request_role`, once per distinct reading: the name, `required`, the schema's type,
    format and description and the parameter's description are all it reads. Graph beta
    writes `$select`, `$orderby` and `$expand` inline on each of 10,000 GETs: 16,750
    Parameter Objects, a few hundred readings (see `_request_signals` for the figure)."""
    schema = p.schema
    data = p.data
    if isinstance(schema, dict) and isinstance(data, dict):
        # a string `type` is the type `type_of` reads (`null` aside, which the key keeps)
        t, fmt, sdesc = schema.get("type"), schema.get("format"), schema.get("description")
        desc = data.get("description")
        if type(t) is str and (fmt is None or type(fmt) is str) \
                and (sdesc is None or type(sdesc) is str) \
                and (desc is None or type(desc) is str):
            key = ("reading", p.name, p.required, t, fmt, sdesc, desc, flags)
            role = roles.get(key, roles)
            if role is roles:
                role = roles[key] = _request_role(p, evidence, field_names, extra,
                                                  heuristics=heuristics)
            return role
    return _request_role(p, evidence, field_names, extra, heuristics=heuristics)


def _request_role(p: Any, evidence: bool, field_names: set[str],
                  extra: dict[str, frozenset[str]], heuristics: bool = True) -> str | None:
    """The paging role of a query parameter: `size`, `offset`, `page`, `cursor` or None.

    Read in order: the whole name against the known names; the last part of a bracketed or
    dotted name (Magento `searchCriteria[pageSize]`, `page.size`); the words of the name
    (`skipRecords`, `SkipPages`, `numberToRead`, `searchPointer`, `startKey`, `nextPage`);
    then its description ("A cursor, as given in the Link header", "Number of records to
    skip"). The type decides between a position (integer) and an opaque cursor (string).
    Words and descriptions are read on collection operations only (`heuristics`): on any
    other GET, "page" is as likely a page of a document (`pageRange.start`)."""
    n = norm(p.name)
    t = type_of(p.schema)
    fmt = p.schema.get("format") if isinstance(p.schema, dict) else None
    tail = norm(NAME_PART.split(p.name.strip("[]. "))[-1]) if NAME_PART.search(
        p.name.strip("[]. ")) else ""
    if tail in GENERIC_TAILS:
        tail = ""  # `pageRange.start` is the first page of a document, `createdate.from` a date
    desc = p.data.get("description") if isinstance(p.data, dict) else None
    if not isinstance(desc, str) and isinstance(p.schema, dict):
        desc = p.schema.get("description")
    desc = desc if isinstance(desc, str) and heuristics else ""
    if n in ("first", "last") and t in ("integer", "number") and DESC_OFFSET.search(desc):
        return "offset"  # Keycloak's `first`: "Pagination offset", not a GraphQL page size
    for name in (n, tail) if tail and tail != n else (n,):
        role = _known_role(p, name, t, fmt, evidence, field_names, extra)
        if role == "" and name in EVIDENCE_CURSOR_NAMES and DESC_PAGING.search(desc):
            role = "cursor"  # discourse `before`: "... Useful for pagination."
        if role != "":
            return role
    if not heuristics or p.required or fmt in ("date", "date-time") \
            or t in ("boolean", "array", "object"):
        return None  # the first page must be reachable without it; dates filter
    numeric = t in (None, "integer", "number")
    role = role_by_words(words_of(p.name), t, numeric)
    return role if role is not None else role_by_description(desc, t, numeric)


def _known_role(p: Any, n: str, t: str | None, fmt: Any, evidence: bool,
                field_names: set[str], extra: dict[str, frozenset[str]]) -> str | None:
    """The role of a known (normalised) name: a role, None (known not to page), or "" (not
    a known name)."""
    if p.required and n in ("start", "from", "page", "since") and t != "integer":
        return None  # a required `start` string is a time window, not a position
    numeric = t in (None, "integer", "number")
    if n in extra.get("size", ()) or (n in SIZE_NAMES and numeric):
        return "size"
    if n in extra.get("offset", ()) or (n in OFFSET_NAMES and numeric and (
            n != "from" or t in ("integer", "number"))):
        return "offset"
    if n in extra.get("page", ()) or (n in PAGE_NAMES and numeric):
        return "page"
    if n in extra.get("cursor", ()) or n in CURSOR_NAMES or (
            n in ("page", "start", "offset", "skip") and t == "string"):
        return None if fmt in ("date", "date-time") else "cursor"
    if n in EVIDENCE_CURSOR_NAMES:
        if fmt in ("date", "date-time") or p.required:
            return None  # a required `token` is a credential, not a cursor
        if n == "continue":
            return "cursor" if "continue" in field_names else None
        return "cursor" if evidence else ""  # no evidence: its description may still say so
    return ""


def _exempt(op: Operation, exempt: tuple[str, ...]) -> bool:
    for pattern in exempt:
        if op.operation_id == pattern or fnmatch.fnmatchcase(op.path, pattern) \
                or fnmatch.fnmatchcase(f"{op.method.upper()} {op.path}", pattern):
            return True
    return False


COMMON: dict[str, Any] = dict(
    search_methods=(), search_pattern=r"(?i)(search|query|find|filter|list)",
    item_array_names=ITEM_ARRAY_NAMES, max_wrapper_props=4, bounded_max_items=100,
    bounded_resources=BOUNDED_RESOURCES,
    parameter_aliases={}, exempt=(), treat_probable_as_definite=False)


def pagings(spec: Spec, **opts: Any) -> tuple[Paging, ...]:
    """Every collection operation, plus (signal override, 5.2) every GET that pages."""
    o = {**COMMON, **{k: v for k, v in opts.items() if k in COMMON}}
    key = ("pagination", tuple(sorted((k, repr(v)) for k, v in o.items())))

    def build() -> tuple[Paging, ...]:
        aliases = {k: tuple(v) for k, v in dict(o["parameter_aliases"]).items()}
        out = []
        exempt = tuple(o["exempt"])
        # `collection_of` says "method" for the others, which nothing below keeps: not
        # classified at all (Graph beta: 11,230 of 22,361 operations; with
        # `collection_of`'s own care, classifying took 0.275 -> 0.199 s of CPU).
        methods = {*COLLECTION_METHODS, *(m.lower() for m in o["search_methods"])}
        for op in spec.in_paths():
            if op.method not in methods or (exempt and _exempt(op, exempt)):
                continue
            coll = collection_of(spec, op, search_methods=tuple(o["search_methods"]),
                                 search_pattern=o["search_pattern"],
                                 item_array_names=tuple(o["item_array_names"]),
                                 max_wrapper_props=o["max_wrapper_props"],
                                 bounded_max_items=o["bounded_max_items"],
                                 bounded_resources=tuple(o["bounded_resources"]))
            if coll.is_collection:
                sig = analyse(spec, op, coll, aliases)
                conf = coll.confidence or "definite"
                if conf == "probable" and (o["treat_probable_as_definite"] or sig.continuation):
                    conf = "definite"
                out.append(Paging(op, coll, sig, conf))
            elif coll.excluded in ("bounded", "batch") and coll.confidence is not None:
                sig = analyse(spec, op, coll, aliases)  # once, not again for the Paging
                if sig.continuation:
                    # a page whose array has `maxItems` is bounded *because* it pages
                    out.append(Paging(op, coll, sig, "definite"))
            elif coll.excluded in ("shape", "no-json-body") and op.method in ("get", "query"):
                sig = analyse(spec, op, None, aliases)
                # paging signals: checked for style and consistency; a `Range` header on a
                # body that is no list (a file part, omics `GET /reference/{id}`) asks for
                # bytes, not pages
                if set(sig.request_styles) - {"range"}:
                    out.append(Paging(op, None, sig, "signal"))
        return tuple(out)
    return spec.memo(key, build)


def collections_of(spec: Spec, opts: dict[str, Any]) -> list[Paging]:
    return [p for p in pagings(spec, **opts) if p.collection is not None]


def probable_severity(p: Paging) -> Severity | None:
    return Severity.WARNING if p.confidence == "probable" else None


def what_of(p: Paging) -> str:
    c = p.collection
    if c is None:
        return "list"
    if c.shape == "array":
        return "top-level array"
    return f"`{c.array_name}` array"
