"""RFC 9457 problem details: member types and the `application/problem+json` media type."""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper import Pointer, Severity, Spec, Violation, rule

from gates.errors.common import in_scope, judged_before, resp_name, scoped_bodies
from gates.errors.shape import PROBLEM_MEMBERS, is_problem_media, schema_shape

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any


@rule("errors/invalid-problem-member-type", severity=Severity.WARNING)
def invalid_problem_member_type(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    In a problem-details error schema, flags a standard member with the wrong type:
    `status` must be an integer; `type`, `instance`, `title` and `detail` strings.

    ## Why is this bad?
    Generic problem-details clients (RFC 9457) rely on these types; `status: string` breaks
    them.

    ## Example
    ```yaml
    Problem:
      properties: {title: {type: string}, status: {type: string}}
    ```
    Use instead:
    ```yaml
    Problem:
      properties: {title: {type: string}, status: {type: integer}}
    ```

    ## Options
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    seen: set[Pointer] = set()
    judged: set[int] = set()  # `judged_before`
    for _op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                   include_callbacks):
        for _resp, shared, media, _structured in errs:
            if judged_before(shared, judged):
                continue
            for m in media:
                ptr = m.schema_pointer or m.pointer
                if schema_shape(spec, m.schema, ptr)["kind"] != "problem":
                    continue
                props = spec.merged_properties(m.schema, ptr)
                for member in PROBLEM_MEMBERS:
                    if member not in props:
                        continue
                    value, pptr = props[member]
                    if pptr in seen or not isinstance(value, dict):
                        continue
                    seen.add(pptr)
                    want = ("integer",) if member == "status" else ("string",)
                    t = value.get("type")
                    types = set(t) if isinstance(t, list) else {t} if isinstance(t, str) \
                        else set()
                    if types and not types & set(want):
                        yield Violation(pptr, f"problem member `{member}` is "
                                              f"`{'/'.join(sorted(types))}`, should be "
                                              f"`{want[0]}`", subject=f"{pptr.fragment}")


@rule("errors/problem-media-mismatch", severity=Severity.WARNING)
def problem_media_mismatch(
    spec: Spec,
    *,
    preferred_style: str = "problem",
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags an error response whose media type and schema disagree:
    `application/problem+json` with a schema that is not problem details, or (when the
    preferred style is `problem`) a problem-details schema served only as
    `application/json`.

    ## Why is this bad?
    Clients pick their parser by media type; a problem schema under `application/json` is
    invisible to generic problem-details handling, and `application/problem+json` promises
    members the body does not have.

    ## Example
    ```yaml
    '400':
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Error'}}  # {code, message}
    ```
    Use instead: serve the `Problem` schema as `application/problem+json`.

    ## Options
    `preferred-style` (`problem`): with `problem`, a problem-details schema served only as
    `application/json` is reported.
    `accept-default` (true), `exempt-methods` (`["options"]`), `include-webhooks` and
    `include-callbacks` (false) choose the operations and error responses judged, as for
    `errors/missing-error-response`.
    """
    if spec.is_swagger2:
        return  # produces is op-wide; Zally skips the check for 2.0 too
    judged: set[int] = set()  # `judged_before`
    for op, errs in scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                                  include_callbacks):
        for resp, shared, _media, _structured in errs:
            if judged_before(shared, judged):
                continue
            structured = [m for m in resp.content.values() if isinstance(m.schema, dict)]
            _, rname = resp_name(op, resp)
            problem_media = False
            for m in structured:
                shape = schema_shape(spec, m.schema, m.schema_pointer or m.pointer)
                if is_problem_media(m.name):
                    problem_media = True
                    if shape["kind"] != "problem" and shape["structured"]:
                        yield Violation(m.pointer, f"{rname} is `{m.name}` but its schema is "
                                                   f"not problem details",
                                        subject=f"{rname} {m.name}")
            if preferred_style == "problem" and not problem_media:
                for m in structured:
                    if m.essence == "application/json" and schema_shape(
                            spec, m.schema, m.schema_pointer or m.pointer)["kind"] == "problem":
                        yield Violation(m.pointer, f"{rname} has a problem-details schema "
                                                   f"served as `{m.name}`; use "
                                                   f"`application/problem+json`",
                                        subject=f"{rname} {m.name}")
                        break


@rule("errors/problem-media-on-success", severity=Severity.WARNING)
def problem_media_on_success(
    spec: Spec,
    *,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Iterator[Violation]:
    """## What it does
    Flags a 2xx response served as `application/problem+json` (or `+xml`).

    ## Why is this bad?
    Problem details describe failures; clients treat the media type as an error signal
    (adidas: problem details MUST NOT be used with 2xx).

    ## Example
    ```yaml
    '200':
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Pet'}}
    ```
    Use instead: `application/json` for success bodies.

    ## Options
    `exempt-methods` (`["options"]`), `include-webhooks` and `include-callbacks` (false) choose
    the operations and error responses judged, as for `errors/missing-error-response`.
    """
    if spec.is_swagger2:
        return
    # Per `content` mapping, shared by the operations of a shared response; `code[:1]` is
    # `Response.kind`'s "success" test without the property call (Graph beta: 67,000
    # responses; 0.047 -> 0.035 s of CPU).
    problems: dict[int, list[Any]] = {}  # the `content`s live on the operations
    for op in in_scope(spec, exempt_methods, include_webhooks, include_callbacks):
        for resp in op.responses.values():
            if resp.code[:1] != "2":
                continue
            content = resp.content
            media = problems.get(id(content))
            if media is None:
                media = problems[id(content)] = [m for m in content.values()
                                                 if is_problem_media(m.name)]
            for m in media:
                yield Violation(m.pointer, f"success response `{resp.code}` of "
                                           f"`{op.label}` is served as `{m.name}`",
                                subject=f"{op.label} {resp.code}")
