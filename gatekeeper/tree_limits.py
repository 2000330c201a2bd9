"""Limits on the shape of a parsed tree (docs/hardening.md R4, R5): the node count of a YAML
document with its aliases expanded, and the nesting depth. Both are iterative, so no limit of
Python's own recursion is ever reached while measuring.

A JSON document that orjson serialized again whole (the loader's proof that its fast parse
gave the right data) is known to be at most `ORJSON_MAX_DEPTH` deep: orjson refuses deeper
nesting. Under a depth limit at least that high the walk can prove nothing more, and the
loader skips it (Graph beta, 47 MB: 0.18 s of CPU saved).
"""

from __future__ import annotations

from gatekeeper.errors import SpecError

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.loader import Document, Limits

#: The deepest nesting ``orjson.dumps`` serializes (254 containers: the 255th raises its
#: "Recursion limit reached"). tests/test_loading.py checks this against the orjson installed,
#: so an orjson that changed it fails a test instead of letting a deeper document through.
ORJSON_MAX_DEPTH = 254


def expanded_size(data: Any, cap: int) -> int:
    """Node count of `data` with every alias expanded, by DP over identity; stops past `cap`."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if key in sizes and not done:
            continue
        children = node.values() if isinstance(node, dict) else node
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1) if isinstance(child, (dict, list)) else 1
                if total > cap:
                    return total
            sizes[key] = total
        else:
            stack.append((node, True))
            for child in children:
                if isinstance(child, (dict, list)) and id(child) not in sizes:
                    stack.append((child, False))
    return sizes.get(id(data), 1)


def check_depth(doc: Document, limits: Limits) -> None:
    """Iterative depth check, one level at a time; shared (aliased) YAML containers are
    visited once (JSON has no sharing, so no identity set is kept for it). Skipped for a
    document known to be shallow enough (`Document.depth_bound`)."""
    limit = limits.max_depth
    if doc.depth_bound is not None and doc.depth_bound <= limit:
        return
    data = doc.data
    level = [data] if isinstance(data, (dict, list)) else []
    seen: set[int] | None = None if doc.is_json else set()
    depth = 1
    containers = (dict, list)
    while level:
        if depth > limit:
            raise SpecError(
                f"nesting depth exceeds the limit of {limit} (raise it with --max-depth)",
                file=doc.display)
        below: list[Any] = []
        push = below.append
        for node in level:
            if seen is not None:
                if id(node) in seen:
                    continue
                seen.add(id(node))
            for child in (node.values() if isinstance(node, dict) else node):
                # strings, most values, are passed over by a class test before
                # `isinstance`: 0.64 -> 0.43 s of CPU on Graph beta
                if child.__class__ is not str and isinstance(child, containers):
                    push(child)
        level = below
        depth += 1
