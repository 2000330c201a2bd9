"""Path hygiene: trailing slashes, empty segments, verbs, identical and ambiguous paths."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Severity, Spec, Violation, rule

_VERSION = re.compile(r"^(v\d+([._-]?\w+)?|\d+([.-]\d+)*|\d{4}-\d{2}-\d{2}(-\w+)?)$", re.I)
#: Verbs that repeat what the HTTP method says (Redocly `no-http-verbs-in-paths` checks
#: the HTTP methods; CRUD synonyms are the same mistake).
VERBS = ("get", "post", "put", "patch", "delete", "create", "update", "remove", "add",
         "fetch", "retrieve", "modify", "insert", "edit", "set")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
#: Nouns that start with a verb (`/add-ons`, `/setup`).
_VERB_NOUNS = frozenset({("add", "on"), ("add", "ons"), ("set", "up"), ("get", "started")})


def literal_segments(path: str) -> Iterator[tuple[int, str]]:
    """(index, name) of the path's literal segments worth judging: no parameters, version
    segments, file extensions, `$`/`@` prefixes (OData) or custom-method suffixes."""
    for i, seg in enumerate(path.split("/")):
        seg = seg.split(":", 1)[0]
        if not seg or "{" in seg or seg[0] in "$@." or _VERSION.match(seg):
            continue
        yield i, seg.rsplit(".", 1)[0] if "." in seg else seg


@rule("naming/trailing-slash", severity=Severity.WARNING)
def trailing_slash(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path that ends with `/` (other than `/` itself).

    ## Why is this bad?
    `/pets` and `/pets/` are different URLs; servers and proxies disagree on redirecting one
    to the other, and clients that drop the slash get 404s (Spectral
    `path-keys-no-trailing-slash`, Zalando #136).

    ## Example
    ```yaml
    paths:
      /pets/: {}
    ```
    Use instead: `/pets`.
    """
    for path in spec.paths:
        if len(path) > 1 and path.endswith("/"):
            yield Violation(spec.root.join("paths", path), f"path `{path}` ends with a slash",
                            subject=path)


@rule("naming/empty-segment", severity=Severity.WARNING)
def empty_segment(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path with an empty segment (`//`).

    ## Why is this bad?
    Servers collapse, reject or route `//` differently; the URL a client builds may not be
    the one the server matches (Zalando #136).

    ## Example
    ```yaml
    paths:
      /pets//toys: {}
    ```
    Use instead: `/pets/toys`.
    """
    for path in spec.paths:
        if "//" in path.rstrip("/"):
            yield Violation(spec.root.join("paths", path), f"path `{path}` has an empty "
                                                           f"segment", subject=path)


def _verb(segment: str) -> str | None:
    words = [w.lower() for w in _WORDS.findall(segment)]
    if not words or words[0] not in VERBS:
        return None
    if len(words) == 1 and words[0] in ("set", "add", "edit"):  # /set, /add: rare nouns too
        return None
    if tuple(words[:2]) in _VERB_NOUNS:
        return None
    return words[0]


@rule("naming/verb-in-path", severity=Severity.WARNING)
def verb_in_path(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path segment that is, or starts with, a verb the HTTP method already says:
    `get`, `create`, `update`, `delete`, `remove`, `fetch`, ... (`/getUsers`,
    `/users/{id}/delete`). Action resources that are not CRUD (`/cancel`, `/refunds`) and
    custom methods after a colon (`/jobs/{id}:run`) are not flagged.

    ## Why is this bad?
    The method is the verb; a verb in the path means the API tunnels CRUD through the wrong
    method, which breaks caching, retries and the safety of `GET` (Zalando #141, Redocly
    `no-http-verbs-in-paths`).

    ## Example
    ```yaml
    /users/{id}/delete:
      post: {}
    ```
    Use instead:
    ```yaml
    /users/{id}:
      delete: {}
    ```
    """
    for path in spec.paths:
        for _, seg in literal_segments(path):
            verb = _verb(seg)
            if verb is not None:
                yield Violation(spec.root.join("paths", path), f"segment `{seg}` of path "
                                                               f"`{path}` is the verb "
                                                               f"`{verb}`: the method says it",
                                subject=path)
                break


def _shape(path: str) -> tuple[str | None, ...]:
    """Segments, with every parameter segment as None (`/a/{x}.json` keeps its literal).
    A trailing slash stays a segment: `/a` and `/a/` are different URLs (see
    `naming/trailing-slash`)."""
    return tuple(None if re.fullmatch(r"\{[^}]*\}", s) else s for s in path.split("/"))


@rule("naming/identical-paths", severity=Severity.ERROR)
def identical_paths(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a path that is the same as an earlier one once parameter names are ignored
    (`/pets/{id}` and `/pets/{petId}`).

    ## Why is this bad?
    OpenAPI: "Templated paths with the same hierarchy but different templated names MUST NOT
    exist as they are identical"; routers pick one of them at random (Redocly
    `no-identical-paths`).

    ## Example
    ```yaml
    /pets/{id}: {get: {}}
    /pets/{petId}: {delete: {}}
    ```
    Use instead: one path item with both operations.
    """
    first: dict[tuple[str | None, ...], str] = {}
    for path in spec.paths:
        if not isinstance(path, str) or not path.startswith("/"):
            continue
        key = _shape(path)
        if key in first:
            yield Violation(spec.root.join("paths", path), f"path `{path}` is identical to "
                                                           f"`{first[key]}` but for parameter "
                                                           f"names", subject=path)
        else:
            first[key] = path


@rule("naming/ambiguous-paths", severity=Severity.WARNING)
def ambiguous_paths(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags two paths that match the same request with neither more specific: each has a
    literal where the other has a parameter (`/a/{x}/c` and `/a/b/{y}` both match `/a/b/c`).
    `/users/me` next to `/users/{id}` is fine: the literal path is more specific.
    Reported once per path, naming the first path it collides with and how many more.

    ## Why is this bad?
    Which operation serves `/a/b/c` depends on the router, not on the contract (Redocly
    `no-ambiguous-paths`).

    ## Example
    ```yaml
    /orders/{id}/items: {}
    /orders/recent/{n}: {}
    ```
    Use instead: `/orders/recent/top/{n}` (or a query parameter).
    """
    by_len: dict[int, list[tuple[str, tuple[str | None, ...]]]] = {}
    for path in spec.paths:
        if isinstance(path, str) and path.startswith("/"):
            shape = _shape(path)
            by_len.setdefault(len(shape), []).append((path, shape))
    for group in by_len.values():
        if len(group) > 2000:  # pairwise: keep a bound on hostile documents
            group = group[:2000]
        for i, (a, sa) in enumerate(group):
            clashes = []
            for b, sb in group[:i]:
                a_more = b_more = False
                for x, y in zip(sa, sb):
                    if x is not None and y is not None:
                        if x != y:
                            break
                    elif x is not None:
                        a_more = True
                    elif y is not None:
                        b_more = True
                else:
                    if a_more and b_more:
                        clashes.append(b)
            if clashes:
                more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
                yield Violation(spec.root.join("paths", a),
                                f"path `{a}` and `{clashes[0]}`{more} match the same "
                                f"requests, neither more specific", subject=a)
