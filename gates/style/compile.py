"""Rules as the runner uses them: functions looked up, options checked, `given` aliases
expanded and JSONPath compiled, once per ruleset.

A `then.function` is looked up in this order: Spectral's core functions
(`gates.style.functions`), Python functions registered under the entry point group
``gatekeeper.spectral_functions`` (a team's port of its own JavaScript function), the
``spectral:oas`` functions (`gates.style.oas.functions.FUNCTIONS`, for the rules of that
ruleset), then the ruleset's JavaScript functions (declared in ``functions``, or a file in
``functionsDir``): those are never run; the rule is reported once as not run and the rest of
the ruleset runs. Any other name is an error in the ruleset.
"""

from __future__ import annotations

import os
import re

from gatekeeper import ConfigError
from gates.style.functions import CORE, OPTION_CHECKS
from gates.style.jsonpath import JSONPathError, Path, compile_path, field_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from gates.style.ruleset import RuleDef

__all__ = ["CompiledRule", "ENTRY_POINT_GROUP", "compile_rules"]

ENTRY_POINT_GROUP = "gatekeeper.spectral_functions"
_ALIAS = re.compile(r"^#([A-Za-z0-9_-]+)")
_plugins: dict[str, Any] | None = None
_path_cache: dict[str, Path] = {}


def plugin_functions() -> dict[str, Any]:
    """Python functions from the ``gatekeeper.spectral_functions`` entry points (loaded once,
    only when a ruleset names a function that is not a core one)."""
    global _plugins
    if _plugins is None:
        from importlib.metadata import entry_points

        found = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                found[ep.name] = ep.load()
            except Exception as exc:
                raise ConfigError(f"ruleset function plugin {ep.name} failed to load: "
                                  f"{exc}") from None
        _plugins = found
    return _plugins


def oas_functions() -> dict[str, Any]:
    try:
        from gates.style.oas.functions import FUNCTIONS
    except ImportError:
        return {}
    return FUNCTIONS


class Then:
    __slots__ = ("field", "function", "options", "name")

    def __init__(self, field: str | None, function: Callable[..., Any], options: Any,
                 name: str) -> None:
        self.field = field
        self.function = function
        self.options = options
        self.name = name


class CompiledRule:
    """A rule ready to run. `not_run`: the JavaScript function it needs (then it never runs).
    `givens(formats)`: its compiled `given` paths for a document of those formats."""

    __slots__ = ("name", "definition", "thens", "not_run", "_givens")

    def __init__(self, name: str, definition: RuleDef, thens: list[Then], not_run: str | None,
                 givens: dict[frozenset[str] | None, list[Path]]) -> None:
        self.name = name
        self.definition = definition
        self.thens = thens
        self.not_run = not_run
        self._givens = givens

    def givens(self, formats: frozenset[str] | None) -> list[Path]:
        if None in self._givens:
            return self._givens[None]
        found = self._givens.get(formats)
        if found is None:
            found = self._givens[formats] = [
                _compile(text, self.definition, i) for i, text in
                _expand(self.definition, formats)]
        return found


def _compile(text: str, rule: RuleDef, index: int) -> Path:
    found = _path_cache.get(text)
    if found is None:
        try:
            found = compile_path(text)
        except JSONPathError as exc:
            given = rule.given
            tokens = (*rule.tokens, "given", index) if len(given) > 1 else (*rule.tokens, "given")
            raise rule.source.fail(tokens, f"rule `{rule.name}`: invalid JSONPath: {exc}") \
                from None
        _path_cache[text] = found
    return found


def _has_scoped_aliases(rule: RuleDef) -> bool:
    return any(isinstance(v, dict) for v in rule.aliases.values())


def _expand(rule: RuleDef, formats: frozenset[str] | None) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for i, text in enumerate(rule.given):
        for expanded in _resolve_alias(rule, text, formats, (), i):
            out.append((i, expanded))
    return out


def _resolve_alias(rule: RuleDef, text: str, formats: frozenset[str] | None,
                   stack: tuple[str, ...], index: int) -> list[str]:
    if not text.startswith("#"):
        return [text]
    tokens = (*rule.tokens, "given", index) if len(rule.given) > 1 else (*rule.tokens, "given")
    m = _ALIAS.match(text)
    if m is None:
        raise rule.source.fail(tokens, f"rule `{rule.name}`: an alias must match "
                                       "#([A-Za-z0-9_-]+)")
    name = m.group(1)
    if name in stack:
        chain = " -> ".join((*stack, name))
        raise rule.source.fail(tokens, f"rule `{rule.name}`: alias `{stack[0]}` is circular "
                                       f"({chain})")
    if name not in rule.aliases:
        raise rule.source.fail(tokens, f"rule `{rule.name}`: alias `{name}` does not exist")
    value = rule.aliases[name]
    if isinstance(value, dict):
        if not formats:
            return []
        chosen = None
        for target in reversed(value["targets"]):
            if any(f in formats for f in target.get("formats", ())):
                chosen = target.get("given")
                break
        if chosen is None:
            return []
        value = chosen if isinstance(chosen, list) else [chosen]
    rest = text[len(name) + 1:]
    out: list[str] = []
    for item in value:
        out.extend(_resolve_alias(rule, item + rest, formats, (*stack, name), index))
    return out


def _lookup(name: str, rule: RuleDef) -> tuple[Callable[..., Any] | None, str | None]:
    """(function, None) when it can run; (None, name) for a JavaScript function."""
    fn = CORE.get(name)
    if fn is not None:
        return fn, None
    if rule.source.builtin:
        fn = oas_functions().get(name)
        if fn is not None:
            return fn, None
    fn = plugin_functions().get(name)
    if fn is not None:
        return fn, None
    fn = oas_functions().get(name)
    if fn is not None:
        return fn, None
    source = rule.source
    if name in source.js_functions:
        return None, name
    folder = os.path.join(source.folder, source.functions_dir)
    if any(os.path.isfile(os.path.join(folder, name + ext)) for ext in (".js", ".mjs", ".cjs")):
        return None, name
    return None, None


def compile_rules(rules: dict[str, RuleDef], forced: frozenset[str] = frozenset()
                  ) -> list[CompiledRule]:
    """The enabled rules, and those named in `forced`, compiled; a `ConfigError` with
    ``file:line`` for the first mistake. `forced`: the rules a pointer override names for
    the spec at hand, which Spectral runs whatever their switch or severity (their
    findings keep the severity the closest override gives, "off" included)."""
    out = []
    for name, rule in rules.items():
        if (not rule.enabled or rule.severity == "off") and name not in forced:
            continue
        thens: list[Then] = []
        not_run = None
        for i, then in enumerate(rule.then):
            fname = then["function"]
            fn, js = _lookup(fname, rule)
            tokens = (*rule.tokens, "then", i) if len(rule.then) > 1 else (*rule.tokens, "then")
            if fn is None and js is None:
                raise rule.source.fail((*tokens, "function"),
                                       f"rule `{name}`: unknown function `{fname}` (not a core "
                                       "function, not declared in `functions`, no Python "
                                       f"function under the `{ENTRY_POINT_GROUP}` entry point)")
            if js is not None:
                not_run = not_run or js
                continue
            options = then.get("functionOptions")
            # spectral:oas's own options are known good: checking its `schema` options
            # imported jsonschema (about 0.1 s) for nothing
            check = OPTION_CHECKS.get(fname) if fn is CORE.get(fname) \
                and not rule.source.builtin else None
            if check is not None:
                problem = check(options)
                if problem is not None:
                    where = (*tokens, "functionOptions") if "functionOptions" in then else tokens
                    raise rule.source.fail(where, f"rule `{name}`: {problem}")
            field = then.get("field")
            if isinstance(field, str) and field.startswith("$"):
                try:
                    field_path(field)
                except JSONPathError as exc:
                    raise rule.source.fail((*tokens, "field"),
                                           f"rule `{name}`: invalid JSONPath in `field`: {exc}")
            thens.append(Then(field, fn, options, fname))
        givens: dict[frozenset[str] | None, list[Path]] = {}
        if not _has_scoped_aliases(rule):
            givens[None] = [_compile(text, rule, i) for i, text in _expand(rule, None)]
        else:
            for i, text in enumerate(rule.given):  # check every expression now
                for expanded in _resolve_alias(rule, text, frozenset(
                        {"oas2", "oas3", "oas3_0", "oas3_1", "oas3_2"}), (), i):
                    _compile(expanded, rule, i)
        out.append(CompiledRule(name, rule, thens, not_run, givens))
    return out
