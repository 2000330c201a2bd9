"""Many compiled JSONPath expressions (`gates.style.jsonpath`) evaluated by one walk of the
document.

All expressions of a ruleset become one non-deterministic automaton whose states are
(expression, step) pairs. The walk carries the set of live states down the tree and prunes a
subtree as soon as no state is live, so a ruleset of fifty ``$..`` rules still reads each node
once. The part of a transition that depends only on the property name (names, indices, ``*``,
``..``) is cached per (state set, name); only filters look at values.

On the resolved document, a `$ref` is followed where it is met (``resolve``); a reference
met again with the same live states and matches is not walked again: every
finding below it maps to the same place in the referenced definition, where Spectral reports
it, and Spectral keeps one finding per place. A reference to one of its own ancestors (a
recursive schema) is not followed.
"""

from __future__ import annotations

import sys

from gates.style.jsexpr import uses

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from gates.style.jsonpath import Path, Step

__all__ = ["Query"]


_UNSET = object()
_NO_KEY = object()  # a key no step names: only `*` and `..` carry it


def _path_text(path: list[Any]) -> str:
    return "$" + "".join(f"[{k}]" if type(k) is int else "['" + str(k).replace("'", "\\'") + "']"
                         for k in path)


class Query:
    """Many compiled paths evaluated together. `run` calls ``on_match(index, path, value)``
    for each match of ``paths[index]``; `path` is a tuple of keys from the root."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._state_step: list[Step] = []
        self._state_path: list[int] = []
        self._state_last: list[bool] = []
        self._start: list[int] = []
        self._root_matches: list[int] = []
        for pid, path in enumerate(paths):
            if not path.steps:
                self._root_matches.append(pid)
                continue
            self._start.append(len(self._state_step))
            for j, step in enumerate(path.steps):
                self._state_step.append(step)
                self._state_path.append(pid)
                self._state_last.append(j == len(path.steps) - 1)
        #: per state set, per property name: (next states, matched expressions)
        self._cache: dict[frozenset[int], dict[Any, tuple[frozenset[int], tuple[int, ...]]]] = {}
        self._plans: dict[frozenset[int], tuple[Any, ...]] = {}
        self._interned: dict[frozenset[int], frozenset[int]] = {}
        self._named: dict[frozenset[int], frozenset[str] | None] = {}
        self._default: dict[frozenset[int], tuple[frozenset[int], tuple[int, ...]]] = {}
        self.share = not any(p.uses_path for p in paths)
        # the property name a reference is met under matters below it only to filters that
        # read @parentProperty
        self.by_name = any(step.kind == "filter" and uses(step.arg, "@parentProperty")
                           for p in paths for step in p.steps)

    def _intern(self, states: frozenset[int]) -> frozenset[int]:
        return self._interned.setdefault(states, states)

    def _key_step(self, states: frozenset[int], key: Any) -> tuple[frozenset[int], tuple[int, ...]]:
        """The states and matched expressions after `key` from `states` (cached per key).

        A key that no state names (by name or union; no filter on ``@property`` live) has
        the same outcome as any other such key, computed once per state set. On Stripe's
        spec3.yaml with spectral:oas, 9,200 keys per run were each computed over every
        live state: the gate's run went from 2,524 M to 2,297 M instructions (callgrind)."""
        named = self._named.get(states, _UNSET)
        if named is _UNSET:
            named = self._named[states] = self._names(states)
        kind = type(key)  # other keys (YAML's true, 1.0) compare equal to ints: computed
        if named is not None and (kind is str and key not in named
                                  or kind is int and str(key) not in named):
            entry = self._default.get(states)
            if entry is None:
                entry = self._default[states] = self._transition(states, _NO_KEY)
        else:
            entry = self._transition(states, key)
        self._cache.setdefault(states, {})[key] = entry
        return entry

    def _names(self, states: frozenset[int]) -> frozenset[str] | None:
        """Every key (as text) a state of `states` selects by name; None when a state
        tests the key itself (a filter on ``@property``), so that every key is its own."""
        out: set[str] = set()
        for s in states:
            step = self._state_step[s]
            if step.by_key:
                return None
            if step.kind == "name":
                out.add(step.arg)
            elif step.kind == "union":
                out.update(str(k) for k in step.arg)
        return frozenset(out)

    def _transition(self, states: frozenset[int], key: Any
                    ) -> tuple[frozenset[int], tuple[int, ...]]:
        nxt: set[int] = set()
        matched: list[int] = []
        for s in states:
            step = self._state_step[s]
            if step.descend:
                nxt.add(s)
            if step.by_key:
                hit = step.test((None, key, None, None, None, None))
            else:
                hit = not step.by_value and step.key_match(key)
            if hit:
                if self._state_last[s]:
                    matched.append(self._state_path[s])
                else:
                    nxt.add(s + 1)
        return self._intern(frozenset(nxt)), tuple(matched)

    def _value_plan(self, states: frozenset[int]) -> tuple[Any, ...]:
        """How the children met with `states` are tested by value (filters, indices,
        slices): ``(union, on_dicts, on_lists, on_scalars)``, each ``on_*`` a tuple of
        ``(test, guard, value, next states, matched expressions)``, one per distinct test (states
        that share a filter share one evaluation). `union`: the keys of which an object must
        have one for any test on it to hold (None when a test has no such keys); an object
        with none of them is not tested at all.

        Measured on Stripe's spec3.yaml with spectral:oas: the walk evaluated 215k filters
        (half the walk's time); with the keys tested first, about 7k."""
        found = self._plans.get(states)
        if found is not None:
            return found
        groups: dict[Any, list[Any]] = {}
        for s in sorted(states):
            step = self._state_step[s]
            if not step.by_value:
                continue
            test = step.test
            group = groups.get(test)
            if group is None:
                group = groups[test] = [step, set(), []]
            if self._state_last[s]:
                group[2].append(self._state_path[s])
            else:
                group[1].add(s + 1)
        on_dicts, on_lists, on_scalars = [], [], []
        union: Any = frozenset()
        for test, (step, nxt, matched) in groups.items():
            entry = (test, step.guard, step.value, self._intern(frozenset(nxt)),
                     tuple(matched))
            on_dicts.append(entry)
            if union is not None:
                union = None if step.guard is None else union | step.guard
            if step.guard is None:
                on_lists.append(entry)
                if not step.containers:
                    on_scalars.append(entry)
        found = self._plans[states] = (self._cache.setdefault(states, {}), union,
                                       tuple(on_dicts), tuple(on_lists), tuple(on_scalars))
        return found

    def run(self, root: Any, on_match: Callable[[int, tuple[Any, ...], Any], None],
            resolve: Callable[[dict[str, Any]], Any] | None = None) -> None:
        if any(p.up for p in self.paths):
            on_match = _parents(self.paths, root, on_match, resolve)
        for pid in self._root_matches:
            on_match(pid, (), root)
        if not self._start or (type(root) is not dict and type(root) is not list):
            return
        walk = self._walker(root, on_match, resolve)
        start = self._intern(frozenset(self._start))
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            walk(root, start, None, False)
        finally:
            sys.setrecursionlimit(limit)

    def _first_visit(self, seen: dict[tuple[Any, Any], tuple[set[int], set[int]]],
                     target: tuple[int, bool], name: Any, nxt: frozenset[int],
                     matched: tuple[int, ...]) -> tuple[frozenset[int], tuple[int, ...]]:
        """The states and matches of a reference to `target` (its id, and whether a reference
        was followed earlier on the path: Spectral names a missing field differently on the
        two kinds of route, docs/style.md) that no earlier reference to it has walked or
        matched: a target is walked once per live state (and matched once per
        expression), whatever state set it is met with, since the findings below it land
        in the definition. `name`: the property name it is met under, when filters read
        ``@parentProperty``. On Stripe's spec3.yaml with spectral:oas: 8k fewer matches
        than keying on the whole state set. `seen`: per (target, name), the states walked
        and the expressions matched, as sets: with a tuple per (target, state, name) the
        style gate's first run on Stripe took 2,740 M instructions, with sets 2,444 M."""
        done = seen.get((target, name))
        if done is None:
            seen[target, name] = (set(nxt), set(matched))
            return nxt, matched
        states, pids = done
        fresh = nxt - states
        if len(fresh) != len(nxt):
            nxt = self._intern(fresh)
        if matched:
            # a `~` expression matches the name the reference is met under, not the target:
            # each name is its own match (Spectral reports `lowPriority` and `dedicated`, two
            # properties referring to one schema, each on that schema)
            matched = tuple(p for p in matched if self.paths[p].keys or p not in pids)
        states.update(nxt)
        pids.update(matched)
        return nxt, matched

    def _walker(self, root: Any, on_match: Callable[[int, tuple[Any, ...], Any], None],
                resolve: Callable[[dict[str, Any]], Any] | None
                ) -> Callable[[Any, frozenset[int], Any], None]:
        """The recursive walk of one run: ``walk(node, states, parent_key, hopped)`` matches the
        children of `node` against `states` and descends where a path may still match. All
        it reads is bound to locals here, once per run."""
        paths = self.paths
        plans = self._plans
        key_step = self._key_step
        value_plan = self._value_plan
        intern = self._intern
        share = self.share
        by_name = self.by_name
        first_visit = self._first_visit
        seen_refs: dict[tuple[Any, Any], tuple[set[int], set[int]]] = {}
        active: set[int] = set()  # the containers on the way down (resolved walk)
        stack: list[Any] = []

        def walk(node: Any, states: frozenset[int], parent_key: Any, hopped: bool) -> None:
            # objects and arrays only: no call for a scalar child (160k on Stripe's spec)
            items: Any = node.items() if type(node) is dict else enumerate(node)
            if resolve is not None:  # a reference back to an ancestor is not followed
                active.add(id(node))
            row, union, on_dicts, on_lists, on_scalars = plans.get(states) or value_plan(states)
            for key, child in items:
                kind = type(child)
                target = child  # what filters and matches see: the resolved value
                if resolve is not None and kind is dict and "$ref" in child:
                    resolved = resolve(child)
                    if resolved is not None and id(resolved) not in active:
                        target = resolved
                        kind = type(target)
                nxt, matched = row.get(key) or key_step(states, key)
                if kind is dict:
                    tests = on_dicts if union is None or not target.keys().isdisjoint(union) \
                        else ()
                elif kind is list:
                    tests = on_lists
                elif not on_scalars:  # a scalar: matched by its name or not at all
                    for pid in matched:
                        on_match(pid, (*stack, key), key if paths[pid].keys else target)
                    continue
                else:
                    tests = on_scalars
                if tests:
                    extra: Any = None
                    scope = (target, key, node, parent_key, root,
                             (lambda k=key: _path_text([*stack, k])) if not share else None)
                    for test, guard, value, adds, more in tests:
                        if guard is not None and (target.keys().isdisjoint(guard) or value
                                                  is not None and target.get(value[0])
                                                  != value[1]):
                            continue
                        if test(scope):
                            if adds:
                                extra = adds if extra is None else extra | adds
                            if more:
                                matched = matched + more
                    if extra:
                        nxt = intern(nxt | extra)
                if not nxt and not matched:
                    continue
                if target is not child and share and len(child) == 1:
                    # a $ref with siblings places its findings differently (see
                    # gates.style.runner): it is always walked
                    nxt, matched = first_visit(seen_refs, (id(target), hopped),
                                               key if by_name else None, nxt, matched)
                    if not nxt and not matched:
                        continue
                stack.append(key)
                for pid in matched:
                    on_match(pid, tuple(stack), key if paths[pid].keys else target)
                if nxt and (kind is dict or kind is list):
                    walk(target, nxt, key, hopped or target is not child)
                stack.pop()
            if resolve is not None:
                active.discard(id(node))
        return walk


def _parents(paths: list[Path], root: Any, on_match: Callable[[int, tuple[Any, ...], Any], None],
             resolve: Callable[[dict[str, Any]], Any] | None
             ) -> Callable[[int, tuple[Any, ...], Any], None]:
    """`on_match` for paths that end with ``^``: a match is passed on as its ancestor that
    many levels up (the value read along the path, references resolved as the walk resolves
    them); a match above the root yields nothing, as in JSONPath-Plus."""
    def lifted(pid: int, path: tuple[Any, ...], value: Any) -> None:
        up = paths[pid].up
        if not up:
            on_match(pid, path, value)
            return
        if up > len(path):
            return
        path = path[:len(path) - up]
        node = root
        for key in path:
            node = node[key]
            if resolve is not None and type(node) is dict and "$ref" in node:
                target = resolve(node)
                node = node if target is None else target
        on_match(pid, path, node)
    return lifted

