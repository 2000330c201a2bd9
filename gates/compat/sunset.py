"""Lifecycle rules: retiring operations, parameters and properties the announced way.

The reading of ``deprecated``, ``x-sunset`` / ``Sunset``, ``x-deprecated-at`` /
``Deprecation`` and ``x-stability-level`` is `gatekeeper.lifecycle`'s. The way to retire
something: mark it ``deprecated: true`` with a sunset date at least the minimum deprecation
period away (per stability level), then remove it once that date has passed.

Options (``[gates.compat]``): ``today`` (an ISO date; the UTC date when empty, set it for
reproducible runs), ``min-deprecation-days-stable`` (180) and ``min-deprecation-days-beta``
(31); ``draft`` and ``alpha`` elements have no minimum.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gatekeeper import (
    Pointer, Severity, Spec, Violation, deprecation_date, is_deprecated, parse_date, rule,
    stability_level, stability_rank, sunset_date,
)

from gates.compat import schemadiff as sd
from gates.compat.common import base_of, operation_pairs, today_of, violation
from gates.compat.operations import removal_site, removed_operations

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["deprecated_without_sunset", "lifecycle_unreadable", "removed_after_deprecation",
           "removed_before_sunset", "stability_decreased", "sunset_too_soon"]


def _removed_deprecated(spec: Spec) -> Iterator[tuple[Any, Pointer, Pointer, str, str, str]]:
    """(base element, head pointer, base pointer, message, subject, operation) for every
    deprecated operation, parameter or property of the base that the head removed."""
    for op in removed_operations(spec):
        if is_deprecated(op):
            ptr, msg = removal_site(spec, op)
            yield op, ptr, op.pointer, msg, op.label, op.label
    for old, new, _ in operation_pairs(spec):
        keys = {p.key for p in new.parameters}
        for p in old.parameters:
            if p.key not in keys and is_deprecated(p):
                yield p, new.pointer, p.use_pointer, \
                    f"{p.location} parameter `{p.name}` of `{new.label}` was removed", \
                    f"{new.label} {p.location} {p.name}", new.label
    for c in sd.changes(spec):
        if c.kind == sd.DEPRECATED_REMOVED:
            yield c.old_node, c.new_ptr, c.old_ptr, c.message, \
                f"{c.new_ptr.fragment} {c.name}", c.op.label


@rule("compat/removed-before-sunset", severity=Severity.ERROR)
def removed_before_sunset(spec: Spec, *, today: str = "") -> Iterator[Violation]:
    """## What it does
    Flags a deprecated operation, parameter or property that was removed before the sunset
    date the base announced for it (`x-sunset`, or the `Sunset` response header).

    ## Why is this bad?
    Clients were promised it until that date and planned their migration around it.

    ## Example
    ```yaml
    # base: GET /pets/{id} with deprecated: true, x-sunset: "2099-01-01"; head: removed
    ```
    Use instead: remove it on or after the sunset date.

    ## Options
    `today`: the date to compare with (ISO; default: today in UTC).

    ## Level
    Breaking (error), as oasdiff's `api-removed-before-sunset`,
    `api-path-removed-before-sunset` and `request-parameter-removed-before-sunset`.
    """
    base = base_of(spec)
    if base is None:
        return
    now = today_of(today)
    for element, ptr, bptr, msg, subject, label in _removed_deprecated(spec):
        date = sunset_date(element)
        if date is not None and date > now:
            yield violation(spec, base, ptr, bptr, f"{msg} before its sunset date "
                            f"{date.isoformat()}", subject=subject, operation=label)
        elif date is None and _unreadable(element):
            # an announced date nobody can read is not a date that has passed
            yield violation(spec, base, ptr, bptr, f"{msg}, and its sunset date cannot be "
                            f"read ({'; '.join(_unreadable(element))})", subject=subject,
                            operation=label)


@rule("compat/removed-after-deprecation", severity=Severity.INFO)
def removed_after_deprecation(spec: Spec, *, today: str = "") -> Iterator[Violation]:
    """## What it does
    Reports a deprecated operation, parameter or property that was removed once its sunset
    date had passed (or that had no sunset date): the announced way to retire it.

    ## Why is this bad?
    It is not: this is information for the changelog. Clients that ignored the deprecation
    now break, and release notes should say so.

    ## Example
    ```yaml
    # base: GET /pets/{id} with deprecated: true, x-sunset: "2020-01-01"; head: removed
    ```

    ## Options
    `today`: the date to compare with (ISO; default: today in UTC).

    ## Level
    Informational (info), as oasdiff's `api-removed-with-deprecation` and
    `request-parameter-removed-with-deprecation`.
    """
    base = base_of(spec)
    if base is None:
        return
    now = today_of(today)
    for element, ptr, bptr, msg, subject, label in _removed_deprecated(spec):
        date = sunset_date(element)
        if date is None and _unreadable(element):
            continue  # judged by removed-before-sunset
        if date is None:
            yield violation(spec, base, ptr, bptr, f"{msg} (it was deprecated)",
                            subject=subject, operation=label)
        elif date <= now:
            yield violation(spec, base, ptr, bptr, f"{msg} after its sunset date "
                            f"{date.isoformat()}", subject=subject, operation=label)


def _lifecycle_pairs(spec: Spec) -> Iterator[tuple[Any, Any, Pointer, Pointer, str, str]]:
    """(base element, head element, head pointer, base pointer, label, operation) for every
    operation, parameter and schema (property, body, header) present on both sides."""
    for c in sd.changes(spec):
        if c.kind == sd.LIFECYCLE:
            yield c.old_node, c.new_node, c.new_ptr, c.old_ptr, c.message, c.op.label
    for old, new, _ in operation_pairs(spec):
        yield old, new, new.pointer, old.pointer, f"`{new.label}`", new.label
        before = {p.key: p for p in old.parameters}
        for q in new.parameters:
            p = before.get(q.key)
            if p is not None:
                yield p, q, q.use_pointer, p.use_pointer, \
                    f"{q.location} parameter `{q.name}` of `{new.label}`", new.label


def _newly_deprecated(old: Any, new: Any) -> bool:
    return is_deprecated(new) and (not is_deprecated(old) or sunset_date(old) != sunset_date(new))


@rule("compat/deprecated-without-sunset", severity=Severity.WARNING)
def deprecated_without_sunset(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation, parameter or schema property that became deprecated without a
    sunset date (`x-sunset`, or a `Sunset` response header), or whose sunset date was
    deleted.

    ## Why is this bad?
    Clients learn that it will go away but not when: they cannot plan the migration, and the
    API cannot retire it on a date they agreed to.

    ## Example
    ```yaml
    get:
      deprecated: true          # add: x-sunset: "2026-12-31"
    ```
    Use instead: give the date: `x-sunset: "2026-12-31"`.

    ## Level
    Potentially breaking (warning). oasdiff rates `api-deprecated-sunset-missing` and
    `sunset-deleted` as errors; nothing breaks for a client on the day of this change, so
    here it is a warning that a policy can raise with `[rules]`.
    """
    base = base_of(spec)
    if base is None:
        return
    for old, new, ptr, bptr, label, op_label in _lifecycle_pairs(spec):
        if is_deprecated(new) and sunset_date(new) is None and not (
                is_deprecated(old) and sunset_date(old) is None):
            what = "lost its sunset date" if sunset_date(old) else \
                "became deprecated without a sunset date"
            yield violation(spec, base, ptr, bptr, f"{label} {what}",
                            subject=f"{label} sunset", operation=op_label)


@rule("compat/sunset-too-soon", severity=Severity.ERROR)
def sunset_too_soon(spec: Spec, *, today: str = "", min_deprecation_days_stable: int = 180,
                    min_deprecation_days_beta: int = 31) -> Iterator[Violation]:
    """## What it does
    Flags an operation, parameter or schema property that became deprecated (or whose
    sunset date moved) with a sunset date closer than the minimum deprecation period:
    counted from its deprecation date (`x-deprecated-at` or the `Deprecation` header) or
    else from today.

    ## Why is this bad?
    Clients need time to migrate; a sunset a week away is a removal in all but name.

    ## Example
    ```yaml
    get:
      deprecated: true
      x-sunset: "2026-01-15"   # deprecated on 2026-01-01: 14 days
    ```
    Use instead: a sunset date at least `min-deprecation-days-stable` (180) days away, or
    `min-deprecation-days-beta` (31) for `x-stability-level: beta`.

    ## Options
    `min-deprecation-days-stable` (180), `min-deprecation-days-beta` (31), `today`.
    Elements at `draft` or `alpha` stability have no minimum.

    ## Level
    Breaking (error), as oasdiff's `api-sunset-date-too-small`,
    `api-sunset-date-changed-too-small` and `request-parameter-sunset-date-too-small`.
    """
    base = base_of(spec)
    if base is None:
        return
    now = today_of(today)
    for old, new, ptr, bptr, label, op_label in _lifecycle_pairs(spec):
        date = sunset_date(new)
        if date is None or not _newly_deprecated(old, new):
            continue
        rank = stability_rank(stability_level(new))
        minimum = 0 if rank is not None and rank < 2 else \
            min_deprecation_days_beta if rank == 2 else min_deprecation_days_stable
        start = deprecation_date(new) or now
        if (date - start).days < minimum:
            yield violation(spec, base, ptr, bptr,
                            f"{label} has sunset date {date.isoformat()}, "
                            f"{(date - start).days} days after {start.isoformat()}; the "
                            f"minimum deprecation period is {minimum} days",
                            subject=f"{label} sunset", operation=op_label)


@rule("compat/stability-decreased", severity=Severity.ERROR)
def stability_decreased(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation, parameter or schema property whose `x-stability-level` went down
    (`stable` to `beta`, ...; the order is draft < alpha < beta < stable).

    ## Why is this bad?
    Clients built on a stable element were promised it would not change; lowering the level
    takes that promise back so the element can break them later.

    ## Example
    ```yaml
    get:
      x-stability-level: beta   # was stable
    ```
    Use instead: keep the level; put the unstable variant in a new operation.

    ## Level
    Breaking (error), as oasdiff's `api-stability-decreased`.
    """
    base = base_of(spec)
    if base is None:
        return
    for old, new, ptr, bptr, label, op_label in _lifecycle_pairs(spec):
        a, b = stability_rank(stability_level(old)), stability_rank(stability_level(new))
        if a is not None and b is not None and b < a:
            yield violation(spec, base, ptr, bptr, f"{label} went from stability "
                            f"`{stability_level(old)}` to `{stability_level(new)}`",
                            subject=f"{label} stability", operation=op_label)


def _unreadable(element: Any) -> list[str]:
    data = element if isinstance(element, Mapping) else getattr(element, "data", {})
    out = []
    sunset = data.get("x-sunset")
    if sunset is not None and parse_date(sunset) is None:
        out.append(f"`x-sunset: {sunset!r}` is not a date")
    level = data.get("x-stability-level")
    if level is not None and stability_level(data) is None:
        out.append(f"`x-stability-level: {level!r}` is not draft, alpha, beta or stable")
    return out


@rule("compat/lifecycle-unreadable", severity=Severity.WARNING)
def lifecycle_unreadable(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an operation, parameter or schema property whose `x-sunset` is not a date (ISO
    8601 or HTTP-date) or whose `x-stability-level` is not one of draft, alpha, beta,
    stable, where the change introduced that value.

    ## Why is this bad?
    The lifecycle rules cannot read it, so a removal before the intended date or a stability
    downgrade goes unnoticed.

    ## Example
    ```yaml
    x-sunset: next spring   # use "2027-03-31"
    ```

    ## Level
    Potentially breaking (warning). oasdiff rates `api-deprecated-sunset-parse` and
    `api-invalid-stability-level` as errors; the value itself breaks no client.
    """
    base = base_of(spec)
    if base is None:
        return
    for old, new, ptr, bptr, label, op_label in _lifecycle_pairs(spec):
        problems = [p for p in _unreadable(new) if p not in _unreadable(old)]
        if problems:
            yield violation(spec, base, ptr, bptr, f"{label}: {'; '.join(problems)}",
                            subject=f"{label} lifecycle", operation=op_label)

