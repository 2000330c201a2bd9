"""Which specs a change touches: the selection behind ``gatekeeper changed`` and the Action.

Given a base commit, `changed_specs` lists the OpenAPI documents to gate, each with why:

* ``added`` / ``modified``: a changed file that *is* a spec. A spec is recognised by its
  content, not its name: a top-level ``openapi`` or ``swagger`` member whose value is a
  version string (`is_spec`). A ``package.json`` whose scripts mention "openapi" is not one.
* ``renamed``: git's rename detection pairs the new path with the old one (``from``), so a
  comparison with the base finds the old findings and only the change's own are new.
* ``deleted``: a spec the change removes. ``gatekeeper check PATH --base REF`` compares it
  with its base and fails the gate that compares specs with their base (the
  backward-compatibility gate): removing an API breaks every client.
* ``referenced``: an unchanged root spec whose ``$ref`` graph reaches a changed fragment
  (a file that is not a spec itself, e.g. ``components/pet.yaml``).

Only git plumbing that reads runs (``diff``, ``ls-files``, ``rev-parse``, ``merge-base``);
nothing in the working tree, the index or HEAD is written. See docs/ci.md.
"""

from __future__ import annotations

import json
import os
import re

from gatekeeper.errors import InputError
from gatekeeper.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

__all__ = ["ChangedSpec", "base_from_environment", "changed_specs", "is_spec",
           "removed_spec_report", "split_deleted"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_MAX_SNIFF = 100 * 1024 * 1024
# A top-level YAML key (column 0) with a version value: `openapi: 3.1.0`, `swagger: "2.0"`.
_YAML_VERSION = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:[ \t]*["']?[123]\.\d""",
                           re.M)
# A `$ref` whose value names another file (anything before an optional `#`).
_FILE_REF = re.compile(r"""["']?\$ref["']?\s*:\s*["']?([^"'#\s,}{][^"'#\s,}]*)""")


class ChangedSpec(Record):
    """One spec to gate: its path (relative to the repository root), why, and for a rename
    the path it had in the base."""

    __slots__ = ("path", "status", "source")

    def __init__(self, path: str, status: str, source: str | None = None) -> None:
        self.path = path
        self.status = status
        self.source = source

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "status": self.status}
        if self.source is not None:
            out["from"] = self.source
        return out


def _git(root: str, *args: str, check: bool = True) -> str | None:
    """git's output (read-only commands); None on failure when not `check`."""
    from gatekeeper.gitsource import GitError, _git as run_git

    try:
        return run_git(root, *args)
    except GitError:
        if check:
            raise
        return None


def repository_root(folder: str = ".") -> str:
    out = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if out is None:
        raise InputError(f"{os.path.abspath(folder)}: not inside a git repository")
    return os.path.realpath(out.strip())


# ---------------------------------------------------------------------- content sniffing


def is_spec_text(data: bytes, name: str = "") -> bool:
    """Whether the bytes are an OpenAPI/Swagger document: a top-level ``openapi`` or
    ``swagger`` member with a version string (2.x or 3.x)."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            return any(isinstance(doc.get(k), str) and re.match(r"[23]\.\d", doc[k])
                       for k in ("openapi", "swagger"))
        if name.lower().endswith(".json"):
            return False  # JSON that does not parse is not judged by its text
    return _YAML_VERSION.search(data) is not None


def is_spec(path: str) -> bool:
    """`is_spec_text` of the file at `path` (False when it cannot be read)."""
    try:
        if os.path.getsize(path) > _MAX_SNIFF:
            return False
        with open(path, "rb") as fh:
            return is_spec_text(fh.read(), path)
    except OSError:
        return False


def _spec_at(root: str, commit: str, rel: str) -> bool:
    """Whether `rel` was a spec at `commit`."""
    from gatekeeper.gitsource import GitError, _git as run_git

    try:
        data = run_git(root, "cat-file", "blob", f"{commit}:{rel}", binary=True)
    except GitError:
        return False
    return is_spec_text(data, rel)


# ---------------------------------------------------------------------- the base


def base_from_environment(environ: dict[str, str] | None = None) -> str | None:
    """The pull request's base commit: ``pull_request.base.sha`` of ``$GITHUB_EVENT_PATH``,
    else ``origin/$GITHUB_BASE_REF``; None outside a pull request."""
    env = os.environ if environ is None else environ
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and os.path.isfile(event_path):
        try:
            with open(event_path, encoding="utf-8") as fh:
                event = json.load(fh)
        except (OSError, ValueError):
            event = None
        pr = event.get("pull_request") if isinstance(event, dict) else None
        sha = ((pr or {}).get("base") or {}).get("sha") if isinstance(pr, dict) else None
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-fA-F]{7,64}", sha):
            return sha
    if env.get("GITHUB_BASE_REF"):
        return f"origin/{env['GITHUB_BASE_REF']}"
    return None


def resolve_base(root: str, ref: str) -> str:
    """The commit to compare with: the merge base of `ref` and HEAD (what the pull request
    changed, like ``git diff ref...HEAD``), else `ref` itself. A ref missing locally is
    fetched from ``origin`` once (a shallow checkout)."""
    if ref.startswith("-"):
        raise InputError(f"--base: {ref!r} is not a ref")
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  f"{ref}^{{commit}}", check=False)
    if commit is None:
        name = ref[len("origin/"):] if ref.startswith("origin/") else ref
        _git(root, "fetch", "--no-tags", "--quiet", "origin", name, check=False)
        commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                      f"{ref}^{{commit}}", check=False) or _git(
            root, "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}", check=False)
    if commit is None:
        raise InputError(f"--base: unknown git ref `{ref}` (check out with fetch-depth: 0)")
    commit = commit.strip()
    merge_base = _git(root, "merge-base", commit, "HEAD", check=False)
    return merge_base.strip() if merge_base else commit


# ---------------------------------------------------------------------- the change


def _diff(root: str, commit: str) -> list[tuple[str, str, str | None]]:
    """(status letter, path, old path for a rename) of every file changed since `commit`
    (committed or not), with rename detection."""
    out = _git(root, "diff", "--name-status", "-z", "--find-renames", "--no-ext-diff",
               commit, "--") or ""
    parts = out.split("\0")
    changes = []
    i = 0
    while i < len(parts) and parts[i]:
        status = parts[i][0]
        if status in "RC":
            changes.append((status, parts[i + 2], parts[i + 1]))
            i += 3
        else:
            changes.append((status, parts[i + 1], None))
            i += 2
    return changes


def _tracked(root: str) -> list[str]:
    out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard") or ""
    return [p for p in out.split("\0") if p.lower().endswith(SPEC_SUFFIXES)]


def _references(root: str, files: Iterable[str]) -> dict[str, set[str]]:
    """File -> the files its ``$ref``s name (repository-relative, normalised)."""
    graph: dict[str, set[str]] = {}
    for rel in files:
        path = os.path.join(root, rel)
        try:
            if os.path.getsize(path) > _MAX_SNIFF:
                continue
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        if "$ref" not in text:
            continue
        folder = os.path.dirname(rel)
        targets = set()
        for match in _FILE_REF.finditer(text):
            target = match.group(1)
            if "://" in target:
                continue
            targets.add(os.path.normpath(os.path.join(folder, target)).replace(os.sep, "/"))
        if targets:
            graph[rel] = targets
    return graph


def _referrers(graph: dict[str, set[str]], changed: set[str]) -> set[str]:
    """Every file whose ``$ref`` graph reaches one of `changed`."""
    reverse: dict[str, set[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, set()).add(source)
    return _reach(reverse, changed)


def changed_specs(base: str, *, root: str | None = None,
                  listed: Sequence[str] = ()) -> list[ChangedSpec]:
    """The specs to gate for the change from `base` (a commit or ref) to the working tree.

    `listed`: spec paths (repository-relative) to restrict the answer to; each is gated when
    it, a file its ``$ref``s reach, or a file in its folder changed."""
    root = root or repository_root()
    commit = resolve_base(root, base)
    changes = _diff(root, commit)
    out: dict[str, ChangedSpec] = {}
    fragments: set[str] = set()
    for status, rel, source in changes:
        if not rel.lower().endswith(SPEC_SUFFIXES):
            continue
        if status == "D":
            if _spec_at(root, commit, rel):
                out[rel] = ChangedSpec(rel, "deleted")
            else:
                fragments.add(rel)
        elif is_spec(os.path.join(root, rel)):
            if status in "RC" and source is not None and _spec_at(root, commit, source):
                out[rel] = ChangedSpec(rel, "renamed", source)
            else:
                out[rel] = ChangedSpec(rel, "added" if status == "A" else "modified")
        else:
            fragments.add(rel)
            if source is not None:
                fragments.add(source)
    tracked = None
    if fragments:
        tracked = _tracked(root)
        for rel in sorted(_referrers(_references(root, tracked), fragments)):
            if rel not in out and is_spec(os.path.join(root, rel)):
                out[rel] = ChangedSpec(rel, "referenced")
    if not listed:
        return sorted(out.values(), key=lambda c: c.path)
    changed_paths = {rel for _, rel, _ in changes} | {s for _, _, s in changes if s}
    graph = _references(root, tracked if tracked is not None else _tracked(root))
    picked = []
    for spec in listed:
        rel = os.path.normpath(spec).replace(os.sep, "/")
        folder = os.path.dirname(rel)
        reach = _reach(graph, {rel})
        if rel in out:
            picked.append(out[rel])
        elif is_spec(os.path.join(root, rel)) and any(p in reach or (folder and p.startswith(folder + "/")) or not folder
                 for p in changed_paths):
            picked.append(ChangedSpec(rel, "referenced"))
    return picked


def _reach(graph: dict[str, set[str]], starts: set[str]) -> set[str]:
    """Every node reachable from `starts` along `graph`'s edges (not `starts` themselves
    unless a cycle leads back)."""
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# ---------------------------------------------------------------------- deleted specs


def split_deleted(paths: Sequence[str], base: str) -> tuple[list[str], list[str]]:
    """(paths that exist, paths that do not exist here but did at `base`)."""
    from gatekeeper.gitsource import GitError, exists_at_ref

    present, deleted = [], []
    for path in paths:
        if os.path.exists(path):
            present.append(path)
            continue
        try:
            gone = os.path.isdir(os.path.dirname(os.path.abspath(path))) and \
                exists_at_ref(base, path)
        except GitError:
            gone = False
        (deleted if gone else present).append(path)
    return present, deleted


def removed_spec_report(path: str, base: str, gates: Sequence[Any], config: Any, *,
                        limits: Any = None, ref_root: str | None = None,
                        new_only: bool | None = None) -> Any:
    """The report of a spec the change deleted: its base compared with an API that has no
    operations, by the gates that compare with the base alone (every operation of the base was removed)."""
    import tempfile

    from gatekeeper.orchestration.compare import check_against_base, options_from
    from gatekeeper.gitsource import load_at_ref
    from gatekeeper.spec import load

    base_spec = load_at_ref(base, path, limits=limits, ref_root=ref_root)
    info = dict(base_spec.info) if isinstance(base_spec.info, dict) else {}
    key = "swagger" if base_spec.is_swagger2 else "openapi"
    empty = {key: base_spec.openapi_version,
             "info": {"title": info.get("title", "removed"),
                      "version": info.get("version", "0")},
             "paths": {}}
    with tempfile.TemporaryDirectory(prefix="gatekeeper-deleted-") as tmp:
        stand_in = os.path.join(tmp, os.path.basename(path) + ".json")
        with open(stand_in, "w", encoding="utf-8") as fh:
            json.dump(empty, fh)
        head = load(stand_in, limits=limits, display=path)
    compat = [g for g in gates if g.compares_base]
    opts = options_from(config, base_label=base, new_only=new_only, ratchet=False,
                        baseline=None)
    report = check_against_base(head, base_spec, compat, config, opts)
    section = dict(report.sections.get("compare") or {})
    section["deleted"] = True
    return report.replace(sections={**report.sections, "compare": section})
