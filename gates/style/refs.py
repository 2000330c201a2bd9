"""The references of the document as written: where each `$ref` is, which ones Spectral's
resolver leaves unresolved (`circular_refs`), and which subtrees have none.

`gates.style.runner` reads them once per spec (`ref_objects`) for its resolved view.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["circular_refs", "ref_objects"]


def ref_objects(document: Any) -> tuple[list[tuple[dict[str, Any], tuple[str, ...]]],
                                         set[str], frozenset[int]]:
    """Every object with a string `$ref`, with its pointer tokens (iterative; a node shared
    through YAML aliases is visited once); the set of every `$ref` string of the document;
    and the ids of its objects and arrays with no `$ref` at or below them ("plain": their
    resolved form is themselves). Like Spectral's resolver, the siblings of a `$ref` are not
    searched for the first list; the set (`oasUnusedComponent` reads it) takes theirs too.

    One walk serves all three. Measured on Stripe's spec3.yaml with spectral:oas: the two
    walks it replaces (references, `$ref` strings) were 14 % of the style gate, and
    materialising the resolved document (`_View.deref`, for rules given ``$``) another 8 %,
    most of it spent confirming that subtrees without references stay as they are. A
    node's tokens are built only for references: the walk keeps a (parent link, key,
    parent id) chain instead of a tuple per node."""
    found = []
    strings: set[str] = set()
    siblings: list[Any] = []
    stack: list[tuple[Any, Any]] = [(document, None)]
    seen: set[int] = set()
    above: set[int] = set()  # objects and arrays with a `$ref` at or below them
    aliased = False
    pop, push = stack.pop, stack.append
    while stack:
        node, link = pop()
        nid = id(node)
        if nid in seen:
            aliased = True
            continue
        seen.add(nid)
        if type(node) is dict:
            ref = node.get("$ref")
            if ref is not None and isinstance(ref, str):
                strings.add(ref)
                above.add(nid)
                tokens: list[str] = []
                while link is not None:
                    link, key, parent = link
                    tokens.append(key)
                    above.add(parent)
                found.append((node, tuple(reversed(tokens))))
                siblings.extend(v for v in node.values() if type(v) is dict or type(v) is list)
                continue
            for k, v in node.items():
                if type(v) is dict or type(v) is list:
                    push((v, (link, k, nid)))
        else:
            for i, v in enumerate(node):
                if type(v) is dict or type(v) is list:
                    push((v, (link, str(i), nid)))
    while siblings:  # below a reference's siblings: only the strings
        node = siblings.pop()
        if type(node) is dict:
            ref = node.get("$ref")
            if isinstance(ref, str):
                strings.add(ref)
            siblings.extend(v for v in node.values() if type(v) is dict or type(v) is list)
        else:
            siblings.extend(v for v in node if type(v) is dict or type(v) is list)
    # a node shared through an alias has parents the walk did not follow: nothing is plain
    plain = frozenset() if aliased else frozenset(seen - above)
    return found, strings, plain


def circular_refs(refs_found: list[tuple[dict[str, Any], tuple[str, ...]]]) -> set[int]:
    """Of `refs_found` (`ref_objects`'s first list), the `$ref` objects that Spectral's resolver leaves unresolved
    (and out of its reference map): a reference to one of its own ancestors, and a
    reference at P to T when T, through the references inside it (transitively), leads to
    a node that contains P. The rule is that of Spectral's resolver (its "stem" graph), so
    which reference of a cycle stays a `$ref` is the same as there."""
    from gatekeeper import PointerError, parse_fragment

    refs: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []
    for node, tokens in refs_found:
        ref = node["$ref"]
        if not ref.startswith("#"):
            continue
        try:
            refs.append((id(node), tokens, parse_fragment(ref)))
        except PointerError:
            continue
    out: set[int] = set()
    edges: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for key, where, target in refs:
        if target and where[:len(target)] == target:
            out.add(key)  # a reference to an ancestor
            continue
        stem: list[str] = []
        tail: list[str] = []
        for i, part in enumerate(where):
            if i < len(target) and part == target[i]:
                stem.append(part)
            else:
                tail.append(part)
                dep = (*stem, *tail)
                if dep != where and dep != target:
                    edges.setdefault(dep, set()).add(target)
    closures: dict[tuple[str, ...], set[tuple[str, ...]]] = {}

    def closure(start: tuple[str, ...]) -> set[tuple[str, ...]]:
        found = closures.get(start)
        if found is None:
            found = set()
            todo = list(edges.get(start, ()))
            while todo:
                node = todo.pop()
                if node in found:
                    continue
                found.add(node)
                todo.extend(edges.get(node, ()))
            found.discard(start)
            closures[start] = found
        return found

    for key, where, target in refs:
        if key in out:
            continue
        reach = closure(target)
        if reach and any(where[:n] in reach for n in range(1, len(where) + 1)):
            out.add(key)
    return out
