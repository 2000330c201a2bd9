"""Naming and structure: one casing per kind of name, clean paths, no dead components.

A reviewer gate (docs/gates/naming.md). Guidelines disagree on *which* casing (Zalando:
kebab-case paths, snake_case query parameters and properties; Azure and Google: camelCase
query parameters and JSON), so the gate asks for consistency, not a style: each kind of name
(path segments, query parameters, JSON properties, headers) follows the casing configured for
it or, by default, the casing most of the document's names of that kind reveal. Names that
fit several casings (`pets`, `id`) reveal none and are never flagged.

Paths: no trailing slash, no empty segment, no verb where a resource name belongs
(`/getUsers`, `/users/{id}/delete`: the HTTP method is the verb), no two paths that differ
only in parameter names (`/a/{x}` and `/a/{y}`; OpenAPI: "MUST NOT exist") or that match the
same request with neither more specific (`/a/{x}/c` and `/a/b/{y}`).

Components that nothing references (schemas, responses, parameters, examples, headers,
request bodies, security schemes) are dead weight readers have to skip; they are reported
here too, as structure hygiene (Spectral `oas3-unused-component`, Redocly
`no-unused-components`).

The metric is the share of names (path segments, query parameters, properties, headers) that
follow their kind's casing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from gatekeeper import Gate, Metric, Pointer, Severity, Spec, Violation, rule
from gatekeeper.spec import is_json_media

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CASINGS = {
    "kebab-case": re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"),
    "snake_case": re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$"),
    "camelCase": re.compile(r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$"),
    "PascalCase": re.compile(r"^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$"),
    "Train-Case": re.compile(r"^[A-Z][a-z0-9]*(-[A-Z][a-z0-9]*)+$"),
    "SCREAMING_SNAKE": re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$"),
}
#: A name that is one lower-case word (`pets`) or one capitalised word (`Pets`): it fits
#: several conventions and reveals none.
_NEUTRAL = re.compile(r"^([a-z][a-z0-9]*|[A-Z][a-z0-9]*|[A-Z0-9]+)$")
_VERSION = re.compile(r"^(v\d+([._-]?\w+)?|\d+([.-]\d+)*|\d{4}-\d{2}-\d{2}(-\w+)?)$", re.I)
#: Verbs that repeat what the HTTP method says (Redocly `no-http-verbs-in-paths` checks
#: the HTTP methods; CRUD synonyms are the same mistake).
VERBS = ("get", "post", "put", "patch", "delete", "create", "update", "remove", "add",
         "fetch", "retrieve", "modify", "insert", "edit", "set")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
#: Nouns that start with a verb (`/add-ons`, `/setup`).
_VERB_NOUNS = frozenset({("add", "on"), ("add", "ons"), ("set", "up"), ("get", "started")})
#: Standard HTTP headers (RFC 9110 and friends) are written as registered, whatever the API's
#: own headers look like: `If-Modified-Since` among `client-request-id`s is not a deviation.
STANDARD_HEADERS = frozenset(h.lower() for h in (
    "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Ranges",
    "Authorization", "Cache-Control", "Content-Disposition", "Content-Encoding",
    "Content-Language", "Content-Length", "Content-Location", "Content-MD5", "Content-Range",
    "Content-Type", "Cookie", "Date", "ETag", "Expect", "Expires", "Forwarded", "Host",
    "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since",
    "Last-Modified", "Link", "Location", "Origin", "Prefer", "Preference-Applied", "Range",
    "Referer", "Retry-After", "Server", "Set-Cookie", "Transfer-Encoding", "User-Agent",
    "Vary", "WWW-Authenticate", "Idempotency-Key", "Deprecation", "Sunset", "RateLimit",
    "RateLimit-Policy", "X-Forwarded-For", "Strict-Transport-Security",
    "Access-Control-Allow-Origin", "Age", "Allow", "Pragma", "Warning", "Trailer", "Upgrade",
    "Via", "Content-Security-Policy"))


_CASING_CACHE: dict[str, str | None] = {}


def casing_of(name: str) -> str | None:
    """The casing a name reveals, or None when it fits several or none."""
    try:
        return _CASING_CACHE[name]
    except KeyError:
        pass
    found = None if _NEUTRAL.match(name) else next(
        (c for c, rx in CASINGS.items() if rx.match(name)), None)
    if len(_CASING_CACHE) < 100_000:  # names repeat across a document; bound the cache
        _CASING_CACHE[name] = found
    return found


def _literal_segments(path: str) -> Iterator[tuple[int, str]]:
    """(index, name) of the path's literal segments worth judging: no parameters, version
    segments, file extensions, `$`/`@` prefixes (OData) or custom-method suffixes."""
    for i, seg in enumerate(path.split("/")):
        seg = seg.split(":", 1)[0]
        if not seg or "{" in seg or seg[0] in "$@." or _VERSION.match(seg):
            continue
        yield i, seg.rsplit(".", 1)[0] if "." in seg else seg


# ---------------------------------------------------------------------- names by kind


class Name:
    __slots__ = ("name", "pointer", "where")

    def __init__(self, name: str, pointer: Pointer, where: str) -> None:
        self.name = name
        self.pointer = pointer
        self.where = where


def names_of(spec: Spec, kind: str) -> list[Name]:
    """Every name of a kind (`path`, `query`, `property`, `header`), once where written."""
    def build() -> list[Name]:
        out: list[Name] = []
        seen: set[tuple[str, Pointer]] = set()

        def add(name: str, ptr: Pointer, where: str) -> None:
            if (name, ptr) not in seen:
                seen.add((name, ptr))
                out.append(Name(name, ptr, where))

        if kind == "path":
            for path in spec.paths:
                for _, seg in _literal_segments(path):
                    add(seg, spec.root.join("paths", path), f"path `{path}`")
        elif kind in ("query", "header"):
            for op in spec.in_paths():
                for p in op.parameters:
                    if p.location == kind and not (kind == "header"
                                                   and p.name.lower() in STANDARD_HEADERS):
                        add(p.name, p.pointer, f"{kind} parameter of `{op.label}`")
                if kind == "header":
                    for resp in op.responses.values():
                        for h in resp.headers.values():
                            if h.name.lower() not in STANDARD_HEADERS:
                                add(h.name, h.pointer, f"response header of `{op.label}`")
        elif kind == "property":
            # JSON properties: form fields (`To`, `From` in Twilio's form bodies) are a kind
            # of their own, so form and multipart bodies are not walked.
            roots = list(spec.schemas.values())
            for op in spec.operations:
                body = op.request_body
                media_list = [*(body.content.values() if body is not None else ()),
                              *(m for r in op.responses.values() for m in r.content.values())]
                for media in media_list:
                    if media.schema_pointer is not None and is_json_media(media.name):
                        roots.append((media.schema, media.schema_pointer))
            for node, ptr in spec.walk_schemas(roots):
                props = node.get("properties")
                if isinstance(props, dict):
                    for name in props:
                        if isinstance(name, str) and name[:1].isalpha():
                            add(name, ptr.join("properties", name), "property")
        return out
    return spec.memo(("naming.names", kind), build)


def _expected(names: list[Name], configured: str | None) -> str | None:
    if configured:
        return configured
    votes = Counter(c for n in names if (c := casing_of(n.name)) is not None)
    if not votes:
        return None
    (best, count), *rest = votes.most_common()
    return None if rest and rest[0][1] == count else best  # a tie reveals no majority


def _deviants(spec: Spec, kind: str, configured: str | None) -> list[tuple[Name, str]]:
    """The names of a kind off its casing (computed once: the rule and the metric ask)."""
    def build() -> list[tuple[Name, str]]:
        names = names_of(spec, kind)
        expected = _expected(names, configured)
        rx = CASINGS.get(expected) if expected is not None else None
        if rx is None:
            return []
        return [(n, expected) for n in names
                if (c := casing_of(n.name)) is not None and c != expected
                and not rx.match(n.name)]
    return spec.memo(("naming.deviants", kind, configured), build)


KINDS = {"path": "path segments", "query": "query parameters", "property": "properties",
         "header": "headers"}


def naming_metric(spec: Spec, *, path_casing: str | None = None,
                  query_casing: str | None = None, property_casing: str | None = None,
                  header_casing: str | None = None) -> Metric:
    """Share of path segments, query parameters, JSON properties and headers that follow
    their kind's casing (configured, or the document's majority). Names that reveal no
    casing (`id`, `pets`) count as following it. 100 % when there is no name."""
    configured = {"path": path_casing, "query": query_casing, "property": property_casing,
                  "header": header_casing}
    total = bad = 0
    details: dict[str, list[str]] = {}
    for kind in KINDS:
        total += len(names_of(spec, kind))
        off = [n.name for n, _ in _deviants(spec, kind, configured[kind])]
        bad += len(off)
        if off:
            details[kind] = off[:100]
    return Metric.ratio(total - bad, total, "names in their kind's casing", **details)


def _casing_rule(spec: Spec, kind: str, configured: str | None) -> Iterator[Violation]:
    for n, expected in _deviants(spec, kind, configured):
        what = f"segment `{n.name}` of {n.where}" if kind == "path" \
            else f"{n.where.split(' of ')[0]} `{n.name}`"
        yield Violation(n.pointer, f"{what} is {casing_of(n.name)}; the document's "
                                   f"{KINDS[kind]} are {expected}",
                        subject=f"{kind} {n.name}")


@rule("naming/inconsistent-path-casing", severity=Severity.WARNING)
def inconsistent_path_casing(spec: Spec, *, path_casing: str | None = None
                             ) -> Iterator[Violation]:
    """## What it does
    Flags a literal path segment whose casing differs from the other segments'
    (`/user-groups` next to `/access_tokens`). Parameters, version segments (`v2`,
    `2010-04-01`), file extensions and one-word segments are not judged.

    ## Why is this bad?
    URLs are the first thing users of an API read and type; mixed casing makes every path a
    lookup (Zalando #129 kebab-case, Azure kebab-case, Google camelCase: they disagree on the
    style, not on having one).

    ## Example
    ```yaml
    paths:
      /user-groups: {}
      /access_tokens: {}
      /api-keys: {}
    ```
    Use instead: `/access-tokens`.

    ## Options
    `path-casing`: the casing to require (`kebab-case`, `snake_case`, `camelCase`, ...);
    default: the document's majority.
    """
    yield from _casing_rule(spec, "path", path_casing)


@rule("naming/inconsistent-query-casing", severity=Severity.WARNING)
def inconsistent_query_casing(spec: Spec, *, query_casing: str | None = None
                              ) -> Iterator[Violation]:
    """## What it does
    Flags a query parameter whose casing differs from the other query parameters'
    (`page_size` next to `sortOrder`). Reported once where the parameter is written.

    ## Why is this bad?
    Clients build query strings by hand; one convention means no guessing (Zalando #130
    snake_case, Azure and Google camelCase).

    ## Example
    ```yaml
    - {name: page_size, in: query}
    - {name: sortOrder, in: query}
    - {name: created_after, in: query}
    ```
    Use instead: `sort_order`.

    ## Options
    `query-casing`: the casing to require; default: the document's majority.
    """
    yield from _casing_rule(spec, "query", query_casing)


@rule("naming/inconsistent-property-casing", severity=Severity.WARNING)
def inconsistent_property_casing(spec: Spec, *, property_casing: str | None = None
                                 ) -> Iterator[Violation]:
    """## What it does
    Flags a schema property whose casing differs from the other properties' of the document
    (`created_at` among `camelCase` properties). Names starting with `_`, `@` or `$`
    (HAL, JSON-LD, OData annotations) are not judged.

    ## Why is this bad?
    Clients map JSON to fields; mixed casing leaks into every generated model (Zalando #118
    snake_case, Azure and Google camelCase).

    ## Example
    ```yaml
    properties: {firstName: {}, lastName: {}, created_at: {}}
    ```
    Use instead: `createdAt`.

    ## Options
    `property-casing`: the casing to require; default: the document's majority.
    """
    yield from _casing_rule(spec, "property", property_casing)


@rule("naming/inconsistent-header-casing", severity=Severity.INFO)
def inconsistent_header_casing(spec: Spec, *, header_casing: str | None = None
                               ) -> Iterator[Violation]:
    """## What it does
    Flags a request or response header whose casing differs from the other headers'
    (`x-request-id` among `X-Rate-Limit`-style names). Standard HTTP headers
    (`If-Modified-Since`, `ETag`, `Retry-After`, ...) are written as registered and not
    judged. Info: header names are case-insensitive on the wire (RFC 9110 section 5.1), so
    this is about how the document reads.

    ## Why is this bad?
    Documentation and generated SDKs show the names as written (Zalando #132 kebab-case
    headers).

    ## Example
    ```yaml
    - {name: X-Request-Id, in: header}
    - {name: x-tenant-id, in: header}
    - {name: X-Trace-Id, in: header}
    ```
    Use instead: `X-Tenant-Id`.

    ## Options
    `header-casing`: the casing to require; default: the document's majority.
    """
    yield from _casing_rule(spec, "header", header_casing)


@rule("naming/trailing-slash", severity=Severity.WARNING)
def trailing_slash(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path that ends with `/` (other than `/` itself).

    ## Why is this bad?
    `/pets` and `/pets/` are different URLs; servers and proxies disagree on redirecting one
    to the other, and clients that drop the slash get 404s (Spectral
    `path-keys-no-trailing-slash`, Zalando #136).

    ## Example
    ```yaml
    paths:
      /pets/: {}
    ```
    Use instead: `/pets`.
    """
    for path in spec.paths:
        if len(path) > 1 and path.endswith("/"):
            yield Violation(spec.root.join("paths", path), f"path `{path}` ends with a slash",
                            subject=path)


@rule("naming/empty-segment", severity=Severity.WARNING)
def empty_segment(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path with an empty segment (`//`).

    ## Why is this bad?
    Servers collapse, reject or route `//` differently; the URL a client builds may not be
    the one the server matches (Zalando #136).

    ## Example
    ```yaml
    paths:
      /pets//toys: {}
    ```
    Use instead: `/pets/toys`.
    """
    for path in spec.paths:
        if "//" in path.rstrip("/"):
            yield Violation(spec.root.join("paths", path), f"path `{path}` has an empty "
                                                           f"segment", subject=path)


def _verb(segment: str) -> str | None:
    words = [w.lower() for w in _WORDS.findall(segment)]
    if not words or words[0] not in VERBS:
        return None
    if len(words) == 1 and words[0] in ("set", "add", "edit"):  # /set, /add: rare nouns too
        return None
    if tuple(words[:2]) in _VERB_NOUNS:
        return None
    return words[0]


@rule("naming/verb-in-path", severity=Severity.WARNING)
def verb_in_path(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path segment that is, or starts with, a verb the HTTP method already says:
    `get`, `create`, `update`, `delete`, `remove`, `fetch`, ... (`/getUsers`,
    `/users/{id}/delete`). Action resources that are not CRUD (`/cancel`, `/refunds`) and
    custom methods after a colon (`/jobs/{id}:run`) are not flagged.

    ## Why is this bad?
    The method is the verb; a verb in the path means the API tunnels CRUD through the wrong
    method, which breaks caching, retries and the safety of `GET` (Zalando #141, Redocly
    `no-http-verbs-in-paths`).

    ## Example
    ```yaml
    /users/{id}/delete:
      post: {}
    ```
    Use instead:
    ```yaml
    /users/{id}:
      delete: {}
    ```
    """
    for path in spec.paths:
        for _, seg in _literal_segments(path):
            verb = _verb(seg)
            if verb is not None:
                yield Violation(spec.root.join("paths", path), f"segment `{seg}` of path "
                                                               f"`{path}` is the verb "
                                                               f"`{verb}`: the method says it",
                                subject=path)
                break


def _shape(path: str) -> tuple[str | None, ...]:
    """Segments, with every parameter segment as None (`/a/{x}.json` keeps its literal).
    A trailing slash stays a segment: `/a` and `/a/` are different URLs (see
    `naming/trailing-slash`)."""
    return tuple(None if re.fullmatch(r"\{[^}]*\}", s) else s for s in path.split("/"))


@rule("naming/identical-paths", severity=Severity.ERROR)
def identical_paths(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path that is the same as an earlier one once parameter names are ignored
    (`/pets/{id}` and `/pets/{petId}`).

    ## Why is this bad?
    OpenAPI: "Templated paths with the same hierarchy but different templated names MUST NOT
    exist as they are identical"; routers pick one of them at random (Redocly
    `no-identical-paths`).

    ## Example
    ```yaml
    /pets/{id}: {get: {}}
    /pets/{petId}: {delete: {}}
    ```
    Use instead: one path item with both operations.
    """
    first: dict[tuple[str | None, ...], str] = {}
    for path in spec.paths:
        if not isinstance(path, str) or not path.startswith("/"):
            continue
        key = _shape(path)
        if key in first:
            yield Violation(spec.root.join("paths", path), f"path `{path}` is identical to "
                                                           f"`{first[key]}` but for parameter "
                                                           f"names", subject=path)
        else:
            first[key] = path


@rule("naming/ambiguous-paths", severity=Severity.WARNING)
def ambiguous_paths(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags two paths that match the same request with neither more specific: each has a
    literal where the other has a parameter (`/a/{x}/c` and `/a/b/{y}` both match `/a/b/c`).
    `/users/me` next to `/users/{id}` is fine: the literal path is more specific.
    Reported once per path, naming the first path it collides with and how many more.

    ## Why is this bad?
    Which operation serves `/a/b/c` depends on the router, not on the contract (Redocly
    `no-ambiguous-paths`).

    ## Example
    ```yaml
    /orders/{id}/items: {}
    /orders/recent/{n}: {}
    ```
    Use instead: `/orders/recent/top/{n}` (or a query parameter).
    """
    by_len: dict[int, list[tuple[str, tuple[str | None, ...]]]] = {}
    for path in spec.paths:
        if isinstance(path, str) and path.startswith("/"):
            shape = _shape(path)
            by_len.setdefault(len(shape), []).append((path, shape))
    for group in by_len.values():
        if len(group) > 2000:  # pairwise: keep a bound on hostile documents
            group = group[:2000]
        for i, (a, sa) in enumerate(group):
            clashes = []
            for b, sb in group[:i]:
                a_more = b_more = False
                for x, y in zip(sa, sb):
                    if x is not None and y is not None:
                        if x != y:
                            break
                    elif x is not None:
                        a_more = True
                    elif y is not None:
                        b_more = True
                else:
                    if a_more and b_more:
                        clashes.append(b)
            if clashes:
                more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
                yield Violation(spec.root.join("paths", a),
                                f"path `{a}` and `{clashes[0]}`{more} match the same "
                                f"requests, neither more specific", subject=a)


# ---------------------------------------------------------------------- unused components

SECTIONS_3 = ("schemas", "responses", "parameters", "examples", "headers", "requestBodies",
              "securitySchemes")
SECTIONS_2 = ("definitions", "parameters", "responses", "securityDefinitions")


def _refs(spec: Spec) -> set[str]:
    """Fragments of every local `$ref` in every document of the spec."""
    refs: set[str] = set()
    for doc in spec.documents.values():
        stack: list[Any] = [doc.data]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if type(node) is dict:
                ref = node.get("$ref")
                if type(ref) is str:
                    refs.add(ref)
                for v in node.values():
                    if type(v) is dict or type(v) is list:
                        push(v)
            else:
                for v in node:
                    if type(v) is dict or type(v) is list:
                        push(v)
    found: set[str] = set()
    for ref in refs:
        if "#" in ref:
            parts = ref.split("#", 1)[1].split("/")
            found.add("/".join(parts[:3]))  # /definitions/Pet
            found.add("/".join(parts[:4]))  # /components/schemas/Pet
    return found


def _used_schemes(spec: Spec) -> set[str]:
    used: set[str] = set()
    reqs = [spec.raw.get("security")] + [op.data.get("security") for op in spec.operations]
    for req in reqs:
        if isinstance(req, list):
            for item in req:
                if isinstance(item, dict):
                    used.update(k for k in item if isinstance(k, str))
    return used


@rule("naming/unused-component", severity=Severity.WARNING)
def unused_component(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a reusable component that nothing references: a schema, response, parameter,
    example, header, request body (3.x `components`, 2.0 `definitions`, `parameters`,
    `responses`) no `$ref` points to, or a security scheme no security requirement names.
    A document without `paths` and `webhooks` (a component library) is not judged.

    ## Why is this bad?
    Dead components are read, reviewed, generated into SDK models and kept in sync for
    nothing, and often betray a rename that missed its users (Spectral
    `oas3-unused-component`, Redocly `no-unused-components`).

    ## Example
    ```yaml
    components:
      schemas:
        LegacyPet: {type: object}   # no $ref to it anywhere
    ```
    Use instead: delete it, or reference it where it was meant to be used.
    """
    if not spec.paths and not spec.raw.get("webhooks"):
        return
    refs = _refs(spec)
    schemes = _used_schemes(spec)
    if spec.is_swagger2:
        places = [(s, spec.raw.get(s), ("", s)) for s in SECTIONS_2]
    else:
        comps = spec.raw.get("components")
        comps = comps if isinstance(comps, dict) else {}
        places = [(s, comps.get(s), ("components", s)) for s in SECTIONS_3]
    for section, members, tokens in places:
        if not isinstance(members, dict):
            continue
        base = "/".join(t for t in tokens if t)
        for name in members:
            if section in ("securitySchemes", "securityDefinitions"):
                used = name in schemes
            else:
                escaped = str(name).replace("~", "~0").replace("/", "~1")
                used = f"/{base}/{escaped}" in refs
            if not used:
                yield Violation(spec.root.join(*[t for t in tokens if t], name),
                                f"{section} component `{name}` is never used",
                                subject=f"{section}/{name}")


GATE = Gate(
    "naming",
    title="Naming and structure",
    rules=(inconsistent_path_casing, inconsistent_query_casing, inconsistent_property_casing,
           inconsistent_header_casing, trailing_slash, empty_segment, verb_in_path,
           identical_paths, ambiguous_paths, unused_component),
    metric=naming_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
