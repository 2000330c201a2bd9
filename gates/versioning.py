"""Versioning: a well-formed `info.version` and one version mechanism on every operation.

`info.version` must follow `version-scheme` (SemVer by default; `calver` dates or `any`).
Each operation under `paths` carries its API version through a mechanism (settled on real
specs, below): `url` (a whole path segment `v1`, `v2.1`, `v1.0.0`, `v1beta1`,
`v1p3beta1`, a configured literal such as `beta`, a bare number `2`, `2.0`, `1.2.15` or an
ISO date `2010-04-01` in the server URL / 2.0 `basePath`, or at the start of the path
key), `query` (`api-version`, ...), `header` (`Api-Version`, `X-API-Version`,
`Stripe-Version`, ...) or `media_type`
(`application/vnd.acme+json;version=2`, `application/vnd.acme.v2+json`). The chosen mechanism
is the one most operations carry; it must be on every operation, be the only family and be
allowed. The metric is the share of operations that carry the chosen mechanism.

Segments are matched whole: `ipv4`, `dev1-inter.net`, `v1beta1x` never match, and host names
are never read. Generic names (`version` query, `*-version` header other than `Api-Version`)
count only when at least `min-mechanism-share` of the operations carry them, so a
`GET /documents/{id}?version=3` resource parameter is not mistaken for API versioning.

Disagreements found on real specs, and how they were settled:

* `/api/v1/...`, `/rest/2.0/...`, `/api.xro/2.0/...`: a version segment right after a first
  literal segment that is `api`-like (contains `api`, or `rest`, or is in `base-prefix`) is a
  URL version, without having to configure `base-prefix`; a `v<N>` segment is accepted
  anywhere in the literal prefix of the path key (`/storage/v1/b`, Kubernetes
  `/apis/apps/v1/deployments`), bare numbers and dates only first (Twilio
  `/2010-04-01/Accounts.json`) or within the first four literal segments after such a
  prefix (Jira `/rest/api/3/issue`, `/rest/agile/1.0/board`).
* Discovery and probe endpoints are unversioned by nature (`/`, `/api`, `/apis`,
  `/version`, `/versions`, `/health`, `/.well-known/...`, `/openapi.json`), and so are the
  OAuth endpoints (`/oauth2/token`, `/authorize`: Box serves them unversioned from its
  account host): they are left out of coverage (`unversioned-paths`), as a reviewer would;
  so is an operation whose summary says it lists the API versions (DocuSign
  `GET /service_information`, "Retrieves the available REST API versions").
* A server list mixing a versioned URL and an unversioned one (`https://api.x.com/v1` and
  `http://localhost:8080`) still versions the operation: a reviewer reads the production URL.
* Stripe-style calendar versions with a release name (`2024-06-20.basil`) and Azure's
  `-preview` suffix are accepted by `calver`.
* Operations whose version lives only in a server URL cover every operation by
  construction; an operation-level `servers` override is checked on its own.
* `info.version` is checked against SemVer by default, as the definition says, but 89 of
  100 real YAML specs sampled from the public directory miss it (`1.0`, `v2`, `2`, Azure and AWS
  dates), and a reviewer does not reject DigitalOcean's versioning over `2.0`. So a
  near-miss (`1.0`, `v1.2.0`, a bare major) or a date is a warning that names the exact
  expected form; text that orders nothing (`latest`, `unversioned`, a JavaScript date
  string) stays an error. Azure- or AWS-style APIs select `version-scheme = "calver"`.
* A URL major with a revision header (Notion-Version, Stripe-Version,
  X-GitHub-Api-Version) is a two-level scheme, not two sources of truth: a warning (info
  when the header carries a date) instead of VER-012's error.
* An operation served by another host (its own `servers`, e.g. DigitalOcean's presigned
  `PUT /<upload_url>`) is not the API's to version and is left out.
* Version segments come in more spellings than `v<N>`: Google's point releases and
  pre-release channels (`v1p3beta1`, `v1b3`, `v2alpha`), full versions at the end of a
  server URL (`/api/v1.20.0/`, `/v3.1.5`, `/api/1.2.15`, `/1.0.0`) and a date deeper in a
  literal prefix that most operations share (AWS `/amazonclouddirectory/2017-01-11/...`;
  a date in one path, `/reports/2024-01-01`, is data). SwaggerHub's mock server
  (`virtserver.swaggerhub.com/<owner>/<api>/<version>`) always ends in the description's
  version and is not read. See docs/gates/versioning.md.
* Pre-release versions (`v1beta1`, `v1alpha1`, `v1p3beta1`, `7.0-preview`,
  `2020-01-01-preview`) are deliberate, ordered schemes (Google's channels, Azure's
  previews): in `info.version` they are a near miss of SemVer (a warning naming
  `1.0.0-beta.1`) plus `prerelease-info-version`'s warning, and in a URL
  `prerelease-url-version`'s warning, so the same version reads the same wherever it is
  written; only text that orders nothing stays an error.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

from gatekeeper import Gate, Metric, Operation, Pointer, Severity, Spec, Violation, rule
from gatekeeper.record import Record

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
               n_ops: int = 0) -> list[Mark]:
    out: list[Mark] = []
    for server in op.servers:
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
    segs = _path_segments(op.path, base_prefix)
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


def _media_marks(op: Operation) -> list[Mark]:
    contents = []
    if op.request_body is not None:
        contents.extend(op.request_body.content.values())
    for resp in op.responses.values():
        contents.extend(resp.content.values())
    for media in contents:
        name = media.name
        if MEDIA_VERSION_PARAM.search(name) or MEDIA_VENDOR_VERSION.search(name.split(";")[0]):
            return [Mark("media_type", name, media.pointer)]
    return []


_VERSIONS_DISCOVERY = re.compile(r"(?i)\b(list|get|retrieves?|returns?|lists?)\b.*\b(api|available|"
                                 r"supported) versions\b|^\s*\S*versions?\s*$")


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
        ops = [op for op in spec.in_paths()
               if not any(g.match(op.path.rstrip("/") or "/") for g in skip)
               and not _VERSIONS_DISCOVERY.search(f"{op.summary or ''} {op.operation_id or ''}")
               and not _elsewhere(op, root_hosts)]
        result = Versioning(ops)
        literals = frozenset(x.lower() for x in url_literals)
        qnames = frozenset(x.lower() for x in query_names)
        header_re = re.compile(header_pattern, re.IGNORECASE)
        raw: dict[Pointer, list[Mark]] = {}
        generic_ops: Counter[tuple[str, str]] = Counter()
        shared: Counter[tuple[str, ...]] = Counter()  # literal path prefixes, by operations
        for op in ops:
            segs = _path_segments(op.path, base_prefix)
            for i in range(min(len(segs), 4)):
                if "{" in segs[i]:
                    break
                shared[tuple(segs[:i + 1])] += 1
        for op in ops:
            marks = _url_marks(spec, op, literals, base_prefix, shared, len(ops))
            marks += _param_marks(op, qnames, header_re) + _media_marks(op)
            raw[op.pointer] = marks
            for m in {(m.family, m.value.lower()) for m in marks
                      if m.generic}:
                generic_ops[m] += 1
        n = len(ops) or 1
        for op in ops:
            kept = [m for m in raw[op.pointer] if not m.generic
                    or generic_ops[(m.family, m.value.lower())] / n >= min_mechanism_share]
            result.marks[op.pointer] = kept
            for fam in {m.family for m in kept}:
                result.counts[fam] += 1
        if result.counts:
            order = {f: i for i, f in enumerate(FAMILIES)}
            result.family = max(result.counts.items(),
                                key=lambda kv: (kv[1], -order[kv[0]]))[0]
        return result
    return spec.memo(key, build)


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1] if "://" in url else ""
    return rest.split("/", 1)[0].lower()


def _elsewhere(op: Operation, root_hosts: set[str]) -> bool:
    """An operation served by another host than the API (its own `servers`, e.g. a
    presigned upload URL or a storage bucket) is not the API's to version."""
    hosts = {_host(s.url) for s in op.servers}
    return bool(hosts) and bool(root_hosts) and not (hosts & root_hosts)


_OPTS = ("url_literals", "base_prefix", "query_names", "header_pattern", "min_mechanism_share",
         "unversioned_paths")


def _analyse(spec: Spec, opts: dict[str, Any]) -> Versioning:
    return analyse(spec, **{k: v for k, v in opts.items() if k in _OPTS})


def _first_mark(v: Versioning, family: str) -> tuple[Operation, Mark] | None:
    for op in v.ops:
        for m in v.marks.get(op.pointer, []):
            if m.family == family:
                return op, m
    return None


# ---------------------------------------------------------------------- metric

def version_coverage(spec: Spec, *, url_literals: tuple[str, ...] = ("beta",),
                     base_prefix: tuple[str, ...] = (),
                     query_names: tuple[str, ...] = ("api-version", "api_version",
                                                     "apiVersion", "version"),
                     header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
                     min_mechanism_share: float = 0.5,
                     unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS) -> Metric:
    """Share of operations under `paths` that carry the API's version mechanism (the family
    most operations use: url, query, header or media_type). 0 % when no operation carries
    any; 100 % when there are no operations."""
    v = _analyse(spec, dict(url_literals=url_literals, base_prefix=base_prefix,
                            query_names=query_names, header_pattern=header_pattern,
                            min_mechanism_share=min_mechanism_share,
                            unversioned_paths=unversioned_paths))
    fam = v.family
    passed = sum(1 for op in v.ops if fam is not None and fam in v.families_of(op))
    label = f"operations versioned by {fam}" if fam else "operations carrying a version"
    return Metric.ratio(passed, len(v.ops), label, mechanism=fam,
                        families=dict(v.counts),
                        unversioned=[op.label for op in v.ops
                                     if fam is None or fam not in v.families_of(op)][:50])


# ---------------------------------------------------------------------- info.version

def _info_ptr(spec: Spec) -> Pointer:
    if isinstance(spec.raw.get("info"), dict) and "version" in spec.raw["info"]:
        return spec.root.join("info", "version")
    return spec.root / "info" if isinstance(spec.raw.get("info"), dict) else spec.root


@rule("versioning/missing-info-version", severity=Severity.ERROR)
def missing_info_version(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a document whose `info.version` is missing or blank.

    ## Why is this bad?
    `info.version` is the version of the API description; clients, changelogs and
    compatibility checks key on it (Zalando #116). OpenAPI requires it.

    ## Example
    ```yaml
    info: {title: Orders}
    ```
    Use instead:
    ```yaml
    info: {title: Orders, version: 1.4.0}
    ```
    """
    if not spec.api_version.strip():
        yield Violation(_info_ptr(spec), "`info.version` is missing or blank",
                        subject="info.version")


def _major(text: str) -> int | None:
    m = re.match(r"^v?(\d+)(\.|$)", text.strip()) or PRERELEASE_NEAR_MISS.match(text.strip())
    return int(m.group(1)) if m and not ISO_DATE.match(text.strip()[:10]) else None


@rule("versioning/invalid-info-version", severity=Severity.ERROR)
def invalid_info_version(spec: Spec, *, version_scheme: str = "semver",
                         allow_major_minor: bool = False) -> Iterator[Violation]:
    """## What it does
    Flags an `info.version` that does not follow the configured scheme: SemVer
    `MAJOR.MINOR.PATCH` by default (a leading `v`, `1.0`, `1` or a date are warnings, since
    they still order releases; text such as `latest` is an error), `calver`
    (`YYYY-MM-DD`, optionally `-preview` or a release name as Stripe's `2024-06-20.basil`),
    or `any` non-blank text.

    ## Why is this bad?
    A predictable version string lets tools order releases and tell breaking changes from
    additions (Zalando #116, adidas, italia `use-semver`); Azure uses the date of the
    `api-version`.

    ## Example
    ```yaml
    info: {title: Orders, version: v1.2}
    ```
    Use instead:
    ```yaml
    info: {title: Orders, version: 1.2.0}
    ```

    ## Options
    `version-scheme`: `semver` (default), `calver` or `any`. `allow-major-minor` (false):
    accept `1.2` under `semver` (Zally's behaviour).
    """
    text = spec.api_version.strip()
    if not text or version_scheme == "any":
        return
    ptr = _info_ptr(spec)
    if version_scheme == "calver":
        if not CALVER.match(text):
            yield Violation(ptr, f"`info.version` `{text}` is not a calendar version "
                                 f"(`YYYY-MM-DD`, e.g. `2024-01-01`)", subject="info.version")
        return
    if SEMVER.match(text) or (allow_major_minor and MAJOR_MINOR.match(text)):
        return
    hint = ""
    # A reviewer does not fail an API over `1.0` instead of `1.0.0`, a `v` prefix or a
    # release date: those still order releases, so they are warnings. Text that orders
    # nothing (`latest`, `unversioned`) stays an error.
    severity = None
    digits = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$", text, re.IGNORECASE)
    pre = PRERELEASE_NEAR_MISS.match(text)
    if digits:
        hint = f"; use `{digits.group(1)}.{digits.group(2) or 0}.{digits.group(3) or 0}`"
        severity = Severity.WARNING
    elif pre:
        # Google's `v1beta1`, `v1p3beta1`, Azure's `7.0-preview`: a deliberate, ordered
        # scheme (the pre-release itself is `versioning/prerelease-info-version`'s warning)
        word = {"a": "alpha", "b": "beta"}.get((pre.group(7) or "").lower(),
                                                (pre.group(5) or "").lower())
        number = pre.group(6) or pre.group(8) or ""
        minor = pre.group(2) or pre.group(4) or 0
        hint = (f"; use `{pre.group(1)}.{minor}.{pre.group(3) or 0}-{word}"
                f"{'.' + number if number else ''}`")
        severity = Severity.WARNING
    elif ISO_DATE.match(text[:10]):
        hint = "; a date needs `version-scheme = \"calver\"`"
        severity = Severity.WARNING
    yield Violation(ptr, f"`info.version` `{text}` is not SemVer (MAJOR.MINOR.PATCH){hint}",
                    subject="info.version", severity=severity)


@rule("versioning/prerelease-info-version", severity=Severity.WARNING)
def prerelease_info_version(spec: Spec, *, version_scheme: str = "semver",
                            allow_prerelease: bool = False) -> Iterator[Violation]:
    """## What it does
    Flags an `info.version` that names a pre-release: SemVer pre-release or build metadata
    (`1.2.0-beta.1`, `1.2.0+42`), Google's and Azure's pre-release versions (`v1beta1`,
    `v1p3beta1`, `v1alpha`, `7.0-preview`) and, under `calver`, a dated preview
    (`2020-01-01-preview`). The same pre-release as a URL segment is
    `versioning/prerelease-url-version`'s warning.

    ## Why is this bad?
    A published API description should describe a release (Zalando #116 forbids pre-release
    and build parts; italia allows them, hence a warning). Google's and Azure's pre-release
    versions are ordered and deliberate, so they are warned about like a SemVer
    pre-release, never rejected as meaningless text.

    ## Example
    ```yaml
    info: {title: Orders, version: 1.2.0-rc.1}
    ```
    Use instead:
    ```yaml
    info: {title: Orders, version: 1.2.0}
    ```

    ## Options
    `allow-prerelease` (false) turns the rule off.
    """
    text = spec.api_version.strip()
    if version_scheme not in ("semver", "calver") or allow_prerelease:
        return
    if version_scheme == "calver" and not DATE_SEGMENT.match(text):
        return  # not a date: `versioning/invalid-info-version` says so
    tag = prerelease_tag(text)
    if tag is None:
        return
    if SEMVER.match(text):
        yield Violation(_info_ptr(spec), f"`info.version` `{text}` carries pre-release or "
                                         f"build metadata", subject="info.version")
    else:
        yield Violation(_info_ptr(spec), f"`info.version` `{text}` is a pre-release "
                                         f"(`{tag}`)", subject="info.version")


# ---------------------------------------------------------------------- mechanism rules

def _common_doc(fn: Any) -> Any:
    fn.__doc__ = (fn.__doc__ or "").replace("{common}", _COMMON_DOC)
    return fn


_COMMON_DOC = ("`url-literals` ([\"beta\"]), `base-prefix` ([]; e.g. [\"/api\"]), "
               "`query-names`, `header-pattern`, `min-mechanism-share` (0.5), "
               "`unversioned-paths` (globs of paths left out: discovery and probes)")


@rule("versioning/missing-version-mechanism", severity=Severity.ERROR)
@_common_doc
def missing_version_mechanism(
    spec: Spec, *, require_mechanism: bool = True, url_literals: tuple[str, ...] = ("beta",),
    base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags an API none of whose operations carries a version: no version segment in the server
    URL, base path or paths, no `api-version` query parameter, no version header and no
    versioned media type.

    ## Why is this bad?
    Without a version a breaking change cannot be shipped next to the old contract; clients
    break on deploy (AIP-185, PayPal, Azure). Zalando prefers avoiding versioning: set
    `require-mechanism = false` to turn this into advice.

    ## Example
    ```yaml
    servers: [{url: https://api.example.com}]
    paths: {/orders: {get: {}}}
    ```
    Use instead:
    ```yaml
    servers: [{url: https://api.example.com/v1}]
    ```

    ## Options
    `require-mechanism` (true; false makes this an info), and the gate options
    {common}
    """
    v = _analyse(spec, locals())
    if v.family is None and v.ops:
        yield Violation(spec.root / ("paths" if "paths" in spec.raw else "info"),
                        "no operation carries an API version (URL segment, `api-version` "
                        "query, version header or media-type parameter)", subject="api",
                        severity=None if require_mechanism else Severity.INFO)


@rule("versioning/unversioned-operation", severity=Severity.ERROR)
@_common_doc
def unversioned_operation(
    spec: Spec, *, url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags an operation that lacks the version mechanism the rest of the API uses (for
    example `/v1/orders` next to an unversioned `/customers`).

    ## Why is this bad?
    Unversioned endpoints change under clients' feet while the rest of the API promises
    stability; coverage must be 100 %.

    ## Example
    ```yaml
    paths:
      /v1/orders: {get: {}}
      /customers: {get: {}}
    ```
    Use instead: `/v1/customers`.

    ## Options
    The gate options {common}
    """
    v = _analyse(spec, locals())
    if v.family is None:
        return
    for op in v.ops:
        if v.family not in v.families_of(op):
            yield Violation(op.pointer, f"`{op.label}` does not carry the API's {v.family} "
                                        f"version", subject=op.label)


@rule("versioning/mixed-mechanisms", severity=Severity.ERROR)
@_common_doc
def mixed_mechanisms(
    spec: Spec, *, url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags an API that carries its version by more than one mechanism family (a `/v1/` path
    and an `api-version` query parameter, say). Reported once per extra family, where it is
    first used. A URL major version with a revision header (Notion's `Notion-Version`,
    Stripe's `Stripe-Version`, GitHub's `X-GitHub-Api-Version`), or with a dated query
    revision, is a deliberate two-level scheme: a warning (info when the revision is a date).

    ## Why is this bad?
    Two sources of truth disagree sooner or later; clients cannot tell which one wins
    ("Services co-located behind a DNS endpoint MUST use the same versioning mechanism",
    Microsoft).

    ## Example
    ```yaml
    paths:
      /v1/orders:
        get:
          parameters: [{name: api-version, in: query, required: true}]
    ```
    Use instead: keep only `/v1/` (or only `api-version`).

    ## Options
    The gate options {common}
    """
    v = _analyse(spec, locals())
    if v.family is None:
        return
    for fam in FAMILIES:
        if fam == v.family or not v.counts.get(fam):
            continue
        first = _first_mark(v, fam)
        if first is not None:
            op, mark = first
            if v.family == "url" and (fam == "header" or (fam == "query"
                                                           and _dated(spec, mark.pointer))):
                # A major in the URL plus a revision in a header (Notion-Version,
                # Stripe-Version, X-GitHub-Api-Version) is a deliberate two-level scheme,
                # not two sources of truth: a reviewer notes it and does not reject it
                # (info when the revision is a date, else a warning).
                dated = _dated(spec, mark.pointer)
                yield Violation(mark.pointer, f"`{op.label}` carries a {fam} revision "
                                              f"(`{mark.value}`) under the URL major version; "
                                              f"document how the two relate",
                                subject=f"{fam} {mark.value}",
                                severity=Severity.INFO if dated else Severity.WARNING)
                continue
            yield Violation(mark.pointer, f"`{op.label}` also carries a {fam} version "
                                          f"(`{mark.value}`, on {v.counts[fam]} operations) "
                                          f"besides the {v.family} version",
                            subject=f"{fam} {mark.value}")


def _dated(spec: Spec, pointer: Pointer) -> bool:
    """Whether the version parameter at `pointer` takes dates (by its example, default or
    enum values, or a `date` format)."""
    param, _ = spec.resolve(spec.get(pointer), pointer)
    if not isinstance(param, dict):
        return False
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else param
    schema = spec.resolve(schema, pointer)[0] if isinstance(schema, dict) else {}
    values = [param.get("example"), schema.get("example"), schema.get("default"),
              *(schema.get("enum") or [])]
    if schema.get("format") == "date":
        return True
    return any(isinstance(x, str) and ISO_DATE.match(x[:10]) for x in values)


@rule("versioning/disallowed-mechanism", severity=Severity.ERROR)
@_common_doc
def disallowed_mechanism(
    spec: Spec, *, allowed_mechanisms: tuple[str, ...] = FAMILIES,
    url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags a version mechanism family that `allowed-mechanisms` does not allow (for example a
    URL version under a Zalando profile that only allows `media_type`).

    ## Why is this bad?
    The organisation's guideline picks one mechanism (Google, PayPal, IBM: url; Azure:
    query; Zalando, adidas, Heroku: media type) so that all its APIs behave alike.

    ## Example
    With `allowed-mechanisms = ["query"]`, `servers: [{url: https://x.com/v1}]` is flagged.

    ## Options
    `allowed-mechanisms`: any of url, query, header, media_type (all). And {common}
    """
    v = _analyse(spec, locals())
    allowed = set(allowed_mechanisms)
    for fam in FAMILIES:
        if v.counts.get(fam) and fam not in allowed:
            first = _first_mark(v, fam)
            if first is not None:
                op, mark = first
                yield Violation(mark.pointer, f"{fam} versioning (`{mark.value}`) is not allowed"
                                              f" (allowed: {', '.join(sorted(allowed))})",
                                subject=f"{fam} {mark.value}")


def _url_marks_all(v: Versioning) -> list[tuple[Operation, Mark]]:
    return [(op, m) for op in v.ops for m in v.marks.get(op.pointer, []) if m.family == "url"]


@rule("versioning/multiple-majors", severity=Severity.WARNING)
@_common_doc
def multiple_majors(
    spec: Spec, *, allow_multiple_majors: bool = False, url_literals: tuple[str, ...] = ("beta",),
    base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags URL versions with more than one major in one document (`/v1/orders` next to
    `/v2/customers`); reported where each minority major is first used.

    ## Why is this bad?
    One document should describe one major version of the API; mixing them hides which
    operations belong to which contract (IBM `ibm-major-version-in-path`).

    ## Example
    `/v1/orders` and `/v2/customers` in one document: split it, or move both to `/v2/`.

    ## Options
    `allow-multiple-majors` (false) turns the rule off. And {common}
    """
    if allow_multiple_majors:
        return
    v = _analyse(spec, locals())
    marks = [(op, m) for op, m in _url_marks_all(v) if m.major is not None]
    counts = Counter(m.major for _op, m in marks)
    if len(counts) < 2:
        return
    best = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    seen: set[int] = set()
    for op, m in marks:
        if m.major != best and m.major not in seen:
            seen.add(m.major)  # type: ignore[arg-type]
            yield Violation(m.pointer, f"`{op.label}` uses major version `{m.value}` while "
                                       f"{counts[best]} operations use major {best}",
                            subject=f"major {m.major}")


@rule("versioning/major-mismatch", severity=Severity.WARNING)
@_common_doc
def major_mismatch(
    spec: Spec, *, url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags a URL major version that differs from the major of `info.version` (`/v2/` with
    `info.version: 1.4.0`).

    ## Why is this bad?
    Readers cannot tell which is right; usually `info.version` was not bumped with the
    breaking release.

    ## Example
    ```yaml
    info: {version: 1.4.0}
    servers: [{url: https://api.example.com/v2}]
    ```
    Use instead: `info.version: 2.0.0`.

    ## Options
    The gate options {common}
    """
    info_major = _major(spec.api_version)
    if info_major is None:
        return
    v = _analyse(spec, locals())
    seen: set[int] = set()
    for op, m in _url_marks_all(v):
        if m.major is not None and m.major != info_major and m.major not in seen:
            seen.add(m.major)
            yield Violation(m.pointer, f"URL version `{m.value}` of `{op.label}` does not match "
                                       f"the major of `info.version` `{spec.api_version}`",
                            subject=f"major {m.major}")


@rule("versioning/url-version-not-major", severity=Severity.INFO)
@_common_doc
def url_version_not_major(
    spec: Spec, *, url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Notes a URL version with a minor part (`/v1.0/`, `/2.0/`).

    ## Why is this bad?
    Minor versions are backward compatible, so they do not belong in the URL (AIP-185,
    PayPal); Microsoft Graph's `v1.0` is the well-known exception, hence info.

    ## Example
    `https://api.example.com/v1.2` ; use instead `https://api.example.com/v1`.

    ## Options
    The gate options {common}
    """
    v = _analyse(spec, locals())
    seen: set[str] = set()
    for _op, m in _url_marks_all(v):
        if m.major is not None and "." in m.value and m.value not in seen:
            seen.add(m.value)
            yield Violation(m.pointer, f"URL version `{m.value}` is not major-only",
                            subject=m.value)


@rule("versioning/prerelease-url-version", severity=Severity.WARNING)
@_common_doc
def prerelease_url_version(
    spec: Spec, *, allow_prerelease: bool = False, url_literals: tuple[str, ...] = ("beta",),
    base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags a URL version that names a pre-release (`/v1beta1/`, Google's `/v1p3beta1/` and
    `/v1b3/`, `/v2alpha/`, `/2020-01-01-preview/`), once per version where it is first
    written. It is the URL counterpart of `versioning/prerelease-info-version`: the same
    versions get the same warning wherever they are written.

    ## Why is this bad?
    A pre-release contract may still change incompatibly; clients that build on it should
    know. It is a deliberate, ordered version (Google AIP-185 channels, Azure previews), so
    it is a warning, not an error.

    ## Example
    `servers: [{url: https://api.example.com/v1beta1}]`; once stable, serve `/v1`.

    ## Options
    `allow-prerelease` (false) turns the rule off. And {common}
    """
    if allow_prerelease:
        return
    v = _analyse(spec, locals())
    seen: set[str] = set()
    for op, m in _url_marks_all(v):
        tag = prerelease_tag(m.value)
        if tag is not None and m.value.lower() not in seen:
            seen.add(m.value.lower())
            yield Violation(m.pointer, f"URL version `{m.value}` of `{op.label}` is a "
                                       f"pre-release (`{tag}`)", subject=m.value)


@rule("versioning/optional-version-parameter", severity=Severity.WARNING)
@_common_doc
def optional_version_parameter(
    spec: Spec, *, url_literals: tuple[str, ...] = ("beta",), base_prefix: tuple[str, ...] = (),
    query_names: tuple[str, ...] = ("api-version", "api_version", "apiVersion", "version"),
    header_pattern: str = r"^(x-)?([a-z0-9]+-)*(api-)?version$",
    min_mechanism_share: float = 0.5, unversioned_paths: tuple[str, ...] = UNVERSIONED_PATHS,
) -> Iterator[Violation]:
    """## What it does
    Flags a version query or header parameter that is optional or has a default.

    ## Why is this bad?
    A defaulted version silently moves clients to a new contract when the default changes
    (Azure: `api-version` is required; Heroku: "default versions should be avoided").

    ## Example
    ```yaml
    - {name: api-version, in: query, schema: {type: string, default: '2024-01-01'}}
    ```
    Use instead:
    ```yaml
    - {name: api-version, in: query, required: true, schema: {type: string}}
    ```

    ## Options
    The gate options {common}
    """
    v = _analyse(spec, locals())
    seen: set[Pointer] = set()
    for op in v.ops:
        for m in v.marks.get(op.pointer, []):
            if m.family in ("query", "header") and (not m.required or m.has_default) \
                    and m.pointer not in seen:
                seen.add(m.pointer)
                why = "is optional" if not m.required else "has a default"
                yield Violation(m.pointer, f"version parameter `{m.value}` of `{op.label}` {why}",
                                subject=f"{m.family} {m.value}")


GATE = Gate(
    "versioning",
    title="Versioning",
    rules=(missing_info_version, invalid_info_version, prerelease_info_version,
           missing_version_mechanism, unversioned_operation, mixed_mechanisms,
           disallowed_mechanism, multiple_majors, major_mismatch, url_version_not_major,
           prerelease_url_version, optional_version_parameter),
    metric=version_coverage,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=True,
)
