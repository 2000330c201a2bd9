"""`info.version`: present, well-formed for the chosen scheme, not a pre-release."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from gates.versioning.analysis import (
    CALVER, DATE_SEGMENT, ISO_DATE, MAJOR_MINOR, PRERELEASE_NEAR_MISS, SEMVER, prerelease_tag,
)


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


def major_of(text: str) -> int | None:
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
