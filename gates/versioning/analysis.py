"""Where each operation carries its version (URL segment, query parameter, header, media type)
and which mechanism the API uses: computed once per spec and option set."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from gatekeeper import Operation, Pointer, Record, Spec

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


FAMILIES = ("url", "query", "header", "media_type")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
MAJOR_MINOR = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)$")
CALVER = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview|-[a-z]+|\.[a-z]+)?$")
#: A pre-release tag after a version: `beta1`, `-preview`, `alpha`, Google's `b3` (`v1b3`).
_PRE = r"(?:[-_.]?(?:alpha|beta|preview|privatepreview|rc|dev|pre)\d*|[ab]\d+)"
#: A URL version segment: `v1`, `v2.1`, `v1.0.0`, `v1beta1`, Google's point releases
#: `v1p3beta1`, `v1b3`, `v2alpha`, `v1-preview`. Group 1 is the major, group 3 the tag.
URL_VERSION = re.compile(rf"^v(\d+)((?:\.\d+){{0,2}}(?:p\d+)?)({_PRE})?$", re.IGNORECASE)
#: A bare number segment: `2`, `2.0`, `1.2.15`, `7.0-preview`.
BARE_NUMBER = re.compile(rf"^(\d+)((?:\.\d+){{0,2}})({_PRE})?$", re.IGNORECASE)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A date segment (AWS `/amazonclouddirectory/2017-01-11/`, Azure `2020-01-01-preview`).
DATE_SEGMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(-(?:preview|privatepreview|alpha|beta)\d*)?$",
                          re.IGNORECASE)
#: An `info.version` that misses SemVer only in form but names a pre-release: `v1beta1`,
#: `v1p3beta1`, `v1b3`, `7.0-preview`, `1.0-beta`, `2.0.0beta`.
PRERELEASE_NEAR_MISS = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:p(\d+))?[-_.]?"
    r"(?:(alpha|beta|preview|privatepreview|rc|dev|pre)\.?(\d*)|([ab])(\d+))$", re.IGNORECASE)
MEDIA_VERSION_PARAM = re.compile(r";\s*(version|v)\s*=", re.IGNORECASE)
MEDIA_VENDOR_VERSION = re.compile(r"[.\-]v\d+(\.\d+)?\+json$", re.IGNORECASE)
#: Mock servers whose URL ends in the description's own version, whatever the API's URLs
#: are (`https://virtserver.swaggerhub.com/<owner>/<api>/1.0.0`).
MOCK_HOSTS = frozenset({"virtserver.swaggerhub.com"})
EXPLICIT_QUERY = frozenset({"api-version", "api_version", "apiversion"})
EXPLICIT_HEADER = frozenset({"api-version", "x-api-version"})
#: Endpoints that are unversioned by nature (discovery, probes, the description itself).
UNVERSIONED_PATHS = ("/", "/api", "/apis", "/apis/*", "/version", "/versions", "/health*",
                     "/healthz", "/livez", "/readyz", "/ping", "/status", "/.well-known/**",
                     "/openapi*", "/swagger*", "/api-docs*", "/metrics",
                     "/oauth/**", "/oauth2/**", "/authorize", "/token", "/login", "/logout")


class Mark(Record):
    """One version mechanism found on one operation."""

    __slots__ = ("family", "value", "pointer", "major", "required", "has_default", "generic")

    def __init__(self, family: str, value: str, pointer: Pointer, major: int | None = None,
                 required: bool = True, has_default: bool = False, generic: bool = False) -> None:
        self.family = family
        self.value = value  # the segment, parameter name or media type
        self.pointer = pointer  # where it is written
        self.major = major  # URL majors only
        self.required = required  # query/header parameters
        self.has_default = has_default
        self.generic = generic  # a generic name that needs `min_mechanism_share`


class Versioning(Record):
    __slots__ = ("ops", "marks", "family", "counts")

    def __init__(self, ops: list[Operation], marks: dict[Pointer, list[Mark]] | None = None,
                 family: str | None = None, counts: Counter[str] | None = None) -> None:
        self.ops = ops
        self.marks = {} if marks is None else marks  # op pointer -> marks
        self.family = family  # the chosen (majority) mechanism family
        self.counts = Counter() if counts is None else counts

    def families_of(self, op: Operation) -> set[str]:
        return {m.family for m in self.marks.get(op.pointer, [])}


def _segment_mark(seg: str, ptr: Pointer, literals: frozenset[str], numeric: bool
                  ) -> Mark | None:
    m = URL_VERSION.match(seg)
    if m:
        return Mark("url", seg, ptr, int(m.group(1)))
    if seg.lower() in literals:
        return Mark("url", seg, ptr)
    if numeric:
        m = BARE_NUMBER.match(seg)
        if m:
            return Mark("url", seg, ptr, int(m.group(1)))
        if DATE_SEGMENT.match(seg):
            return Mark("url", seg, ptr)
    return None


def prerelease_tag(text: str) -> str | None:
    """The pre-release part of a version string, or None: `rc.1` of `1.2.0-rc.1` (and the
    build metadata of `1.2.0+42`), `beta1` of `v1beta1` and `v1p3beta1`, `b3` of `v1b3`,
    `preview` of `7.0-preview` and `2020-01-01-preview`."""
    text = text.strip()
    m = SEMVER.match(text)
    if m:
        return m.group(4) or m.group(5)
    m = PRERELEASE_NEAR_MISS.match(text)
    if m:
        return (m.group(5) + m.group(6)) if m.group(5) else m.group(7) + m.group(8)
    m = DATE_SEGMENT.match(text)
    return m.group(2).lstrip("-") if m and m.group(2) else None


def _prefix_like(seg: str, base_prefix: tuple[str, ...]) -> bool:
    s = seg.lower()
    return "{" not in s and ("api" in s or s in ("rest", "services", "service")
                             or s in {b.strip("/").lower() for b in base_prefix})


def _path_segments(path: str, base_prefix: tuple[str, ...]) -> list[str]:
    segs = [s for s in path.split("/") if s]
    for prefix in base_prefix:
        p = [s for s in prefix.split("/") if s]
        if p and segs[:len(p)] == p:
            return segs[len(p):]
    return segs


def _url_marks(spec: Spec, op: Operation, literals: frozenset[str],
               base_prefix: tuple[str, ...], shared: Counter[tuple[str, ...]] | None = None,
               n_ops: int = 0, by_servers: dict[int, Any] | None = None,
               by_path: dict[tuple[str, Pointer], list[Mark]] | None = None) -> list[Mark]:
    if by_servers is None:
        out = _server_marks(spec, op.servers, literals)
    else:  # most operations share the root `servers` tuple: its marks once (Graph: 22,000x)
        hit = by_servers.get(id(op.servers))
        if hit is None or hit[0] is not op.servers:  # the entry keeps the tuple alive
            hit = by_servers[id(op.servers)] = (op.servers,
                                                _server_marks(spec, op.servers, literals))
        out = list(hit[1])
    if by_path is None:
        segs = _path_segments(op.path, base_prefix)
        return out + _path_marks(op, segs, literals, base_prefix, shared, n_ops)
    # The methods of a path item share its path and pointer: its marks once a path item
    # (Graph beta: 22,361 operations on 14,227 paths; `_url_marks` 0.075 -> 0.065 s).
    key = (op.path, op.path_item_pointer)
    marks = by_path.get(key)
    if marks is None:
        segs = _path_segments(op.path, base_prefix)
        marks = by_path[key] = _path_marks(op, segs, literals, base_prefix, shared, n_ops)
    return out + marks


def _server_marks(spec: Spec, servers: tuple[Any, ...], literals: frozenset[str]
                  ) -> list[Mark]:
    """Version segments in the servers' URLs and in their variables' enum values."""
    out: list[Mark] = []
    for server in servers:
        url = server.url
        if _host(url) in MOCK_HOSTS:
            continue  # SwaggerHub's mock appends the definition's version to every URL
        try:
            parts = urlsplit(url if "://" in url or url.startswith("//") else "//x" + url
                             if url.startswith("/") else "//" + url)
            path = parts.path
        except ValueError:
            continue
        for seg in (s for s in path.split("/") if s):
            mark = _segment_mark(seg, server.pointer, literals, numeric=True)
            if mark is not None:
                out.append(mark)
        raw = spec.get(server.pointer)  # enum values of server variables (6.3)
        if isinstance(raw, dict) and isinstance(raw.get("variables"), dict):
            for var in raw["variables"].values():
                if isinstance(var, dict) and isinstance(var.get("enum"), list):
                    for value in var["enum"]:
                        mark = _segment_mark(str(value).strip("/"), server.pointer, literals,
                                             numeric=False)
                        if mark is not None:
                            out.append(mark)
    return out


def _path_marks(op: Operation, segs: list[str], literals: frozenset[str],
                base_prefix: tuple[str, ...], shared: Counter[tuple[str, ...]] | None,
                n_ops: int) -> list[Mark]:
    """The version segment of the operation's literal path prefix, if any."""
    out: list[Mark] = []
    ptr = op.path_item_pointer
    for i, seg in enumerate(segs):
        if "{" in seg:
            break  # only the literal prefix: `/users/{id}/v2` is not an API version
        # `v1` anywhere in the literal prefix (`/apis/apps/v1/...`); bare numbers and dates
        # first, or right after an api-like prefix (`/api.xro/2.0`, `/rest/3`), or deeper in
        # a literal prefix most operations share (AWS `/amazonclouddirectory/2017-01-11/...`:
        # a constant prefix is the API's base path; `/things/2024-01-01` alone is data)
        numeric = i == 0 or (i <= 3 and any(_prefix_like(x, base_prefix) for x in segs[:i])) \
            or (shared is not None and i <= 3
                and shared[tuple(segs[:i + 1])] >= max(2, n_ops * 0.5))
        mark = _segment_mark(seg, ptr, literals, numeric=numeric)
        if mark is not None:
            out.append(mark)
            break
    return out


def _param_marks(op: Operation, query_names: frozenset[str], header_re: re.Pattern[str]
                 ) -> list[Mark]:
    out = []
    for p in op.parameters:
        # Only query and header parameters mark a version, and a query one only by name:
        # the rest is skipped first (Graph beta: 200,000 parameter uses, most of them path
        # ids and `$select`-like queries; 0.042 -> 0.026 s of CPU).
        location = p.location
        if location == "query":
            if p.name.lower() not in query_names:
                continue
        elif location != "header":
            continue
        name = p.name.lower()
        schema = p.schema if isinstance(p.schema, dict) else {}
        default = "default" in schema or "default" in p.data
        if p.location == "query" and name in query_names:
            out.append(Mark("query", p.name, p.pointer, required=p.required, has_default=default,
                            generic=name not in EXPLICIT_QUERY))
        elif p.location == "header" and name != "accept" and header_re.match(name):
            out.append(Mark("header", p.name, p.pointer, required=p.required,
                            has_default=default, generic=name not in EXPLICIT_HEADER))
        elif p.location == "header" and name == "accept":
            enum = schema.get("enum") if isinstance(schema.get("enum"), list) else []
            if any(isinstance(e, str) and (MEDIA_VERSION_PARAM.search(e)
                                           or MEDIA_VENDOR_VERSION.search(e.split(";")[0]))
                   for e in enum):
                out.append(Mark("media_type", p.name, p.pointer))
    return out


def _media_marks(op: Operation, by_content: dict[int, Any] | None = None) -> list[Mark]:
    """The first versioned media type of the request body and the responses, in order."""
    body = op.request_body
    contents = [body.content] if body is not None else []
    contents += [resp.content for resp in op.responses.values()]
    for content in contents:
        if by_content is None:
            media = _versioned_media(content)
        else:  # a shared response's `content` is one object: read once (Graph: 200,000x)
            hit = by_content.get(id(content))
            if hit is None or hit[0] is not content:  # the entry keeps `content` alive
                hit = by_content[id(content)] = (content, _versioned_media(content))
            media = hit[1]
        if media is not None:
            return [Mark("media_type", media.name, media.pointer)]
    return []


def _versioned_media(content: Any) -> Any:
    """The first media type of `content` whose name carries a version, or None."""
    for media in content.values():
        name = media.name
        if MEDIA_VERSION_PARAM.search(name) or MEDIA_VENDOR_VERSION.search(name.split(";")[0]):
            return media
    return None


_VERSIONS_DISCOVERY = re.compile(r"(?i)\b(list|get|retrieves?|returns?|lists?)\b.*\b(api|available|"
                                 r"supported) versions\b|^\s*\S*versions?\s*$")


def _versions_discovery(op: Operation) -> bool:
    """The operation lists the API's versions (its summary or id says so)."""
    text = f"{op.summary or ''} {op.operation_id or ''}"
    # Both branches of the pattern need "version": a substring test first spares the
    # search on almost every operation (0.117 -> 0.026 s of CPU on Graph beta).
    return "version" in text.lower() and _VERSIONS_DISCOVERY.search(text) is not None


def _glob(pattern: str) -> re.Pattern[str]:
    """A path glob: `*` stays within a segment, `**` crosses segments."""
    parts = re.split(r"(\*\*|\*)", pattern.rstrip("/") or "/")
    rx = "".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return re.compile(rx + "$", re.IGNORECASE)


def analyse(spec: Spec, *, url_literals: tuple[str, ...] = ("beta",),
            base_prefix: tuple[str, ...] = (),
            query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion",
                                            "version"),
            header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
            min_mechanism_share: float = 0.5,
            unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS) -> Versioning:
    key = ("versioning", tuple(url_literals), tuple(base_prefix), tuple(query_names),
           header_pattern, min_mechanism_share, tuple(unversioned_paths))

    def build() -> Versioning:
        globs = [_glob(p) for p in unversioned_paths]  # one alternation: one match per op
        skip = [re.compile("|".join(f"(?:{g.pattern})" for g in globs), re.IGNORECASE)] \
            if globs else []
        root_hosts = {_host(s.url) for s in spec.servers}
        hosts_of: dict[int, Any] = {}
        ops = [op for op in spec.in_paths()
               if not any(g.match(op.path.rstrip("/") or "/") for g in skip)
               and not _versions_discovery(op)
               and not _elsewhere(op, root_hosts, hosts_of)]
        result = Versioning(ops)
        literals = frozenset(x.lower() for x in url_literals)
        qnames = frozenset(x.lower() for x in query_names)
        header_re = re.compile(header_pattern, re.IGNORECASE)
        shared: Counter[tuple[str, ...]] = Counter()  # literal path prefixes, by operations
        for op in ops:
            segs = _path_segments(op.path, base_prefix)
            for i in range(min(len(segs), 4)):
                if "{" in segs[i]:
                    break
                shared[tuple(segs[:i + 1])] += 1
        raw, generic_ops = _all_marks(spec, ops, literals, base_prefix, shared, qnames,
                                      header_re)
        n = len(ops) or 1
        # The families of each operation counted by their tuple, then added up in the order
        # they first occur, as per operation before (Graph beta: 22,361 operations, one
        # tuple; with the rest of this module's care, the analysis took 0.42 -> 0.28 s).
        counts: Counter[tuple[str, ...]] = Counter()
        marks_of = result.marks
        for op, kept in raw:
            if generic_ops and any(m.generic for m in kept):
                kept = [m for m in kept if not m.generic
                        or generic_ops[(m.family, m.value.lower())] / n >= min_mechanism_share]
            marks_of[op.pointer] = kept
            counts[tuple([m.family for m in kept])] += 1
        for fams, k in counts.items():
            for fam in {f for f in fams}:  # a set, as before: its order when tied
                result.counts[fam] += k
        if result.counts:
            order = {f: i for i, f in enumerate(FAMILIES)}
            result.family = max(result.counts.items(),
                                key=lambda kv: (kv[1], -order[kv[0]]))[0]
        return result
    return spec.memo(key, build)


def _all_marks(spec: Spec, ops: list[Operation], literals: frozenset[str],
               base_prefix: tuple[str, ...], shared: Counter[tuple[str, ...]],
               qnames: frozenset[str], header_re: re.Pattern[str]
               ) -> tuple[list[tuple[Operation, list[Mark]]], Counter[tuple[str, str]]]:
    """Each operation's marks, and on how many operations each generic name marks one."""
    raw: list[tuple[Operation, list[Mark]]] = []
    generic_ops: Counter[tuple[str, str]] = Counter()
    by_servers: dict[int, Any] = {}
    by_content: dict[int, Any] = {}
    by_path: dict[tuple[str, Pointer], list[Mark]] = {}
    n_ops = len(ops)
    for op in ops:
        marks = _url_marks(spec, op, literals, base_prefix, shared, n_ops, by_servers, by_path)
        params = _param_marks(op, qnames, header_re)
        if params:
            marks += params
            if any(m.generic for m in params):  # only parameters are generic
                for m in {(m.family, m.value.lower()) for m in marks if m.generic}:
                    generic_ops[m] += 1
        marks += _media_marks(op, by_content)
        raw.append((op, marks))
    return raw, generic_ops


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1] if "://" in url else ""
    return rest.split("/", 1)[0].lower()


def _elsewhere(op: Operation, root_hosts: set[str],
               by_servers: dict[int, Any] | None = None) -> bool:
    """An operation served by another host than the API (its own `servers`, e.g. a
    presigned upload URL or a storage bucket) is not the API's to version."""
    if by_servers is None:
        hosts = {_host(s.url) for s in op.servers}
    else:  # most operations share the root `servers` tuple: its hosts once
        hit = by_servers.get(id(op.servers))
        if hit is None or hit[0] is not op.servers:  # the entry keeps the tuple alive
            hit = by_servers[id(op.servers)] = (op.servers,
                                                {_host(s.url) for s in op.servers})
        hosts = hit[1]
    return bool(hosts) and bool(root_hosts) and not (hosts & root_hosts)


_OPTS = ("url_literals", "base_prefix", "query_names", "header_pattern", "min_mechanism_share",
         "unversioned_paths")


def analyse_with(spec: Spec, opts: dict[str, Any]) -> Versioning:
    return analyse(spec, **{k: v for k, v in opts.items() if k in _OPTS})


def first_mark(v: Versioning, family: str) -> tuple[Operation, Mark] | None:
    for op in v.ops:
        for m in v.marks.get(op.pointer, []):
            if m.family == family:
                return op, m
    return None
