"""What the errors rules share: the operations in scope, error bodies and the names they are
shown by."""

from __future__ import annotations

from gatekeeper import (
    MediaType, Operation, Pointer, Response, Spec, error_responses, is_json_media,
)

from gates.errors.shape import schema_shape

STYLES = ("problem", "envelope", "any")
KIND_STYLE = {"problem": "problem", "error-envelope": "envelope",
               "errors-envelope": "envelope", "custom": "custom"}


def in_scope(spec: Spec, exempt_methods: tuple[str, ...], include_webhooks: bool,
             include_callbacks: bool) -> list[Operation]:
    """The operations the errors rules judge, once per spec and option set (each of the
    gate's rules reads them)."""
    key = ("errors.in-scope", tuple(exempt_methods), include_webhooks, include_callbacks)
    return spec.memo(key, lambda: _in_scope(spec, exempt_methods, include_webhooks,
                                            include_callbacks))


def _in_scope(spec: Spec, exempt_methods: tuple[str, ...], include_webhooks: bool,
              include_callbacks: bool) -> list[Operation]:
    exempt = {m.lower() for m in exempt_methods}
    out = []
    for op in spec.operations:
        if op.kind == "webhook" and not include_webhooks:
            continue
        if op.kind == "callback" and not include_callbacks:
            continue
        if op.method in exempt:
            continue
        out.append(op)
    return out


def scoped_errors(spec: Spec, accept_default: bool, exempt_methods: tuple[str, ...],
                  include_webhooks: bool, include_callbacks: bool
                  ) -> list[tuple[Operation, tuple[Response, ...]]]:
    """Each operation in scope with its error responses (`error_responses`), once per spec
    and option set: seven rules and the metric read them (Graph beta: 22,000 operations,
    each read eight times)."""
    key = ("errors.scoped", accept_default, tuple(exempt_methods), include_webhooks,
           include_callbacks)
    return spec.memo(key, lambda: [
        (op, error_responses(op, accept_default=accept_default))
        for op in in_scope(spec, exempt_methods, include_webhooks, include_callbacks)])


def scoped_bodies(spec: Spec, accept_default: bool, exempt_methods: tuple[str, ...],
                  include_webhooks: bool, include_callbacks: bool
                  ) -> list[tuple[Operation, tuple[tuple[Response, int, list[MediaType], bool],
                                                   ...]]]:
    """`scoped_errors` with what the rules read of each error response: (response, its
    shared key, `body_media`, `structured_body`). The shared key is -1 for a response
    written where the operation uses it, else a small number per (definition, `content`),
    the identity `judged_before` judges by. Once per spec and option set: seven rules and
    the metric read each of Graph beta's 45,000 error responses: their calls and pointer
    comparisons took those rules 0.17 s of CPU, now 0.06 s."""
    def build() -> list[tuple[Operation, tuple[tuple[Response, int, list[MediaType], bool],
                                               ...]]]:
        keys: dict[tuple[Pointer, int], int] = {}
        bodies: dict[int, tuple[list[MediaType], bool]] = {}  # `content`s live on the ops
        out = []
        for op, errs in scoped_errors(spec, accept_default, exempt_methods, include_webhooks,
                                      include_callbacks):
            items = []
            for resp in errs:
                content = resp.content
                body = bodies.get(id(content))
                if body is None:
                    body = bodies[id(content)] = (body_media(spec, resp),
                                                  structured_body(spec, resp))
                shared = -1 if resp.pointer == resp.use_pointer \
                    else keys.setdefault((resp.pointer, id(content)), len(keys))
                items.append((resp, shared, body[0], body[1]))
            out.append((op, tuple(items)))
        return out

    key = ("errors.bodies", accept_default, tuple(exempt_methods), include_webhooks,
           include_callbacks)
    return spec.memo(key, build)


def judged_before(shared: int, judged: set[int]) -> bool:
    """True for a shared response a rule has judged already (`judged` records its key of
    `scoped_bodies` the first time; -1, a response not shared, is never recorded): its
    findings name the definition, not the operation (`resp_name`), so judging it again for
    the next operation that uses it repeats them. Graph beta: 22,000 uses of a few."""
    if shared < 0:
        return False
    if shared in judged:
        return True
    judged.add(shared)
    return False


def resp_name(op: Operation, resp: Response) -> tuple[Pointer, str]:
    """Where a finding about a response goes, and how the message names it."""
    if resp.pointer != resp.use_pointer:  # a shared response: report it once, at its definition
        return resp.pointer, f"shared error response `{resp.pointer}`"
    return resp.use_pointer, f"error response `{resp.code}` of `{op.label}`"


def body_media(spec: Spec, resp: Response) -> list[MediaType]:
    """Media types with a schema; JSON ones only when the response has any. Once per
    `content` mapping: a shared response's is one object, read for every operation that
    uses it (Graph beta: 22,000 operations share a few responses)."""
    def build() -> list[MediaType]:
        with_schema = [m for m in resp.content.values() if isinstance(m.schema, dict)]
        json_ = [m for m in with_schema if is_json_media(m.name) or m.essence == "*/*"]
        return json_ or with_schema
    return spec.memo_of("errors.body-media", resp.content, build)


def structured_body(spec: Spec, resp: Response) -> bool:
    """Whether one of the response's body media (`body_media`) has a structured schema
    (`schema_shape`); once per `content` mapping, as `body_media`."""
    return spec.memo_of("errors.structured-body", resp.content, lambda: any(
        schema_shape(spec, m.schema, m.schema_pointer or m.pointer)["structured"]
        for m in body_media(spec, resp)))


def schema_name(spec: Spec, media: MediaType) -> tuple[Pointer, str]:
    ptr = media.schema_pointer or media.pointer
    shape = schema_shape(spec, media.schema, ptr)
    if shape["base"] is not None and shape["base"] == ptr:
        return ptr, f"error schema `{display_name(ptr)}`"
    return ptr, "inline error schema"


def display_name(ptr: Pointer) -> str:
    """`Problem` for ``#/components/schemas/Problem``, `error` for ``models/error.yml#``."""
    if ptr.tokens:
        return ptr.tokens[-1]
    return ptr.file.rsplit("/", 1)[-1].rsplit(".", 1)[0] or str(ptr)
