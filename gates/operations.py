"""Operation ids: present, unique, URL-safe and in one casing convention.

A reviewer gate. Code generators name methods after
`operationId`; documentation portals and `links` reference operations by it. Duplicates are an
error (OpenAPI: ids "MUST be unique"); a missing or URL-unsafe id is a warning; a casing that
differs from the document's majority is info. Operations under `paths` and `webhooks` are
checked; callbacks are not (their ids are often absent by design).

Disagreements found on real specs, and how they were settled:

* Casing is judged only on ids that reveal a convention: single lower-case words (`list`,
  `search`) fit camelCase and snake_case alike and are never flagged.
* Dotted and slashed ids (`pets.list`, Google's `storage.buckets.get`, GitHub's
  `repos/get`) are conventions of their own and valid in URLs: URL safety follows Spectral
  (RFC 3986 reserved characters allowed), not the stricter unreserved set, which flagged
  all 845 GitHub ids.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from gatekeeper import Gate, Metric, Severity, Spec, Violation, rule

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

#: Characters allowed in a URL (RFC 3986 unreserved and reserved), as Spectral's
#: `operation-operationId-valid-in-url` checks: GitHub's `repos/get` is fine, `get pets` is not.
URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]+$")
CASINGS = {
    "camelCase": re.compile(r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$"),
    "PascalCase": re.compile(r"^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$"),
    "snake_case": re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$"),
    "kebab-case": re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$"),
    "dotted": re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_\-]+)+$"),
    "SCREAMING_SNAKE": re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$"),
}


def _ops_ids(spec: Spec, include_webhooks: bool) -> list[tuple[Any, str | None]]:
    """(operation, its `operationId`) for the gate's operations, once per check: every rule
    and the metric read each id (ten `Operation.operation_id` calls an operation; with
    `casing_of`'s shortcut, Graph beta's rules and metric took 0.17 -> 0.10 s of CPU)."""
    def build() -> list[tuple[Any, str | None]]:
        return [(op, op.operation_id) for op in spec.operations
                if op.kind == "path" or (include_webhooks and op.kind == "webhook")]
    return spec.memo(("operations.ids", include_webhooks), build)


_DOTTED = CASINGS["dotted"]
_UNDOTTED = [(name, pattern) for name, pattern in CASINGS.items() if name != "dotted"]


def casing_of(op_id: str) -> str | None:
    """The casing convention an id reveals, or None when it fits several (``list``)."""
    # Only `dotted` admits a "." and it requires one: one match an id instead of up to six
    # (Graph beta's 22,000 ids are dotted, matched last; the casing rule took 0.055 ->
    # 0.026 s of CPU).
    if "." in op_id:
        return "dotted" if _DOTTED.match(op_id) else None
    for name, pattern in _UNDOTTED:
        if pattern.match(op_id):
            return name
    return None


def operation_id_metric(spec: Spec, *, include_webhooks: bool = True) -> Metric:
    """Share of operations (paths and webhooks) with a unique, non-blank `operationId`."""
    ops = _ops_ids(spec, include_webhooks)
    ids = Counter(oid for _op, oid in ops if oid)
    good = sum(1 for _op, oid in ops if oid and oid.strip() and ids[oid] == 1)
    return Metric.ratio(good, len(ops), "operations with a unique operationId")


@rule("operations/missing-operation-id", severity=Severity.WARNING)
def missing_operation_id(spec: Spec, *, include_webhooks: bool = True) -> Iterator[Violation]:
    """## What it does
    Flags an operation without an `operationId` (or with a blank one).

    ## Why is this bad?
    Generated SDKs fall back to names made from the path and method, which change when the
    path changes; links and documentation anchors cannot reference the operation (Spectral
    `operation-operationId`, recommended).

    ## Example
    ```yaml
    /pets:
      get:
        summary: List pets
    ```
    Use instead:
    ```yaml
    /pets:
      get:
        operationId: listPets
        summary: List pets
    ```

    ## Options
    `include-webhooks` (true).
    """
    for op, oid in _ops_ids(spec, include_webhooks):
        if not (oid or "").strip():
            yield Violation(op.pointer, f"`{op.label}` has no operationId", subject=op.label)


@rule("operations/duplicate-operation-id", severity=Severity.ERROR)
def duplicate_operation_id(spec: Spec, *, include_webhooks: bool = True
                           ) -> Iterator[Violation]:
    """## What it does
    Flags an `operationId` used by more than one operation (every use after the first).

    ## Why is this bad?
    OpenAPI requires ids to be unique ("MUST be unique"); code generators emit clashing
    methods or silently drop one (Spectral and Redocly `operation-operationId-unique`).

    ## Example
    ```yaml
    /pets: {get: {operationId: list}}
    /owners: {get: {operationId: list}}
    ```
    Use instead: `listPets` and `listOwners`.

    ## Options
    `include-webhooks` (true).
    """
    first: dict[str, str] = {}
    for op, oid in _ops_ids(spec, include_webhooks):
        if not oid:
            continue
        if oid in first:
            yield Violation(op.pointer / "operationId",
                            f"operationId `{oid}` of `{op.label}` is already used by "
                            f"`{first[oid]}`", subject=f"{oid} {op.label}")
        else:
            first[oid] = op.label


@rule("operations/unsafe-operation-id", severity=Severity.WARNING)
def unsafe_operation_id(spec: Spec, *, include_webhooks: bool = True) -> Iterator[Violation]:
    """## What it does
    Flags an `operationId` with characters that cannot appear in a URL (spaces, `{`, `}`,
    `"`, non-ASCII, ...), as Spectral's `operation-operationId-valid-in-url` does.

    ## Why is this bad?
    Ids become URL fragments in documentation and identifiers in generated code; spaces and
    punctuation break both (Spectral `operation-operationId-valid-in-url`, Redocly
    `operation-operationId-url-safe`).

    ## Example
    ```yaml
    operationId: get pets/{id}
    ```
    Use instead:
    ```yaml
    operationId: getPet
    ```

    ## Options
    `include-webhooks` (true).
    """
    for op, oid in _ops_ids(spec, include_webhooks):
        if oid and oid.strip() and not URL_SAFE.match(oid):
            yield Violation(op.pointer / "operationId",
                            f"operationId `{oid}` of `{op.label}` is not URL-safe",
                            subject=f"{oid} {op.label}")


@rule("operations/inconsistent-operation-id-casing", severity=Severity.INFO)
def inconsistent_operation_id_casing(spec: Spec, *, casing: str = "",
                                     include_webhooks: bool = True) -> Iterator[Violation]:
    """## What it does
    Flags an `operationId` whose casing differs from the convention most ids use (or from
    `casing` when set): camelCase, PascalCase, snake_case, kebab-case, dotted or
    SCREAMING_SNAKE. Ids that fit several conventions (`list`) are not judged.

    ## Why is this bad?
    Generated SDK methods inherit the ids; mixed conventions look careless and make names
    hard to guess (IBM `ibm-operationid-casing-convention`).

    ## Example
    `listPets`, `createPet` and `delete_pet`: `delete_pet` is flagged. Use `deletePet`.

    ## Options
    `casing`: one of the conventions above; empty (default) means the document's majority.
    `include-webhooks` (true).
    """
    found = [(op, oid, casing_of(oid)) for op, oid in _ops_ids(spec, include_webhooks) if oid]
    found = [(op, oid, c) for op, oid, c in found if c is not None]
    counts = Counter(c for _op, _oid, c in found)
    if not counts:
        return
    expected = casing or max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if not casing and counts[expected] * 2 <= len(found):
        return  # no clear majority: no convention to deviate from
    for op, oid, c in found:
        if c != expected:
            yield Violation(op.pointer / "operationId",
                            f"operationId `{oid}` is {c}, not {expected} like "
                            f"{counts.get(expected, 0)} other ids", subject=oid)


GATE = Gate(
    "operations",
    title="Operation ids",
    rules=(missing_operation_id, duplicate_operation_id, unsafe_operation_id,
           inconsistent_operation_id_casing),
    metric=operation_id_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
)
