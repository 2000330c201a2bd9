"""Collection operations: a GET (or 3.2 QUERY) under `paths` whose success JSON body is a list,
or an object that wraps one, and the reasons an operation is not one (docs/gates/pagination.md)."""

from __future__ import annotations

import functools
import re

from gatekeeper import MediaType, Operation, Pointer, Record, Response, Spec, schema_types

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


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
_SMALL_SET_TEXT = re.compile(
    r"(?i)\b(?:up to|at most|maximum of|a maximum of|no more than|max\.?)\s+(\d+)\b"
    r"|\b(fixed|small|short|predefined|static) (?:set|list)\b")
#: A required query parameter listing the ids to fetch makes a batch read, not a collection.
_BATCH_IDS = re.compile(
    r"^(ids|IDs|Ids|ids\[\])$|[_\-.](ids|IDs)$|[a-z0-9](Ids|IDs)$")


# Compiled once, not looked up in `re`'s cache for every segment of every GET (Graph beta:
# 11,000 GETs; `collection_of` of every operation took 0.275 -> 0.199 s of CPU with the
# other changes here).
_VERSION_SEGMENT = re.compile(r"^v?\d+(\.\d+)*$")
_VERSION_LAST = re.compile(r"^v\d+((alpha|beta)\d*)?$")
_WORD_BREAK = re.compile(r"[-_]")
_CASE_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")
_NON_WORD = re.compile(r"[\W_]")


@functools.lru_cache(maxsize=64)
def _lower_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(b.lower() for b in names)


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


def success_json_body(op: Operation) -> tuple[Response, MediaType] | None:
    """C3: the first of 200, 2XX, 206, 203 with a JSON-ish, non-streaming media type."""
    for code in ("200", "2XX", "2xx", "206", "203"):
        resp = op.responses.get(code)
        if resp is None:
            continue
        for media in resp.content.values():
            e = media.essence  # a property: read once
            if e in STREAMING_MEDIA:
                continue
            if e in ("application/json", "text/json", "*/*", "application/*") \
                    or e.endswith("+json") or e.endswith("/x-json"):
                return resp, media
        return None
    return None


def _may_say_small_set(text: str) -> bool:
    """False when `_SMALL_SET_TEXT` cannot match: every branch needs one of these words.
    Substring tests spare most searches (Graph beta: 22,000 texts of GETs, 5,000 pass;
    0.056 -> 0.036 s of CPU). Only for ASCII text, where lower-casing is what the
    pattern's `(?i)` does."""
    if not text.isascii():
        return True
    low = text.lower()
    return "up" in low or "most" in low or "max" in low or "more" in low or "set" in low \
        or "list" in low


def _last_literal_segment(path: str) -> str | None:
    for seg in reversed([s for s in path.split("/") if s]):
        if "{" not in seg:
            return seg.split(".", 1)[0].lower()
    return None


def _named_after(name: str, segment: str) -> bool:
    """`dependent_phone_numbers` for `/DependentPhoneNumbers.json`, `usage_records` for
    `/Usage/Records`, `media_list` for `/Media`: the array is named after the resource."""
    a = _NON_WORD.sub("", name).lower()
    b = _NON_WORD.sub("", segment).lower()
    if not a or not b:
        return False
    return a == b or (len(b) >= 4 and (a.endswith(b) or a.startswith(b))) \
        or (len(a) >= 4 and b.endswith(a))


def _array_properties(spec: Spec, schema: Any, ptr: Pointer,
                      props: dict[str, tuple[Any, Pointer]]) -> dict[str, Any]:
    """The array-typed properties among `props` (the schema's merged properties), once per
    schema: Graph beta's 10,000 list operations share a few hundred bodies (a quarter of
    the gate's 2 s of CPU). Read-only for the callers."""
    return spec.memo_of("shared.pagination.array-properties", schema, lambda: {
        n: v for n, (v, _p) in props.items() if "array" in schema_types(v)}, ptr)


def _collection_shape(spec: Spec, schema: Any, ptr: Pointer, path: str,
                      names: frozenset[str], max_props: int, depth: int = 0,
                      used: list[bool] | None = None
                      ) -> tuple[str, str, str | None, Any, Any, Pointer] | None:
    """(confidence, shape, array name, array schema, matched schema, pointer) or None.
    Appends to `used` when the path was read (`_shape_of` caches by schema otherwise)."""
    schema, ptr = spec.resolve(schema, ptr)
    if not isinstance(schema, dict) or depth > 4:
        return None
    types = schema_types(schema)
    if "array" in types:
        return "definite", "array", None, schema, schema, ptr
    props = spec.merged_properties(schema, ptr)
    if props:
        arrays = _array_properties(spec, schema, ptr, props)
        last = _last_literal_segment(path)
        for name, value in arrays.items():
            if name.lower() in names:
                return "definite", "wrapper", name, value, schema, ptr
            if used is not None:
                used.append(True)  # the answer depends on the path's last segment
            if last is not None and _named_after(name, last):
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
                                          max_props, depth + 1, used)
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
        and bool(re.search(search_pattern, f"{op.path} {op.operation_id or ''}")))
    if not method_ok:
        return out("method")
    if op.kind != "path":
        return out("kind")
    segs = [seg for seg in op.path.split("/") if seg]
    if not segs or all(_VERSION_SEGMENT.match(seg) for seg in segs) \
            or _VERSION_LAST.match(segs[-1]):
        return out("root")  # `/`, `/v2.1`, `/apis/apps/v1/`: a discovery document
    body = success_json_body(op)
    if body is None:
        streaming = any(m.essence in STREAMING_MEDIA for r in op.responses.values()
                        if r.kind == "success" for m in r.content.values())
        return out("streaming" if streaming else "no-json-body")
    resp, media = body
    if media.schema is None:
        return out("no-json-body", resp=resp, media=media)
    found = _shape_of(spec, media.schema, media.schema_pointer or media.pointer, op.path,
                      item_array_names, max_wrapper_props)
    if found is None:
        return out("shape", resp=resp, media=media)
    last = segs[-1:] or [""]
    if found[1] == "wrapper" and "{" in last[0]:
        return out("item-path", found, resp, media)
    for p in op.parameters:
        if p.required and p.location == "query" and _BATCH_IDS.search(p.name):
            return out("batch", found, resp, media)  # GET /albums?ids=a,b: bounded by input
    arr = found[3]
    max_items = arr.get("maxItems") if isinstance(arr, dict) else None
    if isinstance(max_items, int) and not isinstance(max_items, bool) \
            and max_items <= bounded_max_items:
        return out("bounded", found, resp, media)
    # `_last_literal_segment` of the path, from the segments at hand
    last_raw = next((seg for seg in reversed(segs) if "{" not in seg), "")
    last_literal = last_raw.split(".", 1)[0].lower()
    words = _WORD_BREAK.split(last_literal)
    bounded_names = _lower_set(tuple(bounded_resources))
    if words and (words[-1] in bounded_names or words[-1] + "s" in bounded_names
                  or words[-1] + "es" in bounded_names):
        return out("bounded", found, resp, media)  # GET /countries, /markets: lookups
    if len(words) > 1 and words[0] in RANKING_WORDS:
        return out("bounded", found, resp, media)  # /top-tracks, /related-artists: a top N
    if SAMPLE_WORDS & {w.lower() for w in _CASE_WORDS.findall(last_raw)}:
        return out("bounded", found, resp, media)  # /properties/random, /randomWords: a draw
    texts = [op.summary, op.description, resp.description,
             arr.get("description") if isinstance(arr, dict) else None]
    for text in texts:
        if not text or (type(text) is str and not _may_say_small_set(text)):
            continue
        m = _SMALL_SET_TEXT.search(text)
        if m and (m.group(2) or int(m.group(1)) <= bounded_max_items):
            return out("bounded", found, resp, media)  # "returns up to 20 items"
    return out(None, found, resp, media)


def _shape_of(spec: Spec, schema: Any, ptr: Pointer, path: str,
              item_array_names: tuple[str, ...], max_props: int
              ) -> tuple[str, str, str | None, Any, Any, Pointer] | None:
    """`_collection_shape` once per body schema, and per last literal path segment only
    when the shape read it (an array not named `value`, `items`, ...): Graph beta's 11,000
    GETs share 2,719 bodies (0.087 -> 0.070 s of CPU: the misses build the bodies'
    merged properties)."""
    cache = spec.memo(("pagination.shapes", tuple(item_array_names), max_props), dict)
    key = (id(schema), ptr)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:  # the entry keeps `schema` alive: no id reuse
        by_last = hit[2]
        if by_last is None:
            return hit[1]
        last = _last_literal_segment(path)
        if last in by_last:
            return by_last[last]
    names = frozenset(n.lower() for n in item_array_names)
    used: list[bool] = []
    found = _collection_shape(spec, schema, ptr, path, names, max_props, used=used)
    if not used:
        cache[key] = (schema, found, None)
    else:
        if hit is None or hit[0] is not schema:
            hit = cache[key] = (schema, None, {})
        hit[2][_last_literal_segment(path)] = found
    return found


def collection_operations(spec: Spec, **options: Any) -> tuple[Collection, ...]:
    """Collection operations under ``paths`` (5.2); options as for `collection_of`."""
    key = ("collections", tuple(sorted((k, repr(v)) for k, v in options.items())))

    def build() -> tuple[Collection, ...]:
        found = (collection_of(spec, op, **options) for op in spec.in_paths())
        return tuple(c for c in found if c.is_collection)
    return spec.memo(key, build)
