"""What the validity gate's helper process computed (`Gate.helper`), sent back by marshal and
read here: the document's errors against the official schema, and the facts of the schema
walk (every Schema Object with a `default`, a `$schema` or a string `pattern`, by where it is
written), so that the check's process neither checks the document nor walks every schema
again. The walk is most of the gate's own time once the schema check is beside: GitHub's
5.7 MB, about 0.09 s of 0.1 s (benchmarks/README.md, "The schema walk in the helper").

A walk fact crosses as the file and JSON pointer tokens of its schema, with what the rules
read to pick it (whether it has a `default` or a `$schema`; its `pattern`). The check's
process finds each schema again at that place in its own copy of the same file and checks
that it agrees; if one does not, the whole walk is done in the check's process instead.
"""

from __future__ import annotations

from gatekeeper import Pointer, helper_result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["encode", "schema_errors", "walk_facts"]

Walk = tuple[list[tuple[dict[str, "Any"], Pointer]], list[tuple[dict[str, "Any"], Pointer]]]


def encode(errors: list[tuple[tuple[Any, ...], str]], walk: Walk) -> bytes:
    """The helper's result: `errors` (`_schema_errors`) and `walk` (`prose.schema_walk`)."""
    import marshal

    moved = []
    for tokens, message in errors:  # an inlined node's (Pointer, *rest): (file, tokens, rest)
        if tokens and not isinstance(tokens[0], str):
            moved.append((1, tokens[0].file, tokens[0].tokens, tokens[1:], message))
        else:
            moved.append((0, "", (), tokens, message))
    typed, patterns = walk
    return marshal.dumps((
        moved,
        [(p.file, p.tokens, "default" in node, "$schema" in node) for node, p in typed],
        [(p.file, p.tokens, node["pattern"]) for node, p in patterns]))


def _payload(spec: Any) -> tuple[Any, ...] | None:
    def read() -> tuple[Any, ...] | None:
        data = helper_result(spec, "validity")
        if data is None:
            return None
        import marshal

        try:
            found = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        return found if isinstance(found, tuple) and len(found) == 3 else None
    return spec.memo("validity.helper-payload", read)


def schema_errors(spec: Any) -> list[tuple[tuple[Any, ...], str]] | None:
    """The helper's schema errors of `spec`, or None (no helper, or it failed)."""
    found = _payload(spec)
    if found is None:
        return None
    try:
        return [((Pointer(file, ptokens), *rest) if moved else tuple(rest), message)
                for moved, file, ptokens, rest, message in found[0]]
    except (TypeError, ValueError):  # not what a helper sends: computed here instead
        return None


def walk_facts(spec: Any) -> Walk | None:
    """The helper's schema walk of `spec`, each schema found again here, or None (no helper,
    it failed, or a schema is not where the helper saw it)."""
    found = _payload(spec)
    if found is None:
        return None
    try:
        return _found_again(spec, found[1], found[2])
    except (TypeError, ValueError):  # not what a helper sends: walked here instead
        return None


def _found_again(spec: Any, typed_sent: Any, patterns_sent: Any) -> Walk | None:
    typed: list[tuple[dict[str, Any], Pointer]] = []
    patterns: list[tuple[dict[str, Any], Pointer]] = []
    for file, tokens, has_default, has_schema in typed_sent:
        node = _node_at(spec, file, tokens)
        if node is None or ("default" in node, "$schema" in node) != (has_default, has_schema):
            return None
        typed.append((node, Pointer(file, tokens)))
    for file, tokens, pattern in patterns_sent:
        node = _node_at(spec, file, tokens)
        if node is None or node.get("pattern") != pattern:
            return None
        patterns.append((node, Pointer(file, tokens)))
    return typed, patterns


def _node_at(spec: Any, file: str, tokens: tuple[str, ...]) -> dict[str, Any] | None:
    doc = spec.documents.get(file)
    if doc is None:
        return None
    node = doc.data
    try:
        for token in tokens:
            node = node[int(token)] if isinstance(node, list) else node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return node if isinstance(node, dict) else None
