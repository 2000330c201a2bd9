"""Deprecation: what is deprecated says what replaces it and when it goes away.

A reviewer gate (docs/gates/deprecation.md). Deprecation must be reflected in the document
before anything is removed (Zalando #187), and a deprecated element is only useful to a
client that can tell what to move to and by when. The gate reads each element's lifecycle
through `gatekeeper.lifecycle` (the reading the compat gate uses too: `deprecated: true`,
`x-sunset`, `Sunset`/`Deprecation` response headers, `x-replaced-by` or "use X instead" in
the description).

* A deprecated operation, parameter, header, schema or property names its replacement
  (warning), in its description or its deprecation message (`x-deprecatedMessage`, Adyen's
  field, and kin). Besides the phrasings `gatekeeper.lifecycle` reads, a sentence that points
  somewhere (a link, a code span, a `METHOD /path`) with a migration word ("use", "migrate",
  "instead", "replaced", "moved to", "see") counts: GitHub writes "We recommend migrating
  your existing code to use the [Get a team by name](...) endpoint".
* A deprecated operation announces its retirement: a `Deprecation` or `Sunset` response
  header (RFC 9745, RFC 8594) or an `x-sunset` date (info; warning with `policy = "strict"`).
* An element whose sunset date has passed is still in the document (warning): clients were
  told it would be gone.

"No element is deprecated in its first release" (AIP-185) needs the previous version and is
left to the compat gate. The metric is the share of deprecated elements whose deprecation is
complete (a replacement named; for operations also a retirement announced).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Gate, Metric, Pointer, Severity, Spec, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from typing import Any


# `gatekeeper.lifecycle` (and `datetime`) are imported when the gate runs: every check
# imports the gate modules, few run this opt-in gate.
def is_deprecated(element: Any) -> bool:
    from gatekeeper import is_deprecated as read

    return read(element)


def replacement(element: Any) -> str | None:
    from gatekeeper import replacement as read

    return read(element)


def sunset_date(element: Any) -> _dt.date | None:
    from gatekeeper import sunset_date as read

    return read(element)

_POINTS = re.compile(r"\[[^\]]+\]\([^)]+\)|`[^`]+`|https?://\S+|\b(GET|POST|PUT|PATCH|DELETE)"
                     r"\s+/\S*", re.IGNORECASE)
_MIGRATE = re.compile(r"\b(use|using|migrat\w*|instead|replac\w*|supersed\w*|moved? to|"
                      r"switch to|see|in favou?r of|successor)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


class Deprecated:
    """One deprecated element: what it is, where it is written, its document mapping."""

    __slots__ = ("kind", "label", "pointer", "element")

    def __init__(self, kind: str, label: str, pointer: Pointer, element: Any) -> None:
        self.kind = kind  # operation, parameter, header, schema, property
        self.label = label
        self.pointer = pointer
        self.element = element  # an Operation view or the mapping as written


def deprecated_elements(spec: Spec) -> list[Deprecated]:
    """Every deprecated element of the document, once where it is written."""
    def build() -> list[Deprecated]:
        out: list[Deprecated] = []
        seen: set[Pointer] = set()

        def add(kind: str, label: str, pointer: Pointer, element: Any) -> None:
            if pointer not in seen and is_deprecated(element):  # (rare: checked first below)
                seen.add(pointer)
                out.append(Deprecated(kind, label, pointer, element))

        roots = [spec.schemas[n] for n in spec.schemas]
        for op in spec.operations:
            add("operation", f"operation `{op.label}`", op.pointer, op)
            for p in op.parameters:
                add("parameter", f"parameter `{p.name}` of `{op.label}`", p.pointer, p.data)
            for resp in op.responses.values():
                for h in resp.headers.values():
                    add("header", f"header `{h.name}` of `{op.label}`", h.pointer, h.data)
                for media in resp.content.values():
                    if media.schema_pointer is not None:
                        roots.append((media.schema, media.schema_pointer))
            body = op.request_body
            for media in (body.content.values() if body is not None else ()):
                if media.schema_pointer is not None:
                    roots.append((media.schema, media.schema_pointer))
        for node, ptr in spec.walk_schemas(roots):
            if node.get("deprecated") is not True:  # the cheap test before the full reading
                continue
            tokens = ptr.tokens
            if len(tokens) >= 2 and tokens[-2] == "properties":
                add("property", f"property `{_schema_label(ptr)}`", ptr, node)
            elif ptr.tokens[:-1] in (("components", "schemas"), ("definitions",)):
                add("schema", f"schema `{tokens[-1]}`", ptr, node)
        return out
    return spec.memo("deprecation.elements", build)


def _schema_label(ptr: Pointer) -> str:
    tokens = ptr.tokens
    for marker in ("schemas", "definitions"):
        if marker in tokens:
            rest = tokens[tokens.index(marker) + 1:]
            return ".".join(t for t in rest if t not in ("properties", "allOf", "oneOf",
                                                         "anyOf", "items"))
    return ".".join(t for i, t in enumerate(tokens) if i and tokens[i - 1] == "properties")


#: Vendor fields that carry the deprecation notice itself (Adyen: `x-deprecatedMessage:
#: 'Use `storedPaymentMethodId` instead.'`).
MESSAGE_FIELDS = ("x-deprecatedMessage", "x-deprecated-message", "x-deprecation-message",
                  "x-deprecation")


def _description(element: Any) -> str:
    data = element if isinstance(element, dict) else getattr(element, "data", {})
    texts = [data.get(k) for k in ("description", "summary", *MESSAGE_FIELDS)]
    return "\n\n".join(t for t in texts if isinstance(t, str))


def names_replacement(element: Any) -> bool:
    """Whether the element says what to use instead: `gatekeeper.lifecycle.replacement` on
    the element and on its deprecation message (`x-deprecatedMessage` and kin), or a sentence
    with a migration word that points somewhere (link, code span, route)."""
    if replacement(element) is not None:
        return True
    data = element if isinstance(element, dict) else getattr(element, "data", {})
    for key in MESSAGE_FIELDS:
        message = data.get(key)
        if isinstance(message, str) and replacement({"description": message}) is not None:
            return True
    for sentence in _SENTENCE.split(_description(element)):
        if _MIGRATE.search(sentence) and _POINTS.search(sentence):
            return True
    return False


def announces_retirement(element: Any) -> bool:
    """A deprecated operation with a `Deprecation` or `Sunset` response header, or a sunset
    date (`x-sunset`)."""
    if sunset_date(element) is not None:
        return True
    responses = getattr(element, "responses", {})
    return any(h.lower() in ("deprecation", "sunset")
               for resp in responses.values() for h in resp.headers)


def _today(today: str | None) -> _dt.date:
    import datetime as _dt

    if today:
        return _dt.date.fromisoformat(today)
    return _dt.datetime.now(_dt.timezone.utc).date()


def deprecation_metric(spec: Spec) -> Metric:
    """Share of deprecated elements whose deprecation is complete: a replacement named and,
    for operations, a retirement announced (a `Deprecation`/`Sunset` header or `x-sunset`).
    100 % when nothing is deprecated."""
    items = deprecated_elements(spec)
    good = sum(1 for d in items if names_replacement(d.element)
               and (d.kind != "operation" or announces_retirement(d.element)))
    return Metric.ratio(good, len(items), "deprecated elements with a replacement and a plan")


@rule("deprecation/missing-replacement", severity=Severity.WARNING)
def missing_replacement(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a deprecated operation, parameter, header, schema or property whose description
    (or `x-replaced-by`) does not say what to use instead: "use `X` instead", "replaced by
    X", or a sentence pointing somewhere (a link, a code span, `GET /v2/pets`) with a
    migration word ("migrate", "use", "see", ...).

    ## Why is this bad?
    `deprecated: true` alone tells clients to move without telling them where; they keep
    calling the old element until it breaks (Zalando #187, AIP-185, Spectral's and
    Redocly's deprecation advice).

    ## Example
    ```yaml
    get:
      deprecated: true
      description: Lists pets.
    ```
    Use instead:
    ```yaml
    get:
      deprecated: true
      description: Lists pets. Deprecated, use `GET /v2/pets` instead.
    ```
    """
    for d in deprecated_elements(spec):
        if not names_replacement(d.element):
            yield Violation(d.pointer, f"deprecated {d.label} does not say what replaces it",
                            subject=f"{d.kind} {d.pointer}")


@rule("deprecation/missing-sunset", severity=Severity.INFO)
def missing_sunset(spec: Spec, *, policy: str = "lenient") -> Iterator[Violation]:
    """## What it does
    Flags a deprecated operation that announces no retirement: no `Deprecation` (RFC 9745)
    or `Sunset` (RFC 8594) response header on any response, and no `x-sunset` date.

    ## Why is this bad?
    Clients learn at run time that they call something deprecated, and until when it works,
    only from these headers; without them a deprecation is invisible to everything but the
    docs (Zalando #189).

    ## Example
    ```yaml
    get:
      deprecated: true
      responses: {'200': {description: OK}}
    ```
    Use instead:
    ```yaml
    get:
      deprecated: true
      x-sunset: '2026-12-31'
      responses:
        '200':
          description: OK
          headers:
            Deprecation: {schema: {type: string}, example: '@1767225600'}
            Sunset: {schema: {type: string}, example: 'Thu, 31 Dec 2026 23:59:59 GMT'}
    ```

    ## Options
    `policy`: `lenient` (info, default) or `strict` (warning).
    """
    severity = Severity.WARNING if policy == "strict" else None
    for d in deprecated_elements(spec):
        if d.kind == "operation" and not announces_retirement(d.element):
            yield Violation(d.pointer, f"deprecated {d.label} declares no Deprecation or "
                                       f"Sunset header and no x-sunset date",
                            subject=f"{d.kind} {d.pointer}", severity=severity)


@rule("deprecation/sunset-passed", severity=Severity.WARNING)
def sunset_passed(spec: Spec, *, today: str | None = None) -> Iterator[Violation]:
    """## What it does
    Flags an element whose sunset date (`x-sunset`, or the documented value of its `Sunset`
    response header) is today or earlier while it is still in the document.

    ## Why is this bad?
    Clients were told the element would be gone; either it should be removed, or the date
    is wrong and clients plan by a false one (RFC 8594).

    ## Example
    ```yaml
    get:
      deprecated: true
      x-sunset: '2020-01-31'
    ```
    Use instead: remove the operation, or move `x-sunset` to the real date.

    ## Options
    `today`: the date to compare with (ISO 8601; default: today, UTC).
    """
    now = _today(today)
    candidates = list(deprecated_elements(spec))
    listed = {d.pointer for d in candidates}
    for op in spec.operations:  # a sunset without `deprecated: true` counts too
        if op.pointer not in listed:
            candidates.append(Deprecated("operation", f"operation `{op.label}`", op.pointer, op))
    for d in candidates:
        date = sunset_date(d.element)
        if date is not None and date <= now:
            yield Violation(d.pointer, f"{d.label} passed its sunset date {date.isoformat()} "
                                       f"but is still documented", subject=f"{d.kind} "
                                                                           f"{d.pointer}")


GATE = Gate(
    "deprecation",
    title="Deprecation",
    rules=(missing_replacement, missing_sunset, sunset_passed),
    metric=deprecation_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
    opt_in=True,
)
