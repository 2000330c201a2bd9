"""Pagination: every collection operation pages, in one style, with the same names.

A collection operation (docs/gates/pagination.md, `gatekeeper.spec.collection_of`) is a GET (or
3.2 QUERY) under `paths` whose first success JSON body is a top-level array or an object that
wraps an array (`items`, `data`, `value`, ..., or the array named after the last path
segment); a small wrapper (at most `max-wrapper-props` properties) with any array is a
*probable* collection and is reported as a warning. Item paths (`/orders/{id}` with a `lines`
array), streaming media and arrays with `maxItems` at or under `bounded-max-items` are not
collections. The metric is the share of collection operations that expose a continuation.

Styles (5.3 and the Amendments): `offset` (`offset`, `skip`, integer `start`, ...), `page`
(integer `page`, `page[number]`, ...), `cursor` (`cursor`, `page_token`, `marker`,
`starting_after`/`ending_before`, string `page`/`start`, ...), `next_link` (`nextLink`,
`@odata.nextLink`, `next` URI, `links.next`, HAL `_links.next`, `x-ms-pageable`),
`link_header` (a `Link` response header) and `range` (`Range` request header). Names are
compared lower-case with `$ @ _ - . [ ]` removed. A size parameter (`limit`, `per_page`,
`$top`, ...) alone is not pagination.

Disagreements found on real specs, and how they were settled:

* `after`/`before`, `token` and `continue` are cursors only when the response carries a
  matching cursor, `has_more`/`next` field, a next link or a `Link` header (Amendments; the
  same test is applied to `token`, which is far more often a credential than a cursor).
  `after`/`before` with `format: date`/`date-time` are filters, never cursors.
* Kubernetes keeps `continue` in `metadata` (a `ListMeta`) and Slack its `next_cursor` in
  `response_metadata`, so both are searched for response signals besides `links`, `meta`,
  `pagination`, `paging`, `page`, `pageInfo`; Twilio's `next_page_uri` is a next link.
* A GET with a required `ids` query parameter (Spotify `GET /albums?ids=a,b`) is a batch
  read bounded by its input, not a collection (the Amendments' "fixed small set").
* A PayPal-style HATEOAS `links` array (items with `rel` and `href`) counts as `next_link`.
* An operation that offers two request styles (GitHub's `page` plus `before`/`after`) is
  consistent with either family; only operations sharing no style with the majority are
  flagged as mixed. The family (5.4 P3 says: the primary, request-side style) also includes
  the response-side continuation: Spotify pages most lists by `offset` and its play history
  by cursor, but every page carries a `next` URL, so one client loop follows them all; a
  reviewer does not call that inconsistent.
* A required `token`/`after`/`before` parameter is not a cursor (the first page must be
  reachable without it): Slack's required `token` is a credential.
* A `next` string without `format: uri` is a next link when its description says it is a
  URL (Spotify: "URL to the next page of items"), not a cursor; and a body that wraps one
  paging object (`{albums: {items, next, offset}}`) is searched one level down.
* `x-ms-pageable: {nextLinkName: null}` is Azure's way of saying "one page": no signal.
* A string `offset` is an opaque token (Asana: "an offset to the next page returned by the
  API"), so it is a cursor, like a string `page` or `start`.
* Parameters named for sizes must be numeric to count (`count: boolean` is a flag, not a
  page size), and `from` only counts as an offset when it is an integer (it is usually a date).
* 5.5 requires paging for `/countries`-style lookups unless they declare `maxItems`; the
  Amendments exempt lists "documented as returning a fixed small set", and reviewers do not
  ask Spotify to page `/markets` or `/me/player/devices`. So a description saying "up to N"
  (N <= `bounded-max-items`) or "fixed/small set", or a last path segment naming a lookup
  (`bounded-resources`: countries, currencies, languages, locales, markets, regions,
  timezones, genres, devices, images, units, scopes, versions, statuses) exempts the list,
  and so does a segment naming a ranking (`/top-tracks`, `/related-artists`,
  `/popular/paths`: a top N is bounded by nature).
* A path that ends in a version segment (`/v2.1`, Kubernetes `/apis/apps/v1/`) is a
  discovery document listing resources, not a collection.
* The total-count advice (PAG-009) is opinion on which guidelines disagree: off by default.
* Paging names are open ended, so a parameter the name tables do not know is read three more
  ways: the last part of a bracketed or dotted name (Magento `searchCriteria[pageSize]`),
  the words of the name (e-conomic `SkipPages`, visma.net `skipRecords` + `numberToRead`,
  prss.org `pageStart`, `searchPointer`, `startKey`, `nextPage`, flat.io `next`) and its
  description (GitHub's `before`/`after`: "A cursor, as given in the Link header"; "number
  of records to skip"; "page token"). Required parameters, dates, booleans and credentials
  never page. What is still flagged says what is missing. See docs/gates/pagination.md,
  which also lists the paging-looking parameters left on flagged operations and why.
* A random draw (`/properties/random`, `/randomWords`) is bounded by its request.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator

from gatekeeper import Gate, Metric, Operation, Pointer, Severity, Spec, Violation, rule
from gatekeeper.gate import options_of
from gatekeeper.record import Record
from gatekeeper.spec import (
    BOUNDED_RESOURCES,
    ITEM_ARRAY_NAMES,
    Collection,
    collection_of,
    schema_types,
)

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

STYLES = ("offset", "page", "cursor", "next_link", "link_header", "range")
REQUEST_STYLES = ("offset", "page", "cursor", "range")

_NORM = re.compile(r"[$@_\-.\[\]\s]")

OFFSET_NAMES = frozenset({"offset", "skip", "start", "startat", "startindex", "from",
                          "startposition", "startrow", "pageoffset"})
PAGE_NAMES = frozenset({"page", "pagenumber", "pagenum", "pageno", "pageindex", "pagenr",
                        "currentpage", "pg"})
CURSOR_NAMES = frozenset({"cursor", "pagetoken", "pagecursor", "continuationtoken", "nexttoken",
                          "marker", "startingafter", "endingbefore", "skiptoken", "searchafter",
                          "pageafter", "pagebefore", "nextpagetoken", "nextcursor",
                          "continuation", "pagingtoken", "nextmarker", "startafter",
                          "startcursor", "afterCursor".lower(), "beforecursor", "scrollid"})
#: Cursor names that count only with response evidence (Amendments).
EVIDENCE_CURSOR_NAMES = frozenset({"after", "before", "token", "continue", "since", "sinceid",
                                   "maxid"})
SIZE_NAMES = frozenset({"limit", "top", "size", "pagesize", "perpage", "maxresults",
                        "maxpagesize", "count", "first", "pagelimit", "maxitems", "pagelen",
                        "maxrecords", "resultsperpage", "itemsperpage", "maxkeys", "rows",
                        "numresults", "pagelength", "last", "rpp", "resultsperpage"})

CONTAINERS = frozenset({"links", "meta", "pagination", "paging", "page", "pageinfo",
                        "metadata", "cursors", "paginginfo", "pagemeta", "responsemetadata",
                        "listmeta", "odata"})
NEXT_LINK_FIELDS = frozenset({"nextlink", "odatanextlink", "nextpagelink", "nextpageurl",
                              "nexturl", "nexthref", "nextpageuri", "nexturi"})
NEXT_AMBIGUOUS = frozenset({"next", "nextpage"})
CURSOR_FIELDS = frozenset({"nextpagetoken", "nexttoken", "nextcursor", "cursor", "endcursor",
                           "hasmore", "hasnextpage", "continue", "nextmarker",
                           "continuationtoken", "nextcontinuationtoken", "nextpagecursor",
                           "istruncated", "after", "moreresults", "hasmoreitems",
                           "nextpagestart", "islastpage", "scrollid", "nextoffset",
                           "nextpage", "startcursor", "hasnext", "more"})
_PAGING_FIELDS = NEXT_LINK_FIELDS | NEXT_AMBIGUOUS | CURSOR_FIELDS
TOTAL_FIELDS = frozenset({"total", "totalcount", "totalitems", "totalsize", "totalresults",
                          "totalrecords", "totalelements", "totalhits", "odatacount"})
CONTINUATION_HEADERS = frozenset({"xnextpage", "xnext", "xnextcursor", "xcontinuationtoken",
                                  "xmscontinuation", "xnexttoken", "xpaginationnext",
                                  "xnextpagetoken", "nextrange", "xnextlink"})
TOTAL_HEADERS = frozenset({"xtotalcount", "xtotal", "totalcount", "xresultcount"})


@functools.lru_cache(maxsize=1 << 14)  # pure; called for every field of every collection
def norm(name: str) -> str:
    return _NORM.sub("", name).lower()


def _type(schema: Any) -> str | None:
    types = schema_types(schema)
    types = types - {"null"}
    return next(iter(sorted(types)), None) if types else None


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

    @property
    def request_styles(self) -> tuple[str, ...]:
        return tuple(s for s in REQUEST_STYLES if self.request.get(s))

    @property
    def response_styles(self) -> tuple[str, ...]:
        return tuple(s for s in ("link_header", "next_link", "cursor", "range")
                     if self.response.get(s))

    @property
    def continuation(self) -> bool:
        return bool(self.request_styles or self.response_styles)

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


# ---------------------------------------------------------------------- analysis

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
                if any("array" in schema_types(v) or norm(k) in _PAGING_FIELDS
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
    field_names = {norm(n) for _c, n, _s in fields}
    # response-side
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
            elif _type(schema) in ("integer", "number"):
                sig.response.setdefault("cursor", []).append(name)  # nextPage number
            else:
                sig.response.setdefault("cursor", []).append(name)
        elif n in CURSOR_FIELDS and (container or n not in ("cursor", "after", "more")):
            if n == "continue" and not container and _type(schema) not in (None, "string"):
                continue
            sig.response.setdefault("cursor", []).append(name)
        elif n in ("cursor", "after") and _type(schema) in (None, "string", "object"):
            sig.response.setdefault("cursor", []).append(name)
        if n in TOTAL_FIELDS and (not container or container in ("meta", "pagination",
                                                                  "paging", "page",
                                                                  "pageinfo", "metadata")):
            sig.totals.append(name)
    for key in ("next_link", "cursor"):
        if sig.response.get(key):
            sig.next_fields.extend(sig.response[key])
    pageable = op.data.get("x-ms-pageable")
    if isinstance(pageable, dict) and pageable.get("nextLinkName"):
        sig.response.setdefault("next_link", []).append(str(pageable["nextLinkName"]))
        sig.next_fields.append(str(pageable["nextLinkName"]))
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
    evidence = bool(sig.response.get("next_link") or sig.response.get("link_header")
                    or {"hasmore", "hasnextpage", "next", "nextcursor", "cursor", "endcursor",
                        "startcursor", "after", "before", "nextpagetoken", "nexttoken",
                        "istruncated", "nextpage", "hasnext"} & field_names
                    or any(norm(c) == "cursors" for c, _n, _s in fields))
    extra = {role: frozenset(norm(x) for x in names) for role, names in aliases.items()}
    # request-side
    for p in op.parameters:
        if p.location not in ("query", "header"):
            continue
        if p.location == "header":
            if norm(p.name) == "range":
                sig.request.setdefault("range", []).append(p)
            continue
        role = _request_role(p, evidence, field_names, extra, heuristics=coll is not None)
        if role == "size":
            sig.size.append(p)
        elif role is not None:
            sig.request.setdefault(role, []).append(p)
    firsts = [x for x in sig.size if norm(x.name) == "first"]
    if firsts and len(sig.size) == len(firsts):  # Keycloak `first` + an undocumented `max`
        sig.size += [x for x in op.parameters if x.location == "query" and norm(x.name) == "max"
                     and _type(x.schema) in ("integer", "number") and not x.required]
    if firsts and len(sig.size) > len(firsts) and _type(firsts[0].schema) != "string":
        # `first` next to another size (Keycloak `first` + `max`, JPA's first result and
        # max results) is the index of the first item: an offset, not a GraphQL page size
        sig.size = [x for x in sig.size if x not in firsts]
        sig.request.setdefault("offset", []).extend(firsts)
    return sig


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
    t = _type(p.schema)
    fmt = p.schema.get("format") if isinstance(p.schema, dict) else None
    tail = norm(_NAME_PART.split(p.name.strip("[]. "))[-1]) if _NAME_PART.search(
        p.name.strip("[]. ")) else ""
    if tail in GENERIC_TAILS:
        tail = ""  # `pageRange.start` is the first page of a document, `createdate.from` a date
    desc = p.data.get("description") if isinstance(p.data, dict) else None
    if not isinstance(desc, str) and isinstance(p.schema, dict):
        desc = p.schema.get("description")
    desc = desc if isinstance(desc, str) and heuristics else ""
    if n in ("first", "last") and t in ("integer", "number") and _DESC_OFFSET.search(desc):
        return "offset"  # Keycloak's `first`: "Pagination offset", not a GraphQL page size
    for name in (n, tail) if tail and tail != n else (n,):
        role = _known_role(p, name, t, fmt, evidence, field_names, extra)
        if role == "" and name in EVIDENCE_CURSOR_NAMES and _DESC_PAGING.search(desc):
            role = "cursor"  # discourse `before`: "... Useful for pagination."
        if role != "":
            return role
    if not heuristics or p.required or fmt in ("date", "date-time") \
            or t in ("boolean", "array", "object"):
        return None  # the first page must be reachable without it; dates filter
    numeric = t in (None, "integer", "number")
    role = _role_by_words(_words(p.name), t, numeric)
    return role if role is not None else _role_by_description(desc, t, numeric)


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


#: Last parts of a dotted or bracketed name too generic to say paging on their own.
GENERIC_TAILS = frozenset({"start", "from", "first", "last", "count", "size", "top", "rows",
                           "since", "before", "after", "token", "continue", "end", "number",
                           "index", "page", "marker"})
_NAME_PART = re.compile(r"[\[\].]+")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
#: Words of a parameter name that make it a cursor (`searchPointer`, `pageCursor`).
CURSOR_WORDS = frozenset({"cursor", "pointer", "bookmark", "continuation"})
#: Words that qualify `token` or `key` as a paging position (`nextPageToken`, `startKey`).
POSITION_WORDS = frozenset({"page", "next", "continuation", "paging", "pagination",
                            "resume", "start", "exclusive", "last", "scroll"})
#: First words that make a `...Size`/`...Limit` a page size (`resultLimit`, `batchSize`).
SIZE_SUBJECTS = frozenset({"result", "results", "record", "records", "item", "items", "row",
                           "rows", "batch", "chunk", "fetch", "query", "search", "response",
                           "list", "entries", "hits"})
#: Words that name the unit of a count (`numberToRead`, `maxRecords`, `skipRecords`).
UNIT_WORDS = frozenset({"results", "records", "items", "rows", "entries", "elements",
                        "objects", "read", "return", "fetch", "hits"})


def _words(name: str) -> list[str]:
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORD.findall(part)]


def _role_by_words(words: list[str], t: str | None, numeric: bool) -> str | None:
    if not words or "range" in words:
        return None  # `pageRange`: pages of a document, not of a list
    w = set(words)
    stringy = t in (None, "string")
    if w & CURSOR_WORDS or ("token" in w and w & POSITION_WORDS) \
            or ("key" in w and words[0] in POSITION_WORDS):
        return "cursor" if stringy else None
    if words[0] in ("next", "previous", "prev") and len(words) <= 2 and (
            len(words) == 1 or words[1] in ("page", "cursor", "key", "id")):
        return "cursor" if t == "string" or (t is None and len(words) == 1) else \
            "page" if numeric else None  # flat.io `next`/`previous`; an integer `nextPage`
    if "skip" in w:
        if "pages" in w or "page" in w:
            return "page" if numeric else None  # e-conomic `SkipPages`
        return "offset" if numeric else "cursor" if stringy else None  # `skipRecords`
    if "page" in w and w & {"start", "offset", "number", "num", "index", "no", "paginate"} \
            and not w & {"size", "count", "limit"}:
        return "page" if numeric else "cursor" if stringy else None  # prss.org `pageStart`
    if numeric and (("page" in w and w & {"size", "length", "limit", "count"})
                    or (words[-1] in ("size", "limit") and words[0] in SIZE_SUBJECTS)
                    or words[0] == "take" or (
            words[0] in ("max", "maximum", "num", "number", "count") and len(words) > 1
            and words[-1] in UNIT_WORDS)):
        return "size"  # visma.net `numberToRead`, `maxRecords`, `resultSize`; not `fontSize`
    if numeric and (words[0] in ("start", "first", "from") and len(words) > 1
                    and words[-1] in ("index", "row", "record", "position", "item", "result")):
        return "offset"
    return None


_DESC_CURSOR = re.compile(
    r"(?i)\bcursor\b|\b(?:page|paging|pagination|continuation|next[- ]page)[ _-]?token\b"
    r"|\btoken\b.{0,60}\b(?:next|previous|following|subsequent) (?:page|set|batch)"
    r"|\bcontinuation\b")
_DESC_SIZE = re.compile(
    r"(?i)\bpage[ _-]?size\b|\bper page\b"
    r"|\b(?:maximum|max\.?) (?:number of )?(?:results|items|records|rows|entries|hits|objects)\b"
    r"|\bnumber of (?:\w+ ){0,2}?(?:to (?:return|retrieve|fetch|read|show|list)"
    r"|per (?:page|request|call|response)|returned)\b")
#: Offsets that are not positions in a list (`UTC offset in minutes`).
_DESC_NOT_POSITION = re.compile(r"(?i)\b(?:utc|gmt|time ?zone|tz|pixels?|degrees?)\b")
_DESC_OFFSET = re.compile(r"(?i)\boffset\b|\bto skip\b|\bskip(?:ping|s)? (?:the )?first\b"
                          r"|^\s*skip\b")
_DESC_PAGE_NUMBER = re.compile(r"(?i)\bpage (?:number|index|no\b)|\bwhich page\b"
                               r"|\b(?:first|last) page of the (?:interval|range)\b"
                               r"|\bcurrent page\b|\bpages? to skip\b")
#: A description that says the parameter is for paging (for `before`, `since`, ...).
_DESC_PAGING = re.compile(r"(?i)\b(?:for )?(?:pagination|paging|paginate)\b")
_DESC_PAGE = re.compile(
    r"(?i)\bnumber of (?:the )?(?:\w+ )?page\b"
    r"|\bpage (?:of results )?to (?:return|retrieve|fetch|get|show|read)\b"
    r"|^\s*(?:the )?page\.?\s*$")


def _role_by_description(desc: str, t: str | None, numeric: bool) -> str | None:
    """The role a parameter's description gives it (optional, non-date parameters only)."""
    if _DESC_CURSOR.search(desc):
        return "cursor" if t in (None, "string") else "page" if numeric else None
    if _DESC_PAGE_NUMBER.search(desc) or (_DESC_PAGE.search(desc)
                                          and not _DESC_SIZE.search(desc)):
        # a page number typed as a string is opaque to the client: a cursor, as for `page`
        return "page" if numeric else "cursor" if t == "string" else None
    if numeric and _DESC_SIZE.search(desc):
        return "size"
    if numeric and _DESC_OFFSET.search(desc) and not _DESC_NOT_POSITION.search(desc):
        return "offset"  # a string that mentions an offset is too often something else
    return None


def _exempt(op: Operation, exempt: tuple[str, ...]) -> bool:
    for pattern in exempt:
        if op.operation_id == pattern or fnmatch.fnmatchcase(op.path, pattern) \
                or fnmatch.fnmatchcase(f"{op.method.upper()} {op.path}", pattern):
            return True
    return False


_COMMON: dict[str, Any] = dict(
    search_methods=(), search_pattern=r"(?i)(search|query|find|filter|list)",
    item_array_names=ITEM_ARRAY_NAMES, max_wrapper_props=4, bounded_max_items=100,
    bounded_resources=BOUNDED_RESOURCES,
    parameter_aliases={}, exempt=(), treat_probable_as_definite=False)


def pagings(spec: Spec, **opts: Any) -> tuple[Paging, ...]:
    """Every collection operation, plus (signal override, 5.2) every GET that pages."""
    o = {**_COMMON, **{k: v for k, v in opts.items() if k in _COMMON}}
    key = ("pagination", tuple(sorted((k, repr(v)) for k, v in o.items())))

    def build() -> tuple[Paging, ...]:
        aliases = {k: tuple(v) for k, v in dict(o["parameter_aliases"]).items()}
        out = []
        for op in spec.in_paths():
            if _exempt(op, tuple(o["exempt"])):
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
            elif coll.excluded in ("bounded", "batch") and coll.confidence is not None \
                    and analyse(spec, op, coll, aliases).continuation:
                # a page whose array has `maxItems` is bounded *because* it pages
                out.append(Paging(op, coll, analyse(spec, op, coll, aliases), "definite"))
            elif coll.excluded in ("shape", "no-json-body") and op.method in ("get", "query"):
                sig = analyse(spec, op, None, aliases)
                # paging signals: checked for style and consistency; a `Range` header on a
                # body that is no list (a file part, omics `GET /reference/{id}`) asks for
                # bytes, not pages
                if set(sig.request_styles) - {"range"}:
                    out.append(Paging(op, None, sig, "signal"))
        return tuple(out)
    return spec.memo(key, build)


def _with_common(fn: Callable[..., Iterator[Violation]]) -> Callable[..., Iterator[Violation]]:
    """Give a rule the gate's common keyword-only options (so config can reach them): its
    own keyword-only parameters, then each common option it does not declare, which it
    receives through ``**kwargs``."""
    own = options_of(fn)
    fn.__gatekeeper_options__ = {  # type: ignore[attr-defined]
        **own, **{k: v for k, v in _COMMON.items() if k not in own}}
    return fn


def _collections(spec: Spec, opts: dict[str, Any]) -> list[Paging]:
    return [p for p in pagings(spec, **opts) if p.collection is not None]


# ---------------------------------------------------------------------- metric

def _metric(spec: Spec, **opts: Any) -> Metric:
    """Share of collection operations (definite and probable, docs/gates/pagination.md) that
    expose a continuation: a request-side offset, page, cursor or Range selector, or a
    response-side next link, next-token field or `Link` header. 100 % when the API has no
    collection operation."""
    colls = _collections(spec, opts)
    done = [p for p in colls if p.paginated]
    return Metric.ratio(len(done), len(colls), "collection operations that paginate",
                        unpaginated=[p.operation.label for p in colls if not p.paginated])


pagination_coverage = _with_common(_metric)


# ---------------------------------------------------------------------- rules

def _probable(p: Paging) -> Severity | None:
    return Severity.WARNING if p.confidence == "probable" else None


def _what(p: Paging) -> str:
    c = p.collection
    if c is None:
        return "list"
    if c.shape == "array":
        return "top-level array"
    return f"`{c.array_name}` array"


@rule("pagination/unpaginated-collection", severity=Severity.ERROR)
@_with_common
def unpaginated_collection(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a collection operation (a GET whose success body is an array or wraps one) that
    offers no way to get the next page: no offset, page, cursor or `Range` parameter, no next
    link, next-token field or `Link` header. Small wrappers with one array (*probable*
    collections) are reported as warnings.

    ## Why is this bad?
    Lists grow. Adding pagination later is a breaking change (Google AIP-158, Microsoft
    Azure guidelines), and an unpaged list eventually times out or exhausts memory.

    ## Example
    ```yaml
    /orders:
      get:
        responses:
          '200':
            content:
              application/json:
                schema: {type: object, properties: {items: {type: array, items: {}}}}
    ```
    Use instead:
    ```yaml
    /orders:
      get:
        parameters:
          - {name: cursor, in: query, schema: {type: string}}
          - {name: limit, in: query, schema: {type: integer, maximum: 100, default: 20}}
        responses:
          '200':
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    items: {type: array, items: {}}
                    next_cursor: {type: string}
    ```
    A list that is small by nature can declare `maxItems` (at most `bounded-max-items`) on
    its array, say so in its description ("returns up to 20 devices", "a fixed set"), or be
    waived with `x-gatekeeper-ignore: [pagination]`. Lookups named in `bounded-resources`
    (`/countries`, `/currencies`, `/markets`, `/devices`, ...) are exempt.

    ## Options
    Gate options: `bounded-max-items` (100), `bounded-resources` (lookup names; `[]` requires
    paging for them too), `max-wrapper-props` (4), `item-array-names`,
    `search-methods` ([]; e.g. `["post"]`), `search-pattern`, `parameter-aliases` (e.g.
    `{cursor = ["since_id"]}`), `exempt` (path globs, `"GET /path"` or operationIds),
    `treat-probable-as-definite` (false).
    """
    for p in _collections(spec, opts):
        if p.paginated or p.signals.size:
            continue
        kind = "probable collection" if p.confidence == "probable" else "collection"
        yield Violation(p.operation.pointer,
                        f"`{p.operation.label}` returns a {kind} ({_what(p)}) without "
                        f"pagination: no page-size, offset, page or cursor parameter, and no "
                        f"next link or next-page token in the response",
                        subject=p.operation.label, severity=_probable(p))


@rule("pagination/limit-only", severity=Severity.ERROR)
@_with_common
def limit_only(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a collection operation that takes a page-size parameter (`limit`, `per_page`,
    `$top`, ...) but no way to ask for the next page (no offset, page or cursor parameter, no
    next link or next-token field).

    ## Why is this bad?
    A size alone truncates the list: items past the first page can never be read.

    ## Example
    ```yaml
    parameters:
      - {name: limit, in: query, schema: {type: integer, maximum: 100}}
    ```
    Use instead:
    ```yaml
    parameters:
      - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      - {name: offset, in: query, schema: {type: integer, minimum: 0}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in _collections(spec, opts):
        if p.paginated or not p.signals.size:
            continue
        names = ", ".join(f"`{x.name}`" for x in p.signals.size)
        yield Violation(p.operation.pointer,
                        f"`{p.operation.label}` only limits the page size ({names}) and offers no "
                        f"way to fetch the next page: no offset, page or cursor parameter, and "
                        f"no next link or next-page token in the response",
                        subject=p.operation.label,
                        severity=_probable(p))


@rule("pagination/disallowed-style", severity=Severity.ERROR)
@_with_common
def disallowed_style(spec: Spec, *, allowed_styles: tuple[str, ...] = STYLES,
                     **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a paginated operation whose style is not in `allowed-styles`. The style is the
    request-side selector (offset, page, cursor, range) if there is one, else the response
    side (next link, `Link` header, next-token field).

    ## Why is this bad?
    Teams standardise on a style (often cursors: Zalando #160, AIP-158) so that clients can
    share one paging helper and pages stay stable under concurrent writes.

    ## Example
    With `allowed-styles = ["cursor"]`:
    ```yaml
    parameters: [{name: offset, in: query, schema: {type: integer}}]
    ```
    Use instead:
    ```yaml
    parameters: [{name: cursor, in: query, schema: {type: string}}]
    ```

    ## Options
    `allowed-styles`: any of offset, page, cursor, next_link, link_header, range (all).
    """
    allowed = set(allowed_styles)
    for p in pagings(spec, **opts):
        primary = p.signals.primary
        if primary and not allowed & set(primary):
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` pages with the `{primary[0]}` style, which "
                            f"is not allowed (allowed: {', '.join(sorted(allowed))})",
                            subject=p.operation.label)


def _family(p: Paging) -> set[str]:
    """Styles an operation is consistent with: its primary styles plus its response-side
    continuation (an offset API and a cursor API that both hand out next links are
    followed by the same client code)."""
    return set(p.signals.primary) | set(p.signals.response_styles)


def _families(ps: list[Paging]) -> tuple[str | None, Counter[str]]:
    counts: Counter[str] = Counter()
    for p in ps:
        for s in _family(p):
            counts[s] += 1
    if not counts:
        return None, counts
    order = {s: i for i, s in enumerate(("cursor", "next_link", "offset", "page", "link_header",
                                         "range"))}
    best = max(counts.items(), key=lambda kv: (kv[1], -order.get(kv[0], 9)))[0]
    return best, counts


@rule("pagination/mixed-styles", severity=Severity.ERROR)
@_with_common
def mixed_styles(spec: Spec, *, consistency: str = "strict",
                 **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags paginated operations whose style family differs from the one most of the API's
    collection operations use (for example `/a` pages with `offset`, `/b` and `/c` with `cursor`).
    An operation that offers both styles is consistent with either, and operations that all
    return a next link (or `Link` header) are consistent whatever their request parameters.

    ## Why is this bad?
    Every style needs different client code; one API should page one way (Zalando #137,
    PayPal, Microsoft "consistent pagination").

    ## Example
    `GET /a?offset=&limit=` next to `GET /b?cursor=&limit=` and `GET /c?cursor=&limit=`:
    `/a` is flagged. Use a cursor on `/a` too.

    ## Options
    `consistency`: `strict` (error), `warn` (warning) or `off`.
    """
    if consistency == "off":
        return
    ps = [p for p in pagings(spec, **opts) if p.signals.primary]
    best, counts = _families(ps)
    if best is None or all(best in _family(p) for p in ps):
        return
    # a response-side continuation most operations share is as good as the majority style
    # (GitHub: `page` or `since` or cursors, all followed through the `Link` header)
    accepted = {best} | {s for s in ("link_header", "next_link")
                         if counts.get(s, 0) * 2 >= len(ps)}
    sev = Severity.WARNING if consistency == "warn" else None
    for p in ps:
        if not accepted & _family(p):
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` pages with the `{p.signals.primary[0]}` "
                            f"style while {counts[best]} of {len(ps)} paginated operations use "
                            f"`{best}`", subject=p.operation.label, severity=sev)


@rule("pagination/inconsistent-parameter-name", severity=Severity.WARNING)
@_with_common
def inconsistent_parameter_name(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a paging parameter or continuation field whose name differs from the name the rest
    of the API uses for the same role (`limit` here, `page_size` there; `next_cursor` here,
    `nextToken` there).

    ## Why is this bad?
    Clients write one paging helper; every alias is a special case (Zalando #137).

    ## Example
    `GET /a?cursor=&limit=` and `GET /b?cursor=&page_size=`: `page_size` is flagged.
    Use `limit` everywhere.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    ps = list(pagings(spec, **opts))
    roles: dict[str, list[tuple[str, Any, Paging]]] = {}
    for p in ps:
        for p_ in p.signals.size:
            roles.setdefault("size", []).append((p_.name, p_, p))
        for style, params in p.signals.request.items():
            if style == "range":
                continue
            for p_ in params:
                roles.setdefault(style, []).append((p_.name, p_, p))
    for role, entries in roles.items():
        ops_by_name: dict[str, set[str]] = {}
        for name, _p, pg in entries:
            ops_by_name.setdefault(name, set()).add(pg.operation.label)
        if len(ops_by_name) < 2:
            continue
        # one op carrying two names for one role (page + pageToken) is not an alias clash
        order = list(ops_by_name)  # ties go to the name used first in the document
        best = max(order, key=lambda n: (len(ops_by_name[n]), -order.index(n)))
        for name, param, pg in entries:
            if name == best or pg.operation.label in ops_by_name[best]:
                continue
            label = "page-size" if role == "size" else role
            yield Violation(param.pointer,
                            f"{label} parameter `{name}` of `{pg.operation.label}` differs from "
                            f"`{best}` used by {len(ops_by_name[best])} operation"
                            f"{'s' if len(ops_by_name[best]) != 1 else ''}",
                            subject=f"{pg.operation.label} {name}")


@rule("pagination/unbounded-page-size", severity=Severity.WARNING)
@_with_common
def unbounded_page_size(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a page-size parameter (`limit`, `per_page`, `$top`, ...) of a paginated operation
    that declares no `maximum` (or `enum`). Reported once where the parameter is written, so
    a shared `components.parameters.Top` is one finding.

    ## Why is this bad?
    Without a documented maximum clients cannot know the largest page the server accepts,
    and a server that honours any size can be asked for the whole table (OWASP API4, IBM
    `ibm-pagination-style`, AIP-158, Azure `maxpagesize`).

    ## Example
    ```yaml
    - {name: limit, in: query, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    uses: dict[Pointer, list[str]] = {}
    params: dict[Pointer, Any] = {}
    for p in pagings(spec, **opts):
        for param in p.signals.size:
            schema = param.schema if isinstance(param.schema, dict) else {}
            if "maximum" in schema or "enum" in schema or "exclusiveMaximum" in schema:
                continue
            uses.setdefault(param.pointer, []).append(p.operation.label)
            params[param.pointer] = param
    for ptr, labels in uses.items():  # once where written: a shared `$top` is one finding
        more = f" (and {len(labels) - 1} more)" if len(labels) > 1 else ""
        yield Violation(ptr, f"page-size parameter `{params[ptr].name}` of `{labels[0]}`{more} "
                             f"declares no maximum", subject=f"{params[ptr].name} {labels[0]}")


@rule("pagination/ill-formed-parameter", severity=Severity.WARNING)
@_with_common
def ill_formed_parameter(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags paging parameters that are shaped wrongly: a required or non-integer page size,
    offset or page number; a required or non-string cursor; an offset without a page-size
    parameter next to it.

    ## Why is this bad?
    The first page must be reachable without paging parameters (AIP-158: `page_size` must
    not be required); cursors are opaque strings (AIP-158, IBM); an offset without a size
    leaves the page size to chance (IBM `ibm-pagination-style`).

    ## Example
    ```yaml
    - {name: page_token, in: query, required: true, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    - {name: page_token, in: query, schema: {type: string}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in pagings(spec, **opts):
        label = p.operation.label
        checks = [(x, "page-size", ("integer", "number")) for x in p.signals.size]
        checks += [(x, "offset", ("integer", "number"))
                   for x in p.signals.request.get("offset", [])]
        checks += [(x, "page", ("integer", "number")) for x in p.signals.request.get("page", [])]
        checks += [(x, "cursor", ("string",)) for x in p.signals.request.get("cursor", [])]
        for param, role, types in checks:
            t = _type(param.schema)
            problems = []
            if param.required:
                problems.append("is required")
            if t is not None and t not in types:
                problems.append(f"is {t}, not {types[0]}")
            if problems:
                yield Violation(param.pointer, f"{role} parameter `{param.name}` of `{label}` "
                                               f"{' and '.join(problems)}",
                                subject=f"{label} {param.name}")
        if p.signals.request.get("offset") and not p.signals.size:
            yield Violation(p.operation.pointer, f"`{label}` takes an offset "
                                                 f"(`{p.signals.request['offset'][0].name}`) but no "
                                                 f"page-size parameter", subject=label)


@rule("pagination/unreachable-next-page", severity=Severity.WARNING)
@_with_common
def unreachable_next_page(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags an operation that takes a cursor or page token but whose response carries no next
    cursor, next link, `has_more` flag or `Link` header.

    ## Why is this bad?
    A client cannot obtain the token for the next page, so the cursor is useless.

    ## Example
    ```yaml
    parameters: [{name: page_token, in: query, schema: {type: string}}]
    responses: {'200': {content: {application/json: {schema: {properties: {items: {}}}}}}}
    ```
    Use instead: add `next_page_token: {type: string}` to the response.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in pagings(spec, **opts):
        cursors = p.signals.request.get("cursor")
        if cursors and not p.signals.response_styles:
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` takes cursor `{cursors[0].name}` but its "
                            f"response supplies no next cursor or link", subject=p.operation.label)


@rule("pagination/top-level-array", severity=Severity.INFO)
@_with_common
def top_level_array(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Notes a paginated collection whose response is a bare top-level array.

    ## Why is this bad?
    Paging metadata (next cursor, links) can never be added to the body, so the API is
    stuck with request parameters and headers; an object envelope keeps it extensible
    (Zalando #110, Azure, IBM `ibm-no-array-responses`).

    ## Example
    ```yaml
    schema: {type: array, items: {$ref: '#/components/schemas/Order'}}
    ```
    Use instead:
    ```yaml
    schema:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Order'}}
        next_cursor: {type: string}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in _collections(spec, opts):
        if p.paginated and p.collection is not None and p.collection.shape == "array":
            ptr = p.collection.schema_pointer or p.operation.pointer
            yield Violation(ptr, f"`{p.operation.label}` pages a top-level array; an object "
                                 f"envelope could carry paging metadata",
                            subject=p.operation.label)


@rule("pagination/total-count", severity=Severity.INFO, recommended=False)
@_with_common
def total_count(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Notes a collection response that exposes a total count (`total`, `totalCount`,
    `X-Total-Count`, ...).

    ## Why is this bad?
    Counting every match is expensive on large collections and often inexact (Zalando #254,
    Azure); AIP-158 and PayPal allow it when optional. Advice only.

    ## Example
    `{items: [...], total: 12345}`; consider making the count opt-in.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in _collections(spec, opts):
        if p.signals.totals:
            yield Violation(p.operation.pointer, f"`{p.operation.label}` exposes a total count "
                                                 f"(`{p.signals.totals[0]}`)",
                            subject=p.operation.label)


@rule("pagination/not-preferred-style", severity=Severity.INFO)
@_with_common
def not_preferred_style(spec: Spec, *, preferred_style: str = "",
                        **opts: Any) -> Iterator[Violation]:
    """## What it does
    When `preferred-style` is set, notes paginated operations that do not offer it.

    ## Why is this bad?
    Cursor pagination (Zalando #160, AIP-158, IBM) stays correct under concurrent inserts
    and scales to deep pages; offsets do not.

    ## Example
    With `preferred-style = "cursor"`, `GET /orders?offset=&limit=` is noted.

    ## Options
    `preferred-style`: one of offset, page, cursor, next_link, link_header, range; empty
    (the default) disables the rule.
    """
    if not preferred_style:
        return
    for p in pagings(spec, **opts):
        styles = set(p.signals.request_styles) | set(p.signals.response_styles)
        if styles and preferred_style not in styles:
            yield Violation(p.operation.pointer, f"`{p.operation.label}` does not offer the "
                                                 f"preferred `{preferred_style}` pagination",
                            subject=p.operation.label)


GATE = Gate(
    "pagination",
    title="Pagination",
    rules=(unpaginated_collection, limit_only, disallowed_style, mixed_styles,
           inconsistent_parameter_name, unbounded_page_size, ill_formed_parameter,
           unreachable_next_page, top_level_array, total_count, not_preferred_style),
    metric=pagination_coverage,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=True,
)
