"""Safety rails of the live audit (docs/hardening.md R19 to R22, R24).

- `Redactor`: value-based redaction of every credential, in its raw, Base64, URL-encoded,
  HTML-escaped and JSON-escaped forms, applied to every string the audit emits, plus
  header-name masking for reproduction lines (R19).
- `Credentials`: headers that come only from flags or environment variables, never from the
  spec or a config file (R19, R23).
- `check_origin`: requests go only to the base URL's origin and explicit ``--allow-host``
  entries; redirects are never followed (R20).
- `SAFE_METHODS` and `method_allowed`: GET, HEAD and OPTIONS unless writes are allowed (R21).
- `prepare_schema`: the copy of the document handed to Schemathesis, with ``externalValue``,
  ``externalDocs``, ``servers`` and every non-local ``$ref`` removed, so nothing in it can make
  Schemathesis fetch a URL (R21, T2).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from gatekeeper.errors import InputError

__all__ = [
    "MARKER",
    "SAFE_METHODS",
    "SENSITIVE_HEADERS",
    "CredentialError",
    "Credentials",
    "Redactor",
    "check_origin",
    "method_allowed",
    "origin_of",
    "prepare_schema",
]

MARKER = "[REDACTED]"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Header names whose values are masked whatever they hold (R19), as Schemathesis does.
SENSITIVE_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    "apikey", "x-auth-token", "x-access-token", "x-csrf-token", "x-xsrf-token",
})
_SENSITIVE_MARKERS = ("token", "key", "secret", "password", "auth", "session", "passwd", "credential")

#: Values shorter than this are not registered: masking "1" everywhere would mangle reports.
MIN_SECRET_LENGTH = 4


class CredentialError(InputError):
    """A credential flag that cannot be used (unset variable, malformed NAME=VAR)."""


def is_sensitive_name(name: str) -> bool:
    low = name.strip().lower()
    return low in SENSITIVE_HEADERS or any(marker in low for marker in _SENSITIVE_MARKERS)


class Redactor:
    """Replaces registered secret values, and their encoded forms, by ``[REDACTED]``.

    A secret of at least `FRAGMENT` characters is masked wherever any `FRAGMENT`-character run
    of it appears, in any of its encodings (raw, URL-encoded, JSON- and HTML-escaped, Base64 at
    each of the three alignments it can take inside a longer text): a report that cut a secret
    short, or a server that echoed part of it, still shows none of it. Shorter secrets are
    masked whole. Cut a text only after redacting it (`shorten`), never before.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def __bool__(self) -> bool:
        return bool(self._forms)

    @property
    def longest(self) -> int:
        """The length of the longest form masked (how far past a cut a match can reach)."""
        return max((len(f) for f in self._forms), default=0)

    def add(self, secret: str) -> None:
        """Register a secret. A header value ``Bearer abc`` registers ``abc`` too."""
        scheme, _, rest = secret.partition(" ")
        token = rest.strip() if rest and scheme.isalpha() else ""
        for part in (secret, token):
            if len(part) < MIN_SECRET_LENGTH:
                continue
            forms = _encoded_forms(part)
            if part is token or not token:  # the scheme word alone is no secret
                forms |= {w for f in forms for w in _windows(f)}
            self._forms.update(forms)
        self._pattern = None

    def redact(self, text: str) -> str:
        if not self._forms or not text:
            return text
        if self._pattern is None:
            self._pattern = re.compile("(?=(" + _trie_pattern(self._forms) + "))")
        spans: list[list[int]] = []
        for match in self._pattern.finditer(text):
            start, end = match.start(1), match.end(1)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        if not spans:
            return text
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(text[last:start])
            out.append(MARKER)
            last = end
        out.append(text[last:])
        return "".join(out)

    def shorten(self, text: str, limit: int, ellipsis: str = "...") -> str:
        """``text`` redacted, then cut to ``limit`` characters (plus ``ellipsis``)."""
        clean = self.redact(text)
        return clean if len(clean) <= limit else clean[:limit] + ellipsis

    def redact_data(self, value: Any) -> Any:
        """Redact every string (keys too) inside nested dicts, lists and tuples."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_data(v) for v in value)
        return value

    def redact_headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Header pairs with sensitive names masked and every other value redacted by value."""
        return [(name, MARKER if is_sensitive_name(name) else self.redact(value)) for name, value in headers]


#: Any run of this many characters of a secret counts as the secret.
FRAGMENT = 8


def _windows(form: str) -> set[str]:
    return {form[i:i + FRAGMENT] for i in range(len(form) - FRAGMENT + 1)}


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression for many literals, as a trie (Python's engine tries the branches
    of a flat alternation one by one; a trie shares their prefixes: ~3x faster here)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + build(sub) for c, sub in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def _encoded_forms(secret: str) -> set[str]:
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret),
             html.escape(secret), html.escape(secret, quote=False),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for encoder in (base64.b64encode, base64.urlsafe_b64encode):
        enc = encoder(raw).decode("ascii")
        forms.update({enc, enc.rstrip("=")})
        # A secret inside a longer Base64 text is encoded at one of three alignments: mask the
        # stable middle of each, so "user:secret" encoded as Basic auth cannot leak "secret".
        for offset in range(3):
            enc = encoder(b"\0" * offset + raw).decode("ascii")
            stable = enc[(4 if offset else 0):len(enc) - 4]
            if len(stable) >= FRAGMENT:
                forms.add(stable)
    return {f for f in forms if len(f) >= MIN_SECRET_LENGTH}


@dataclass(frozen=True)
class Credentials:
    """Headers sent with every audit request. Values only from flags or the environment."""

    headers: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_flags(cls, header_env: Iterable[str] = (), header: Iterable[str] = (),
                   environ: Mapping[str, str] | None = None) -> Credentials:
        """``--header-env NAME=VAR`` (value read from variable VAR) and ``--header 'NAME: value'``."""
        env = os.environ if environ is None else environ
        pairs: list[tuple[str, str]] = []
        sources: list[str] = []
        for item in header_env:
            name, sep, var = item.partition("=")
            name, var = name.strip(), var.strip()
            if not sep or not name or not var:
                raise CredentialError(f"--header-env expects NAME=VARIABLE, got {item!r}")
            _check_header_name(name)
            value = env.get(var)
            if value is None or value == "":
                raise CredentialError(f"--header-env {name}={var}: environment variable {var} is not set")
            pairs.append((name, value))
            sources.append(f"{name} from ${var}")
        for item in header:
            name, sep, value = item.partition(":")
            name, value = name.strip(), value.strip()
            if not sep or not name:
                raise CredentialError("--header expects 'Name: value'")
            _check_header_name(name)
            pairs.append((name, value))
            sources.append(f"{name} from --header")
        return cls(tuple(pairs), tuple(sources))

    def __bool__(self) -> bool:
        return bool(self.headers)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(n.lower() for n, _ in self.headers)

    def redactor(self) -> Redactor:
        return Redactor(v for _, v in self.headers)


_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _check_header_name(name: str) -> None:
    if not _TOKEN.match(name):
        raise CredentialError(f"{name!r} is not a valid HTTP header name")


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def check_origin(url: str, base_url: str, allow_hosts: Iterable[str] = ()) -> bool:
    """True when ``url`` is on the base URL's origin or on an explicitly allowed host."""
    if origin_of(url) == origin_of(base_url):
        return True
    host = origin_of(url)[1]
    return any(host == h.strip().lower() for h in allow_hosts)


def method_allowed(method: str, *, allow_writes: bool, allow_methods: Iterable[str] = ()) -> bool:
    m = method.upper()
    return m in SAFE_METHODS or allow_writes or m in {x.upper() for x in allow_methods}


_STRIP_KEYS = frozenset({"externalValue", "externalDocs"})

#: resolve_ref(ref_object) -> (target value, file the target is written in) or None.
RefResolver = Callable[[dict[str, Any]], "tuple[Any, str] | None"]


def prepare_schema(raw: Mapping[str, Any], resolve_ref: RefResolver | None = None) -> dict[str, Any]:
    """A copy of the document that cannot make Schemathesis touch the network or disk.

    Removes ``servers`` (root, path and operation level), ``externalValue`` and
    ``externalDocs``. Local ``$ref`` of the root document stay (Schemathesis resolves them,
    recursion included). A ``$ref`` to another file is inlined with the target gatekeeper's
    own resolver found (``resolve_ref``), and so is every ``$ref`` inside inlined content,
    since its ``#`` means the other file; a reference that would recurse, or that nothing
    resolved, becomes the empty schema ``{}``. Nothing is ever fetched.
    """
    memo: dict[int, Any] = {}

    def copy(node: Any, depth: int, foreign: bool, stack: tuple[int, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (foreign or not ref.startswith("#")):
                found = resolve_ref(node) if resolve_ref is not None else None
                if found is None or id(found[0]) in stack:
                    return {}
                target, file = found
                return copy(target, depth, foreign or file != "", (*stack, id(target)))
            if not foreign and id(node) in memo:
                return memo[id(node)]
            out: dict[str, Any] = {}
            if not foreign:
                memo[id(node)] = out
            for k, v in node.items():
                if k in _STRIP_KEYS or (k == "servers" and depth <= 3):
                    continue
                out[str(k)] = copy(v, depth + 1, foreign, stack)
            return out
        if isinstance(node, list):
            return [copy(v, depth + 1, foreign, stack) for v in node]
        return node

    return copy(raw, 0, False, ())
