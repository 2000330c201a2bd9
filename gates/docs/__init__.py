"""Documentation coverage: every element a client reads about is described.

The metric is a category-weighted coverage: for each
category, documented / total unique elements, averaged with weights (operations 30 %,
parameters and response headers 20 %, schema properties 25 %, request bodies 10 %, responses
5 %, info 4 %, tags 3 %, security schemes 3 %, servers 0); categories with no element drop out
and the rest are renormalised. The gate also needs every category listed in `min-category`
(default: operations at 95 %) to reach its floor, so twenty bare operations cannot hide
behind four hundred described properties.

Elements are counted once by where they are written: a `components.parameters.Limit` used by
ten operations is one parameter. A description counts if it is non-blank and not a
placeholder (`TODO`, `TBD`, `n/a`, the element's own name, ...).
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Gate, Metric, MetricPart, Severity, Spec, Violation, rule

from gates.docs.coverage import (
    CATEGORIES, Coverage, DEFAULT_WEIGHTS, Element, OPTIONS, compute_coverage, coverage_of,
    median,
)
from gates.docs.descriptions import duplicated_description, ref_sibling_description
from gates.docs.elements import (
    missing_info_description, undocumented_operation, undocumented_parameter,
    undocumented_property, undocumented_request_body, undocumented_response,
    undocumented_security_scheme, undocumented_server, undocumented_tag,
)


__all__ = [
    "CATEGORIES", "Coverage", "DEFAULT_WEIGHTS", "Element", "GATE", "OPTIONS",
    "category_below_floor", "compute_coverage", "documentation_coverage", "duplicated_description",
    "missing_info_description", "ref_sibling_description", "undocumented_operation",
    "undocumented_parameter", "undocumented_property", "undocumented_request_body",
    "undocumented_response", "undocumented_security_scheme", "undocumented_server",
    "undocumented_tag",
]

def documentation_coverage(
    spec: Spec,
    *,
    formula: str = "weighted",
    weights: dict[str, float] = dict(DEFAULT_WEIGHTS),  # noqa: B006 - read-only default
    operation_text: str,
    inherit_path_item_text: bool,
    include_webhooks: bool,
    include_callbacks: bool,
    exclude_methods: tuple[str, ...],
    include_unreferenced_components: bool = False,
    reject_placeholders: bool,
    min_words: int,
    strict_response_descriptions: bool,
    count_servers: bool = False,
    count_info_summary: bool,
) -> Metric:
    """Category-weighted documentation coverage (F3): sum of weight x documented/total over
    the categories that have elements, divided by the sum of their weights. `formula` may be
    `flat` (all elements alike, F1) or `per_operation` (median over operations of each
    operation's own documented share, F2). The per-category documented/total counts and the
    flat ratio are always reported next to it."""
    cov = compute_coverage(
        spec, operation_text=operation_text, inherit_path_item_text=inherit_path_item_text,
        include_webhooks=include_webhooks, include_callbacks=include_callbacks,
        exclude_methods=exclude_methods,
        include_unreferenced_components=include_unreferenced_components,
        reject_placeholders=reject_placeholders, min_words=min_words,
        strict_response_descriptions=strict_response_descriptions,
        count_info_summary=count_info_summary)
    w = {**DEFAULT_WEIGHTS, **weights}
    if count_servers and w.get("servers", 0) == 0:
        w["servers"] = 0.03
    parts = []
    num = den = 0.0
    flat_d = flat_n = 0
    for category in CATEGORIES:
        d, n = cov.counts(category)
        parts.append(MetricPart(category, d, n, float(w.get(category, 0.0))))
        if category == "servers" and w.get("servers", 0) == 0:
            continue
        flat_d += d
        flat_n += n
        if n and w.get(category, 0) > 0:
            num += w[category] * d / n
            den += w[category]
    weighted = num / den if den else 1.0
    flat = flat_d / flat_n if flat_n else 1.0
    per_op = median(cov.per_operation) if cov.per_operation else 1.0
    value = {"flat": flat, "per_operation": per_op}.get(formula, weighted)
    undocumented = [
        {"category": e.category, "subject": e.subject, "pointer": str(e.pointer)}
        for c in CATEGORIES for e in cov.elements[c].values() if not e.documented
    ]
    label = {"flat": "documentation coverage (flat)",
             "per_operation": "documentation coverage (per-operation median)"}.get(
        formula, "documentation coverage")
    return Metric(value=value, label=label, passed=flat_d, total=flat_n, breakdown=tuple(parts),
                  details={"formula": formula, "weighted": round(weighted, 4),
                           "flat": round(flat, 4), "per_operation_median": round(per_op, 4),
                           "undocumented": undocumented})


@rule("docs/category-below-floor", severity=Severity.ERROR)
def category_below_floor(
    spec: Spec,
    *,
    min_category: dict[str, float] = {"operations": 95},  # noqa: B006
    operation_text: str,
    inherit_path_item_text: bool,
    include_webhooks: bool,
    include_callbacks: bool,
    exclude_methods: tuple[str, ...],
    reject_placeholders: bool,
    min_words: int,
) -> Iterator[Violation]:
    """## What it does
    Fails when a category's own coverage is below its floor (default: operations at 95 %),
    whatever the weighted total says.

    ## Why is this bad?
    Twenty undocumented endpoints out of a hundred make an API hard to use even when every
    schema property is described; a weighted average alone would let them through.

    ## Example
    With 40 operations of which 8 have neither summary nor description, operation coverage is
    80 %: the gate fails even if the weighted coverage is 96 %.

    ## Options
    `min-category`: a table of category name to percent, e.g. `{operations = 95,
    parameters = 80}`. Categories: operations, parameters, schema_properties, request_bodies,
    responses, info, tags, security_schemes, servers.
    """
    cov = coverage_of(spec, dict(operation_text=operation_text,
                          inherit_path_item_text=inherit_path_item_text,
                          include_webhooks=include_webhooks, include_callbacks=include_callbacks,
                          exclude_methods=exclude_methods, reject_placeholders=reject_placeholders,
                          min_words=min_words))
    for category, floor in min_category.items():
        if category not in CATEGORIES:
            continue
        d, n = cov.counts(category)
        if n and d / n * 100 < floor - 1e-9:
            yield Violation(spec.root, f"{category.replace('_', ' ')} coverage is "
                                       f"{d / n * 100:.1f} % ({d}/{n}), below the {floor:g} % "
                                       f"floor", subject=category)


GATE = Gate(
    "docs",
    title="Documentation coverage",
    rules=(category_below_floor, undocumented_operation, undocumented_parameter,
           undocumented_request_body, undocumented_response, undocumented_property,
           undocumented_tag, undocumented_security_scheme, missing_info_description,
           undocumented_server, ref_sibling_description, duplicated_description),
    metric=documentation_coverage,
    threshold=0.95,
    description=__doc__.split("\n")[0],
    mandatory=True,
    options=OPTIONS,
    compare_metric="coverage",
)
