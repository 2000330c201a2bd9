"""Which paging styles the API uses: allowed, consistent, preferred."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.pagination.analysis import Paging, pagings
from gates.pagination.names import STYLES

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("pagination/disallowed-style", severity=Severity.ERROR)
def disallowed_style(spec: Spec, *, allowed_styles: tuple[str, ...] = STYLES,
                     **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a paginated operation whose style is not in `allowed-styles`. The style is the
    request-side selector (offset, page, cursor, range) if there is one, else the response
    side (next link, `Link` header, next-token field).

    ## Why is this bad?
    Teams standardise on a style (often cursors: Zalando #160, AIP-158) so that clients can
    share one paging helper and pages stay stable under concurrent writes.

    ## Example
    With `allowed-styles = ["cursor"]`:
    ```yaml
    parameters: [{name: offset, in: query, schema: {type: integer}}]
    ```
    Use instead:
    ```yaml
    parameters: [{name: cursor, in: query, schema: {type: string}}]
    ```

    ## Options
    `allowed-styles`: any of offset, page, cursor, next_link, link_header, range (all).
    """
    allowed = set(allowed_styles)
    for p in pagings(spec, **opts):
        primary = p.signals.primary
        if primary and not allowed & set(primary):
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` pages with the `{primary[0]}` style, which "
                            f"is not allowed (allowed: {', '.join(sorted(allowed))})",
                            subject=p.operation.label)


def _family(p: Paging) -> set[str]:
    """Styles an operation is consistent with: its primary styles plus its response-side
    continuation (an offset API and a cursor API that both hand out next links are
    followed by the same client code)."""
    return set(p.signals.primary) | set(p.signals.response_styles)


def _families(ps: list[Paging]) -> tuple[str | None, Counter[str]]:
    counts: Counter[str] = Counter()
    for p in ps:
        for s in _family(p):
            counts[s] += 1
    if not counts:
        return None, counts
    order = {s: i for i, s in enumerate(("cursor", "next_link", "offset", "page", "link_header",
                                         "range"))}
    best = max(counts.items(), key=lambda kv: (kv[1], -order.get(kv[0], 9)))[0]
    return best, counts


@rule("pagination/mixed-styles", severity=Severity.ERROR)
def mixed_styles(spec: Spec, *, consistency: str = "strict",
                 **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags paginated operations whose style family differs from the one most of the API's
    collection operations use (for example `/a` pages with `offset`, `/b` and `/c` with `cursor`).
    An operation that offers both styles is consistent with either, and operations that all
    return a next link (or `Link` header) are consistent whatever their request parameters.

    ## Why is this bad?
    Every style needs different client code; one API should page one way (Zalando #137,
    PayPal, Microsoft "consistent pagination").

    ## Example
    `GET /a?offset=&limit=` next to `GET /b?cursor=&limit=` and `GET /c?cursor=&limit=`:
    `/a` is flagged. Use a cursor on `/a` too.

    ## Options
    `consistency`: `strict` (error), `warn` (warning) or `off`.
    """
    if consistency == "off":
        return
    ps = [p for p in pagings(spec, **opts) if p.signals.primary]
    best, counts = _families(ps)
    if best is None or all(best in _family(p) for p in ps):
        return
    # a response-side continuation most operations share is as good as the majority style
    # (GitHub: `page` or `since` or cursors, all followed through the `Link` header)
    accepted = {best} | {s for s in ("link_header", "next_link")
                         if counts.get(s, 0) * 2 >= len(ps)}
    sev = Severity.WARNING if consistency == "warn" else None
    for p in ps:
        if not accepted & _family(p):
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` pages with the `{p.signals.primary[0]}` "
                            f"style while {counts[best]} of {len(ps)} paginated operations use "
                            f"`{best}`", subject=p.operation.label, severity=sev)


@rule("pagination/not-preferred-style", severity=Severity.INFO)
def not_preferred_style(spec: Spec, *, preferred_style: str = "",
                        **opts: Any) -> Iterator[Violation]:
    """## What it does
    When `preferred-style` is set, notes paginated operations that do not offer it.

    ## Why is this bad?
    Cursor pagination (Zalando #160, AIP-158, IBM) stays correct under concurrent inserts
    and scales to deep pages; offsets do not.

    ## Example
    With `preferred-style = "cursor"`, `GET /orders?offset=&limit=` is noted.

    ## Options
    `preferred-style`: one of offset, page, cursor, next_link, link_header, range; empty
    (the default) disables the rule.
    """
    if not preferred_style:
        return
    for p in pagings(spec, **opts):
        styles = set(p.signals.request_styles) | set(p.signals.response_styles)
        if styles and preferred_style not in styles:
            yield Violation(p.operation.pointer, f"`{p.operation.label}` does not offer the "
                                                 f"preferred `{preferred_style}` pagination",
                            subject=p.operation.label)
