"""Whether collections page at all, reachably, and report a total."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.pagination.analysis import collections_of, pagings, probable_severity, what_of

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("pagination/unpaginated-collection", severity=Severity.ERROR)
def unpaginated_collection(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a collection operation (a GET whose success body is an array or wraps one) that
    offers no way to get the next page: no offset, page, cursor or `Range` parameter, no next
    link, next-token field or `Link` header. Small wrappers with one array (*probable*
    collections) are reported as warnings.

    ## Why is this bad?
    Lists grow. Adding pagination later is a breaking change (Google AIP-158, Microsoft
    Azure guidelines), and an unpaged list eventually times out or exhausts memory.

    ## Example
    ```yaml
    /orders:
      get:
        responses:
          '200':
            content:
              application/json:
                schema: {type: object, properties: {items: {type: array, items: {}}}}
    ```
    Use instead:
    ```yaml
    /orders:
      get:
        parameters:
          - {name: cursor, in: query, schema: {type: string}}
          - {name: limit, in: query, schema: {type: integer, maximum: 100, default: 20}}
        responses:
          '200':
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    items: {type: array, items: {}}
                    next_cursor: {type: string}
    ```
    A list that is small by nature can declare `maxItems` (at most `bounded-max-items`) on
    its array, say so in its description ("returns up to 20 devices", "a fixed set"), or be
    waived with `x-gatekeeper-ignore: [pagination]`. Lookups named in `bounded-resources`
    (`/countries`, `/currencies`, `/markets`, `/devices`, ...) are exempt.

    ## Options
    Gate options: `bounded-max-items` (100), `bounded-resources` (lookup names; `[]` requires
    paging for them too), `max-wrapper-props` (4), `item-array-names`,
    `search-methods` ([]; e.g. `["post"]`), `search-pattern`, `parameter-aliases` (e.g.
    `{cursor = ["since_id"]}`), `exempt` (path globs, `"GET /path"` or operationIds),
    `treat-probable-as-definite` (false).
    """
    for p in collections_of(spec, opts):
        if p.paginated or p.signals.size:
            continue
        kind = "probable collection" if p.confidence == "probable" else "collection"
        yield Violation(p.operation.pointer,
                        f"`{p.operation.label}` returns a {kind} ({what_of(p)}) without "
                        f"pagination: no page-size, offset, page or cursor parameter, and no "
                        f"next link or next-page token in the response",
                        subject=p.operation.label, severity=probable_severity(p))


@rule("pagination/limit-only", severity=Severity.ERROR)
def limit_only(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a collection operation that takes a page-size parameter (`limit`, `per_page`,
    `$top`, ...) but no way to ask for the next page (no offset, page or cursor parameter, no
    next link or next-token field).

    ## Why is this bad?
    A size alone truncates the list: items past the first page can never be read.

    ## Example
    ```yaml
    parameters:
      - {name: limit, in: query, schema: {type: integer, maximum: 100}}
    ```
    Use instead:
    ```yaml
    parameters:
      - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      - {name: offset, in: query, schema: {type: integer, minimum: 0}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in collections_of(spec, opts):
        if p.paginated or not p.signals.size:
            continue
        names = ", ".join(f"`{x.name}`" for x in p.signals.size)
        yield Violation(p.operation.pointer,
                        f"`{p.operation.label}` only limits the page size ({names}) and offers no "
                        f"way to fetch the next page: no offset, page or cursor parameter, and "
                        f"no next link or next-page token in the response",
                        subject=p.operation.label,
                        severity=probable_severity(p))


@rule("pagination/unreachable-next-page", severity=Severity.WARNING)
def unreachable_next_page(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags an operation that takes a cursor or page token but whose response carries no next
    cursor, next link, `has_more` flag or `Link` header.

    ## Why is this bad?
    A client cannot obtain the token for the next page, so the cursor is useless.

    ## Example
    ```yaml
    parameters: [{name: page_token, in: query, schema: {type: string}}]
    responses: {'200': {content: {application/json: {schema: {properties: {items: {}}}}}}}
    ```
    Use instead: add `next_page_token: {type: string}` to the response.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in pagings(spec, **opts):
        cursors = p.signals.request.get("cursor")
        if cursors and not p.signals.response_styles:
            yield Violation(p.operation.pointer,
                            f"`{p.operation.label}` takes cursor `{cursors[0].name}` but its "
                            f"response supplies no next cursor or link", subject=p.operation.label)


@rule("pagination/top-level-array", severity=Severity.INFO)
def top_level_array(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Notes a paginated collection whose response is a bare top-level array.

    ## Why is this bad?
    Paging metadata (next cursor, links) can never be added to the body, so the API is
    stuck with request parameters and headers; an object envelope keeps it extensible
    (Zalando #110, Azure, IBM `ibm-no-array-responses`).

    ## Example
    ```yaml
    schema: {type: array, items: {$ref: '#/components/schemas/Order'}}
    ```
    Use instead:
    ```yaml
    schema:
      type: object
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Order'}}
        next_cursor: {type: string}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in collections_of(spec, opts):
        if p.paginated and p.collection is not None and p.collection.shape == "array":
            ptr = p.collection.schema_pointer or p.operation.pointer
            yield Violation(ptr, f"`{p.operation.label}` pages a top-level array; an object "
                                 f"envelope could carry paging metadata",
                            subject=p.operation.label)


@rule("pagination/total-count", severity=Severity.INFO, recommended=False)
def total_count(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Notes a collection response that exposes a total count (`total`, `totalCount`,
    `X-Total-Count`, ...).

    ## Why is this bad?
    Counting every match is expensive on large collections and often inexact (Zalando #254,
    Azure); AIP-158 and PayPal allow it when optional. Advice only.

    ## Example
    `{items: [...], total: 12345}`; consider making the count opt-in.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in collections_of(spec, opts):
        if p.signals.totals:
            yield Violation(p.operation.pointer, f"`{p.operation.label}` exposes a total count "
                                                 f"(`{p.signals.totals[0]}`)",
                            subject=p.operation.label)
