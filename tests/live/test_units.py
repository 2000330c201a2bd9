"""The live audit's building blocks that need no server: redaction, the schema handed to
Schemathesis, budgets, percentiles and the configuration table."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from gatekeeper.errors import ConfigError
from gatekeeper.live import stats
from gatekeeper.live.budget import Budget, BudgetExhausted
from gatekeeper.live.options import build_options
from gatekeeper.live.safety import (
    CredentialError,
    Credentials,
    Redactor,
    check_origin,
    prepare_schema,
)


@pytest.mark.parametrize("encode", [
    lambda s: s,
    lambda s: base64.b64encode(s.encode()).decode(),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    lambda s: quote(s, safe=""),
    lambda s: json.dumps(s)[1:-1],
    lambda s: base64.b64encode(f"user:{s}".encode()).decode(),  # inside Basic auth
    lambda s: base64.b64encode(f"ab{s}xyz".encode()).decode(),  # at another Base64 alignment
])
def test_redactor_masks_every_encoding_of_a_secret(encode):
    secret = "s3cr3t/tok+en=value"
    redactor = Redactor([f"Bearer {secret}"])
    text = f"before {encode(secret)} after"
    out = redactor.redact(text)
    assert encode(secret)[:12] not in out or len(encode(secret)) < 12
    assert "[REDACTED]" in out and out.startswith("before ") and out.endswith(" after")


def test_redactor_leaves_short_values_and_other_text_alone():
    redactor = Redactor(["abc"])
    assert redactor.redact("abcdef") == "abcdef"
    assert Redactor().redact("anything") == "anything"
    assert Redactor(["Bearer long-enough-secret"]).redact_data(
        {"k": ["x long-enough-secret y", 3]}) == {"k": ["x [REDACTED] y", 3]}


def test_credentials_come_only_from_flags_and_the_environment():
    creds = Credentials.from_flags(["Authorization=TOKEN_VAR"], ["X-Trace: 1"], environ={"TOKEN_VAR": "Bearer t0ken"})
    assert creds.headers == (("Authorization", "Bearer t0ken"), ("X-Trace", "1"))
    assert creds.sources == ("Authorization from $TOKEN_VAR", "X-Trace from --header")
    with pytest.raises(CredentialError, match="TOKEN_VAR is not set"):
        Credentials.from_flags(["Authorization=TOKEN_VAR"], environ={})
    with pytest.raises(CredentialError, match="NAME=VARIABLE"):
        Credentials.from_flags(["Authorization"], environ={})
    with pytest.raises(CredentialError, match="not a valid HTTP header name"):
        Credentials.from_flags(["Bad Header=V"], environ={"V": "x"})


def test_only_the_base_origin_and_allowed_hosts_are_trusted():
    base = "http://127.0.0.1:8000/api"
    assert check_origin("http://127.0.0.1:8000/api/pets?x=1", base)
    assert not check_origin("http://127.0.0.1:8001/api/pets", base)
    assert not check_origin("https://127.0.0.1:8000/api/pets", base)
    assert not check_origin("http://localhost:8000/api/pets", base)
    assert check_origin("http://localhost:8000/x", base, allow_hosts=["LOCALHOST"])


def test_prepared_schema_cannot_reach_the_network():
    raw = {
        "openapi": "3.0.3",
        "servers": [{"url": "http://attacker.invalid"}],
        "externalDocs": {"url": "http://attacker.invalid/docs"},
        "paths": {"/a": {
            "servers": [{"url": "http://attacker.invalid"}],
            "get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Q"},
                                "examples": {"x": {"externalValue": "http://attacker.invalid/x"}}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "http://attacker.invalid/schema.json"}}}}},
            }}},
        "components": {"schemas": {"Q": {"type": "string", "externalDocs": {"url": "http://attacker.invalid"}}}},
    }
    prepared = prepare_schema(raw)
    text = json.dumps(prepared)
    assert "attacker.invalid" not in text
    op = prepared["paths"]["/a"]["get"]
    assert op["parameters"][0]["schema"] == {"$ref": "#/components/schemas/Q"}  # local refs stay
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {}
    assert raw["servers"]  # the original is untouched


def test_prepared_schema_inlines_other_files_through_gatekeepers_resolver():
    target = {"type": "object", "properties": {"self": {"$ref": "#/Pet"}}}
    ref = {"$ref": "pet.yaml#/Pet"}
    inner = target["properties"]["self"]
    raw = {"openapi": "3.0.3", "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": ref}}}}}}}}

    def resolve(node):
        if node is ref or node is inner:  # pet.yaml#/Pet, and its own recursive "#/Pet"
            return target, "pet.yaml"
        return None

    schema = prepare_schema(raw, resolve)["paths"]["/p"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert schema == {"type": "object", "properties": {"self": {}}}  # recursion cut, never a foreign "#"


def test_budget_counts_requests_and_time():
    now = [0.0]
    budget = Budget(max_requests=2, max_duration=10, rate_limit=0, per_request_timeout=4, clock=lambda: now[0])
    budget.acquire()
    budget.acquire()
    with pytest.raises(BudgetExhausted, match="request budget of 2"):
        budget.acquire()
    budget = Budget(max_requests=10, max_duration=10, rate_limit=0, per_request_timeout=4, clock=lambda: now[0])
    now[0] = 8.0
    assert budget.request_timeout() == 2.0  # never beyond the time budget
    now[0] = 10.5
    with pytest.raises(BudgetExhausted, match="time budget of 10 s"):
        budget.acquire()


def test_percentiles_are_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    summary = stats.summary(values)
    assert (summary["p50_ms"], summary["p95_ms"], summary["p99_ms"], summary["max_ms"]) == (50, 95, 99, 100)
    assert stats.summary([])["p95_ms"] is None
    hist = stats.histogram([0.001, 0.3, 9.0])
    assert [b["count"] for b in hist if b["count"]] == [1, 1, 1] and hist[-1] == {"le_ms": None, "count": 1}


def test_config_table_sets_budgets_and_flags_override_it():
    opts = build_options("http://127.0.0.1:1", {"latency-budget": 300.0},
                         {"latency-budget": 150, "error-rate-budget": 1, "max-requests": 50})
    assert (opts.latency_budget_ms, opts.error_rate_budget, opts.max_requests) == (300.0, 0.01, 50)
    with pytest.raises(ConfigError, match="unknown key `live.base-url`"):
        build_options("http://127.0.0.1:1", {}, {"base-url": "http://x"})
    with pytest.raises(ConfigError, match="must be a number"):
        build_options("http://127.0.0.1:1", {}, {"max-requests": "many"})
