"""The exact YAML path: PyYAML (libyaml) with a safe loader subclass and a full position
table (line and column of every key and item).

Used when `gatekeeper.yaml_fast` cannot prove that yaml_rs read the text as this loader would,
and to locate nodes the fast path's text search is unsure of. Kept out of `gatekeeper.loader`
so that checking a JSON spec never imports PyYAML (about 9 ms of start-up per process).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from gatekeeper.errors import SpecError
from gatekeeper.errors import short as _short

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["read_yaml_exact"]

try:  # libyaml's parser is ~5x faster; the pure-Python one is a correct fallback.
    _BaseLoader: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


# Plain scalars are read by YAML 1.2's core schema, the version the OpenAPI specification
# recommends and the one Spectral reads (PyYAML's own resolvers are YAML 1.1's): booleans are
# true/false only, no timestamps (dates stay strings, as Redocly and osv load them), and
# numbers are decimal, 0o octal or 0x hex integers and decimal floats. So `017` is 17, `0o17`
# 15 and `1e3` 1000.0, while `10_003`, `0b101`, `1:30` and `+0x1F` stay strings (YAML 1.1
# would read 10003, 5, 90 and 31); docs/hardening.md, "YAML scalars".
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


class _Resolver(yaml.resolver.Resolver):
    pass


def _core_int(text: str) -> int | None:
    """An integer of YAML 1.2's core schema: decimal (leading zeros are not octal), ``0o``
    octal, ``0x`` hex; None for any other spelling (an explicit ``!!int 1_000`` is left to
    PyYAML). Raises ValueError past Python's 4,300-digit limit, and for an explicit ``!!int``
    in base 60 that long (quadratic to build)."""
    if text.count(":") > 2400:
        raise ValueError("too many digits")
    if text[:2] == "0o":
        return int(text[2:], 8)
    if text[:2] == "0x":
        return int(text[2:], 16)
    return int(text, 10) if _INT.match(text) else None


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool",
                           "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))



def _make_loader_class(base: type) -> type:
    class Loader(base, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            base.__init__(self, stream)
            self.positions: dict[int, Any] = {}
            self.alias_uses = 0
            self.notes: list[tuple[Any, str]] = []

        # Aliases: a node constructed before is a reuse. Count, never expand.
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            if node in self.constructed_objects:
                self.alias_uses += 1
            return super().construct_object(node, deep)

        def construct_yaml_map(self, node: yaml.MappingNode) -> Iterator[dict]:
            data: dict[Any, Any] = {}
            yield data
            merged = 0
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
                own = len(node.value)
                self.flatten_mapping(node)
                merged = len(node.value) - own + 1
            marks: dict[Any, tuple[int, int]] = {}
            own_keys: set[Any] = set()  # a key written here may override a merged one, once
            for i, (key_node, value_node) in enumerate(node.value):
                key = self._key(key_node)
                if i >= merged and key in own_keys:
                    first = marks[key][0] + 1
                    raise SpecError(
                        f"duplicate key {_short(key)!r} at lines {first} and "
                        f"{key_node.start_mark.line + 1}: keep only one",
                        line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1,
                    )
                if i >= merged:
                    own_keys.add(key)
                data[key] = self.construct_object(value_node, deep=False)
                marks[key] = (key_node.start_mark.line, key_node.start_mark.column)
            self.positions[id(data)] = marks

        def _key(self, key_node: yaml.Node) -> str:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                                    "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                                    "tag:yaml.org,2002:null"):
                    # Keys as written: `200:` is "200"; JSON object keys are strings.
                    return key_node.value
                return str(self.construct_object(key_node))
            raise SpecError("mapping keys must be plain strings, not collections",
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1)

        def construct_yaml_seq(self, node: yaml.SequenceNode) -> Iterator[list]:
            data: list[Any] = []
            yield data
            data.extend(self.construct_object(child, deep=False) for child in node.value)
            self.positions[id(data)] = [(c.start_mark.line, c.start_mark.column)
                                        for c in node.value]

        def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
            try:
                value = _core_int(node.value)
                return super().construct_yaml_int(node) if value is None else value
            except ValueError:
                raise SpecError("number too large (over 4300 digits)",
                                line=node.start_mark.line + 1,
                                column=node.start_mark.column + 1) from None

        def construct_as_text(self, node: yaml.ScalarNode) -> str:
            return str(node.value)

        def construct_undefined(self, node: yaml.Node) -> Any:
            raise SpecError(
                f"unsupported YAML tag {_short(node.tag)!r}; specs may use plain YAML only",
                line=node.start_mark.line + 1, column=node.start_mark.column + 1,
            )

    _register_constructors(Loader)
    return Loader


def _register_constructors(loader: Any) -> None:
    """Which method builds each tag, on the class `loader` (once, when it is made)."""
    loader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)
    loader.add_constructor("tag:yaml.org,2002:map", loader.construct_yaml_map)
    loader.add_constructor("tag:yaml.org,2002:seq", loader.construct_yaml_seq)
    loader.add_constructor("tag:yaml.org,2002:int", loader.construct_yaml_int)
    # Explicit !!timestamp and !!binary stay text; !!set, !!omap and !!pairs are not JSON.
    loader.add_constructor("tag:yaml.org,2002:timestamp", loader.construct_as_text)
    loader.add_constructor("tag:yaml.org,2002:binary", loader.construct_as_text)
    for tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
        loader.add_constructor(tag, loader.construct_undefined)
    loader.add_constructor(None, loader.construct_undefined)


_Loader = _make_loader_class(_BaseLoader)


def read_yaml_exact(text: str, display: str) -> tuple[Any, Any, bool]:
    """PyYAML (libyaml) with the safe subclass above: ``(data, position table, whether an
    alias was used)``. `gatekeeper.loader` makes the `Document` and applies the limits."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError("file is empty", file=display)
        data = loader.construct_document(node)
    except SpecError as exc:
        exc.file = display
        raise SpecError(exc.message, file=display, line=exc.line, column=exc.column) from None
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark
        msg = exc.problem or "invalid YAML"
        if "expected a single document" in (exc.context or "") or "single document" in msg:
            msg = "more than one YAML document in the file; a spec is exactly one document"
        raise SpecError(f"invalid YAML: {msg}", file=display,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError(f"invalid YAML: {exc.problem or exc.context}", file=display,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:  # a control character; one line, with its line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise SpecError(f"invalid YAML: control character U+{exc.character:04X} is not allowed"
                        " (escape it inside a double-quoted string)", file=display,
                        line=line) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise SpecError(f"invalid YAML: {_short(first, 200)}", file=display) from None
    except RecursionError:
        raise SpecError("nesting depth exceeds the limit (raise it with --max-depth)",
                        file=display) from None
    finally:
        loader.dispose()
    return data, loader.positions, bool(loader.alias_uses)


