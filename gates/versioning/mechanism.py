"""The version mechanism: present, used by every operation, one for the API, allowed,
required where it is a parameter."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from gates.versioning.analysis import FAMILIES, ISO_DATE, analyse_with, first_mark

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def common_doc(fn: Any) -> Any:
    fn.__doc__ = (fn.__doc__ or "").replace("{common}", _COMMON_DOC)
    return fn


_COMMON_DOC = ("`url-literals` ([\"beta\"]), `base-prefix` ([]; e.g. [\"/api\"]), "
               "`query-names`, `header-pattern`, `min-mechanism-share` (0.5), "
               "`unversioned-paths` (globs of paths left out: discovery and probes)")


@rule("versioning/missing-version-mechanism", severity=Severity.ERROR)
@common_doc
def missing_version_mechanism(
    spec: Spec, *, require_mechanism: bool = True, url_literals: tuple[str, ...],
    base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    if v.family is None and v.ops:
        yield Violation(spec.root / ("paths" if "paths" in spec.raw else "info"),
                        "no operation carries an API version (URL segment, `api-version` "
                        "query, version header or media-type parameter)", subject="api",
                        severity=None if require_mechanism else Severity.INFO)


@rule("versioning/unversioned-operation", severity=Severity.ERROR)
@common_doc
def unversioned_operation(
    spec: Spec, *, url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    if v.family is None:
        return
    for op in v.ops:
        if v.family not in v.families_of(op):
            yield Violation(op.pointer, f"`{op.label}` does not carry the API's {v.family} "
                                        f"version", subject=op.label)


@rule("versioning/mixed-mechanisms", severity=Severity.ERROR)
@common_doc
def mixed_mechanisms(
    spec: Spec, *, url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    if v.family is None:
        return
    for fam in FAMILIES:
        if fam == v.family or not v.counts.get(fam):
            continue
        first = first_mark(v, fam)
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
@common_doc
def disallowed_mechanism(
    spec: Spec, *, allowed_mechanisms: tuple[str, ...] = FAMILIES,
    url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    allowed = set(allowed_mechanisms)
    for fam in FAMILIES:
        if v.counts.get(fam) and fam not in allowed:
            first = first_mark(v, fam)
            if first is not None:
                op, mark = first
                yield Violation(mark.pointer, f"{fam} versioning (`{mark.value}`) is not allowed"
                                              f" (allowed: {', '.join(sorted(allowed))})",
                                subject=f"{fam} {mark.value}")


@rule("versioning/optional-version-parameter", severity=Severity.WARNING)
@common_doc
def optional_version_parameter(
    spec: Spec, *, url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    if not (v.counts.get("query") or v.counts.get("header")):
        # `counts` has the families of the marks kept: no version parameter at all, and
        # nothing to walk (Graph beta: 22,361 operations; 0.014 -> 0.000 s of CPU)
        return
    seen: set[Pointer] = set()
    for op in v.ops:
        for m in v.marks.get(op.pointer, []):
            if m.family in ("query", "header") and (not m.required or m.has_default) \
                    and m.pointer not in seen:
                seen.add(m.pointer)
                why = "is optional" if not m.required else "has a default"
                yield Violation(m.pointer, f"version parameter `{m.value}` of `{op.label}` {why}",
                                subject=f"{m.family} {m.value}")
