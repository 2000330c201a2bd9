"""Running compiled rules over one loaded spec, the way Spectral's runner does.

One walk per document view (resolved, and unresolved for rules with ``resolved: false``)
evaluates every `given` at once (`gates.style.query.Query`). For each match and each
`then`, the targets are found (``field``: ``@key``, a JSONPath from ``$`` or a dotted path),
the function runs, and each result is placed where Spectral places it: its path is cut to the
closest existing node and, on the resolved view, mapped through every `$ref` on the way to
the definition's own file and pointer. Messages are rendered with Spectral's templates, and
results with the same rule, place and message are kept once.
"""

from __future__ import annotations

import re

from gatekeeper import Pointer, escape
from gates.style.api import UNDEFINED, Context
from gates.style.functions import print_value
from gates.style.jseval import to_str as _to_str
from gates.style.jsonpath import field_path
from gates.style.query import Query
from gates.style.refs import circular_refs, outside_refs, ref_objects

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from gates.style.compile import CompiledRule

__all__ = ["Finding", "formats_of", "run_rules"]


FORMAT_NAMES = {"oas2": "OpenAPI 2.0 (Swagger)", "oas3": "OpenAPI 3.x",
                "oas3_0": "OpenAPI 3.0.x", "oas3_1": "OpenAPI 3.1.x", "oas3_2": "OpenAPI 3.2.x"}
UNRECOGNIZED = "unrecognized-format"


def formats_of(spec: Any) -> frozenset[str]:
    """The formats Spectral recognises in the document (6.16.3 knows 3.2 as ``oas3_2``)."""
    version = spec.version
    if version == "2.0":
        return frozenset({"oas2"})
    if version in ("3.0", "3.1", "3.2"):
        return frozenset({"oas3", "oas3_" + version.split(".")[1]})
    return frozenset({"oas3"})


class Finding:
    __slots__ = ("rule", "pointer", "message", "severity", "path")

    def __init__(self, rule: str, pointer: Pointer, message: str, severity: str,
                 path: tuple[Any, ...]) -> None:
        self.rule = rule
        self.pointer = pointer
        self.message = message
        self.severity = severity
        self.path = path


class _Ctx(Context):
    """`Context` whose resolved `document` is built only if a function reads it."""

    __slots__ = ("_view",)

    @property  # type: ignore[override]
    def document(self) -> Any:
        return self._view.resolved_document()

    @property
    def outside_refs(self) -> set[str]:
        """The `$ref` strings that name their target from outside it (`refs.outside_refs`:
        what `unreferencedReusableObject` and `oasUnusedComponent` count as a use)."""
        return self._view.outside_refs()


class _View:
    """The resolved document, materialised on demand: a `$ref` replaced by its target (a
    recursive reference stays a `$ref`), nodes without references kept as they are."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self._memo: dict[int, Any] = {}
        self._active: set[int] = set()
        self._document: Any = None
        self.refs, self.ref_strings, self._plain = ref_objects(spec.raw)
        self.circular = circular_refs(self.refs)
        self._outside: set[str] | None = None

    def outside_refs(self) -> set[str]:
        if self._outside is None:
            self._outside = outside_refs(self.refs, self.ref_strings)
        return self._outside

    def target(self, node: dict[str, Any]) -> Any:
        """The target of the `$ref` object `node`; None when it stays a `$ref`."""
        if id(node) in self.circular:
            return None
        value, _ = self.spec.resolve(node, None)
        return None if value is node else value

    def deref(self, node: Any) -> Any:
        if type(node) is not dict and type(node) is not list:
            return node
        key = id(node)
        if key in self._plain:
            return node
        found = self._memo.get(key)
        if found is not None:
            return found
        if type(node) is dict and "$ref" in node:
            target = self.target(node)  # None: it stays a $ref
            if target is None or id(target) in self._active:
                return node
            self._active.add(id(target))
            out = self.deref(target)
            self._active.discard(id(target))
            self._memo[key] = out
            return out
        self._active.add(key)
        # scalars are passed over here, not through a call each: the enum lists and
        # descriptions of spectral:oas's matches made 90k of Stripe's 140k calls
        plain = self._plain
        if type(node) is dict:
            changed = None
            for k, v in node.items():
                if (type(v) is dict or type(v) is list) and id(v) not in plain:
                    nv = self.deref(v)
                    if nv is not v:
                        if changed is None:
                            changed = dict(node)
                        changed[k] = nv
            out = node if changed is None else changed
        else:
            out = node
            for i, v in enumerate(node):
                if (type(v) is dict or type(v) is list) and id(v) not in plain:
                    nv = self.deref(v)
                    if nv is not v:
                        if out is node:
                            out = list(node)
                        out[i] = nv
        self._active.discard(key)
        self._memo[key] = out
        return out

    def resolved_document(self) -> Any:
        if self._document is None:
            self._document = self.deref(self.spec.raw)
        return self._document


_URI_ENCODED = re.compile(r"[^A-Za-z0-9\-_.!~*'()/]")
_TEMPLATE = re.compile(r"#?\{\{([^}\n]+)\}\}")
_PRINT = re.compile(r"""^print\(\s*['"]([^'"]*)['"]\s*\)$""")


def render(text: str, variables: dict[str, Any]) -> str:
    """Spectral's message templates: ``{{name}}`` and ``#{{print("property"|"value")}}``."""
    def one(m: re.Match[str]) -> str:
        ident = m.group(1).strip()
        if m.group(0).startswith("#"):
            p = _PRINT.match(ident)
            if p is None:
                return _to_str(variables.get(ident, ""))
            kind = p.group(1)
            if kind == "property":
                prop = variables["property"]
                return f'"{prop}" property ' if prop not in (None, "") else "The document "
            if kind == "value":
                return print_value(variables["value"])
            value = variables.get(kind)
            return "" if value is None else _to_str(value)
        if ident not in variables:
            return ""
        return _to_str(variables[ident])
    return _TEMPLATE.sub(one, text)


def _pointer_text(path: tuple[Any, ...]) -> str:
    return "#" + "".join("/" + escape(t) for t in path) if path else "#"


def _uri_pointer_text(path: tuple[Any, ...]) -> str:
    """``{{path}}`` as Spectral prints it: a URI fragment, each key first unescaped as a
    pointer token and escaped again, then percent-encoded as ``encodeURIComponent`` does,
    except ``/`` and the en dash (``#/paths/~1pets~1%7Bid%7D/get``). Spectral's character
    class is written ``a-zA–Z0–9`` with en dashes, which is why the en dash stays."""
    if not path:
        return "#"
    from urllib.parse import quote

    out = []
    for token in path:
        token = str(token)
        if "~" in token:
            token = token.replace("~1", "/").replace("~0", "~")
        token = escape(token)
        if _URI_ENCODED.search(token):
            try:
                token = "\u2013".join(quote(part, safe="-_.!~*'()/")
                                       for part in token.split("\u2013"))
            except UnicodeEncodeError:  # a lone surrogate: Spectral keeps it as it is
                pass
        out.append(token)
    return "#/" + "/".join(out)


_PLAIN = re.compile(r"[^\s\d][^\s]*|\d*[^\s\d.eE+\-][^\s]*")


_PLAIN_SEEN: dict[str, bool] = {}


def _plain(segment: str) -> bool:
    found = _PLAIN_SEEN.get(segment)
    if found is None:
        found = _PLAIN_SEEN[segment] = _PLAIN.fullmatch(segment) is not None
    return found


def _dot(path: tuple[Any, ...]) -> str:
    """Spectral's dotted path (``a.b[0]['with space']``) for `{{property}}`."""
    if all(type(s) is str and _plain(s) for s in path):
        return ".".join(path)
    out = ""
    for i, seg in enumerate(path):
        s = str(seg)
        if isinstance(seg, int) or s.isdigit() or s == "" or any(c.isspace() for c in s):
            out += f"[{s}]" if not (s == "" or any(c.isspace() for c in s)) else f"['{s}']"
        else:
            out += ("" if i == 0 else ".") + s
    return out


def _child(node: Any, key: Any) -> Any:
    if type(node) is dict:
        return node.get(str(key), UNDEFINED) if not isinstance(key, str) else \
            node.get(key, UNDEFINED)
    if type(node) is list:
        try:
            index = int(key)
        except (TypeError, ValueError):
            return UNDEFINED
        return node[index] if 0 <= index < len(node) else UNDEFINED
    return UNDEFINED


_FIELDS: dict[str, tuple[str, ...]] = {}


def _lodash_path(field: str) -> tuple[str, ...]:
    """lodash's `toPath`: ``a.b[0]`` and ``a['b.c']`` into keys (memoised)."""
    found = _FIELDS.get(field)
    if found is None:
        found = _FIELDS[field] = tuple(
            p for p in re.split(r"\.|\[['\"]?|['\"]?\]", field) if p != "")
    return found


class _Run:
    def __init__(self, spec: Any, rules: list[CompiledRule], pointer_overrides: list[Any],
                 spec_file: str, registered: frozenset[str]) -> None:
        self.spec = spec
        self.view = _View(spec)
        # Spectral knows only the formats the ruleset names: none found, none known
        found = formats_of(spec) & registered
        self.formats: frozenset[str] | None = found or None
        self.registered = registered
        self.rules = rules
        self.findings: dict[tuple[Any, ...], Finding] = {}
        self.pointer_overrides = pointer_overrides
        self.spec_file = spec_file
        self._located: dict[tuple[bool, tuple[Any, ...]], Any] = {}
        ctx = self.ctx = _Ctx.__new__(_Ctx)  # one context, its fields set per call
        ctx._view = self.view
        ctx.unresolved = spec.raw
        ctx.formats = self.formats or frozenset()
        if not pointer_overrides:
            self.severity = lambda rule, ptr: rule.definition.severity  # type: ignore

    # -------------------------------------------------------------- placing results

    def locate(self, path: tuple[Any, ...], resolved: bool) -> tuple[Pointer, tuple[Any, ...]]:
        """The pointer where `path` is written and the part of `path` that does not exist.

        As Spectral's `findAssociatedItemForPath`: take the part of `path` that exists in
        the resolved view; if the document as written has all of it without passing a
        `$ref` (and it does not end on a bare `$ref`), the finding is placed in the document
        as written (a `$ref` with sibling keys keeps them there); otherwise every `$ref`
        on the way is followed to where its target is written."""
        spec = self.spec
        node, ptr, seen, done, hopped, broken = self._prefix(path, resolved)
        ends_on_ref = False
        if resolved:
            raw = self._prefix(path[:done], False)
            raw_node = raw[0]
            bare = type(raw_node) is dict and "$ref" in raw_node and len(raw_node) == 1
            if raw[3] == done and not bare:
                written = self._prefix(path, False)
                return written[1], path[written[3]:]
            ends_on_ref = raw[3] == done
        if resolved and done == len(path) and type(node) is dict and "$ref" in node \
                and id(node) not in self.view.circular:
            target, where = spec.resolve(node, ptr)
            if id(target) not in seen:
                return where, ()
        if broken is None and done == len(path):
            return ptr, ()
        place = broken[0] if broken is not None else ptr
        if ends_on_ref:
            # Spectral walks the written document up to the reference, and when the part that
            # exists ends on it, nothing of the path counts as missing: a `defined` finding on
            # a schema reached through `$ref` names "Target", where the same schema matched
            # where it is written names "Target.maxLength"
            return place, ()
        if resolved and done:
            # ... and otherwise what follows the last place (by value) where the path holds
            # the name of the last part that exists, also when the path broke on a key that
            # URI encoding changes ("properties.maxLength", not "properties.a[1].maxLength")
            last = path[done - 1]
            return place, path[len(path) - path[::-1].index(last):]
        return place, path[done:]

    def _prefix(self, path: tuple[Any, ...], resolved: bool) -> tuple[Any, ...]:
        """(node, pointer, ids of the nodes on the way, how many keys exist, whether a
        reference was followed, where the path broke) for `path`, memoised per prefix
        (findings share parents).

        After a reference, Spectral looks the rest of the path up in its URI-encoded form: a
        key with a character that encoding changes (``+1``, ``{id}``, a space) is not found
        unless a later reference replaces the path again, and the finding stays on that
        key's parent. `broken` is the state just before such a key (None: not broken)."""
        memo = self._located
        key = (resolved, path)
        found = memo.get(key)
        if found is not None:
            return found
        if not path:
            found = (self.spec.raw, self.spec.root, frozenset({id(self.spec.raw)}), 0, False,
                     None)
        else:
            state = self._prefix(path[:-1], resolved)
            node, ptr, seen, done, hopped, broken = state
            if done < len(path) - 1:
                found = state
            else:
                if resolved and type(node) is dict and "$ref" in node \
                        and id(node) not in self.view.circular:
                    target, where = self.spec.resolve(node, ptr)
                    if id(target) not in seen:  # a reference back to an ancestor stays
                        node, ptr = target, where
                        seen = seen | {id(node)}
                        hopped, broken = True, None
                last = path[-1]
                child = _child(node, last)
                if child is UNDEFINED:
                    found = (node, ptr, seen, done, hopped, broken)
                else:
                    if broken is None and hopped and type(last) is str \
                            and _URI_ENCODED.search(last):
                        broken = (ptr, done)
                    found = (child, ptr / last, seen | {id(child)}, done + 1, hopped, broken)
        memo[key] = found
        return found

    def add(self, rule: CompiledRule, path: tuple[Any, ...], message: str,
            resolved: bool) -> None:
        ptr, missing = self.locate(path, resolved)
        mapped = ptr.tokens
        definition = rule.definition
        if "{{" not in message and (definition.message is None
                                    or "{{" not in definition.message):
            text = definition.message if definition.message is not None else \
                definition.description if definition.description is not None else message
        else:
            templates = message + (definition.message or "")
            prop: Any = ""
            if "property" in templates:
                if missing:  # Spectral: the written place plus what is missing below it
                    full = (*mapped, *missing)
                    prop = _dot(full[len(mapped) - 1:]) if mapped else _dot(full)
                elif mapped:
                    prop = mapped[-1]
            value = self.spec.get(ptr, UNDEFINED) if "value" in templates else UNDEFINED
            variables = {"property": prop, "error": message,
                         "path": _uri_pointer_text(mapped) if "path" in templates else "",
                         "description": definition.description, "value": value}
            result_message = render(message, variables)
            variables["error"] = result_message
            if definition.message is None:
                text = definition.description if definition.description is not None \
                    else result_message
            else:
                text = render(definition.message, variables)
        text = text.strip()
        severity = self.severity(rule, ptr)
        if severity == "off":
            return
        key = (rule.name, ptr, text)
        if key not in self.findings:
            self.findings[key] = Finding(rule.name, ptr, text, severity, mapped)

    def crashed(self, rule: CompiledRule, path: tuple[Any, ...], exc: Exception) -> None:
        """A rule's function raised (a Python port of a JavaScript function, say): one error
        finding for that rule, once, at the document's root; every other rule runs on.
        Reported as an error so that a rule that did not run to the end never reads as
        passed."""
        key = (rule.name, self.spec.root, "crashed")
        if key not in self.findings:
            self.findings[key] = Finding(rule.name, self.spec.root,
                                         _crash_message(rule, path, exc), "error", ())

    def severity(self, rule: CompiledRule, ptr: Pointer) -> str:
        severity = rule.definition.severity
        if not self.pointer_overrides or ptr.file:
            return severity
        pointer = _pointer_text(ptr.tokens)[1:]
        best = -1
        for name, _glob, over, sev in self.pointer_overrides:
            if name != rule.name:
                continue
            if (pointer == over or pointer.startswith(over + "/")) and len(over) > best:
                best, severity = len(over), sev
        return severity

    # -------------------------------------------------------------- linting a match

    def lint(self, rule: CompiledRule, given_path: tuple[Any, ...], value: Any) -> None:
        ctx = self.ctx
        ctx.given_path = given_path
        ctx.rule_name = rule.name
        resolved = rule.definition.resolved
        if type(value) is not dict and type(value) is not list:
            # a scalar: each `then` on the value itself, whatever its field. Most matches
            # (32,000 descriptions and titles of Stripe's 44,000): this shorter way took the
            # gate's first run there from 2,444 M to 2,396 M instructions
            for then in rule.thens:
                ctx.path = given_path
                results = then.function(value, then.options, ctx)
                if results:
                    for result in results:
                        self.add(rule, tuple(result.path) if result.path else given_path,
                                 result.message, resolved)
            return
        if resolved:
            value = self.view.deref(value)
        container = type(value) is dict or type(value) is list
        for then in rule.thens:
            # no field, or a scalar: the value itself
            pairs = self.targets(value, then.field) if container and then.field is not None \
                else (((), value),)
            for rel, target in pairs:
                path = (*given_path, *rel) if rel else given_path
                ctx.path = path
                results = then.function(target, then.options, ctx)
                if not results:
                    continue
                for result in results:
                    self.add(rule, tuple(result.path) if result.path else path,
                             result.message, resolved)

    def targets(self, value: Any, field: str | None) -> list[tuple[tuple[Any, ...], Any]]:
        if field is None or type(value) not in (dict, list):
            return [((), value)]
        if field == "@key":
            keys = list(value) if type(value) is dict else [str(i) for i in range(len(value))]
            return [((k,), k) for k in keys] or [((), UNDEFINED)]
        if field.startswith("$"):
            out: list[tuple[tuple[Any, ...], Any]] = []
            Query([field_path(field)]).run(value, lambda _i, p, v: out.append((p, v)))
            return out or [((), UNDEFINED)]
        path = _lodash_path(field)
        node = value
        for key in path:
            node = _child(node, key)
            if node is UNDEFINED:
                break
        return [(path, node)]

    # -------------------------------------------------------------- the walk

    def run(self) -> None:
        plan: dict[bool, tuple[list[Any], list[CompiledRule]]] = {True: ([], []),
                                                                 False: ([], [])}
        if self.registered and self.formats is None:
            names = ", ".join(FORMAT_NAMES.get(f, f) for f in sorted(self.registered))
            self.findings[(UNRECOGNIZED, self.spec.root, "")] = Finding(
                UNRECOGNIZED, self.spec.root, "The provided document does not match any of "
                f"the registered formats [{names}]", "warn", ())
        for rule in self.rules:
            formats = rule.definition.formats
            if formats is not None and not (self.formats and formats & self.formats):
                continue
            if rule.not_run is not None:
                self.findings[(rule.name, self.spec.root, "not run")] = Finding(
                    rule.name, self.spec.root,
                    f"rule `{rule.name}` not run: it needs the JavaScript function "
                    f"`{rule.not_run}`, and gatekeeper never runs JavaScript (supply a Python "
                    f"function of that name through the `gatekeeper.spectral_functions` entry "
                    f"point)", "info", ())
                continue
            paths, owners = plan[rule.definition.resolved]
            for path in rule.givens(self.formats):
                paths.append(path)
                owners.append(rule)
        for resolved, (paths, owners) in plan.items():
            if not paths:
                continue

            def on_match(index: int, path: tuple[Any, ...], value: Any,
                         owners: list[CompiledRule] = owners) -> None:
                try:
                    self.lint(owners[index], path, value)
                except Exception as exc:  # noqa: BLE001 - that rule's failure, not the walk's
                    self.crashed(owners[index], path, exc)

            Query(paths).run(self.spec.raw, on_match,
                             self.view.target if resolved else None)


def _crash_message(rule: CompiledRule, path: tuple[Any, ...], exc: Exception) -> str:
    where = _pointer_text(tuple(str(p) for p in path)) or "#"
    return (f"rule `{rule.name}` crashed at {where}: {type(exc).__name__}: {str(exc)[:300]} "
            "(the rest of the ruleset ran; this rule's findings are incomplete)")


def run_rules(spec: Any, rules: list[CompiledRule], pointer_overrides: list[Any] = (),
              registered: frozenset[str] = frozenset()) -> list[Finding]:
    """Run `rules` on `spec`; `registered`: the formats the ruleset names."""
    run = _Run(spec, rules, list(pointer_overrides), spec.path, registered)
    run.run()
    return list(run.findings.values())
