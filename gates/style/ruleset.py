"""Reading a Spectral ruleset (YAML or JSON) into rules, the way Spectral merges them.

``extends`` takes local files (relative to the ruleset), ``spectral:oas`` (the Python port in
`gates.style.oas`), inline definitions and the ``[ruleset, "all"|"recommended"|"off"]`` form,
nested and cycle-safe. ``rules`` define new rules or change inherited ones (an object is
merged into the inherited rule; a severity string, ``true`` or ``false`` switches it).
``aliases`` (``#Name`` in ``given``, also with per-format ``targets``), ``formats``,
``documentationUrl``, ``overrides`` (by file glob, or by file and JSON pointer for
severities) follow Spectral's merging rules. ``functions`` and ``functionsDir`` declare
JavaScript functions: they are never run (see `gates.style.compile`).

Rulesets are read like specs: through the project's loader (duplicate keys and unsafe YAML
tags refused, positions kept), no code runs, a remote ``extends`` is refused unless a prefix
allows it. Every mistake is a `ConfigError` naming ``file:line``.
"""

from __future__ import annotations

import os

from gatekeeper import ConfigError, SpecError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Loaded", "RuleDef", "load_ruleset", "RULESET_FILES", "discover"]

RULESET_FILES = (".spectral.yaml", ".spectral.yml", ".spectral.json")
SEVERITIES = {"error": "error", "warn": "warn", "info": "info", "hint": "hint", "off": "off",
              0: "error", 1: "warn", 2: "info", 3: "hint", -1: "off"}
TOP_KEYS = {"extends", "rules", "aliases", "overrides", "formats", "documentationUrl",
            "functions", "functionsDir", "description", "parserOptions"}
RULE_KEYS = {"given", "then", "severity", "recommended", "formats", "resolved", "message",
             "description", "documentationUrl", "type", "tags", "extensions"}
FORMATS = {"oas2", "oas3", "oas3_0", "oas3_1", "oas3_2", "json-schema", "json-schema-loose",
           "json-schema-draft4", "json-schema-draft6", "json-schema-draft7",
           "json-schema-2019-09", "json-schema-2020-12", "asyncapi2", "asyncapi3", "arazzo1"}
BUILTIN = "spectral:oas"


def discover(folder: str | None = None) -> str | None:
    """Spectral's own discovery: the first ``.spectral.{yaml,yml,json}`` in `folder`."""
    folder = folder or os.getcwd()
    for name in RULESET_FILES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


class Source:
    """Where a definition came from: a file (with positions) or the built-in ruleset."""

    __slots__ = ("name", "folder", "doc", "js_functions", "builtin", "functions_dir")

    def __init__(self, name: str, folder: str, doc: Any = None, builtin: bool = False) -> None:
        self.name = name
        self.folder = folder
        self.doc = doc
        self.js_functions: set[str] = set()
        self.builtin = builtin
        self.functions_dir = "functions"  # Spectral's default `functionsDir`

    def where(self, tokens: tuple[Any, ...]) -> str:
        if self.doc is None:
            return self.name
        line, _ = self.doc.locate(tuple(str(t) for t in tokens))
        return f"{self.name}:{line}"

    def fail(self, tokens: tuple[Any, ...], message: str) -> ConfigError:
        return ConfigError(f"{self.where(tokens)}: {message}")


class RuleDef:
    """One rule after merging. `where` is ``file:line`` of its definition."""

    __slots__ = ("name", "given", "then", "severity", "recommended", "enabled", "formats",
                 "resolved", "message", "description", "documentation_url", "owner",
                 "source", "tokens", "aliases")

    def __init__(self, name: str, body: dict[str, Any], owner: int, source: Source,
                 tokens: tuple[Any, ...], aliases: dict[str, Any]) -> None:
        self.name = name
        self.owner = owner
        self.source = source
        self.tokens = tokens
        self.aliases = aliases
        self.recommended = body.get("recommended") is not False
        self.enabled = self.recommended
        self.description = body.get("description")
        self.message = body.get("message")
        self.documentation_url = body.get("documentationUrl")
        self.severity = _severity(body.get("severity", "warn"), source, (*tokens, "severity"))
        self.resolved = body.get("resolved") is not False
        self.formats = set(body["formats"]) if "formats" in body else None
        given = body.get("given")
        self.given = list(given) if isinstance(given, list) else [given]
        then = body.get("then")
        self.then = list(then) if isinstance(then, list) else [then]

    def merge(self, body: dict[str, Any], source: Source, tokens: tuple[Any, ...],
              aliases: dict[str, Any]) -> None:
        """Spectral's ``Object.assign(existing, definition, {enabled: true})``."""
        if "recommended" in body:
            self.recommended = body["recommended"] is not False
        for key, attr in (("description", "description"), ("message", "message"),
                          ("documentationUrl", "documentation_url")):
            if key in body:
                setattr(self, attr, body[key])
        if "severity" in body:
            self.severity = _severity(body["severity"], source, (*tokens, "severity"))
        if "resolved" in body:
            self.resolved = body["resolved"] is not False
        if "formats" in body:
            self.formats = set(body["formats"])
        if "given" in body:
            given = body["given"]
            self.given = list(given) if isinstance(given, list) else [given]
            self.source, self.tokens = source, tokens  # aliases stay the owner's
        if "then" in body:
            then = body["then"]
            self.then = list(then) if isinstance(then, list) else [then]
            self.source, self.tokens = source, tokens
        self.enabled = True

    @property
    def where(self) -> str:
        return self.source.where(self.tokens)


class Loaded:
    """A ruleset read from disk: its rules, aliases, overrides and the definition to re-read
    with an override merged in (`for_file`)."""

    __slots__ = ("rules", "formats", "overrides", "path", "definition", "source", "allow_remote",
                 "_by_overrides", "pointer_overrides")

    def __init__(self, rules: dict[str, RuleDef], formats: set[str], overrides: list[Any],
                 path: str, definition: dict[str, Any], source: Source,
                 allow_remote: tuple[str, ...]) -> None:
        self.rules = rules
        self.formats = formats
        self.overrides = overrides
        self.path = path
        self.definition = definition
        self.source = source
        self.allow_remote = allow_remote
        self._by_overrides: dict[tuple[int, ...], dict[str, RuleDef]] = {}
        self.pointer_overrides: dict[str, list[tuple[str, str, str]]] = {}

    def for_file(self, spec_path: str
                 ) -> tuple[dict[str, RuleDef], list[tuple[str, str, str, str]]]:
        """The rules for the spec at `spec_path` (its overrides merged in) and the pointer
        overrides that apply to it, as (rule name, file glob, JSON pointer, severity)."""
        if not self.overrides:
            return self.rules, []
        rel = os.path.relpath(os.path.abspath(spec_path), os.path.dirname(self.path))
        rel = rel.replace(os.sep, "/")
        chosen: list[int] = []
        pointers: list[tuple[str, str, str, str]] = []
        for i, override in enumerate(self.overrides):
            matched = False
            for pattern in override.get("files", ()):
                glob, _, pointer = pattern.partition("#")
                if not glob_match(rel, glob):
                    continue
                if "#" in pattern:
                    for name, sev in (override.get("rules") or {}).items():
                        pointers.append((name, glob, pointer, SEVERITIES.get(sev, "warn")))
                else:
                    matched = True
            if matched:
                chosen.append(i)
        return self.with_overrides(tuple(chosen)), pointers

    def with_overrides(self, chosen: tuple[int, ...]) -> dict[str, RuleDef]:
        """The rules with the overrides at indices `chosen` merged in, as Spectral merges
        them (an override extends the ruleset and its rules apply on top)."""
        rules = self._by_overrides.get(chosen)
        if rules is None:
            if not chosen:
                rules = self.rules
            else:
                merged: dict[str, Any] = {}
                for i in chosen:
                    body = {k: v for k, v in self.overrides[i].items() if k != "files"}
                    merged = _merge_definitions(merged, body, True) if merged else body
                base = {k: v for k, v in self.definition.items() if k != "overrides"}
                definition = _merge_definitions(base, merged, False)
                loader = _Loader(self.allow_remote)
                rules = loader.load_definition(definition, self.source, (), "recommended",
                                               False, stack=[]).rules
            self._by_overrides[chosen] = rules
        return rules


def glob_match(path: str, pattern: str) -> bool:
    """Whether `path` (relative to the ruleset's folder, ``/``-separated) matches an
    ``overrides`` `files` glob as Spectral matches it: minimatch with ``matchBase``.

    wcmatch reads minimatch's globs (``**`` across folders, ``*`` and ``?`` within one, no
    dot files, ``{a,b}``, ``[0-9]``, ``+(a|b)``, a leading ``!`` negates); ``matchBase`` is
    applied here, as minimatch applies it: a glob without ``/`` is matched against the
    file's name alone (``spec.yaml`` and ``*.yaml`` match ``legacy/spec.yaml`` and
    ``../specs/spec.yaml``)."""
    from wcmatch import glob

    negate = False
    while pattern.startswith("!"):
        negate, pattern = not negate, pattern[1:]
    if "/" not in pattern:
        path = path.rsplit("/", 1)[-1]
    flags = glob.GLOBSTAR | glob.BRACE | glob.EXTGLOB
    return glob.globmatch(path, pattern, flags=flags) != negate


def _merge_definitions(left: dict[str, Any], right: dict[str, Any], is_override: bool
                       ) -> dict[str, Any]:
    """Spectral's `mergeRulesets`."""
    merged = {**left, **right}
    if "aliases" in left and "aliases" in right:
        merged["aliases"] = {**left["aliases"], **right["aliases"]}
    if "rules" not in left or "rules" not in right:
        return merged
    if is_override:
        merged["rules"] = {**left["rules"], **right["rules"]}
    else:
        ext = merged.get("extends")
        if ext is None:
            merged["extends"] = [left]
        else:
            merged["extends"] = [*(ext if isinstance(ext, list) else [ext]), left]
    return merged


def _severity(value: Any, source: Source, tokens: tuple[Any, ...]) -> str:
    if isinstance(value, bool) or value not in SEVERITIES:
        raise source.fail(tokens, f"unknown severity {value!r}; use error, warn, info, hint "
                                  "or off")
    return SEVERITIES[value]


class _Ruleset:
    __slots__ = ("rules", "formats", "aliases", "overrides")

    def __init__(self) -> None:
        self.rules: dict[str, RuleDef] = {}
        self.formats: set[str] = set()
        self.aliases: dict[str, Any] = {}
        self.overrides: list[Any] = []


class _Loader:
    def __init__(self, allow_remote: tuple[str, ...]) -> None:
        self.allow_remote = allow_remote
        self.next_owner = 0

    def load_file(self, path: str, display: str, severity: str, explicit: bool,
                  stack: list[Any], top: bool = False
                  ) -> tuple[_Ruleset, dict[str, Any], Source]:
        from gatekeeper import Limits, load_document

        try:
            doc = load_document(path, display, Limits(max_file_size=10 * 1024 * 1024))
        except SpecError as exc:
            where = f"{exc.file}:{exc.line}" if exc.line else exc.file
            raise ConfigError(f"{where}: ruleset: {exc.message}") from None
        source = Source(display, os.path.dirname(path), doc)
        if not isinstance(doc.data, dict):
            raise source.fail((), "a ruleset must be a mapping with `rules` or `extends`")
        return self.load_definition(doc.data, source, (), severity, explicit, stack, top), \
            doc.data, source

    def load_definition(self, definition: dict[str, Any], source: Source,
                        tokens: tuple[Any, ...], severity: str, explicit: bool,
                        stack: list[Any], top: bool = False) -> _Ruleset:
        self.next_owner += 1
        owner = self.next_owner
        key = id(definition)
        stack = [*stack, key]
        _check_shape(definition, source, tokens)
        result = _Ruleset()
        result.aliases = dict(definition.get("aliases") or {})
        if not source.builtin:
            for name in definition.get("functions") or ():
                source.js_functions.add(name)
            if isinstance(definition.get("functionsDir"), str):
                source.functions_dir = definition["functionsDir"]
        children = self._extended(definition, source, tokens, stack)
        if top:  # only the ruleset given to the run has overrides
            result.overrides = list(definition.get("overrides") or ())
        for fmt in definition.get("formats") or ():
            result.formats.add(fmt)
        for child in children:
            result.formats |= child.formats
        rules = result.rules
        for child in children:
            for rule in child.rules.values():
                rules[rule.name] = rule
                if explicit:
                    rule.enabled = severity == "all" or (severity == "recommended"
                                                         and rule.recommended)
        doc_url = definition.get("documentationUrl")
        for name, body in (definition.get("rules") or {}).items():
            rtokens = (*tokens, "rules", name)
            existing = rules.get(name)
            if isinstance(body, bool):
                if existing is None:
                    raise source.fail(rtokens, f"cannot switch the unknown rule `{name}`: no "
                                               "extended ruleset defines it")
                existing.enabled = body
                rule = existing
            elif isinstance(body, (str, int)):
                if existing is None:
                    raise source.fail(rtokens, f"cannot set the severity of the unknown rule "
                                               f"`{name}`: no extended ruleset defines it")
                existing.severity = _severity(body, source, rtokens)
                existing.enabled = body != "off" and body != -1
                rule = existing
            elif isinstance(body, dict):
                _check_rule(name, body, source, rtokens, existing is None)
                if existing is not None:
                    existing.merge(body, source, rtokens, result.aliases)
                    rule = existing
                else:
                    rule = RuleDef(name, body, owner, source, rtokens, result.aliases)
            else:
                raise source.fail(rtokens, f"rule `{name}` must be a mapping, a severity or "
                                           "true/false")
            rules[name] = rule
            if rule.owner == owner:
                rule.enabled = severity == "all" or (severity == "recommended"
                                                     and rule.recommended)
                if body == "off":
                    rule.enabled = False
            if rule.formats is not None:
                result.formats |= rule.formats
            elif rule.owner == owner and definition.get("formats") is not None:
                rule.formats = set(definition["formats"])
            if doc_url is not None and rule.documentation_url is None:
                rule.documentation_url = f"{doc_url}#{name}"
        return result

    def _extended(self, definition: dict[str, Any], source: Source, tokens: tuple[Any, ...],
                  stack: list[Any]) -> list[_Ruleset]:
        """The rulesets `definition` extends, in order (one, a list, or ``[ruleset,
        severity]`` pairs)."""
        extends = definition.get("extends", [])
        if not isinstance(extends, list) or (len(extends) == 2 and isinstance(extends[1], str)
                                             and extends[1] in ("all", "recommended", "off")
                                             and not isinstance(extends[0], list)):
            extends = [extends]
        children: list[_Ruleset] = []
        for i, ext in enumerate(extends):
            etokens = (*tokens, "extends", i) if isinstance(definition.get("extends"), list) \
                else (*tokens, "extends")
            ext_sev, ext_explicit = "recommended", False
            if isinstance(ext, list):
                if len(ext) != 2 or ext[1] not in ("all", "recommended", "off"):
                    raise source.fail(etokens, "an `extends` pair must be [ruleset, \"all\" | "
                                               "\"recommended\" | \"off\"]")
                ext, ext_sev, ext_explicit = ext[0], ext[1], True
            child = self._extension(ext, source, etokens, ext_sev, ext_explicit, stack)
            if child is not None:
                children.append(child)  # aliases are not inherited (Spectral's reading)
        return children

    def _extension(self, ext: Any, source: Source, tokens: tuple[Any, ...], severity: str,
                   explicit: bool, stack: list[Any]) -> _Ruleset | None:
        if isinstance(ext, dict):
            if id(ext) in stack:
                return None
            return self.load_definition(ext, source, tokens, severity, explicit, stack)
        if not isinstance(ext, str):
            raise source.fail(tokens, "`extends` takes a ruleset path, `spectral:oas` or "
                                      "[ruleset, severity]")
        if ext == BUILTIN:
            definition = _builtin(source, tokens)
            if id(definition) in stack:
                return None
            builtin = Source(BUILTIN, source.folder, None, builtin=True)
            return self.load_definition(definition, builtin, (), severity, explicit, stack)
        if ext in ("spectral:asyncapi", "spectral:arazzo"):
            # their rules are scoped to AsyncAPI / Arazzo formats, so on the OpenAPI documents
            # gatekeeper reads they never run: extending them adds nothing (style guides for
            # both kinds of API extend `spectral:oas` and `spectral:asyncapi` together)
            return None
        if ext.startswith("spectral:"):
            raise source.fail(tokens, f"`{ext}` is not supported: gatekeeper reads OpenAPI "
                                      "documents; use `spectral:oas`")
        if ext.startswith(("http://", "https://")):
            return self._remote(ext, source, tokens, severity, explicit, stack)
        if not ext.startswith((".", "/")) and not ext.endswith((".yaml", ".yml", ".json")):
            raise source.fail(tokens, f"`{ext}` looks like an npm package; packages are not "
                                      "installed: vendor its ruleset file and extend it by path")
        path = os.path.normpath(os.path.join(source.folder, ext))
        if path in stack:
            return None
        if not os.path.isfile(path):
            raise source.fail(tokens, f"extended ruleset {ext} not found (looked for {path})")
        display = _display(path)
        ruleset, _, _ = self.load_file(path, display, severity, explicit, [*stack, path])
        return ruleset

    def _remote(self, url: str, source: Source, tokens: tuple[Any, ...], severity: str,
                explicit: bool, stack: list[Any]) -> _Ruleset | None:
        if url in stack:  # it was allowed on the way in: the allowed prefixes do not change
            return None
        from gatekeeper import RemoteRefused, fetch_document

        try:
            doc = fetch_document(url, self.allow_remote)
        except RemoteRefused as exc:
            reason = exc.reason
            if reason.startswith("not under"):
                reason = "not under a `ruleset-allow-remote` prefix"
            raise source.fail(tokens, f"remote ruleset {url} refused ({reason}): vendor the "
                                      "file and extend it by path, or allow its https "
                                      "prefix with `ruleset-allow-remote` in the config") from None
        except SpecError as exc:
            raise source.fail(tokens, f"remote ruleset {url}: {exc}") from None
        remote = Source(url, "", doc)
        return self.load_definition(doc.data, remote, (), severity, explicit, [*stack, url])


def _builtin(source: Source, tokens: tuple[Any, ...]) -> dict[str, Any]:
    try:
        from gates.style.oas.ruleset import RULESET
    except ImportError as exc:
        raise source.fail(tokens, f"`spectral:oas` is not available in this installation "
                                  f"({exc})") from None
    return RULESET


def _check_shape(definition: Any, source: Source, tokens: tuple[Any, ...]) -> None:
    if not isinstance(definition, dict):
        raise source.fail(tokens, "a ruleset must be a mapping")
    from gatekeeper import did_you_mean

    for key in definition:
        if key not in TOP_KEYS:
            raise source.fail((*tokens, key), f"unknown ruleset key `{key}`"
                                              f"{did_you_mean(key, TOP_KEYS)}")
    if "extends" not in definition and "rules" not in definition \
            and "overrides" not in definition:
        raise source.fail(tokens, "a ruleset needs `rules` or `extends`")
    rules = definition.get("rules", {})
    if not isinstance(rules, dict):
        raise source.fail((*tokens, "rules"), "`rules` must be a mapping of rule names")
    for fmt in definition.get("formats") or ():
        if fmt not in FORMATS:
            raise source.fail((*tokens, "formats"), f"unknown format `{fmt}`"
                                                    f"{did_you_mean(str(fmt), FORMATS)}")
    aliases = definition.get("aliases", {})
    if not isinstance(aliases, dict):
        raise source.fail((*tokens, "aliases"), "`aliases` must be a mapping")
    for name, value in aliases.items():
        ok = (isinstance(value, list) and all(isinstance(v, str) for v in value)) or (
            isinstance(value, dict) and isinstance(value.get("targets"), list))
        if not ok:
            raise source.fail((*tokens, "aliases", name), f"alias `{name}` must be a list of "
                                                          "JSONPath expressions or have `targets`")
    overrides = definition.get("overrides", [])
    if not isinstance(overrides, list) or not all(
            isinstance(o, dict) and isinstance(o.get("files"), list) for o in overrides):
        raise source.fail((*tokens, "overrides"), "`overrides` must be a list of mappings "
                                                  "each with `files`")
    if "functions" in definition and not (isinstance(definition["functions"], list) and all(
            isinstance(f, str) for f in definition["functions"])):
        raise source.fail((*tokens, "functions"), "`functions` must be a list of names")


def _check_rule(name: str, body: dict[str, Any], source: Source, tokens: tuple[Any, ...],
                new: bool) -> None:
    from gatekeeper import did_you_mean

    for key in body:
        if key not in RULE_KEYS and not (isinstance(key, str) and key.startswith("x-")):
            raise source.fail((*tokens, key), f"rule `{name}`: unknown key `{key}`"
                                              f"{did_you_mean(key, RULE_KEYS)}")
    for key in ("given", "then"):  # also to redefine an inherited rule, as Spectral requires
        if key not in body:
            hint = "" if new else (f" (Spectral requires both in a rule written as a mapping; to "
                                   f"change only the severity write `{name}: warn`)")
            raise source.fail(tokens, f"rule `{name}` needs `{key}`{hint}")
    if "given" in body:
        given = body["given"]
        items = given if isinstance(given, list) else [given]
        if not items or not all(isinstance(g, str) and g for g in items):
            raise source.fail((*tokens, "given"), f"rule `{name}`: `given` must be a JSONPath "
                                                  "expression or a list of them")
    if "then" in body:
        then = body["then"]
        items = then if isinstance(then, list) else [then]
        for i, item in enumerate(items):
            where = (*tokens, "then", i) if isinstance(then, list) else (*tokens, "then")
            if not isinstance(item, dict) or not isinstance(item.get("function"), str):
                raise source.fail(where, f"rule `{name}`: each `then` needs a `function` name")
            # Other keys of a `then` are ignored, as Spectral's ruleset schema allows them
            # (published rulesets write a `message` per `then`, which Spectral never reads)
            if "field" in item and not isinstance(item["field"], str):
                raise source.fail((*where, "field"), f"rule `{name}`: `field` must be a string")
    if "formats" in body:
        formats = body["formats"]
        if not isinstance(formats, list):
            raise source.fail((*tokens, "formats"), f"rule `{name}`: `formats` must be a list")
        for fmt in formats:
            if fmt not in FORMATS:
                raise source.fail((*tokens, "formats"), f"rule `{name}`: unknown format "
                                                        f"`{fmt}`{did_you_mean(str(fmt), FORMATS)}")
    if "severity" in body:
        _severity(body["severity"], source, (*tokens, "severity"))


def _display(path: str) -> str:
    """`path` relative to the working folder when it is inside it, else absolute."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load_ruleset(path: str, *, allow_remote: tuple[str, ...] = ()) -> Loaded:
    """Read the ruleset at `path` with everything it extends."""
    path = os.path.abspath(path)
    display = _display(path)
    if not os.path.isfile(path):
        raise ConfigError(f"{display}: ruleset not found")
    loader = _Loader(allow_remote)
    ruleset, definition, source = loader.load_file(path, display, "recommended", False, [path],
                                                  top=True)
    return Loaded(ruleset.rules, ruleset.formats, ruleset.overrides, path, definition, source,
                  allow_remote)
