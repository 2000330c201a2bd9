"""The validity gate's schema walk: `Spec.walk_schemas` in the same order, keeping only what
the rules read (the schemas with a `default`, a `$schema` or a string `pattern`).

Why not `Spec.walk_schemas` itself: it makes a `Pointer` for every schema it reaches, and the
rules read the pointers of a few hundred of them. Here a schema is known by its file and its
tokens (one set of tokens per file) and becomes a `Pointer` only when it is kept: on Graph
beta (120,000 schemas) the walk took 0.26 s of CPU with `walk_schemas`, 0.11 s here.
"""

from __future__ import annotations

from gatekeeper import Pointer, Spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Every keyword `Spec.walk_schemas` follows, in its order.
_CHILD_KEYS = frozenset({"properties", "items", "additionalProperties", "not", "contains",
                         "allOf", "oneOf", "anyOf", "prefixItems", "patternProperties"})
_OTHER_KEYS = _CHILD_KEYS - {"properties", "items"}
#: A schema without any of these keys is bare: visiting it finds nothing and leads nowhere,
#: so it is not pushed at all (it is never marked seen either: it is bare wherever it is
#: reached again). Two schemas in three of Graph beta's (76,000 leaves, most parameters'
#: `{type: string}`): the walk and its roots took 0.28 s of CPU, 0.19 s without them.
NOTED_KEYS = _CHILD_KEYS | {"$ref", "pattern", "default", "$schema"}
_ONE = ("additionalProperties", "not", "contains")
_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
#: `Spec.resolve` gives this place back for a value that is no resolved `$ref`.
_HERE = Pointer("\x00here")

Walk = tuple[list[tuple[dict[str, "Any"], Pointer]], list[tuple[dict[str, "Any"], Pointer]]]


def schema_facts(spec: Spec, roots: list[tuple[Any, str, tuple[str, ...]]]) -> Walk:
    """(the schemas with a `default` or a `$schema`, and in 2.0 the `items` of a non-body
    parameter or header with one; the schemas with a string `pattern`), each with where it
    is written, in the order `spec.walk_schemas` visits them from `roots`, each root given as
    (value, file, tokens) of where it is written."""
    swagger2 = spec.is_swagger2
    resolve = spec.resolve
    seen_of: dict[str, set[tuple[str, ...]]] = {}
    typed: list[tuple[dict[str, Any], Pointer]] = []
    patterns: list[tuple[dict[str, Any], Pointer]] = []
    stack: list[tuple[Any, tuple[str, ...], str, set[tuple[str, ...]]]] = []
    push, pop = stack.append, stack.pop
    noted = NOTED_KEYS

    def at(value: Any, tokens: tuple[str, ...], file: str, seen: set[tuple[str, ...]]) -> None:
        """Push a `$ref` value where it resolves to (else where it is written)."""
        target, where = resolve(value, _HERE)
        if where is _HERE:
            push((value, tokens, file, seen))
        elif isinstance(target, dict) and not noted.isdisjoint(target):
            file = where.file
            seen = seen_of.get(file) or seen_of.setdefault(file, set())
            push((target, where.tokens, file, seen))

    for root, file, tokens in roots:
        if not isinstance(root, dict) or noted.isdisjoint(root):
            continue
        seen = seen_of.get(file) or seen_of.setdefault(file, set())
        if "$ref" in root:
            at(root, tokens, file, seen)
        else:
            push((root, tokens, file, seen))
        while stack:
            node, tokens, file, seen = pop()
            if tokens in seen:
                continue
            seen.add(tokens)
            get = node.get
            if isinstance(get("pattern"), str):
                patterns.append((node, Pointer(file, tokens)))
            if "default" in node or "$schema" in node:
                typed.append((node, Pointer(file, tokens)))
            if _CHILD_KEYS.isdisjoint(node):
                continue  # a leaf, as two schemas in three are
            props = get("properties")
            if isinstance(props, dict):
                base = (*tokens, "properties")
                for name, value in props.items():
                    if isinstance(value, dict) and not noted.isdisjoint(value):
                        if "$ref" in value:
                            at(value, (*base, str(name)), file, seen)
                        else:
                            push((value, (*base, str(name)), file, seen))
            items = get("items")
            if isinstance(items, dict):
                if swagger2 and "in" in node and ("default" in items or "$schema" in items):
                    typed.append((items, Pointer(file, (*tokens, "items"))))
                if "$ref" in items:
                    at(items, (*tokens, "items"), file, seen)
                elif not noted.isdisjoint(items):
                    push((items, (*tokens, "items"), file, seen))
            elif isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict) and not noted.isdisjoint(item):
                        at(item, (*tokens, "items", str(i)), file, seen)
            if not _OTHER_KEYS.isdisjoint(node):
                _push_others(get, tokens, file, seen, push, at)
    return typed, patterns


def _push_others(get: Any, tokens: tuple[str, ...], file: str, seen: set[tuple[str, ...]],
                 push: Any, at: Any) -> None:
    """Push the dict children of a schema under the keywords after `items`, in
    `Spec.walk_schemas`'s order (a child that is not a dict is never visited: not pushed)."""
    for key in _ONE:
        value = get(key)
        if isinstance(value, dict) and not NOTED_KEYS.isdisjoint(value):
            if "$ref" in value:
                at(value, (*tokens, key), file, seen)
            else:
                push((value, (*tokens, key), file, seen))
    for key in _LISTS:
        value = get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and not NOTED_KEYS.isdisjoint(item):
                    if "$ref" in item:
                        at(item, (*tokens, key, str(i)), file, seen)
                    else:
                        push((item, (*tokens, key, str(i)), file, seen))
    value = get("patternProperties")
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, dict) and not NOTED_KEYS.isdisjoint(item):
                at(item, (*tokens, "patternProperties", str(name)), file, seen)
