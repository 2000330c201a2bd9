"""Rules about an operation's parameters: removed, newly required, default changed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gatekeeper import Severity, Spec, Violation, is_deprecated, rule

from gates.compat.common import inline, operation_pairs, violation

__all__ = ["new_required_parameter", "parameter_default_changed", "removed_parameter"]

_MISSING = object()


@rule("compat/removed-parameter", severity=Severity.WARNING)
def removed_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a parameter of the base that the same operation no longer has (removed or renamed),
    unless the base marked it deprecated (then the lifecycle rules judge the removal).

    ## Why is this bad?
    Clients still send it: a renamed filter is silently ignored (the response is no longer
    filtered), a server that rejects unknown parameters fails the request.

    ## Example
    ```yaml
    # base: parameters: [{name: status, in: query}]
    parameters:
      - {name: state, in: query, schema: {type: string}}
    ```
    Use instead: keep `status` (deprecated) next to `state`.

    ## Level
    Potentially breaking (warning), as oasdiff's `request-parameter-removed`: most servers
    ignore parameters they do not know, so the effect depends on what the parameter did.
    """
    for old, new, base in operation_pairs(spec):
        new_keys = {p.key for p in new.parameters}
        old_keys = {q.key for q in old.parameters}
        added = [p for p in new.parameters if p.key not in old_keys]
        for p in old.parameters:
            if p.key in new_keys or is_deprecated(p):
                continue
            if p.location == "path" and any(q.location == "path" for q in added):
                continue  # a path parameter renamed with the template is the same slot
            twin = next((q for q in added if q.location == p.location), None)
            what = f" (renamed to `{twin.name}`?)" if twin else ""
            ptr = twin.use_pointer if twin else new.pointer
            yield violation(spec, base, ptr, p.use_pointer,
                            f"{p.location} parameter `{p.name}` of `{new.label}` was removed"
                            f"{what}", subject=f"{new.label} {p.location} {p.name}",
                            operation=new.label)


@rule("compat/new-required-parameter", severity=Severity.ERROR)
def new_required_parameter(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a required parameter that the base did not have, or that was optional there, and a
    path parameter the operation did not declare before (not one renamed with its template).

    ## Why is this bad?
    Existing clients do not send it, so their requests start failing validation.

    ## Example
    ```yaml
    parameters:
      - {name: tenant, in: query, required: true, schema: {type: string}}
    ```
    Use instead: add it as optional with a server-side default.

    ## Level
    Breaking (error), as oasdiff's `new-required-request-parameter`,
    `request-parameter-became-required` and `new-request-path-parameter`.
    """
    for old, new, base in operation_pairs(spec):
        before = {p.key: p for p in old.parameters}
        old_path = sum(1 for p in old.parameters if p.location == "path")
        new_path = sum(1 for p in new.parameters if p.location == "path")
        for q in new.parameters:
            if not q.required:
                continue
            p = before.get(q.key)
            if p is not None and p.required:
                continue
            if p is None and q.location == "path" and new_path <= old_path:
                continue  # renamed together with the path template: the same slot
            was = "optional" if p is not None else "new"
            yield violation(spec, base, q.use_pointer, p.use_pointer if p else old.pointer,
                            f"{q.location} parameter `{q.name}` of `{new.label}` is required "
                            f"and was {was}", subject=f"{new.label} {q.location} {q.name}",
                            operation=new.label)


def _default(schema: object) -> object:
    return schema.get("default", _MISSING) if isinstance(schema, Mapping) else _MISSING


@rule("compat/parameter-default-changed", severity=Severity.ERROR)
def parameter_default_changed(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags an optional parameter whose default value changed, was added or was removed.

    ## Why is this bad?
    Clients that leave the parameter out relied on the old default: a page size that goes
    from 20 to 100, a sort order that flips, or a filter that starts applying changes what
    every such request returns, with no change on the client side.

    ## Example
    ```yaml
    - {name: limit, in: query, schema: {type: integer, default: 100}}   # was default: 20
    ```
    Use instead: keep the default; let clients ask for the new behaviour explicitly.

    ## Level
    Breaking (error), as oasdiff's `request-parameter-default-value-changed`, `-added` and
    `-removed`.
    """
    for old, new, base in operation_pairs(spec):
        before = {p.key: p for p in old.parameters}
        for q in new.parameters:
            p = before.get(q.key)
            if p is None or q.required or p.required:
                continue
            a, b = _default(p.schema), _default(q.schema)
            if a == b or (a is _MISSING and b is _MISSING):
                continue
            if a is _MISSING:
                what = f"now defaults to {inline(b)} (had no default)"
            elif b is _MISSING:
                what = f"no longer defaults to {inline(a)}"
            else:
                what = f"default changed from {inline(a)} to {inline(b)}"
            yield violation(spec, base, q.use_pointer, p.use_pointer,
                            f"{q.location} parameter `{q.name}` of `{new.label}` {what}",
                            subject=f"{new.label} {q.location} {q.name} default",
                            operation=new.label)
