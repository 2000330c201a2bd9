"""The rules of the ``live`` gate: one entry per problem the audit can observe.

Each rule's docs follow the project's shape (What it does / Why is this bad? / Example) so
``gatekeeper explain live/<problem>`` and SARIF carry them like any static rule. The live
rules cannot run on a document alone: `gatekeeper.live.gate.live_gate` binds them to the
observations of one audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.report import Severity

__all__ = ["LIVE_RULES", "LiveRule"]


@dataclass(frozen=True, slots=True)
class LiveRule:
    id: str
    severity: Severity
    docs: str


def _r(id: str, severity: Severity, what: str, why: str, example: str) -> LiveRule:
    docs = f"## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n## Example\n{example}"
    return LiveRule(id, severity, docs)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

LIVE_RULES: tuple[LiveRule, ...] = (
    _r("live/auth-not-enforced", E,
       "Checks that every secured operation answers 401 or 403 when called without credentials "
       "and with invalid ones.",
       "The document promises authentication; a server that ignores missing or wrong "
       "credentials exposes the operation to anyone.",
       "`GET /reports` is secured by `bearerAuth` but answered 200 without an Authorization "
       "header."),
    _r("live/server-error", E,
       "Checks that no request generated from the document makes the server answer 5xx.",
       "A 5xx on valid input is a crash the client cannot fix; on invalid input it should have "
       "been a 4xx.",
       "`GET /stats/mean` answered 500 Internal Server Error."),
    _r("live/timeout", E,
       "Checks that every operation answers within the per-request timeout (`--request-timeout`, "
       "10 s by default).",
       "A request that never completes ties up clients and connection pools; after the first "
       "timeout the audit stops calling that operation.",
       "`GET /hang` gave no answer within 10 s."),
    _r("live/connection-failed", E,
       "Checks that the server accepts connections and sends complete answers.",
       "Refused or dropped connections mean the service, or what fronts it, is failing.",
       "`GET /drop` closed the connection after 10 of 100 announced bytes."),
    _r("live/latency-budget-exceeded", E,
       "Checks that each operation's 95th-percentile latency is within the budget "
       "(`--latency-budget`, 200 ms by default).",
       "The service level promise is about what 95 % of requests see; an operation over budget "
       "breaks it for its callers.",
       "`GET /exports` p95 latency is 302 ms over 5 requests, budget 200 ms."),
    _r("live/error-rate-exceeded", E,
       "Checks that the share of 5xx answers, timeouts and failed connections among all requests "
       "is within the budget (`--error-rate-budget`, 0.1 % by default).",
       "An error rate over budget breaks the availability promise even when each failing "
       "operation is reported on its own.",
       "5xx error rate 2.3 % (4 of 174 requests), budget 0.1 %."),
    _r("live/error-body-mismatch", E,
       "Checks that 4xx and 5xx answers use a media type and body that the document declares "
       "for that status (for example `application/problem+json` with the Problem schema).",
       "Clients parse errors by the documented shape; an undeclared error body breaks their "
       "error handling exactly when it matters.",
       "`GET /invoices/7` answered 404 `application/json` `{\"error\": ...}` where the document "
       "declares `application/problem+json`."),
    _r("live/status-code-conformance", W,
       "Checks that every status code the server answers is documented for the operation "
       "(Schemathesis check `status_code_conformance`).",
       "Undocumented statuses surprise clients generated from the document.",
       "`GET /stats/{metric}` answered 500; documented: 200, 400."),
    _r("live/content-type-conformance", W,
       "Checks that successful answers use a documented media type "
       "(Schemathesis check `content_type_conformance`).",
       "Clients choose their parser from the documented media type.",
       "`GET /pets` answered `text/html`; documented: `application/json`."),
    _r("live/response-schema-conformance", W,
       "Checks that successful answer bodies validate against the documented schema "
       "(Schemathesis check `response_schema_conformance`).",
       "A body that differs from its schema breaks typed clients.",
       "`GET /pets/1` answered an object without the required `name`."),
    _r("live/response-headers-conformance", W,
       "Checks that documented required response headers are present and valid "
       "(Schemathesis check `response_headers_conformance`).",
       "Clients rely on documented headers such as `Location` or `ETag`.",
       "`POST /pets` answered 201 without the documented `Location` header."),
    _r("live/positive-data-acceptance", W,
       "Checks that requests valid per the document are not rejected with a 4xx other than "
       "401, 403, 404 and 409 (Schemathesis check `positive_data_acceptance`).",
       "The server is stricter than its contract; valid clients fail.",
       "`GET /pets?limit=50` answered 400 although `limit` allows up to 50."),
    _r("live/negative-data-rejection", W,
       "Checks that requests that violate the document are rejected with a 4xx "
       "(Schemathesis check `negative_data_rejection`).",
       "The server is looser than its contract; invalid data gets in.",
       "`GET /pets?limit=-1` answered 200 although `limit` has minimum 1."),
    _r("live/missing-required-header", W,
       "Checks that a request without a required header is rejected "
       "(Schemathesis check `missing_required_header`).",
       "A documented requirement the server does not enforce is not a requirement.",
       "`GET /pets` without the required `X-Request-Id` answered 200."),
    _r("live/allow-header-conformance", W,
       "Checks that 405 answers carry an `Allow` header listing the documented methods "
       "(Schemathesis check `allow_header_conformance`).",
       "RFC 9110 requires `Allow` on 405.",
       "`OPTIONS /pets` answered 405 without `Allow`."),
    _r("live/rate-limit-headers-missing", W,
       "Checks that a provoked 429 carries the headers the document declares for it "
       "(`Retry-After`, `RateLimit-*`).",
       "Without them clients cannot back off correctly.",
       "`GET /search` answered 429 without the documented `Retry-After`."),
    _r("live/rate-limit-not-verified", I,
       "Reports documented rate limiting (a 429 response) that the audit could not provoke "
       "within its request budget and rate.",
       "The limit may be higher than the audit may send; the promise is unverified, not broken.",
       "`GET /search` documents 429 but 30 requests at 10/s got none."),
    _r("live/nothing-audited", E,
       "Reports an audit in which no operation got a request the server answered: every "
       "operation was a write (not sent without `--allow-writes`), had no value the generator "
       "could produce, or the budget ran out first.",
       "An audit that sent nothing proves nothing; reporting it as passed would be a vacuous "
       "pass.",
       "The document has only POST and DELETE operations; nothing was sent."),
    _r("live/operation-not-audited", I,
       "Reports each operation the audit did not test, with the reason: a write method not "
       "allowed (info), no request the generator could produce, no request sendable, or the "
       "time or request budget spent before it (each a warning: a gap in what the verdict "
       "covers).",
       "An operation without a request has neither passed nor failed; counting it as audited "
       "would overstate what the run proves.",
       "`GET /anything/{n}` was not audited: no request was generated."),
    _r("live/audit-incomplete", W,
       "Reports an audit that stopped before it covered every operation: interrupted (Ctrl-C) "
       "or out of its time or request budget.",
       "A partial audit proves less than it seems; the operations it did not reach are listed.",
       "Time budget of 300 s spent after 7 of 9 operations."),
)
