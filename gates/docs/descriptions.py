"""The descriptions themselves: ignored `$ref` siblings, text copied onto many elements."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

from gates.docs.coverage import Element, coverage_of


@rule("docs/ref-sibling-description", severity=Severity.INFO)
def ref_sibling_description(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a property whose description sits next to a `$ref` in Swagger 2.0 or OpenAPI 3.0,
    where siblings of `$ref` are ignored by the specification. It still counts as documented
    because most tools render it.

    ## Why is this bad?
    Strict tools drop the text; wrap the reference in `allOf` to keep it.

    ## Example
    ```yaml
    owner: {$ref: '#/components/schemas/User', description: The pet's owner}
    ```
    Use instead:
    ```yaml
    owner:
      description: The pet's owner
      allOf: [{$ref: '#/components/schemas/User'}]
    ```
    """
    for ptr, name in coverage_of(spec, {}).ref_sibling_descriptions:
        yield Violation(ptr, f"description of property `{name}` is a sibling of `$ref`, which "
                             f"OpenAPI {spec.version} ignores; wrap the $ref in allOf",
                        subject=name)


@rule("docs/duplicated-description", severity=Severity.INFO, recommended=False)
def duplicated_description(spec: Spec, *, min_repeats: int = 5,
                           min_length: int = 20) -> Iterator[Violation]:
    """## What it does
    Flags a description copied verbatim onto many different operations or parameters.

    ## Why is this bad?
    Copied text usually describes none of the elements well (vacuum `description-duplication`).

    ## Example
    The same "Returns the data." on 30 operations.

    ## Options
    `min-repeats` (5): how many copies make a finding; `min-length` (20): shorter text is
    ignored.
    """
    cov = coverage_of(spec, {})
    seen: dict[str, list[Element]] = {}
    for category in ("operations", "parameters"):
        for e in cov.elements[category].values():
            if e.documented and isinstance(e.text, str) and len(e.text.strip()) >= min_length:
                seen.setdefault(" ".join(e.text.split()).lower(), []).append(e)
    for _text, items in seen.items():
        if len(items) >= min_repeats:
            for e in items:
                yield Violation(e.pointer, f"`{e.subject}` repeats a description used by "
                                           f"{len(items)} elements", subject=e.subject)
