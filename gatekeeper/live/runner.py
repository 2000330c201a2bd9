"""One live audit: fuzz each operation with Schemathesis, then run our own probes.

For each operation whose method is allowed (GET, HEAD, OPTIONS unless writes are allowed):

1. **fuzz**: up to ``max_examples`` positive and ``negative_examples`` negative cases from
   Schemathesis, each sent through the one `Sender` and judged by Schemathesis checks;
2. **latency**: the first valid case is repeated until the operation has ``latency_samples``
   answers, so percentiles are never computed from one request;
3. **auth**: a secured operation is called without credentials and with invalid ones, with
   the case the server answered best (2xx first), each from an empty cookie jar. 401 or 403
   proves the credential is checked; a 2xx proves it is not; anything else (a 400 or 422 from
   validation that runs before authentication, a 404, a 5xx) proves neither and is recorded
   as inconclusive, never as "auth not enforced";
4. **not found**: an operation with a path parameter is called with a value that should not
   exist, to see a real 4xx body;
5. **rate limit**: where 429 is documented and none was seen yet, the first valid case is
   repeated (at most ``rate_limit_probe`` times) until a 429 comes, whose headers are then
   checked against the document.

With ``focus_failures`` (``--focus-failures``), the budget left after every operation was
audited is spent on the operations where something failed: fresh cases (new seeds) for them
in turn, until the request or time budget is spent or ``focus_rounds`` rounds are done.
Failures cluster: an operation that crashed on one input often crashes on others, and a
rare crash next to a common one is found by looking harder where the first was.

Every 4xx/5xx answer from any step is checked against the documented error response. After
the first timeout an operation is not called again; after two failed connections neither.
Budgets (requests, time, rate) are shared; when one is spent, or on Ctrl-C, the audit stops
and its result is marked partial with the reason and the operations it did not reach.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.errors import InputError
from gatekeeper.live.budget import Budget, BudgetExhausted
from gatekeeper.live.result import AuthRow, LiveResult, Observations, OperationStats
from gatekeeper.live.safety import Credentials, Redactor, method_allowed, prepare_schema
from gatekeeper.live.transport import Exchange, OriginError, Sender, no_other_transport

__all__ = ["AuditError", "AuditOptions", "run_audit"]

INVALID_TOKEN = "gatekeeper-invalid-credential"


class AuditError(InputError):
    """The audit cannot start (bad options, nothing to audit); the message says why."""


@dataclass(frozen=True)
class AuditOptions:
    base_url: str
    credentials: Credentials = field(default_factory=Credentials)
    allow_writes: bool = False
    allow_methods: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ()
    request_timeout: float = 10.0
    max_duration: float = 300.0
    max_requests: int = 1000
    rate_limit: float = 10.0
    max_examples: int = 10
    negative_examples: int = 3
    latency_samples: int = 5
    latency_budget_ms: float = 200.0
    error_rate_budget: float = 0.001  # a fraction: 0.001 is 0.1 %
    rate_limit_probe: int = 30
    trust_env: bool = False
    insecure: bool = False
    seed: int | None = None
    focus_failures: bool = False  # spend the budget left on operations that failed
    focus_rounds: int = 50
    fast_generation: bool = True  # direct values for simple schemas (gatekeeper.live.generate)

    def validate(self) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(self.base_url)
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise AuditError(f"--base-url has an invalid port: {self.base_url[:200]!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AuditError(f"--base-url must be an http or https URL, got {self.base_url[:200]!r}")
        if parts.username or parts.password:
            raise AuditError("--base-url must not carry credentials; use --header-env")
        for name, value in (("--request-timeout", self.request_timeout), ("--max-duration", self.max_duration)):
            if not value > 0:
                raise AuditError(f"{name} must be positive")
        if self.max_requests < 1:
            raise AuditError("--max-requests must be at least 1")
        if self.rate_limit < 0:
            raise AuditError("--rate-limit must be 0 (unlimited) or positive")


class _StopOperation(Exception):
    """This operation is not called again (timeout, repeated connection failures)."""


ProgressCallback = Callable[[str, Mapping[str, Any]], None]


def run_audit(spec: Any, options: AuditOptions, *, progress: ProgressCallback | None = None,
              redactor: Redactor | None = None) -> LiveResult:
    """Audit the service at ``options.base_url`` against ``spec`` (a `gatekeeper.Spec`)."""
    options.validate()
    try:
        import httpx  # noqa: F401
        import schemathesis  # noqa: F401
    except ImportError as exc:
        raise AuditError(f"the live audit needs the live extra: in a checkout of gatekeeper, pip install '.[live]' "
                         f"({exc.name} is missing)") from None
    redactor = redactor or options.credentials.redactor()
    notify = progress or (lambda event, data: None)
    from gatekeeper.live.fuzz import Fuzzer

    fuzzer = Fuzzer(_schema_for(spec), with_credentials=bool(options.credentials), seed=options.seed)
    budget = Budget(max_requests=options.max_requests, max_duration=options.max_duration,
                    rate_limit=options.rate_limit, per_request_timeout=options.request_timeout)
    sender = Sender(options.base_url, budget, credentials=options.credentials, redactor=redactor,
                    allow_hosts=options.allow_hosts, trust_env=options.trust_env,
                    verify=not options.insecure)
    result = LiveResult(base_url=options.base_url, options=options, redactor=redactor,
                        schemathesis_version=fuzzer.version)
    planned = []
    for op in spec.operations:
        if op.kind != "path":
            continue
        if not method_allowed(op.method, allow_writes=options.allow_writes, allow_methods=options.allow_methods):
            result.skipped.append({"operation": op.label, "reason": "write method; pass --allow-writes "
                                   f"or --allow-method {op.method.upper()} to audit it"})
            continue
        planned.append(op)
    result.planned = [op.label for op in planned]
    started = time.monotonic()
    try:  # from the start line on, Ctrl-C ends the audit with a partial report
        notify("start", {"operations": len(planned), "max_requests": options.max_requests,
                         "max_duration": options.max_duration})
        audit = _Audit(spec, options, fuzzer, sender, result, notify)
        with no_other_transport():
            for op in planned:
                audit.operation(op)
                result.done.append(op.label)
                notify("operation", {"label": op.label, "done": len(result.done), "requests": budget.sent,
                                     "time_left": budget.remaining_time})
            if options.focus_failures:
                audit.focus(planned)
    except BudgetExhausted as exc:
        result.stop(exc.reason)
    except KeyboardInterrupt:
        result.stop("interrupted (Ctrl-C)")
    finally:
        sender.close()
        result.duration = time.monotonic() - started
    result.finish(sender, spec)
    notify("finish", {"requests": budget.sent, "partial": result.partial})
    return result


def _schema_for(spec: Any) -> dict[str, Any]:
    def resolve(node: dict[str, Any]) -> tuple[Any, str] | None:
        target, pointer = spec.resolve(node, spec.root)
        return None if target is node else (target, pointer.file)

    return prepare_schema(spec.raw, resolve_ref=resolve)


class _Audit:
    def __init__(self, spec: Any, options: AuditOptions, fuzzer: Any, sender: Sender,
                 result: LiveResult, notify: ProgressCallback) -> None:
        self.spec = spec
        self.options = options
        self.fuzzer = fuzzer
        self.sender = sender
        self.result = result
        self.obs: Observations = result.observations
        self.notify = notify
        self._judged: set[tuple[int, int | None, str]] = set()

    # ------------------------------------------------------------------ per operation

    def operation(self, op: Any) -> None:
        self._judged.clear()
        st_op = self.fuzzer.operation(op.method, op.path)
        stats = self.result.stats_for(op)
        if st_op is None:
            reason = self.fuzzer.errors.get((op.method.upper(), op.path), "Schemathesis cannot generate requests for it")
            self.result.skipped.append({"operation": op.label, "reason": self.sender.redactor.redact(reason)})
            return
        try:
            cases, negative = self.generated_cases(op, st_op)
            if not cases and not negative:
                self.result.no_cases[op.label] = _why_no_cases(op)
            self.sender.budget.check()  # generation takes time too
            # With a real credential in the headers, a case made invalid in its headers may only
            # have broken (or dropped) the credential, which the real one then replaces.
            if self.options.credentials:
                negative = [c for c in negative if not _negative_at(c, "header")]
            answered: list[Any] = []  # positive cases the server answered, 2xx first
            for i, case in enumerate(cases + negative):
                ex = self.send_case(op, st_op, case, "fuzz", stats)
                if i < len(cases) and ex is not None and ex.status is not None:
                    answered.append((not 200 <= ex.status < 300, i, case))
            if cases and self.secured(op):
                best = min(answered, key=lambda item: item[:2])[2] if answered else cases[0]
                self.auth_probes(op, st_op, best, stats)
            if answered:
                base = min(answered, key=lambda item: item[:2])[2]
                for _ in range(self.options.latency_samples):  # bounded even if nothing answers
                    if stats.answered >= self.options.latency_samples:
                        break
                    self.send_case(op, st_op, base, "latency", stats)
                self.not_found_probe(op, st_op, base, stats)
                self.rate_limit_probe(op, st_op, base, stats)
        except _StopOperation:
            pass

    # ------------------------------------------------------------------ focus

    #: Findings that say an input made the operation fail (not latency, auth or bookkeeping).
    FAILURES = frozenset({"live/server-error", "live/error-body-mismatch", "live/response-schema-conformance",
                          "live/status-code-conformance", "live/content-type-conformance",
                          "live/response-headers-conformance", "live/negative-data-rejection",
                          "live/positive-data-acceptance"})

    def focus(self, planned: list[Any]) -> None:
        """Spend the budget left on the operations where something failed, round by round."""
        failing = {obs.operation for obs in self.obs.items.values() if obs.rule in self.FAILURES}
        targets = [op for op in planned if op.label in failing]
        row = {"operations": [op.label for op in targets], "rounds": 0, "requests": 0,
               "findings_before": len(self.obs.items), "findings_after": len(self.obs.items)}
        self.result.focus = row
        if not targets:
            return
        sent_before = self.sender.budget.sent
        seen: dict[str, set[str]] = {op.label: set() for op in targets}
        try:
            for round_ in range(1, self.options.focus_rounds + 1):
                row["rounds"] = round_
                for op in list(targets):
                    st_op = self.fuzzer.operation(op.method, op.path)
                    stats = self.result.stats_for(op)
                    fresh = [c for c in self.more_cases(op, st_op, round_) if _mark_new(c, seen[op.label])]
                    try:
                        for case in fresh:
                            self.send_case(op, st_op, case, "focus", stats)
                    except _StopOperation:
                        fresh = []
                    if not fresh:  # nothing new to try (or it stopped answering): leave it
                        targets = [t for t in targets if t is not op]
                if not targets:
                    break
        except BudgetExhausted:
            pass  # the point of the mode: the budget is spent, the audit itself is complete
        finally:
            row["requests"] = self.sender.budget.sent - sent_before
            row["findings_after"] = len(self.obs.items)

    def more_cases(self, op: Any, st_op: Any, round_: int) -> list[Any]:
        from gatekeeper.live.generate import draw, draw_negative, plan

        n = max(1, self.options.max_examples)
        seed = (self.options.seed or 0) * 7919 + round_
        simple = plan(op, self._resolve) if self.options.fast_generation else None
        if simple is not None:
            import zlib

            seed ^= zlib.crc32(op.label.encode())
            return draw(st_op, simple, n, seed) + draw_negative(st_op, simple, self.options.negative_examples, seed)
        return self.fuzzer.cases(st_op, n, seed=seed) + \
            self.fuzzer.cases(st_op, self.options.negative_examples, negative=True, seed=seed)

    def generated_cases(self, op: Any, st_op: Any) -> tuple[list[Any], list[Any]]:
        """Valid and invalid cases: drawn directly for simple schemas
        (`gatekeeper.live.generate`), by Schemathesis's Hypothesis strategies otherwise."""
        from gatekeeper.live.generate import draw, draw_negative, plan

        n, n_negative = self.options.max_examples, self.options.negative_examples
        simple = plan(op, self._resolve) if self.options.fast_generation else None
        if simple is not None and n > 0:
            import zlib

            seed = zlib.crc32(op.label.encode()) ^ (self.options.seed or 0)
            try:
                cases = draw(st_op, simple, n, seed)
                negative = draw_negative(st_op, simple, n_negative, seed) if n_negative > 0 else []
                if cases:
                    return cases, negative
            except Exception:  # noqa: BLE001, S110 - a schema corner we do not cover: Schemathesis does
                pass
        return self.fuzzer.cases(st_op, n), self.fuzzer.cases(st_op, n_negative, negative=True)

    def _resolve(self, node: Any) -> Any:
        target, _ = self.spec.resolve(node, self.spec.root)
        return target

    def send_case(self, op: Any, st_op: Any, case: Any, purpose: str, stats: OperationStats, *,
                  with_credentials: bool = True, skip: frozenset[str] = frozenset()) -> Exchange | None:
        try:
            kwargs = self.fuzzer.request_kwargs(case, self.sender.base_url)
        except Exception as exc:  # noqa: BLE001 - Schemathesis could not serialise this case
            stats.unsendable += 1
            detail = (str(exc).strip().splitlines() or [""])[0][:160]
            stats.notes.add(f"a generated case could not be serialised: {type(exc).__name__}"
                            + (f": {detail}" if detail else ""))
            return None
        try:
            ex = self.sender.send(op.label, purpose, with_credentials=with_credentials, **kwargs)
        except OriginError as exc:
            stats.unsendable += 1
            stats.notes.add(str(exc))
            return None
        stats.record(ex)
        budget = self.sender.budget
        self.notify("request", {"label": op.label, "requests": budget.sent, "time_left": budget.remaining_time})
        if not ex.sent:
            return ex
        if ex.error is not None:
            self.transport_failure(op, ex, stats)
            return ex
        # A case repeated (latency samples, the rate-limit probe) is judged again only when its
        # answer's status changed: the same request with the same status was judged already.
        judged = (id(case), ex.status, ex.content_type)
        if purpose in ("latency", "rate-limit") and judged in self._judged:
            return ex
        self._judged.add(judged)
        for failure in self.fuzzer.validate(case, ex, skip=skip):
            self.obs.check_failure(op, failure, ex, self.sender, negative=_is_negative(case))
        return ex

    def transport_failure(self, op: Any, ex: Exchange, stats: OperationStats) -> None:
        if ex.cut:  # the audit's time is up: not the server's fault, and the run ends here
            raise BudgetExhausted(f"time budget of {self.options.max_duration:g} s spent")
        if ex.error == "timeout":
            self.obs.add("live/timeout", op, f"`{op.label}` gave {ex.error_detail}; the audit stopped "
                         "calling it", ex, self.sender)
            raise _StopOperation
        self.obs.add("live/connection-failed", op, f"`{op.label}`: {_CONNECTION_TEXT.get(ex.error, ex.error)}"
                     f" ({ex.error_detail})", ex, self.sender)
        if stats.transport_failures >= 2:
            raise _StopOperation

    # ------------------------------------------------------------------ auth

    def secured(self, op: Any) -> bool:
        sec = op.security
        return bool(sec) and all(len(req) > 0 for req in sec)

    def auth_probes(self, op: Any, st_op: Any, base: Any, stats: OperationStats) -> None:
        requirement = op.security[0]
        schemes = [self.spec.security_scheme(name) for name in requirement]
        schemes = [s for s in schemes if s is not None]
        row = AuthRow(operation=op.label, schemes=[s.name for s in schemes])
        self.result.auth.append(row)
        probe_able = [s for s in schemes if _credential_slot(s) is not None]
        if not probe_able:
            row.note = "no scheme the audit can send (e.g. mutualTLS)"
            return
        stripped = _strip_credentials(base, self.spec, op)
        for scenario, case in (("no_credentials", self.fuzzer.make_case(st_op, base=base, **stripped)),
                               ("invalid_credentials", self._invalid(st_op, base, stripped, probe_able))):
            # Our own verdict below replaces Schemathesis's ignored_auth on these two requests.
            ex = self.send_case(op, st_op, case, "auth-none" if scenario == "no_credentials" else "auth-invalid",
                                stats, with_credentials=False, skip=frozenset({"ignored_auth"}))
            if ex is None or not ex.sent:
                continue
            setattr(row, scenario, ex.status if ex.error is None else ex.error)
            what = "without credentials" if scenario == "no_credentials" else "with invalid credentials"
            if ex.error is None and 200 <= (ex.status or 0) < 300:
                self.obs.add("live/auth-not-enforced", op,
                             f"`{op.label}` accepted a request {what} with {ex.status}; expected 401 or 403",
                             ex, self.sender)
            elif ex.error is None and ex.status not in (401, 403):
                row.note = (f"{what}: {ex.status} proves neither (the server may check the request "
                            "before the credential); inconclusive")

    def _invalid(self, st_op: Any, base: Any, stripped: dict[str, Any], schemes: list[Any]) -> Any:
        fields = {k: dict(v) for k, v in stripped.items()}
        for scheme in schemes:
            where, name, value = _credential_slot(scheme)  # type: ignore[misc]
            fields.setdefault(where, {})[name] = value
        return self.fuzzer.make_case(st_op, base=base, **fields)

    # ------------------------------------------------------------------ error bodies

    def not_found_probe(self, op: Any, st_op: Any, base: Any, stats: OperationStats) -> None:
        params = dict(base.path_parameters or {})
        changed = False
        for p in op.parameters:
            if p.location != "path" or not isinstance(p.schema, dict) or "enum" in p.schema:
                continue
            value = _unlikely_value(p.schema)
            if value is not None:
                params[p.name] = value
                changed = True
        if changed:
            case = self.fuzzer.make_case(st_op, base=base, path_parameters=params)
            self.send_case(op, st_op, case, "not-found", stats)

    # ------------------------------------------------------------------ rate limits

    def rate_limit_probe(self, op: Any, st_op: Any, base: Any, stats: OperationStats) -> None:
        declared = op.responses.get("429")
        if declared is None:
            return
        headers = sorted(declared.headers)
        row = {"operation": op.label, "documented_headers": headers, "provoked": False,
               "requests": 0, "missing_headers": []}
        self.result.rate_limits.append(row)
        seen = next((ex for ex in self.sender.exchanges
                     if ex.operation == op.label and ex.status == 429), None)
        sent = 0
        while seen is None and sent < self.options.rate_limit_probe:
            ex = self.send_case(op, st_op, base, "rate-limit", stats)
            sent += 1
            if ex is not None and ex.status == 429:
                seen = ex
        row["requests"] = sent
        if seen is None:
            rate = f"{self.options.rate_limit:g}/s" if self.options.rate_limit else "full speed"
            self.obs.add("live/rate-limit-not-verified", op,
                         f"`{op.label}` documents 429 but {sent} requests at {rate} provoked none", None,
                         self.sender)
            return
        row["provoked"] = True
        missing = [h for h in headers if seen.header(h) is None]
        row["missing_headers"] = missing
        if missing:
            self.obs.add("live/rate-limit-headers-missing", op,
                         f"`{op.label}` answered 429 without the documented header(s) {', '.join(missing)}",
                         seen, self.sender)


_CONNECTION_TEXT = {
    "connection-refused": "the connection was refused",
    "connection-dropped": "the connection was dropped before the answer was complete",
    "transport-error": "the request failed below HTTP",
}


_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null", "file"})


def _why_no_cases(op: Any) -> str:
    """Why the generator produced nothing, as precisely as the document lets us say."""
    odd = []
    for p in op.parameters:
        kind = p.schema.get("type") if isinstance(p.schema, dict) else None
        kinds = kind if isinstance(kind, list) else [kind]
        bad = [k for k in kinds if isinstance(k, str) and k not in _JSON_TYPES]
        if bad:
            odd.append(f"parameter `{p.name}` has type `{bad[0]}`, which is no JSON Schema type")
    if odd:
        return "no request was generated: " + "; ".join(odd)
    return "no request was generated: the document gives no value the generator can produce for its " \
           "parameters or body"


def _mark_new(case: Any, seen: set[str]) -> bool:
    """True the first time a case with these values is met (recorded in ``seen``)."""
    key = repr((case.path_parameters, case.query, dict(case.headers or {}), case.cookies,
                None if type(case.body).__name__ == "NotSet" else case.body))
    if key in seen:
        return False
    seen.add(key)
    return True


def _negative_at(case: Any, location: str) -> bool:
    meta = getattr(case, "meta", None)
    for loc, info in (getattr(meta, "components", None) or {}).items():
        if str(getattr(loc, "value", loc)) == location and str(getattr(info.mode, "value", info.mode)) == "negative":
            return True
    return False


def _is_negative(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return str(getattr(mode, "value", mode)) == "negative"


def _credential_slot(scheme: Any) -> tuple[str, str, str] | None:
    """Where an invalid credential for this scheme goes: (case field, name, value)."""
    import base64

    if scheme.type == "apiKey":
        where = {"header": "headers", "query": "query", "cookie": "cookies"}.get(scheme.location or "")
        name = scheme.data.get("name")
        if where is None or not isinstance(name, str):
            return None
        return where, name, INVALID_TOKEN
    if scheme.type == "http":
        kind = (scheme.scheme or "").lower()
        if kind == "basic":
            return "headers", "Authorization", "Basic " + base64.b64encode(b"gatekeeper:invalid").decode()
        return "headers", "Authorization", f"{(scheme.scheme or 'Bearer').capitalize()} {INVALID_TOKEN}"
    if scheme.type in ("oauth2", "openIdConnect"):
        return "headers", "Authorization", f"Bearer {INVALID_TOKEN}"
    return None


def _strip_credentials(base: Any, spec: Any, op: Any) -> dict[str, Any]:
    """The base case's headers, query and cookies without any credential of any scheme."""
    headers = {k: v for k, v in (base.headers or {}).items()}
    query = dict(base.query or {})
    cookies = dict(base.cookies or {})
    names: dict[str, set[str]] = {"headers": {"authorization"}, "query": set(), "cookies": set()}
    for requirement in op.security or ():
        for scheme_name in requirement:
            scheme = spec.security_scheme(scheme_name)
            slot = _credential_slot(scheme) if scheme is not None else None
            if slot is not None:
                names[slot[0]].add(slot[1].lower())
    return {
        "headers": {k: v for k, v in headers.items() if k.lower() not in names["headers"]},
        "query": {k: v for k, v in query.items() if k.lower() not in names["query"]},
        "cookies": {k: v for k, v in cookies.items() if k.lower() not in names["cookies"]},
    }


def _unlikely_value(schema: Mapping[str, Any]) -> Any:
    """A valid value for a path parameter that is unlikely to name an existing resource."""
    kind = schema.get("type")
    if kind == "integer":
        high = schema.get("maximum")
        low = schema.get("minimum")
        value = 987_654_321
        if isinstance(high, (int, float)) and not isinstance(high, bool):
            value = int(high) - (1 if schema.get("exclusiveMaximum") is True else 0)
            if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(
                    schema.get("exclusiveMaximum"), bool):
                value = int(schema["exclusiveMaximum"]) - 1
        if isinstance(low, (int, float)) and value < low:
            return None
        return value
    if kind in ("string", None) and not schema.get("format") and not schema.get("pattern"):
        value = "gatekeeper-not-found"
        max_len = schema.get("maxLength")
        min_len = schema.get("minLength", 0)
        if isinstance(max_len, int) and len(value) > max_len:
            value = value[:max_len]
        if isinstance(min_len, int) and len(value) < min_len:
            return None
        return value or None
    if kind == "string" and schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return None
