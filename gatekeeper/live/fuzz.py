"""The Schemathesis adapter: generate requests from the spec, judge answers with its checks.

What we learned from the installed Schemathesis 4.x (read in ``site-packages/schemathesis``,
4.32.5 when this was written) and how the adapter uses it:

Loading
    ``schemathesis.openapi.from_dict(raw, config=...)`` (``openapi/loaders.py``) builds an
    ``OpenApiSchema`` from an in-memory dict, with no file or URL of its own, so relative and
    remote ``$ref`` can only be resolved by Schemathesis's own resolver. We hand it the output
    of `gatekeeper.live.safety.prepare_schema`: ``servers``, ``externalValue`` and
    ``externalDocs`` stripped, non-local ``$ref`` inlined by gatekeeper's resolver or replaced
    by ``{}``. ``from_dict`` calls ``SchemathesisConfig.discover()`` when ``config`` is None,
    which reads a ``schemathesis.toml`` from the working folder upwards: we always pass
    ``SchemathesisConfig()`` so a file in the checkout under test cannot change the run (R23).
    ``schema.get_all_operations()`` yields ``Ok(APIOperation) | Err(InvalidSchema)`` results;
    ``op.method`` is lower-case, ``op.path`` the template, ``op.label`` ``"GET /pets/{petId}"``.

Generation (bounded examples)
    ``op.as_strategy(generation_mode=GenerationMode.POSITIVE | NEGATIVE)`` is a Hypothesis
    strategy of ``Case``. We draw from it inside a ``@hypothesis.given`` function that only
    collects cases (``settings(max_examples=N, database=None, deadline=None,
    derandomize=True, phases=[explicit, generate], suppress_health_check=all)``), so no
    request runs inside Hypothesis: no shrinking, no replay, no Flaky errors, and budgets and
    Ctrl-C are handled by our own loop. ``derandomize=True`` makes runs repeatable (G9);
    ``--seed`` switches to ``hypothesis.seed(n)``. Hypothesis stops early when an operation
    has fewer distinct inputs than N. The fuzzing strategy never reads ``examples`` or
    ``externalValue``; only the examples phase does (``specs/openapi/examples.py``
    ``load_external_example`` fetches with ``requests.get``), and we never run it.
    Hypothesis caches constants harvested from local source files in ``./.hypothesis``
    even with ``database=None``; generation runs with a temporary Hypothesis home so the audit
    writes nothing into the working folder.

Base URL, methods, transport
    The engine (``schemathesis.engine.from_schema(schema).execute()``) would run its own
    phases (a probing phase that sends odd bytes, coverage, stateful) over ``requests`` with
    every method by default (T13). We do not use it. Method filtering is ours
    (`gatekeeper.live.safety.method_allowed`; ``schema.include(method=...)`` would do the
    same); ``case.as_transport_kwargs(base_url=...)`` gives requests-style kwargs (``method``,
    ``url``, ``headers``, ``params``, ``cookies``, and ``json``/``data``/``files``) that we
    send with httpx through `gatekeeper.live.transport.Sender`, so the base URL is always the
    one from the command line and never ``servers`` (R20).

Checks and failures
    ``case.validate_response(response, checks=[fn])`` accepts an ``httpx.Response``. It raises
    a ``Failure`` (an ``AssertionError``) or a ``FailureGroup`` (a ``BaseExceptionGroup``, so
    ``except Exception`` does not catch it). A failure has ``title``, ``message``, ``code``
    (``ST401`` ...) and ``severity``; its class attribute ``checks`` names the check(s) that
    raise it. Two checks share ``JsonSchemaError`` (schema and header conformance; the header
    one's title says "header"), and ``MissingContentType`` is raised by content-type and
    schema conformance: `_attribute` resolves both. One ``validate_response`` call with all
    checks is used per answer, with the answer converted once
    (a ``schemathesis.core.transport.Response``): the per-call set-up
    (``checks_config_for``) and the httpx conversion cost more than the checks, and calling
    once per check made the audit 3x slower (see ``benchmarks/live_overhead.py``); the answer is
    converted by `_response_of`, straight from our exchange. The check functions are in
    ``schemathesis.checks.CHECKS`` after ``load_all_checks()``: ``not_a_server_error``,
    ``status_code_conformance``, ``content_type_conformance``,
    ``response_schema_conformance``, ``response_headers_conformance``,
    ``negative_data_rejection``, ``positive_data_acceptance``, ``missing_required_header``,
    ``unsupported_method``, ``allow_header_conformance``, ``use_after_free``,
    ``ensure_resource_availability``, ``ignored_auth``, ``object_level_authorization``.

    We run the ones that only read the response we already have. Not run: ``unsupported_method``
    (its cases use undeclared methods, DELETE included), ``use_after_free`` and
    ``ensure_resource_availability`` (stateful, need writes), ``object_level_authorization``
    (needs several identities), ``max_response_time`` (our latency probe does it per
    percentile), ``ignored_auth``: it re-sends requests itself through Schemathesis's
    ``requests`` transport (``_auth_retry.send_probe``), outside our client, so outside the
    request budget, the origin allow-list, the proxy and ``.netrc`` policy and the log; our
    own auth probe (`gatekeeper.live.runner`) sends its requests through `Sender` instead.
    While an audit runs, ``requests`` cannot send at all
    (`gatekeeper.live.transport.no_other_transport`).

    Answers that carry no content (204, 304, 1xx, any answer to HEAD) are not judged by the
    checks of the body and its media type: a 304 has no Content-Type to miss.

    Schemathesis sanitises output by header *name* only (``config/_output.py``); failure
    messages can carry response bodies, so every string leaving this module is redacted by
    value later (`gatekeeper.live.safety.Redactor`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["CHECK_NAMES", "CheckFailure", "Fuzzer", "check_rule"]

#: Checks run on every answer, in this order.
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "allow_header_conformance",
)
#: Checks that judge the body and headers of an answer: on an error status (4xx/5xx) their
#: failures are reported as ``live/error-body-mismatch``.
BODY_CHECKS = frozenset({"content_type_conformance", "response_schema_conformance",
                         "response_headers_conformance"})
#: Checks whose finding is one of our own probe rules rather than ``live/<check-name>``.
_RULE_OF_CHECK = {
    "not_a_server_error": "live/server-error",
}
#: Statuses whose answers have no content to judge (RFC 9110 6.4.1).
NO_CONTENT = frozenset({204, 304})


def check_rule(check: str, status: int | None) -> str:
    """The live rule id a Schemathesis check failure becomes."""
    if check in _RULE_OF_CHECK:
        return _RULE_OF_CHECK[check]
    if check in BODY_CHECKS and status is not None and status >= 400:
        return "live/error-body-mismatch"
    return "live/" + check.replace("_", "-")


@dataclass(frozen=True)
class CheckFailure:
    check: str
    title: str
    message: str
    code: str


class Fuzzer:
    """Generates cases for one document and runs Schemathesis checks on our answers."""

    def __init__(self, prepared_schema: dict[str, Any], *, with_credentials: bool,
                 seed: int | None = None) -> None:
        import schemathesis
        from schemathesis.checks import CHECKS, load_all_checks
        from schemathesis.config import SchemathesisConfig

        load_all_checks()
        self._schemathesis = schemathesis
        self.schema = schemathesis.openapi.from_dict(prepared_schema, config=SchemathesisConfig())
        self.seed = seed
        names = list(CHECK_NAMES)
        self.checks: list[tuple[str, Callable[..., Any]]] = []
        for name in names:
            try:
                self.checks.append((name, CHECKS.get_one(name)))
            except Exception:  # noqa: BLE001, S112 - a check renamed or dropped in another version
                continue
        self.operations: dict[tuple[str, str], Any] = {}
        self.errors: dict[tuple[str, str], str] = {}
        for result in self.schema.get_all_operations():
            if hasattr(result, "ok"):
                op = result.ok()
                self.operations[(op.method.upper(), op.path)] = op
                continue
            err = result.err()  # InvalidSchema for one operation: reported, the rest goes on
            path, method = getattr(err, "path", None), getattr(err, "method", None)
            if path and method:
                self.errors[(str(method).upper(), str(path))] = _first_line(err)

    @property
    def version(self) -> str:
        return str(self._schemathesis.__version__)

    def operation(self, method: str, path: str) -> Any | None:
        return self.operations.get((method.upper(), path))

    def cases(self, operation: Any, max_examples: int, *, negative: bool = False,
              seed: int | None = None) -> list[Any]:
        """Up to ``max_examples`` distinct cases, drawn without sending anything (``seed``:
        another draw than the run's own, for more cases of the same operation)."""
        seed = self.seed if seed is None else seed
        if max_examples <= 0:
            return []
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        from schemathesis import GenerationMode

        mode = GenerationMode.NEGATIVE if negative else GenerationMode.POSITIVE
        strategy = operation.as_strategy(generation_mode=mode)
        drawn: list[Any] = []

        @settings(max_examples=max_examples, database=None, deadline=None,
                  derandomize=seed is None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(strategy)
        def collect(case: Any) -> None:
            drawn.append(case)

        if seed is not None:
            collect = hypothesis_seed(seed)(collect)
        with _private_hypothesis_home():
            try:
                collect()
            except Exception:  # noqa: BLE001, S110 - Unsatisfiable and friends: keep what was drawn
                pass
        return drawn

    def make_case(self, operation: Any, *, base: Any | None = None, **overrides: Any) -> Any:
        """A case with explicit values, e.g. the base case with credentials removed."""
        fields: dict[str, Any] = {}
        if base is not None:
            fields = {
                "path_parameters": dict(base.path_parameters or {}),
                "headers": dict(base.headers or {}),
                "cookies": dict(base.cookies or {}),
                "query": dict(base.query or {}),
            }
            if not _is_not_set(base.body):
                fields["body"] = base.body
                fields["media_type"] = base.media_type
        fields.update(overrides)
        return operation.Case(**fields)

    @staticmethod
    def request_kwargs(case: Any, base_url: str) -> dict[str, Any]:
        """requests-style kwargs from Schemathesis, translated for httpx."""
        kw = case.as_transport_kwargs(base_url=base_url)
        out: dict[str, Any] = {
            "method": str(kw.get("method", case.method)).upper(),
            "url": kw["url"],
            "headers": {str(k): str(v) for k, v in (kw.get("headers") or {}).items()},
            "params": kw.get("params") or None,
            "cookies": {str(k): str(v) for k, v in (kw.get("cookies") or {}).items()} or None,
        }
        if "json" in kw:
            out["json_body"] = kw["json"]
        data = kw.get("data")
        if isinstance(data, (bytes, bytearray)):
            out["content"] = bytes(data)
        elif isinstance(data, str):
            out["content"] = data.encode("utf-8")
        elif data is not None:
            out["data"] = data
        if kw.get("files"):
            out["files"] = kw["files"]
        return out

    def validate(self, case: Any, exchange: Any, *, skip: frozenset[str] = frozenset()) -> Iterator[CheckFailure]:
        """Run the checks on one answer (a `gatekeeper.live.transport.Exchange`); yield what
        failed, by check.

        One ``validate_response`` call runs every check (its per-call set-up costs more than
        the checks themselves); each failure is then attributed to its check by the failure
        class's ``checks`` (and, for the one class two checks share, by its title).
        """
        from schemathesis.core.failures import Failure, FailureGroup

        if exchange.status in NO_CONTENT or exchange.status < 200 or exchange.method.upper() == "HEAD":
            skip = skip | BODY_CHECKS
        active = [(name, fn) for name, fn in self.checks if name not in skip]
        names = [name for name, _ in active]
        converted = _response_of(exchange)
        failures: list[Any] = []
        try:
            case.validate_response(converted, checks=[fn for _, fn in active])
        except FailureGroup as group:
            failures = list(group.exceptions)
        except Failure as failure:
            failures = [failure]
        except Exception:  # noqa: BLE001 - a check that cannot judge this answer is not a finding
            return
        for failure in failures:
            yield _failure(_attribute(failure, names), failure)


def _response_of(ex: Any) -> Any:
    """Schemathesis's ``Response`` built straight from an exchange: no httpx response and no
    ``requests`` URL parsing in between (``Response.from_httpx`` does both, and cost more per
    answer than the checks)."""
    import requests
    from requests.structures import CaseInsensitiveDict
    from schemathesis.core.transport import Response

    request = requests.PreparedRequest()
    request.method = ex.method.upper()
    request.url = ex.url
    request.headers = CaseInsensitiveDict(ex.request_headers)
    request.body = ex.request_body
    headers: dict[str, list[str]] = {}
    for name, value in ex.response_headers:
        if name.lower() != "content-encoding":  # the body is already decoded
            headers.setdefault(name.lower(), []).append(value)
    charset = None
    for part in ex.content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return Response(status_code=ex.status, headers=headers, content=ex.body, request=request,
                    elapsed=ex.elapsed, verify=True, message=ex.reason, http_version=ex.http_version,
                    encoding=charset)


def _attribute(failure: Any, active: list[str]) -> str:
    """The check that raised ``failure``, among the ``active`` ones."""
    candidates = [c for c in getattr(type(failure), "checks", ()) if c in active]
    if len(candidates) > 1 and "response_headers_conformance" in candidates:
        header = "header" in str(getattr(failure, "title", "")).lower()
        candidates = ["response_headers_conformance"] if header else \
            [c for c in candidates if c != "response_headers_conformance"]
    return candidates[0] if candidates else "custom"


@contextmanager
def _private_hypothesis_home() -> Iterator[None]:
    """Hypothesis caches constants it harvests from local modules under ``./.hypothesis``;
    an audit must not write into the user's working folder, so it gets a temporary home."""
    import tempfile

    import hypothesis.configuration as hc

    previous = hc.__dict__.get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="gatekeeper-hypothesis-") as tmp:
        hc.set_hypothesis_home_dir(tmp)
        try:
            yield
        finally:
            hc.set_hypothesis_home_dir(previous)


def _failure(check: str, failure: Any) -> CheckFailure:
    return CheckFailure(check=check, title=str(getattr(failure, "title", "") or ""),
                        message=str(getattr(failure, "message", "") or ""),
                        code=str(getattr(failure, "code", "") or ""))


def _is_not_set(value: Any) -> bool:
    return type(value).__name__ == "NotSet"


def _first_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__
