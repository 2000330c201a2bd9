"""Read a spec as it was at a git ref, without touching the working tree.

`load_at_ref(ref, path)` finds the repository that holds `path`, extracts the ref's tree of
the spec's folder (or of `ref_root`, the folder file `$ref`s may not leave) with
``git archive REF -- <folder>`` into a temporary folder, and loads the spec from there with
the same loader as any other spec. Files are displayed as ``REF:path`` so a location in the
base is never confused with one in the working tree. The index, the working tree and HEAD
are never written: only ``git rev-parse``, ``git cat-file`` and ``git archive`` run.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile

from gatekeeper.errors import InputError

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["GitError", "load_at_ref", "repo_root", "exists_at_ref"]


class GitError(InputError):
    """git is missing, the path is not in a repository, or the ref does not exist."""


def _git(cwd: str, *args: str, binary: bool = False, timeout: float = 120) -> Any:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=timeout,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0",
                                   "GIT_OPTIONAL_LOCKS": "0"})
    except FileNotFoundError:
        raise GitError("--base needs git on the PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args[:2])} took longer than {timeout:g} s") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {err[-1] if err else proc.returncode}")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace").strip()


def repo_root(path: str) -> str:
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise GitError(f"{path}: folder does not exist")
    try:
        return os.path.realpath(_git(folder, "rev-parse", "--show-toplevel"))
    except GitError:
        raise GitError(f"{path}: not inside a git repository (needed for --base)") from None


def _commit(root: str, ref: str) -> str:
    if ref.startswith("-"):
        raise GitError(f"--base: {ref!r} is not a ref")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"--base: unknown git ref `{ref}`") from None


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(os.path.realpath(os.path.abspath(path)), root)
    if rel.startswith(".."):
        raise GitError(f"{path}: outside the repository at {root}")
    return rel.replace(os.sep, "/")


def exists_at_ref(ref: str, path: str) -> bool:
    """Whether `path` (in the working tree's repository) exists at `ref`."""
    root = repo_root(path)
    commit = _commit(root, ref)
    try:
        _git(root, "cat-file", "-e", f"{commit}:{_rel(root, path)}")
        return True
    except GitError:
        return False


def renamed_from(root: str, commit: str, rel: str) -> str | None:
    """The path `rel` had at `commit` when git's rename detection pairs it with a file the
    change removed (committed or not), else None."""
    try:
        out = _git(root, "diff", "--name-status", "-z", "--find-renames", "--diff-filter=R",
                   "--no-ext-diff", commit, "--")
    except GitError:
        return None
    parts = out.split("\0")
    for i in range(0, len(parts) - 2, 3):
        if parts[i].startswith("R") and parts[i + 2] == rel:
            return parts[i + 1]
    return None


def load_at_ref(ref: str, path: str, *, limits: Any = None, ref_root: str | None = None,
                display: str | None = None) -> Any | None:
    """The `Spec` at `path` as of `ref`, or ``None`` when the file did not exist there."""
    from gatekeeper.spec import load

    root = repo_root(path)
    commit = _commit(root, ref)
    rel = _rel(root, path)
    try:
        _git(root, "cat-file", "-e", f"{commit}:{rel}")
    except GitError:
        rel = renamed_from(root, commit, rel)  # a renamed spec is compared with its old self
        if rel is None:
            return None
        if display is None and not ref_root:
            display = rel
    folder = _rel(root, ref_root) if ref_root else (os.path.dirname(rel) or ".")
    args = ["archive", "--format=tar", commit]
    if folder not in ("", "."):
        args += ["--", folder]
    data = _git(root, *args, binary=True)
    shown = display or path
    with tempfile.TemporaryDirectory(prefix="gatekeeper-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        local = os.path.join(tmp, *rel.split("/"))
        local_root = os.path.join(tmp, *folder.split("/")) if ref_root else None
        return load(local, limits=limits, ref_root=local_root,
                    display=f"{ref}:{shown}")
