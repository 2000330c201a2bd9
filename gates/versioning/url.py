"""Versions in URLs: one major, matching `info.version`, major only, no pre-release tag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from gatekeeper import Operation, Severity, Spec, Violation, rule

from gates.versioning.analysis import Mark, Versioning, analyse_with, prerelease_tag
from gates.versioning.info import major_of
from gates.versioning.mechanism import common_doc


def _url_marks_all(spec: Spec, v: Versioning) -> list[tuple[Operation, Mark]]:
    # Once per analysis for the four rules here (Graph beta: 22,361 operations each; the
    # four took 0.069 -> 0.026 s of CPU). The memo keeps `v` alive: no id reuse meanwhile.
    marks = v.marks
    return spec.memo_of("versioning.url-marks", v, lambda: [
        (op, m) for op in v.ops for m in marks.get(op.pointer, ()) if m.family == "url"])


@rule("versioning/multiple-majors", severity=Severity.WARNING)
@common_doc
def multiple_majors(
    spec: Spec, *, allow_multiple_majors: bool = False, url_literals: tuple[str, ...],
    base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    marks = [(op, m) for op, m in _url_marks_all(spec, v) if m.major is not None]
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
@common_doc
def major_mismatch(
    spec: Spec, *, url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    info_major = major_of(spec.api_version)
    if info_major is None:
        return
    v = analyse_with(spec, locals())
    seen: set[int] = set()
    for op, m in _url_marks_all(spec, v):
        if m.major is not None and m.major != info_major and m.major not in seen:
            seen.add(m.major)
            yield Violation(m.pointer, f"URL version `{m.value}` of `{op.label}` does not match "
                                       f"the major of `info.version` `{spec.api_version}`",
                            subject=f"major {m.major}")


@rule("versioning/url-version-not-major", severity=Severity.INFO)
@common_doc
def url_version_not_major(
    spec: Spec, *, url_literals: tuple[str, ...], base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    seen: set[str] = set()
    for _op, m in _url_marks_all(spec, v):
        if m.major is not None and "." in m.value and m.value not in seen:
            seen.add(m.value)
            yield Violation(m.pointer, f"URL version `{m.value}` is not major-only",
                            subject=m.value)


@rule("versioning/prerelease-url-version", severity=Severity.WARNING)
@common_doc
def prerelease_url_version(
    spec: Spec, *, allow_prerelease: bool = False, url_literals: tuple[str, ...],
    base_prefix: tuple[str, ...],
    query_names: tuple[str, ...],
    header_pattern: str,
    min_mechanism_share: float, unversioned_paths: tuple[str, ...],
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
    v = analyse_with(spec, locals())
    seen: set[str] = set()
    for op, m in _url_marks_all(spec, v):
        tag = prerelease_tag(m.value)
        if tag is not None and m.value.lower() not in seen:
            seen.add(m.value.lower())
            yield Violation(m.pointer, f"URL version `{m.value}` of `{op.label}` is a "
                                       f"pre-release (`{tag}`)", subject=m.value)
