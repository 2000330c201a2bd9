"""`Spec.walk_schema_places`: the schema walk of `Spec.walk_schemas`, by place.

Why a second walk: `walk_schemas` makes a `Pointer` for every schema it reaches and visits
every leaf. A gate that reads a few keywords of each schema (documentation's properties, the
validity gate's `default`, `$schema` and `pattern`) needs neither. Here a schema is known by
its file and tokens, and a schema with nothing the caller reads, no child keyword and no
`$ref` is not visited at all: it has nothing to report and leads nowhere. Two schemas in
three of Graph beta's 120,000 are such leaves (most parameters' ``{type: string}``). Measured
on Graph beta, CPU: the documentation gate's walk 0.33 -> 0.17 s, the validity gate's 0.26 ->
0.11 s (benchmarks/README.md, "Sixth session").

The order is `walk_schemas`'s: depth first, a schema's children pushed in the order
`Spec.schema_children` lists them, each place visited once overall.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from gatekeeper.pointer import Pointer

#: The keywords whose values are schemas (`Spec.schema_children`), in its order.
SCHEMA_CHILD_KEYS = frozenset({"properties", "items", "additionalProperties", "not", "contains",
                        "allOf", "oneOf", "anyOf", "prefixItems", "patternProperties"})
_AFTER_ITEMS = SCHEMA_CHILD_KEYS - {"properties", "items"}
_ONE = ("additionalProperties", "not", "contains")
_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")

#: A schema as written (a `$ref` or not) with the file and the tokens of where it is written.
Place = tuple["Any", str, tuple[str, ...]]


def walk_places(targets: dict[int, tuple[Any, Pointer]], roots: Iterable[Place],
                reads: frozenset[str]) -> Iterator[Place]:
    """Each schema reachable from `roots` once, as (schema, file, tokens), skipping the
    schemas that hold none of `reads`, no child keyword and no `$ref`. `targets`: the
    resolved references (`Spec`'s). A root tuple met again (the same object) is skipped."""
    worth = SCHEMA_CHILD_KEYS | reads | {"$ref"}
    seen_of: dict[str, set[tuple[str, ...]]] = {}
    stack: list[tuple[Any, tuple[str, ...], str, set[tuple[str, ...]]]] = []
    push, pop = stack.append, stack.pop

    def at(value: dict[str, Any], tokens: tuple[str, ...], file: str,
           seen: set[tuple[str, ...]]) -> None:
        """Push `value`, or the schema its `$ref` names, at the place it is written."""
        target = targets.get(id(value)) if "$ref" in value else None
        if target is None:
            push((value, tokens, file, seen))
            return
        node, where = target
        if isinstance(node, dict) and not worth.isdisjoint(node):
            there = where.file
            push((node, where.tokens, there, seen_of.get(there)
                  or seen_of.setdefault(there, set())))

    had: dict[int, Place] = {}  # root tuples walked, kept alive so that ids stay theirs
    for root in roots:
        if id(root) in had:
            continue
        had[id(root)] = root
        value, file, tokens = root
        if not isinstance(value, dict) or worth.isdisjoint(value):
            continue
        at(value, tokens, file, seen_of.get(file) or seen_of.setdefault(file, set()))
        while stack:
            node, tokens, file, seen = pop()
            if tokens in seen:
                continue
            seen.add(tokens)
            yield node, file, tokens
            if SCHEMA_CHILD_KEYS.isdisjoint(node):
                continue  # a leaf with something to read, as many are
            get = node.get
            props = get("properties")
            if isinstance(props, dict):
                base = (*tokens, "properties")
                for name, value in props.items():
                    if isinstance(value, dict) and not worth.isdisjoint(value):
                        at(value, (*base, str(name)), file, seen)
            items = get("items")  # the one child keyword of most schemas that have one
            if isinstance(items, dict):
                if not worth.isdisjoint(items):
                    at(items, (*tokens, "items"), file, seen)
            elif isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict) and not worth.isdisjoint(item):
                        at(item, (*tokens, "items", str(i)), file, seen)
            if not _AFTER_ITEMS.isdisjoint(node):
                _push_after_items(get, tokens, file, seen, worth, at)


def _push_after_items(get: Any, tokens: tuple[str, ...], file: str, seen: set[tuple[str, ...]],
                      worth: frozenset[str], at: Any) -> None:
    """Push a schema's children under the keywords after `items`, in their order."""
    for key in _ONE:
        value = get(key)
        if isinstance(value, dict) and not worth.isdisjoint(value):
            at(value, (*tokens, key), file, seen)
    for key in _LISTS:
        value = get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and not worth.isdisjoint(item):
                    at(item, (*tokens, key, str(i)), file, seen)
    value = get("patternProperties")
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, dict) and not worth.isdisjoint(item):
                at(item, (*tokens, "patternProperties", str(name)), file, seen)
