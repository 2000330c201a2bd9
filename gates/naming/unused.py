"""Components nothing references."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SECTIONS_3 = ("schemas", "responses", "parameters", "examples", "headers", "requestBodies",
              "securitySchemes")
SECTIONS_2 = ("definitions", "parameters", "responses", "securityDefinitions")


def _refs(spec: Spec) -> set[str]:
    """Fragments of every local `$ref` in every document of the spec."""
    refs: set[str] = set()
    for doc in spec.documents.values():
        stack: list[Any] = [doc.data]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if type(node) is dict:
                ref = node.get("$ref")
                if type(ref) is str:
                    refs.add(ref)
                for v in node.values():
                    if type(v) is dict or type(v) is list:
                        push(v)
            else:
                for v in node:
                    if type(v) is dict or type(v) is list:
                        push(v)
    found: set[str] = set()
    for ref in refs:
        if "#" in ref:
            parts = ref.split("#", 1)[1].split("/")
            found.add("/".join(parts[:3]))  # /definitions/Pet
            found.add("/".join(parts[:4]))  # /components/schemas/Pet
    return found


def _used_schemes(spec: Spec) -> set[str]:
    used: set[str] = set()
    reqs = [spec.raw.get("security")] + [op.data.get("security") for op in spec.operations]
    for req in reqs:
        if isinstance(req, list):
            for item in req:
                if isinstance(item, dict):
                    used.update(k for k in item if isinstance(k, str))
    return used


@rule("naming/unused-component", severity=Severity.WARNING)
def unused_component(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a reusable component that nothing references: a schema, response, parameter,
    example, header, request body (3.x `components`, 2.0 `definitions`, `parameters`,
    `responses`) no `$ref` points to, or a security scheme no security requirement names.
    A document without `paths` and `webhooks` (a component library) is not judged.

    ## Why is this bad?
    Dead components are read, reviewed, generated into SDK models and kept in sync for
    nothing, and often betray a rename that missed its users (Spectral
    `oas3-unused-component`, Redocly `no-unused-components`).

    ## Example
    ```yaml
    components:
      schemas:
        LegacyPet: {type: object}   # no $ref to it anywhere
    ```
    Use instead: delete it, or reference it where it was meant to be used.
    """
    if not spec.paths and not spec.raw.get("webhooks"):
        return
    refs = _refs(spec)
    schemes = _used_schemes(spec)
    if spec.is_swagger2:
        places = [(s, spec.raw.get(s), ("", s)) for s in SECTIONS_2]
    else:
        comps = spec.raw.get("components")
        comps = comps if isinstance(comps, dict) else {}
        places = [(s, comps.get(s), ("components", s)) for s in SECTIONS_3]
    for section, members, tokens in places:
        if not isinstance(members, dict):
            continue
        base = "/".join(t for t in tokens if t)
        for name in members:
            if section in ("securitySchemes", "securityDefinitions"):
                used = name in schemes
            else:
                escaped = str(name).replace("~", "~0").replace("/", "~1")
                used = f"/{base}/{escaped}" in refs
            if not used:
                yield Violation(spec.root.join(*[t for t in tokens if t], name),
                                f"{section} component `{name}` is never used",
                                subject=f"{section}/{name}")
