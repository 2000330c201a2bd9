"""What ``gatekeeper check`` is given, turned into spec files: files, folders and globs.

* A file named on the command line is always checked. A folder is searched recursively
  (hidden folders and ``node_modules`` skipped) for ``*.yaml``, ``*.yml`` and ``*.json`` files
  whose first bytes look like an OpenAPI or Swagger document (a top-level ``openapi`` or
  ``swagger`` key), so the fragments of a multi-file spec are not checked on their own. A
  glob (``*``, ``?``, ``[``; ``**`` crosses folders) expands to the files it matches that
  look like specs in the same way.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence

__all__ = ["SPEC_SUFFIXES", "expand_inputs", "looks_like_openapi"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_GLOB_CHARS = re.compile(r"[*?\[]")
# A top-level `openapi`/`swagger` key: at the start of a line (YAML) or right after `{` / `,`
# (JSON, possibly minified), quoted or not.
_HEAD = re.compile(r"""(?:^|[{,])\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)


_ANYWHERE = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:|"(?:openapi|swagger)"\s*:\s*"[123]\.""",
                       re.M)


def looks_like_openapi(path: str, head_bytes: int = 4096,
                       max_bytes: int = 100 * 1024 * 1024) -> bool:
    """Whether the file declares ``openapi`` or ``swagger``: in its first bytes (cheap, no
    parse), else anywhere as a top-level YAML key (column 0) or a JSON member whose value is
    a version string (keys sorted alphabetically put ``openapi`` after ``components``)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(head_bytes)
            if _HEAD.search(head.decode("utf-8", "ignore").lstrip("\ufeff")):
                return True
            if len(head) < head_bytes:
                return False
            rest = fh.read(max_bytes)
    except OSError:
        return False
    return _ANYWHERE.search(head + rest) is not None


def expand_inputs(inputs: Sequence[str], *, require_specs: bool = False) -> list[str]:
    """Files, folders and globs -> spec paths, in input order, each once.

    An input that is neither an existing path nor a glob that matches is kept as it is, so
    that loading it reports "file not found" for that spec alone. With `require_specs`, a
    folder without a spec or a glob that matches none raises `ConfigError` instead: a
    mistyped path in CI must not check nothing and pass."""
    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for item in inputs:
        if os.path.isdir(item):
            found = _walk_folder(item)
            if not found and require_specs:
                from gatekeeper.errors import ConfigError

                raise ConfigError(f"{item}: no OpenAPI spec in this folder (searched for "
                                  "*.yaml, *.yml and *.json files with a top-level `openapi` "
                                  "or `swagger` key); name a spec file or another folder")
            for path in found:
                add(path)
        elif os.path.exists(item) or not _GLOB_CHARS.search(item):
            add(item)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            files = [m for m in matches if os.path.isfile(m) and looks_like_openapi(m)]
            if not files and require_specs:
                from gatekeeper.errors import ConfigError

                what = (f"matches {len(matches)} path{'s' if len(matches) != 1 else ''}, "
                        "none an OpenAPI spec") if matches else "matches no file"
                raise ConfigError(f"{item}: the pattern {what}; check the pattern")
            if not files:
                add(item)  # reported as not found
            for path in files:
                add(path)
    return out


def _walk_folder(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.lower().endswith(SPEC_SUFFIXES):
                path = os.path.join(root, name)
                if looks_like_openapi(path):
                    found.append(path)
    return found
