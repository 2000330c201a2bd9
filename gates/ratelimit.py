"""Rate limiting: secured and write operations document 429 and when to retry.

A reviewer gate. An operation is in scope when it is under
`paths` and is secured (its effective security has a non-empty requirement) or writes (POST,
PUT, PATCH, DELETE). In scope, it should document `429 Too Many Requests`, and every 429
response should say when to come back: a `Retry-After` header, or a complete set of rate-limit
headers (`RateLimit` + `RateLimit-Policy` from the IETF draft, or `RateLimit-Limit`,
`-Remaining`, `-Reset`, with or without an `X-` prefix). The metric is the share of in-scope operations
whose 429 response carries such headers.

`ratelimit/undocumented-rate-limit` (a warning) says once when the API says nothing at all
about rate limiting: no 429 anywhere, no rate-limit header on any response and no word about
rate limits or throttling in `info.description`. Once an API documents 429 somewhere, the
operations that lack it and 429s without retry headers are warnings too. The gate reports and
does not fail the run by default (`--fail-on warning`, or a severity in `[rules]`, makes it
block): 93 of the 100 real specs of the shared corpus document no rate limiting at all, and a
reviewer asks for it without rejecting the API over it.

Disagreements found on real specs, and how they were settled:

* Rate-limit headers are not demanded on every 2xx response (the OWASP ruleset does; its
  users call it noise: stoplightio/spectral-owasp-ruleset#23).
* A `4XX` range or `default` response does not document 429: clients need to know that
  throttling exists and how to back off, which a catch-all does not say.
* An API that documents 429 without `Retry-After` must not fare worse than one that
  documents nothing: hence one API-level finding for "nothing documented" and warnings for the
  details, rather than a warning per operation (452 identical warnings on Stripe say less
  than one finding).
* Rate limits described in prose in `info.description` (common: "100 requests per minute")
  count as documented for the API-level rule.
* Public read-only operations are out of scope: they are usually throttled per IP by a CDN,
  and a reviewer does not ask for a 429 on `GET /health`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper import Gate, Metric, Operation, Pointer, Severity, Spec, Violation, rule

WRITE = frozenset({"post", "put", "patch", "delete"})
COMPLETE_SETS = (
    frozenset({"ratelimit", "ratelimit-policy"}),
    frozenset({"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}),
    frozenset({"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}),
    frozenset({"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"}),
)


def in_scope(op: Operation, scope: str = "secured-or-write") -> bool:
    if op.kind != "path" or op.method in ("options", "head", "trace"):
        return False
    secured = bool(op.security) and any(bool(r) for r in op.security or ())
    if scope == "all":
        return True
    if scope == "write":
        return op.method in WRITE
    if scope == "secured":
        return secured
    return secured or op.method in WRITE


def has_retry_headers(names: set[str]) -> bool:
    lowered = {n.lower() for n in names}
    return "retry-after" in lowered or any(s <= lowered for s in COMPLETE_SETS)


def rate_limit_metric(spec: Spec, *, scope: str = "secured-or-write") -> Metric:
    """Share of secured or write operations whose `429` response says when to retry
    (`Retry-After` or a complete set of rate-limit headers). 100 % when none is in scope."""
    ops = [op for op in spec.in_paths() if in_scope(op, scope)]
    good = sum(1 for op in ops if "429" in op.responses
               and has_retry_headers(set(op.responses["429"].headers)))
    return Metric.ratio(good, len(ops), "secured or write operations documenting 429 with "
                                        "retry headers")


_PROSE = re.compile(r"(?i)rate[\s\-_]?limit|throttl|too many requests|\b429\b|requests per "
                    r"(second|minute|hour|day)")


def documents_rate_limits(spec: Spec) -> bool:
    """True when any operation documents 429, any response declares a rate-limit header, or
    `info.description` talks about rate limits."""
    for op in spec.operations:
        if "429" in op.responses:
            return True
        for resp in op.responses.values():
            if any("ratelimit" in h.lower().replace("-", "").replace("_", "")
                   or h.lower() == "retry-after" for h in resp.headers):
                return True
    text = spec.info.get("description")
    return isinstance(text, str) and bool(_PROSE.search(text))


@rule("ratelimit/undocumented-rate-limit", severity=Severity.WARNING)
def undocumented_rate_limit(spec: Spec, *, scope: str = "secured-or-write"
                            ) -> Iterator[Violation]:
    """## What it does
    Flags an API with secured or write operations that says nothing about rate limiting: no
    `429` response on any operation, no rate-limit or `Retry-After` header on any response,
    and no mention of rate limits in `info.description`. Reported once.

    ## Why is this bad?
    Every production API throttles; clients that do not know it will hammer the API in
    retry loops instead of backing off (Zalando #153, OWASP API4:2023, italia
    `ratelimit.yml`).

    ## Example
    ```yaml
    paths:
      /orders:
        post:
          responses: {'201': {description: Created}}
    ```
    Use instead:
    ```yaml
    paths:
      /orders:
        post:
          responses:
            '201': {description: Created}
            '429':
              description: Too many requests
              headers:
                Retry-After: {description: Seconds to wait, schema: {type: integer}}
    ```

    ## Options
    `scope`: which operations need it: `secured-or-write` (default), `secured`, `write`, `all`.
    """
    ops = [op for op in spec.in_paths() if in_scope(op, scope)]
    if ops and not documents_rate_limits(spec):
        yield Violation(spec.root / "paths", f"the API documents no rate limiting (no 429 "
                                             f"response, rate-limit header or description) for "
                                             f"its {len(ops)} secured or write operations",
                        subject="rate-limit")


@rule("ratelimit/missing-429-response", severity=Severity.WARNING)
def missing_429_response(spec: Spec, *, scope: str = "secured-or-write"
                         ) -> Iterator[Violation]:
    """## What it does
    Flags a secured or write operation that does not document a `429 Too Many Requests`
    response, in an API that documents 429 elsewhere (otherwise
    `ratelimit/undocumented-rate-limit` says it once).

    ## Why is this bad?
    Every production API throttles; clients that do not know it will hammer the API in
    retry loops instead of backing off (Zalando #153, OWASP API4:2023, italia
    `ratelimit.yml`).

    ## Example
    ```yaml
    post:
      responses:
        '201': {description: Created}
    ```
    Use instead:
    ```yaml
    post:
      responses:
        '201': {description: Created}
        '429':
          description: Too many requests
          headers:
            Retry-After: {schema: {type: integer}, description: Seconds to wait}
    ```

    ## Options
    `scope`: `secured-or-write` (default), `secured`, `write` or `all`.
    """
    if not any("429" in op.responses for op in spec.operations):
        return
    for op in spec.in_paths():
        if in_scope(op, scope) and "429" not in op.responses:
            yield Violation(op.pointer / "responses" if "responses" in op.data else op.pointer,
                            f"`{op.label}` does not document a 429 response", subject=op.label)


@rule("ratelimit/missing-retry-after", severity=Severity.WARNING)
def missing_retry_after(spec: Spec) -> Iterator[Violation]:
    """## What it does
    Flags a `429` response without a `Retry-After` header or a complete set of rate-limit
    headers (`RateLimit` + `RateLimit-Policy`, or `[X-]RateLimit-Limit`, `-Remaining`,
    `-Reset`). Reported once where the response is written.

    ## Why is this bad?
    A 429 without a retry hint leaves clients guessing how long to wait (RFC 9110
    `Retry-After`, draft-ietf-httpapi-ratelimit-headers, OWASP
    `api4:2023-rate-limit-retry-after`).

    ## Example
    ```yaml
    '429': {description: Too many requests}
    ```
    Use instead:
    ```yaml
    '429':
      description: Too many requests
      headers:
        Retry-After: {description: Seconds to wait, schema: {type: integer}}
    ```
    """
    seen: set[Pointer] = set()
    for op in spec.in_paths():
        resp = op.responses.get("429")
        if resp is None or resp.pointer in seen:
            continue
        seen.add(resp.pointer)
        if not has_retry_headers(set(resp.headers)):
            yield Violation(resp.pointer, f"429 response of `{op.label}` has no Retry-After or "
                                          f"rate-limit headers", subject=str(resp.pointer))


GATE = Gate(
    "ratelimit",
    title="Rate limiting",
    rules=(undocumented_rate_limit, missing_429_response, missing_retry_after),
    metric=rate_limit_metric,
    threshold=None,
    description=__doc__.split("\n")[0],
    mandatory=False,
    weight=0,  # reported, not scored: an advisory gate must not move the overall score
)
