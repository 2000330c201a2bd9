"""The references of the document as written: where each `$ref` is, which ones Spectral's
resolver leaves unresolved (`circular_refs`), and which subtrees have none.

`gates.style.runner` reads them once per spec (`ref_objects`) for its resolved view.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["circular_refs", "outside_refs", "outside_refs_of", "ref_objects"]


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


def outside_refs(refs_found: list[tuple[dict[str, Any], tuple[str, ...]]],
                 strings: set[str]) -> set[str]:
    """The `$ref` strings of the document (`ref_objects`'s list and set) that name their
    target from outside it: the nodes of Spectral's resolver graph, which its
    `unreferencedReusableObject` and `oasUnusedComponent` look up. A local reference written
    inside its own target (a schema whose property refers back to it) is circular there and
    adds no node, so a component referred to only from inside itself is unreferenced
    (Spectral 6.16.3 on azure.com's cost-management spec: `Scope`, whose `childScope` is a
    `Scope`); two components that refer to each other are both referenced. A reference
    below another's sibling keys has no place in the list: it counts."""
    from gatekeeper import PointerError, parse_fragment

    placed: set[str] = set()
    out: set[str] = set()
    for node, tokens in refs_found:
        ref = node["$ref"]
        placed.add(ref)
        if ref in out:
            continue
        if ref.startswith("#"):
            try:
                target = tuple(parse_fragment(ref))
            except PointerError:
                target = None
            if target is not None and tokens[:len(target)] == target:
                continue  # written inside its own target
        out.add(ref)
    out.update(strings - placed)
    return out


def outside_refs_of(document: Any) -> set[str]:
    """`outside_refs` of `document`, for a caller without the runner's view (which has them
    already)."""
    found, strings, _plain = ref_objects(document)
    return outside_refs(found, strings)


def circular_refs(refs_found: list[tuple[dict[str, Any], tuple[str, ...]]]) -> set[int]:
    """Of `refs_found` (`ref_objects`'s first list), the `$ref` objects that Spectral's
    resolver leaves unresolved (and out of its reference map): a reference to one of its own
    ancestors, and a reference at P to T when T, through the references inside it
    (transitively), leads to a node that contains P. The rule is that of Spectral's resolver
    (its "stem" graph), so which reference of a cycle stays a `$ref` is the same as there."""
    from gatekeeper import PointerError, parse_fragment

    refs: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []
    parsed: dict[str, tuple[str, ...] | None] = {}  # a target is referred to 3 to 6 times
    for node, tokens in refs_found:
        ref = node["$ref"]
        if not ref.startswith("#"):
            continue
        if ref not in parsed:
            try:
                parsed[ref] = parse_fragment(ref)
            except PointerError:
                parsed[ref] = None
        target = parsed[ref]
        if target is not None:
            refs.append((id(node), tokens, target))
    out: set[int] = set()
    # only targets can be reached (an edge leads to a target), so the other nodes are left
    # out of the graph: on Stripe's spec3.yaml, 800 nodes of 7,300, and 0.04 s of 0.08 s
    targets = {target for _, _, target in refs}
    lengths = sorted({len(target) for target in targets})
    edges: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for key, where, target in refs:
        if target and where[:len(target)] == target:
            out.add(key)  # a reference to an ancestor
            continue
        for dep in _stems(where, target, lengths):
            if dep in targets and dep != where and dep != target:
                edges.setdefault(dep, set()).add(target)
    bit, reach = _reach(edges)
    for key, where, target in refs:
        if key in out:
            continue
        mask = reach.get(target, 0)
        if mask and any(where[:n] in bit and mask >> bit[where[:n]] & 1 for n in lengths):
            out.add(key)  # (`target` may be in its own mask: it is no prefix of `where`)
    return out


def _stems(where: tuple[str, ...], target: tuple[str, ...], lengths: list[int]
           ) -> list[tuple[str, ...]]:
    """The nodes of a length in `lengths` that depend on `target` through a reference at
    `where`, as Spectral's resolver names them: past the first key where the two differ,
    each key of `where` that `target` has at the same place joins the shared stem, any
    other the tail, and each tail so far (after the stem so far) is one node."""
    n = len(target)
    m = 0
    while m < n and m < len(where) and where[m] == target[m]:
        m += 1
    if not any(where[i] == target[i] for i in range(m + 1, min(n, len(where)))):
        # no key joins the stem after the first difference: each node is a prefix of
        # `where` (so on Stripe's spec3.yaml, for every one of its 2,500 references)
        return [where[:k] for k in lengths if m < k <= len(where)]
    stem: list[str] = []
    tail: list[str] = []
    out = []
    for i, part in enumerate(where):
        if i < n and part == target[i]:
            stem.append(part)
        else:
            tail.append(part)
            if i + 1 in lengths:
                out.append((*stem, *tail))
    return out


def _reach(edges: dict[tuple[str, ...], set[tuple[str, ...]]]
           ) -> tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], int]]:
    """A bit per node of the graph `edges`, and per node the mask of the nodes it reaches
    (through one edge or more; a node may be in its own mask even off any cycle).

    Tarjan's strongly connected components, iterative: a component is complete before any
    that reaches it, so its mask is its members' bits and its successors' masks. With the
    graph cut to targets (`circular_refs`), Stripe's spec3.yaml takes 0.026 s in all, where
    a search per target took 0.084 s (GitHub's api.github.com.json: 0.045 s, 0.083 s)."""
    bit: dict[tuple[str, ...], int] = {}
    for node, succ in edges.items():
        bit.setdefault(node, len(bit))
        for t in succ:
            bit.setdefault(t, len(bit))
    order: dict[tuple[str, ...], int] = {}
    low: dict[tuple[str, ...], int] = {}
    reach: dict[tuple[str, ...], int] = {}
    stack: list[tuple[str, ...]] = []
    for root in edges:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack.append(root)
        work = [(root, iter(edges[root]))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in order:
                    order[w] = low[w] = len(order)
                    stack.append(w)
                    work.append((w, iter(edges.get(w, ()))))
                    break
                if w not in reach:  # on the stack: its component is not complete
                    low[v] = min(low[v], order[w])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == order[v]:
                    _component(v, stack, edges, bit, reach)
    return bit, reach


def _component(root: tuple[str, ...], stack: list[tuple[str, ...]],
               edges: dict[tuple[str, ...], set[tuple[str, ...]]],
               bit: dict[tuple[str, ...], int], reach: dict[tuple[str, ...], int]) -> None:
    """Pop the component of `root` off `stack` and give each member the component's mask."""
    members = []
    while True:
        w = stack.pop()
        members.append(w)
        if w == root:
            break
    mask = 0
    for m in members:
        mask |= 1 << bit[m]
        for s in edges.get(m, ()):
            mask |= reach.get(s, 0)  # 0 for a member: its bit is added here
    for m in members:
        reach[m] = mask
