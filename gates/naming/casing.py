"""Casing per kind of name: path segments, query parameters, JSON properties, headers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, is_json_media, rule

from gates.naming.paths import literal_segments

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
                for _, seg in literal_segments(path):
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
