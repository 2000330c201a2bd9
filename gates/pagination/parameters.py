"""The paging parameters themselves: one name per role, a bounded page size, well-formed."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from gates.pagination.analysis import Paging, pagings, type_of

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("pagination/inconsistent-parameter-name", severity=Severity.WARNING)
def inconsistent_parameter_name(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a paging parameter or continuation field whose name differs from the name the rest
    of the API uses for the same role (`limit` here, `page_size` there; `next_cursor` here,
    `nextToken` there).

    ## Why is this bad?
    Clients write one paging helper; every alias is a special case (Zalando #137).

    ## Example
    `GET /a?cursor=&limit=` and `GET /b?cursor=&page_size=`: `page_size` is flagged.
    Use `limit` everywhere.

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    ps = list(pagings(spec, **opts))
    roles: dict[str, list[tuple[str, Any, Paging]]] = {}
    for p in ps:
        for p_ in p.signals.size:
            roles.setdefault("size", []).append((p_.name, p_, p))
        for style, params in p.signals.request.items():
            if style == "range":
                continue
            for p_ in params:
                roles.setdefault(style, []).append((p_.name, p_, p))
    for role, entries in roles.items():
        ops_by_name: dict[str, set[str]] = {}
        for name, _p, pg in entries:
            ops_by_name.setdefault(name, set()).add(pg.operation.label)
        if len(ops_by_name) < 2:
            continue
        # one op carrying two names for one role (page + pageToken) is not an alias clash
        order = list(ops_by_name)  # ties go to the name used first in the document
        best = max(order, key=lambda n: (len(ops_by_name[n]), -order.index(n)))
        for name, param, pg in entries:
            if name == best or pg.operation.label in ops_by_name[best]:
                continue
            label = "page-size" if role == "size" else role
            yield Violation(param.pointer,
                            f"{label} parameter `{name}` of `{pg.operation.label}` differs from "
                            f"`{best}` used by {len(ops_by_name[best])} operation"
                            f"{'s' if len(ops_by_name[best]) != 1 else ''}",
                            subject=f"{pg.operation.label} {name}")


@rule("pagination/unbounded-page-size", severity=Severity.WARNING)
def unbounded_page_size(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags a page-size parameter (`limit`, `per_page`, `$top`, ...) of a paginated operation
    that declares no `maximum` (or `enum`). Reported once where the parameter is written, so
    a shared `components.parameters.Top` is one finding.

    ## Why is this bad?
    Without a documented maximum clients cannot know the largest page the server accepts,
    and a server that honours any size can be asked for the whole table (OWASP API4, IBM
    `ibm-pagination-style`, AIP-158, Azure `maxpagesize`).

    ## Example
    ```yaml
    - {name: limit, in: query, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    uses: dict[Pointer, list[str]] = {}
    params: dict[Pointer, Any] = {}
    for p in pagings(spec, **opts):
        for param in p.signals.size:
            schema = param.schema if isinstance(param.schema, dict) else {}
            if "maximum" in schema or "enum" in schema or "exclusiveMaximum" in schema:
                continue
            uses.setdefault(param.pointer, []).append(p.operation.label)
            params[param.pointer] = param
    for ptr, labels in uses.items():  # once where written: a shared `$top` is one finding
        more = f" (and {len(labels) - 1} more)" if len(labels) > 1 else ""
        yield Violation(ptr, f"page-size parameter `{params[ptr].name}` of `{labels[0]}`{more} "
                             f"declares no maximum", subject=f"{params[ptr].name} {labels[0]}")


@rule("pagination/ill-formed-parameter", severity=Severity.WARNING)
def ill_formed_parameter(spec: Spec, **opts: Any) -> Iterator[Violation]:
    """## What it does
    Flags paging parameters that are shaped wrongly: a required or non-integer page size,
    offset or page number; a required or non-string cursor; an offset without a page-size
    parameter next to it.

    ## Why is this bad?
    The first page must be reachable without paging parameters (AIP-158: `page_size` must
    not be required); cursors are opaque strings (AIP-158, IBM); an offset without a size
    leaves the page size to chance (IBM `ibm-pagination-style`).

    ## Example
    ```yaml
    - {name: page_token, in: query, required: true, schema: {type: integer}}
    ```
    Use instead:
    ```yaml
    - {name: page_token, in: query, schema: {type: string}}
    ```

    ## Options
    The gate options of `pagination/unpaginated-collection`.
    """
    for p in pagings(spec, **opts):
        label = p.operation.label
        checks = [(x, "page-size", ("integer", "number")) for x in p.signals.size]
        checks += [(x, "offset", ("integer", "number"))
                   for x in p.signals.request.get("offset", [])]
        checks += [(x, "page", ("integer", "number")) for x in p.signals.request.get("page", [])]
        checks += [(x, "cursor", ("string",)) for x in p.signals.request.get("cursor", [])]
        for param, role, types in checks:
            t = type_of(param.schema)
            problems = []
            if param.required:
                problems.append("is required")
            if t is not None and t not in types:
                problems.append(f"is {t}, not {types[0]}")
            if problems:
                yield Violation(param.pointer, f"{role} parameter `{param.name}` of `{label}` "
                                               f"{' and '.join(problems)}",
                                subject=f"{label} {param.name}")
        if p.signals.request.get("offset") and not p.signals.size:
            yield Violation(p.operation.pointer, f"`{label}` takes an offset "
                                                 f"(`{p.signals.request['offset'][0].name}`) but no "
                                                 f"page-size parameter", subject=label)
