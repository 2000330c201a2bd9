"""Pagination: every collection operation pages, in one style, with the same names.

A collection operation (docs/gates/pagination.md, `collection.collection_of`) is a GET (or
3.2 QUERY) under `paths` whose first success JSON body is a top-level array or an object that
wraps an array (`items`, `data`, `value`, ..., or the array named after the last path
segment); a small wrapper (at most `max-wrapper-props` properties) with any array is a
*probable* collection and is reported as a warning. Item paths (`/orders/{id}` with a `lines`
array), streaming media and arrays with `maxItems` at or under `bounded-max-items` are not
collections. The metric is the share of collection operations that expose a continuation.

Styles (5.3 and the Amendments): `offset` (`offset`, `skip`, integer `start`, ...), `page`
(integer `page`, `page[number]`, ...), `cursor` (`cursor`, `page_token`, `marker`,
`starting_after`/`ending_before`, string `page`/`start`, ...), `next_link` (`nextLink`,
`@odata.nextLink`, `next` URI, `links.next`, HAL `_links.next`, `x-ms-pageable`),
`link_header` (a `Link` response header) and `range` (`Range` request header). Names are
compared lower-case with `$ @ _ - . [ ]` removed. A size parameter (`limit`, `per_page`,
`$top`, ...) alone is not pagination.

Disagreements found on real specs, and how they were settled:

* `after`/`before`, `token` and `continue` are cursors only when the response carries a
  matching cursor, `has_more`/`next` field, a next link or a `Link` header (Amendments; the
  same test is applied to `token`, which is far more often a credential than a cursor).
  `after`/`before` with `format: date`/`date-time` are filters, never cursors.
* Kubernetes keeps `continue` in `metadata` (a `ListMeta`) and Slack its `next_cursor` in
  `response_metadata`, so both are searched for response signals besides `links`, `meta`,
  `pagination`, `paging`, `page`, `pageInfo`; Twilio's `next_page_uri` is a next link.
* A GET with a required `ids` query parameter (Spotify `GET /albums?ids=a,b`) is a batch
  read bounded by its input, not a collection (the Amendments' "fixed small set").
* A PayPal-style HATEOAS `links` array (items with `rel` and `href`) counts as `next_link`.
* An operation that offers two request styles (GitHub's `page` plus `before`/`after`) is
  consistent with either family; only operations sharing no style with the majority are
  flagged as mixed. The family (5.4 P3 says: the primary, request-side style) also includes
  the response-side continuation: Spotify pages most lists by `offset` and its play history
  by cursor, but every page carries a `next` URL, so one client loop follows them all; a
  reviewer does not call that inconsistent.
* A required `token`/`after`/`before` parameter is not a cursor (the first page must be
  reachable without it): Slack's required `token` is a credential.
* A `next` string without `format: uri` is a next link when its description says it is a
  URL (Spotify: "URL to the next page of items"), not a cursor; and a body that wraps one
  paging object (`{albums: {items, next, offset}}`) is searched one level down.
* `x-ms-pageable: {nextLinkName: null}` is Azure's way of saying "one page": no signal.
* A string `offset` is an opaque token (Asana: "an offset to the next page returned by the
  API"), so it is a cursor, like a string `page` or `start`.
* Parameters named for sizes must be numeric to count (`count: boolean` is a flag, not a
  page size), and `from` only counts as an offset when it is an integer (it is usually a date).
* 5.5 requires paging for `/countries`-style lookups unless they declare `maxItems`; the
  Amendments exempt lists "documented as returning a fixed small set", and reviewers do not
  ask Spotify to page `/markets` or `/me/player/devices`. So a description saying "up to N"
  (N <= `bounded-max-items`) or "fixed/small set", or a last path segment naming a lookup
  (`bounded-resources`: countries, currencies, languages, locales, markets, regions,
  timezones, genres, devices, images, units, scopes, versions, statuses) exempts the list,
  and so does a segment naming a ranking (`/top-tracks`, `/related-artists`,
  `/popular/paths`: a top N is bounded by nature).
* A path that ends in a version segment (`/v2.1`, Kubernetes `/apis/apps/v1/`) is a
  discovery document listing resources, not a collection.
* The total-count advice (PAG-009) is opinion on which guidelines disagree: off by default.
* Paging names are open ended, so a parameter the name tables do not know is read three more
  ways: the last part of a bracketed or dotted name (Magento `searchCriteria[pageSize]`),
  the words of the name (e-conomic `SkipPages`, visma.net `skipRecords` + `numberToRead`,
  prss.org `pageStart`, `searchPointer`, `startKey`, `nextPage`, flat.io `next`) and its
  description (GitHub's `before`/`after`: "A cursor, as given in the Link header"; "number
  of records to skip"; "page token"). Required parameters, dates, booleans and credentials
  never page. What is still flagged says what is missing. See docs/gates/pagination.md,
  which also lists the paging-looking parameters left on flagged operations and why.
* A random draw (`/properties/random`, `/randomWords`) is bounded by its request.
"""

from __future__ import annotations

from gatekeeper import Gate, Metric, Spec

from gates.pagination.analysis import COMMON, Paging, Signals, analyse, collections_of, pagings
from gates.pagination.collection import collection_of, collection_operations
from gates.pagination.coverage import (
    limit_only, top_level_array, total_count, unpaginated_collection, unreachable_next_page,
)
from gates.pagination.parameters import (
    ill_formed_parameter, inconsistent_parameter_name, unbounded_page_size,
)
from gates.pagination.style import disallowed_style, mixed_styles, not_preferred_style

__all__ = [
    "GATE", "Paging", "Signals", "analyse", "collection_of", "collection_operations",
    "disallowed_style", "ill_formed_parameter", "inconsistent_parameter_name", "limit_only",
    "mixed_styles", "not_preferred_style", "pagination_coverage", "pagings", "top_level_array",
    "total_count", "unbounded_page_size", "unpaginated_collection", "unreachable_next_page",
]

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


def pagination_coverage(spec: Spec, **opts: Any) -> Metric:
    """Share of collection operations (definite and probable, docs/gates/pagination.md) that
    expose a continuation: a request-side offset, page, cursor or Range selector, or a
    response-side next link, next-token field or `Link` header. 100 % when the API has no
    collection operation."""
    colls = collections_of(spec, opts)
    done = [p for p in colls if p.paginated]
    return Metric.ratio(len(done), len(colls), "collection operations that paginate",
                        unpaginated=[p.operation.label for p in colls if not p.paginated])


GATE = Gate(
    "pagination",
    title="Pagination",
    rules=(unpaginated_collection, limit_only, disallowed_style, mixed_styles,
           inconsistent_parameter_name, unbounded_page_size, ill_formed_parameter,
           unreachable_next_page, top_level_array, total_count, not_preferred_style),
    metric=pagination_coverage,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=True,
    # How collections are recognised, declared once: every rule and the metric take them
    # (through `**opts`, handed on to `pagings`).
    options=COMMON,
)
