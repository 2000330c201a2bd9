"""Naming and structure: one casing per kind of name, clean paths, no dead components.

A reviewer gate (docs/gates/naming.md). Guidelines disagree on *which* casing (Zalando:
kebab-case paths, snake_case query parameters and properties; Azure and Google: camelCase
query parameters and JSON), so the gate asks for consistency, not a style: each kind of name
(path segments, query parameters, JSON properties, headers) follows the casing configured for
it or, by default, the casing most of the document's names of that kind reveal. Names that
fit several casings (`pets`, `id`) reveal none and are never flagged.

Paths: no trailing slash, no empty segment, no verb where a resource name belongs
(`/getUsers`, `/users/{id}/delete`: the HTTP method is the verb), no two paths that differ
only in parameter names (`/a/{x}` and `/a/{y}`; OpenAPI: "MUST NOT exist") or that match the
same request with neither more specific (`/a/{x}/c` and `/a/b/{y}`).

Components that nothing references (schemas, responses, parameters, examples, headers,
request bodies, security schemes) are dead weight readers have to skip; they are reported
here too, as structure hygiene (Spectral `oas3-unused-component`, Redocly
`no-unused-components`).

The metric is the share of names (path segments, query parameters, properties, headers) that
follow their kind's casing.
"""

from __future__ import annotations

from gatekeeper import Gate, Metric, Spec

from gates.naming.casing import (
    KINDS, _deviants, inconsistent_header_casing, inconsistent_path_casing,
    inconsistent_property_casing, inconsistent_query_casing, names_of,
)
from gates.naming.paths import (
    ambiguous_paths, empty_segment, identical_paths, trailing_slash, verb_in_path,
)
from gates.naming.unused import unused_component


def naming_metric(spec: Spec, *, path_casing: str | None = None,
                  query_casing: str | None = None, property_casing: str | None = None,
                  header_casing: str | None = None) -> Metric:
    """Share of path segments, query parameters, JSON properties and headers that follow
    their kind's casing (configured, or the document's majority). Names that reveal no
    casing (`id`, `pets`) count as following it. 100 % when there is no name."""
    configured = {"path": path_casing, "query": query_casing, "property": property_casing,
                  "header": header_casing}
    total = bad = 0
    details: dict[str, list[str]] = {}
    for kind in KINDS:
        total += len(names_of(spec, kind))
        off = [n.name for n, _ in _deviants(spec, kind, configured[kind])]
        bad += len(off)
        if off:
            details[kind] = off[:100]
    return Metric.ratio(total - bad, total, "names in their kind's casing", **details)


GATE = Gate(
    "naming",
    title="Naming and structure",
    rules=(inconsistent_path_casing, inconsistent_query_casing, inconsistent_property_casing,
           inconsistent_header_casing, trailing_slash, empty_segment, verb_in_path,
           identical_paths, ambiguous_paths, unused_component),
    metric=naming_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
