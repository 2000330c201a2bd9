"""Our own `$ref` resolver (docs/hardening.md R7 to R10). The libraries never resolve.

Why not prance: with its defaults it reads local files anywhere, fetches URLs without a
timeout, inlines what it reads into the document and rejects recursive schemas; its osv
backend resolves on its own even when prance is told not to. Those are exactly the paths by
which a pull request can make CI read runner files or call out. So gatekeeper loads every
file itself, keeps references as references (nothing is inlined, recursion stays legal),
and resolves a reference with one dictionary lookup.

What is allowed:
* ``#/...`` fragments in the same file;
* relative paths whose real path (symlinks resolved) stays inside the reference root (the
  root spec's folder, or ``--ref-root``).

What is refused, before anything is opened: absolute paths, ``file:``, ``python:``,
``http(s):`` and every other scheme (remote references are not fetched: bundle the spec or
vendor the file). Every refused or unresolvable reference is reported with its location.

Cycles made only of ``$ref`` hops or ``allOf`` members are errors listing their members; a
cycle that passes through ``properties``, ``items`` or any other structural keyword is a
recursive schema and is legal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from gatekeeper.errors import SpecError
from gatekeeper.loader import Document, Limits, load_document
from gatekeeper.pointer import Pointer, PointerError, parse_fragment

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Resolution", "resolve_all"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_MAX_REPORTED = 20


class Resolution:
    """``documents``: keyed by path relative to the reference root ("" = root file).
    ``targets``: id(ref dict) -> (target value, target pointer), with chains already
    followed. ``missing_files``: references to files that do not exist, as (where, the $ref
    text); the node stays opaque (docs/conventions.md, References: offline CI must not crash
    on them) and a gate may report them."""

    __slots__ = ("documents", "targets", "ref_count", "missing_files")

    def __init__(self, documents: dict[str, Document], targets: dict[int, tuple[Any, Pointer]],
                 ref_count: int, missing_files: list[tuple[Pointer, str]] | None = None) -> None:
        self.documents = documents
        self.targets = targets
        self.ref_count = ref_count
        self.missing_files = [] if missing_files is None else missing_files


def _unquote(text: str) -> str:
    if "%" not in text:  # urllib.parse costs ~2 ms of start-up: imported only when needed
        return text
    from urllib.parse import unquote

    return unquote(text)


# `$ref` inside literal data is data (docs/references.md): the values of these keywords are
# instances or annotations, never references to follow.
_LITERAL_KEYS = frozenset({"enum", "const", "default", "example"})
# Keys whose value maps names chosen by the author to objects: a child named `default` or
# `enum` there is a name (a response code, a property), not a keyword.
_NAME_MAPS = frozenset({
    "properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "schemas",
    "responses", "parameters", "requestBodies", "headers", "securitySchemes", "links",
    "callbacks", "pathItems", "paths", "webhooks", "content", "encoding", "variables"})
_PLAIN, _NAMES, _EXAMPLES, _EXAMPLE = 0, 1, 2, 3


def _scan(data: Any, shared: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """`_collect` over the document: (references, allOf holders, references inside ``x-``
    extensions). An extension's contents are vendor data, but some specs keep schemas
    there and reference them from the structure (``x-webhooks``, ``x-components``): its
    same-file references are resolved when they resolve (``soft``), never reported, and its
    references to other files are never opened."""
    seen: set[int] | None = set() if shared else None
    refs, allofs, extensions = _collect([data], seen)
    soft: list[dict] = []
    while extensions:
        more_refs, _, extensions = _collect(extensions, seen)
        soft.extend(more_refs)
    return refs, allofs, soft


def _collect(roots: list[Any], seen: set[int] | None
             ) -> tuple[list[dict], list[dict], list[Any]]:
    """The dicts holding a string ``$ref`` and those holding an ``allOf`` list, and the
    values of ``x-`` extensions, in one pass and without building pointer tokens (they are
    needed only for error messages; `_TokenMap` finds them then). Literal data is not
    entered: ``enum``, ``const``, ``default``, ``example``, a schema's ``examples`` list, an
    Example Object's ``value`` and ``x-`` extensions (returned for `_scan`). `seen`: YAML may
    share containers (aliases), so visited ones are remembered (None: JSON is a tree)."""
    refs: list[dict] = []
    allofs: list[dict] = []
    extensions: list[Any] = []
    add_ref, add_allof, add_extension = refs.append, allofs.append, extensions.append
    # Most containers are plain structure: they go on `stack` as they are; the few whose
    # children are names or Example Objects go on `marked` with their kind.
    stack: list[Any] = [r for r in roots if isinstance(r, (dict, list))]
    marked: list[tuple[Any, int]] = []
    push, pop, mark = stack.append, stack.pop, marked.append
    special = _LITERAL_KEYS | _NAME_MAPS | {"examples"}
    literal, name_maps = _LITERAL_KEYS, _NAME_MAPS
    containers = (dict, list)
    # Hot (every node of every file): `in` before a lookup, and strings, most values, are
    # passed over by a class test before `isinstance`: 0.85 -> 0.65 s of CPU on Graph beta.
    while stack or marked:
        if stack:
            node, mode = pop(), _PLAIN
        else:
            node, mode = marked.pop()
        if seen is not None:
            if id(node) in seen:
                continue
            seen.add(id(node))
        if type(node) is dict or isinstance(node, dict):
            if "$ref" in node and isinstance(node["$ref"], str):
                add_ref(node)
            if "allOf" in node and isinstance(node["allOf"], list):
                add_allof(node)
            if mode == _NAMES:
                for value in node.values():
                    if value.__class__ is not str and isinstance(value, containers):
                        push(value)
                continue
            if mode == _EXAMPLES:
                for value in node.values():
                    if isinstance(value, containers):
                        mark((value, _EXAMPLE))
                continue
            for key, value in node.items():
                if value.__class__ is str or not isinstance(value, containers):
                    continue
                if key in special:
                    if key in name_maps:
                        mark((value, _NAMES))
                    elif key not in literal and isinstance(value, dict):  # `examples`
                        mark((value, _EXAMPLES))  # a map of Example Objects (or $refs)
                elif type(key) is str and key[:2] == "x-":
                    add_extension(value)
                elif mode == _EXAMPLE and key == "value":
                    continue
                else:
                    push(value)
        else:
            for value in node:
                if value.__class__ is not str and isinstance(value, containers):
                    push(value)
    return refs, allofs, extensions


class _TokenMap:
    """id(container) -> its pointer tokens, in document order; built per
    document on first use (error paths only)."""

    def __init__(self, docs: dict[str, Document]) -> None:
        self.docs = docs
        self.maps: dict[str, dict[int, tuple[str, ...]]] = {}

    def __call__(self, key: str, node: Any) -> tuple[str, ...]:
        table = self.maps.get(key)
        if table is None:
            table = self.maps[key] = {}
            stack: list[tuple[Any, tuple[str, ...]]] = [(self.docs[key].data, ())]
            while stack:
                item, tokens = stack.pop()
                if id(item) in table:
                    continue
                table[id(item)] = tokens
                if isinstance(item, dict):
                    pairs: Any = item.items()
                elif isinstance(item, list):
                    pairs = ((str(i), v) for i, v in enumerate(item))
                else:
                    continue
                for k, value in pairs:
                    if isinstance(value, (dict, list)):
                        stack.append((value, (*tokens, k)))
        return table.get(id(node), ())


def resolve_all(root: Document, *, root_dir: str, limits: Limits,
                display_dir: str) -> Resolution:
    """Load every file the root reaches, check every reference, detect cycles."""
    docs: dict[str, Document] = {"": root}
    tokens_of = _TokenMap(docs)
    raw_refs, allofs, soft_refs, missing = _crawl(root, docs, tokens_of, root_dir=root_dir,
                                                  limits=limits, display_dir=display_dir)
    direct = _resolve_fragments(docs, raw_refs, soft_refs, tokens_of, root.display)
    targets = _follow_chains(direct, raw_refs, tokens_of, limits, root.display)
    if _has_allof_cycle(docs, allofs, targets):
        _check_allof_cycles(docs, targets, root.display)  # names the cycle (and raises)
    return Resolution(documents=docs, targets=targets, ref_count=len(raw_refs),
                      missing_files=missing)


def _where(docs: dict[str, Document], file_key: str, tokens: tuple[str, ...]) -> str:
    """``file:line:col`` of the `$ref` at `tokens` (the `$ref` line itself), for an error."""
    doc = docs[file_key]
    line, col = doc.locate((*tokens, "$ref"))
    return f"{doc.display}:{line}:{col}"


def _crawl(root: Document, docs: dict[str, Document], tokens_of: _TokenMap, *, root_dir: str,
           limits: Limits, display_dir: str) -> tuple[list[tuple[str, dict, Any, str, str]],
                                                      dict[str, list[dict]], set[int],
                                                      list[tuple[Pointer, str]]]:
    """Load every file the root reaches into `docs`; return every reference as (file, node,
    tokens or None, target file, fragment), the allOf lists of each file, the ids of
    references inside `x-` data and the references to missing files. Raises for refused
    references."""
    keys_by_path = {os.path.realpath(root.path): ""}
    pending = [""]
    raw_refs: list[tuple[str, dict, Any, str, str]] = []  # file, node, tokens or None, tfile, frag
    errors: list[str] = []
    missing: list[tuple[Pointer, str]] = []
    real_root = os.path.realpath(root_dir)
    fetches: dict[str, Document] = {}
    allofs: dict[str, list[dict]] = {}
    soft_refs: set[int] = set()  # references inside `x-` data: dropped when they fail
    real_paths: dict[tuple[str, str], tuple[str, str | None]] = {}
    while pending:
        key = pending.pop()
        doc = docs[key]
        base_dir = os.path.dirname(doc.path)
        refs, allofs[key], soft = _scan(doc.data, doc.shares_containers)
        for node in soft:  # inside `x-` data: same-file references only, never reported
            ref = node["$ref"]
            if ref.startswith("#"):
                soft_refs.add(id(node))
                raw_refs.append((key, node, None, key, ref[1:]))
        for node in refs:
            ref = node["$ref"]
            file_part, _, frag = ref.partition("#")
            if not file_part:
                raw_refs.append((key, node, None, key, frag))
                continue
            url = _remote_url(doc.path, file_part, limits)
            if url is not None:  # R8: opt-in, fenced remote references
                target_key = keys_by_path.get(url)
                try:
                    if target_key is None:
                        target_key = _fetch_remote(url, limits, fetches)
                        docs[url] = fetches[url]
                        keys_by_path[url] = url
                        pending.append(url)
                except SpecError as exc:
                    tokens = tokens_of(key, node)
                    errors.append(f"{_where(docs, key, tokens)}: $ref {_short(ref)!r} "
                                  f"refused: {exc.message} (at {Pointer(key, tokens)})")
                    continue
                raw_refs.append((key, node, None, target_key, frag))
                continue
            target_path, problem = _local_target(base_dir, file_part, real_root, real_paths)
            if problem is not None:
                tokens = tokens_of(key, node)
                errors.append(f"{_where(docs, key, tokens)}: $ref {_short(ref)!r} refused: "
                              f"{problem} (at {Pointer(key, tokens)})")
                continue
            target_key = keys_by_path.get(target_path)
            if target_key is None:
                if len(docs) >= limits.max_files:
                    raise SpecError(f"spec reaches more than {limits.max_files} files",
                                    file=root.display)
                rel = os.path.relpath(target_path, real_root).replace(os.sep, "/")
                display = os.path.normpath(os.path.join(display_dir, rel))
                try:
                    loaded = load_document(target_path, display, limits)
                except SpecError as exc:
                    if exc.message == "file not found":
                        missing.append((Pointer(key, tokens_of(key, node)), ref))
                        continue
                    raise
                target_key = rel
                docs[rel] = loaded
                keys_by_path[target_path] = rel
                pending.append(rel)
            raw_refs.append((key, node, None, target_key, frag))

    if errors:
        _raise(errors, root.display)
    return raw_refs, allofs, soft_refs, missing


def _resolve_fragments(docs: dict[str, Document],
                       raw_refs: list[tuple[str, dict, Any, str, str]],
                       soft_refs: set[int], tokens_of: _TokenMap,
                       display: str) -> dict[int, tuple[Any, Pointer]]:
    """id of each `$ref` node -> (the value its fragment names, its pointer); raises for
    unresolvable or invalid references (those inside `x-` data are dropped)."""
    errors: list[str] = []
    direct: dict[int, tuple[Any, Pointer]] = {}
    parsed: dict[tuple[str, str], Any] = {}  # (file, fragment) -> (value, pointer) or error
    for key, node, tokens, tkey, frag in raw_refs:
        hit = parsed.get((tkey, frag))
        if hit is None:
            try:
                target_tokens = parse_fragment(frag)
            except PointerError as exc:
                hit = exc
            else:
                value = _get(docs[tkey].data, target_tokens)
                hit = _MISSING if value is _MISSING else (value, Pointer(tkey, target_tokens))
            parsed[(tkey, frag)] = hit
        if type(hit) is tuple:
            direct[id(node)] = hit
            continue
        if id(node) in soft_refs:
            continue
        if tokens is None:
            tokens = tokens_of(key, node)
        if hit is _MISSING:
            errors.append(f"{_where(docs, key, tokens)}: unresolvable $ref "
                          f"{_short(node['$ref'])!r} (at {Pointer(key, tokens)})")
        else:
            errors.append(f"{_where(docs, key, tokens)}: invalid $ref "
                          f"{_short(node['$ref'])!r}: {hit} (at {Pointer(key, tokens)})")
    if errors:
        _raise(errors, display)
    return direct


def _follow_chains(direct: dict[int, tuple[Any, Pointer]],
                   raw_refs: list[tuple[str, dict, Any, str, str]], tokens_of: _TokenMap,
                   limits: Limits, display: str) -> dict[int, tuple[Any, Pointer]]:
    """id of each `$ref` node -> its final (value, pointer), following references to
    references; raises for a cycle or a chain over ``limits.max_ref_hops``. A target is a
    reference when its id is a key of `direct` (live objects have distinct ids). Most
    references name their target directly: `direct` itself is returned when none names
    another reference, else only the chained ones are followed (Graph beta's 104,617
    references: 0.084 -> 0.015 s of CPU)."""
    chained = [ref_id for ref_id, hit in direct.items() if id(hit[0]) in direct]
    if not chained:
        return direct
    ref_file = {id(node): (key, node) for key, node, _, _, _ in raw_refs}

    def ref_pointer(ref_id: int) -> Pointer:
        key, node = ref_file[ref_id]
        return Pointer(key, tokens_of(key, node))

    targets = dict(direct)
    for ref_id in chained:
        value, ptr = direct[ref_id]
        chain = [ref_pointer(ref_id)]
        seen = {ref_id}
        hops = 0
        while isinstance(value, dict) and id(value) in direct:
            hops += 1
            if id(value) in seen or hops > limits.max_ref_hops:
                cycle = " -> ".join(str(p) for p in chain + [ptr])
                if hops > limits.max_ref_hops:
                    raise SpecError(f"$ref chain longer than {limits.max_ref_hops} hops: "
                                    f"{_short(cycle, 300)}", file=display)
                raise SpecError(f"circular $ref: {_short(cycle, 1500)}", file=display,
                                pointer=str(chain[0]))
            seen.add(id(value))
            chain.append(ptr)
            value, ptr = direct[id(value)]
        targets[ref_id] = (value, ptr)
    return targets


def _has_allof_cycle(docs: dict[str, Document], allofs: dict[str, list[dict]],
                     targets: dict[int, tuple[Any, Pointer]]) -> bool:
    """`_check_allof_cycles` without pointers: is there any cycle at all?"""
    edges: dict[int, list[int]] = {}
    for key in docs:
        for node in allofs.get(key, ()):
            out = []
            for member in node["allOf"]:
                if isinstance(member, dict):
                    if id(member) in targets:
                        value = targets[id(member)][0]
                        if isinstance(value, dict):
                            out.append(id(value))
                    elif "allOf" in member:
                        out.append(id(member))
            edges[id(node)] = out
    return _find_cycle(edges) is not None


def _find_cycle(edges: dict[int, list[int]]) -> list[int] | None:
    """The members of a cycle in the graph (first member repeated at the end), or None.
    Iterative depth-first search: recursion depth is no limit."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if state.get(start):
            continue
        stack: list[tuple[int, int]] = [(start, 0)]
        path: list[int] = []
        while stack:
            node, idx = stack.pop()
            if idx == 0:
                state[node] = 1
                path.append(node)
            children = edges.get(node, ())
            if idx < len(children):
                stack.append((node, idx + 1))
                child = children[idx]
                if state.get(child) == 1:
                    return path[path.index(child):] + [child]
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return None


def _check_allof_cycles(docs: dict[str, Document], targets: dict[int, tuple[Any, Pointer]],
                        display: str) -> None:
    """An `allOf` chain that leads back to itself has no base case (Cat -> Pet -> Cat)."""
    # Edge: schema (by identity) -> each allOf member's resolved schema.
    edges: dict[int, list[int]] = {}
    names: dict[int, Pointer] = {}
    for key, doc in docs.items():
        for node, tokens in _walk_allof(doc.data):
            names.setdefault(id(node), Pointer(key, tokens))
            out = []
            for i, member in enumerate(node["allOf"]):
                if isinstance(member, dict) and id(member) in targets:
                    value, ptr = targets[id(member)]
                    if isinstance(value, dict):
                        out.append(id(value))
                        names.setdefault(id(value), ptr)
                elif isinstance(member, dict) and "allOf" in member:
                    out.append(id(member))
                    names.setdefault(id(member), Pointer(key, (*tokens, "allOf", str(i))))
            edges[id(node)] = out
    members = _find_cycle(edges)
    if members is not None:
        text = " -> ".join(str(names.get(m, "?")) for m in members)
        raise SpecError(f"circular allOf: {_short(text, 1500)}", file=display,
                        pointer=str(names.get(members[0])))


def _walk_allof(data: Any) -> Iterator[tuple[dict, tuple[str, ...]]]:
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    seen: set[int] = set()
    while stack:
        node, tokens = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if isinstance(node.get("allOf"), list):
                yield node, tokens
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, (*tokens, key)))
        else:
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, (*tokens, str(i))))


def _remote_url(base: str, file_part: str, limits: Limits) -> str | None:
    """The absolute URL of a reference that is to be fetched, or None for local handling.
    Inside a fetched document every reference is remote (relative to its URL)."""
    if base.startswith("https://"):
        from urllib.parse import urljoin

        return urljoin(base, file_part)
    if limits.allow_remote_refs and file_part[:8].lower().startswith(("https://", "http://")):
        return file_part
    return None


def _fetch_remote(url: str, limits: Limits, fetches: dict[str, Document]) -> str:
    from gatekeeper.loader import decode, parse_text
    from gatekeeper.remote import MAX_FETCHES, allowed, fetch

    problem = allowed(url, limits.allow_remote_refs)
    if problem is not None:
        raise SpecError(problem)
    if len(fetches) >= MAX_FETCHES:
        raise SpecError(f"more than {MAX_FETCHES} remote documents")
    body = fetch(url, allow_private=limits.allow_private_networks)
    try:
        text = decode(body, url)
        doc = parse_text(text, path=url, display=url, limits=limits,
                         force_json=url.lower().split("?", 1)[0].endswith(".json"))
    except SpecError as exc:
        raise SpecError(f"fetched document is not usable: {exc.message}") from None
    fetches[url] = doc
    return url


def _local_target(base_dir: str, file_part: str, real_root: str,
                  cache: dict[tuple[str, str], Any]) -> tuple[str, str | None]:
    """(real path, None) for a reference to another file inside `real_root`, else ("", why).

    Cached per (folder, reference) and per folder: DigitalOcean's 1,500 files hold 8,000
    references to other files, and ``os.path.realpath`` of each (one ``lstat`` per path
    component, then ``commonpath``) took a third of its resolution (benchmarks/README.md,
    "Per-phase profile"). The folder part is resolved once (``realpath`` walks the
    components left to right, so resolving the folder first gives the same path); the last
    component costs one ``lstat``, and only a symbolic link there takes ``realpath``."""
    hit = cache.get((base_dir, file_part))
    if hit is None:
        problem, target = _refuse(file_part), ""
        if problem is None:
            head, tail = os.path.split(os.path.join(base_dir, _unquote(file_part)))
            real_head = cache.get(("", head))
            if real_head is None:
                real_head = cache[("", head)] = os.path.realpath(head)
            target = os.path.join(real_head, tail)
            if tail in ("", ".", "..") or os.path.islink(target):
                target = os.path.realpath(target)
            if os.path.commonpath([real_root, target]) != real_root:
                problem = ("leaves the spec folder; references may only point inside "
                           f"{os.path.basename(real_root) or real_root}/ "
                           "(set --ref-root to widen it)")
        hit = cache[(base_dir, file_part)] = (target, problem)
    return hit


def _refuse(file_part: str) -> str | None:
    if _SCHEME.match(file_part) and not re.match(r"^[A-Za-z]:[\\/]", file_part):
        scheme = file_part.split(":", 1)[0].lower()
        if scheme in ("http", "https"):
            return ("remote references are not fetched; bundle the spec, vendor the file "
                    "into the spec folder, or allow an https prefix with --allow-remote-ref")
        if scheme == "file":
            return "file: URIs are not allowed; use a relative path inside the spec folder"
        return f"unsupported reference scheme {scheme}"
    if file_part.startswith(("//", "\\\\")):
        return "network-path references are not allowed"
    if file_part.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", file_part):
        return "absolute paths are not allowed; use a relative path inside the spec folder"
    return None


_MISSING = object()


def _get(data: Any, tokens: tuple[str, ...]) -> Any:
    node = data
    for token in tokens:
        if isinstance(node, dict):
            if token not in node:
                return _MISSING
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return _MISSING
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _raise(errors: list[str], display: str) -> None:
    def order(text: str) -> tuple[str, int, int]:  # document order: file, line, column
        m = re.match(r"^(.*?):(\d+):(\d+): ", text)
        return (m.group(1), int(m.group(2)), int(m.group(3))) if m else (text, 0, 0)

    errors = sorted(errors, key=order)
    shown = errors[:_MAX_REPORTED]
    more = len(errors) - len(shown)
    if more:
        shown.append(f"... and {more} more")
    raise SpecError(shown[0], details=tuple(shown[1:]))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
