"""The `errors` and `auth` gates: the Spec views they add, metrics, knobs given through a real
configuration file, and the CLI catalogue. The sample specs under sample_specs/errors and
sample_specs/auth are run by tests/test_gates.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper import (
    Config, error_responses, is_health_endpoint, is_json_media, is_well_known_auth_endpoint, load,
    load_config, run,
)

from gates import auth, errors
from gates.auth.common import security_class
from gates.errors.shape import is_problem_media, schema_shape

from conftest import SAMPLES, run_cli

OPS = """\
openapi: 3.1.0
info: {title: T, version: 1.0.0}
paths:
  /a:
    get:
      responses: {'200': {description: OK}, default: {description: E}}
    post:
      responses: {default: {description: Only}}
    put:
      responses: {'204': {description: Done}, 4xx: {description: E}, '503': {description: E}}
    delete:
      security: []
      responses: {'302': {description: Moved}, default: {description: E}}
    patch:
      security: [{}, {b: []}]
      responses: {'200': {description: OK}}
    head:
      security: [{}]
      responses: {'200': {description: OK}}
components:
  securitySchemes:
    b: {type: http, scheme: bearer}
"""


def _op(spec, method):
    return next(op for op in spec.operations if op.method == method)


def test_error_responses_view(spec_from_text) -> None:
    spec = spec_from_text(OPS)
    codes = {m: [r.code for r in error_responses(_op(spec, m))]
             for m in ("get", "post", "put", "delete")}
    assert codes == {"get": ["default"], "post": [], "put": ["4xx", "503"],
                     "delete": ["default"]}
    assert error_responses(_op(spec, "get"), accept_default=False) == ()


def test_security_class_view(spec_from_text) -> None:
    spec = spec_from_text(OPS)
    assert security_class(_op(spec, "get")) == "undeclared"
    assert security_class(_op(spec, "delete")) == "public"
    assert security_class(_op(spec, "delete"), empty_means="undeclared") == "undeclared"
    assert security_class(_op(spec, "head")) == "public"
    assert security_class(_op(spec, "patch")) == "optional"


@pytest.mark.parametrize("name, json_, problem", [
    ("application/json", True, False), ("application/problem+json", True, True),
    ("application/vnd.api+json; charset=utf-8", True, False), ("text/plain", False, False),
    ("application/problem+xml", False, True), ("APPLICATION/JSON", True, False),
])
def test_media_classification(name: str, json_: bool, problem: bool) -> None:
    assert is_json_media(name) is json_
    assert is_problem_media(name) is problem


@pytest.mark.parametrize("path, known", [
    ("/oauth2/token", True), ("/v1/users/login", True), ("/login.json", True),
    ("/Register/", True), ("/password/reset", True), ("/authorize", True),
    ("/v1/apps/accesstokens", True), ("/auth/forgot-password", True),
    ("/tokens", False), ("/login-history", False), ("/orders", False), ("/token/{id}", False),
])
def test_well_known_auth_endpoints(path: str, known: bool) -> None:
    assert is_well_known_auth_endpoint(path) is known


@pytest.mark.parametrize("path, health", [
    ("/health", True), ("/api/v1/health/", True), ("/heartbeat/database", True),
    ("/v2/healthz", True), ("/ping", True), ("/sources/{id}/health", True),
    ("/healthy-recipes", False), ("/orders/{id}/status", False), ("/pings/{id}/replies", False),
])
def test_health_endpoints(path: str, health: bool) -> None:
    assert is_health_endpoint(path) is health


SHAPES = """\
openapi: 3.1.0
info: {title: T, version: 1.0.0}
paths: {}
components:
  schemas:
    Problem: {type: object, properties: {type: {type: string}, title: {type: string}}}
    Sub: {allOf: [{$ref: '#/components/schemas/Problem'}, {properties: {x: {type: string}}}]}
    SubSub: {allOf: [{$ref: '#/components/schemas/Sub'}]}
    Env:
      properties: {error: {properties: {code: {type: string}, message: {type: string}}}}
    Errs:
      properties:
        errors: {type: array, items: {properties: {code: {type: string}, message: {type: string}}}}
    Bare: {type: object}
    Str: {type: string}
    Mixed: {oneOf: [{$ref: '#/components/schemas/Problem'}, {type: string}]}
    Arr: {type: array, items: {$ref: '#/components/schemas/Env'}}
    Node: {properties: {child: {$ref: '#/components/schemas/Node'}, code: {type: string}}}
"""


def test_schema_shape_view(spec_from_text) -> None:
    spec = spec_from_text(SHAPES)

    def shape(name):
        schema, ptr = spec.schemas[name]
        return schema_shape(spec, schema, ptr)

    assert shape("Problem")["kind"] == "problem"
    assert shape("SubSub")["base"] == spec.schemas["SubSub"][1]  # a named schema is its own
    assert shape("Sub")["kind"] == "problem" and shape("Sub")["properties"] >= {"x", "type"}
    assert shape("Env")["kind"] == "error-envelope"
    assert shape("Errs")["kind"] == "errors-envelope"
    assert not shape("Bare")["structured"] and not shape("Str")["structured"]
    assert not shape("Mixed")["structured"]
    assert shape("Arr")["structured"] and shape("Arr")["kind"] == "error-envelope"
    assert shape("Node")["structured"]  # recursive schemas terminate


def test_inline_allof_extension_takes_the_base_family(spec_from_text) -> None:
    spec = spec_from_text("""\
openapi: 3.0.3
info: {title: T, version: 1.0.0}
paths:
  /a:
    get:
      responses:
        '200': {description: OK}
        '400':
          description: E
          content:
            application/json:
              schema: {allOf: [{$ref: '#/components/schemas/Sub'}, {properties: {y: {}}}]}
        '404': {description: E, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
components:
  schemas:
    Problem: {type: object, properties: {type: {type: string}, title: {type: string}}}
    Sub: {allOf: [{$ref: '#/components/schemas/Problem'}, {properties: {x: {type: string}}}]}
""")
    families = errors.error_families(spec)
    assert len(families) == 1 and families[0].kind == "problem"


def test_metrics(spec_from_text) -> None:
    spec = spec_from_text(OPS)
    m = errors.error_coverage(spec)
    # get: default without body; put: no bodies; head: any error response counts -> none
    assert (m.passed, m.total) == (0, 6)
    a = auth.auth_coverage(spec)
    # patch is optional (secured); head and delete public unlisted; the rest undeclared
    assert (a.passed, a.total) == (1, 6)
    a = auth.auth_coverage(spec, public_operations=("DELETE /a", {"path": "/a",
                                                                  "methods": ["head"]}))
    assert a.passed == 3


def _gate(report, name):
    result = report.gate(name)
    assert result is not None
    return result


def test_petstore_and_showcase() -> None:
    pet = run(load(str(SAMPLES / "petstore.yaml")), [errors.GATE, auth.GATE], Config(),
              raise_errors=True)
    assert all(g.passed and not g.findings for g in pet.gates)
    assert _gate(pet, "errors").metric.value == 1.0
    assert _gate(pet, "auth").metric.value == 1.0
    show = run(load(str(SAMPLES / "showcase.yaml")), [errors.GATE, auth.GATE], Config(),
               raise_errors=True)
    assert not _gate(show, "errors").passed and not _gate(show, "auth").passed


def test_rule_allow_option_from_a_config_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("""\
openapi: 3.1.0
info: {title: T, version: 1.0.0}
servers: [{url: 'https://api.example.com'}]
security: [{b: []}]
paths:
  /orders:
    post:
      security: []
      responses: {'201': {description: Created}, '401': {description: No}}
components:
  securitySchemes:
    b: {type: http, scheme: bearer}
""")
    before = run(load(str(spec)), [auth.GATE], Config(), raise_errors=True)
    assert not _gate(before, "auth").passed
    (tmp_path / "gatekeeper.toml").write_text(
        '[rules]\n"auth/public-write-operation" = { allow = ["POST /orders"] }\n')
    cfg = load_config(str(tmp_path / "gatekeeper.toml"))
    after = run(load(str(spec)), [auth.GATE], cfg, raise_errors=True)
    assert _gate(after, "auth").passed
    assert not any(f.rule == "auth/public-write-operation" for f in _gate(after, "auth").findings)


def test_gate_options_from_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "gatekeeper.toml").write_text(
        '[gates.errors]\nmax-error-schemas = 2\naccept-default = false\n'
        '[gates.auth]\npublic-operations = [{path = "/a", methods = ["delete"]}]\n')
    cfg = load_config(str(tmp_path / "gatekeeper.toml"))
    spec = tmp_path / "spec.yaml"
    spec.write_text(OPS)
    report = run(load(str(spec)), [errors.GATE, auth.GATE], cfg, raise_errors=True)
    rules = {(f.rule, f.pointer) for g in report.gates for f in g.findings}
    # with accept-default off, `default` next to 200 no longer counts
    assert ("errors/missing-error-response", "#/paths/~1a/get/responses") in rules
    assert not any(r == "auth/public-write-operation" and "delete" in p for r, p in rules)


def test_waiver_on_the_operation(spec_from_text) -> None:
    spec = spec_from_text(OPS.replace("    post:\n", "    post:\n      x-gatekeeper-ignore: "
                                                     "[errors/missing-error-response]\n"))
    report = run(spec, [errors.GATE], Config(), raise_errors=True)
    waived = [f for f in _gate(report, "errors").findings if f.waived]
    assert [f.pointer for f in waived] == ["#/paths/~1a/post/responses"]


@pytest.mark.parametrize("key", [
    '"x-gatekeeper-\\x69gnore"', '"\\u0078-gatekeeper-ignore"', '"x\\U0000002Dgatekeeper-ignore"',
    '? "x-gatekeeper-\\\n        ignore"\n      ',
])
def test_waiver_key_spelled_with_escapes(spec_from_text, key) -> None:
    """A waiver key written with escapes (or an escaped line break) in a double-quoted YAML
    key waives as the plain key does."""
    spec = spec_from_text(OPS.replace("    post:\n", f"    post:\n      {key}: "
                                                     "[errors/missing-error-response]\n"))
    report = run(spec, [errors.GATE], Config(), raise_errors=True)
    waived = [f for f in _gate(report, "errors").findings if f.waived]
    assert [f.pointer for f in waived] == ["#/paths/~1a/post/responses"]


@pytest.mark.parametrize("accents", [0, 3000])
def test_waiver_key_spelled_with_escapes_in_json(spec_from_text, accents) -> None:
    """The same in JSON, where `\\u` is the only escape, also among thousands of other
    escaped letters (written as `json.dumps` writes them)."""
    import json

    import yaml

    data = yaml.safe_load(OPS)
    data["info"]["description"] = "é" * accents
    data["paths"]["/a"]["post"]["x-gatekeeper-ignore"] = ["errors/missing-error-response"]
    text = json.dumps(data).replace("x-gatekeeper-ignore", "x-gatekeeper-ign\\u006Fre")
    report = run(spec_from_text(text, "spec.json"), [errors.GATE], Config(), raise_errors=True)
    waived = [f for f in _gate(report, "errors").findings if f.waived]
    assert [f.pointer for f in waived] == ["#/paths/~1a/post/responses"]


@pytest.mark.parametrize("written", ["x-gatekeeper-ignore", "x-gatekeeper-ign\\u006Fre", None])
def test_waiver_key_in_a_big_compact_json_spec(spec_from_text, written) -> None:
    """A JSON spec over 64 KB written as orjson writes it (canonical: its waiver key can only
    be spelled literally, one `in` settles it) waives as any other; escaped, it is not
    canonical and the escapes are looked for."""
    import json

    import yaml

    data = yaml.safe_load(OPS)
    data["info"]["description"] = "x" * 70_000
    data["paths"]["/a"]["post"]["x-gatekeeper-ignore"] = ["errors/missing-error-response"]
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if written is None:
        text = text.replace('"x-gatekeeper-ignore"', '"x-unrelated"')
    else:
        text = text.replace("x-gatekeeper-ignore", written)
    spec = spec_from_text(text, "spec.json")
    assert spec.documents[""].canonical == (written in ("x-gatekeeper-ignore", None))
    report = run(spec, [errors.GATE], Config(), raise_errors=True)
    waived = [f.pointer for f in _gate(report, "errors").findings if f.waived]
    assert waived == ([] if written is None else ["#/paths/~1a/post/responses"])


def test_rules_and_explain_cover_every_rule() -> None:
    out = run_cli("rules")
    assert out.returncode == 0, out.stderr
    for gate in (errors.GATE, auth.GATE):
        for r in gate.rules:
            assert r.id in out.stdout
            for section in ("## What it does", "## Why is this bad?", "## Example"):
                assert section in r.docs, (r.id, section)
            if r.options and set(r.options) - {"exempt_methods", "include_webhooks",
                                               "include_callbacks", "accept_default"}:
                assert "## Options" in r.docs, r.id
    for rid in ("errors/inconsistent-error-schemas", "auth/public-write-operation"):
        shown = run_cli("explain", rid)
        assert shown.returncode == 0 and "Why is this bad?" in shown.stdout


def test_gates_never_crash_on_hostile_shapes(spec_from_text) -> None:
    spec = spec_from_text("""\
openapi: 3.0.3
info: {title: T, version: 1.0.0}
security: [{}, 7, {b: 3}]
paths:
  /a:
    get:
      security: [{b: [1, null]}, {nope: []}]
      responses:
        200: {description: OK}
        '400': {description: E, content: {application/json: {schema: {oneOf: []}}}}
        '401': {description: E, content: {application/json: {schema: {allOf: [7]}}}}
        '500': {description: E, content: {application/json: {schema: {type: [object, 'null'], properties: {error: 3}}}}}
components:
  securitySchemes:
    b: {type: oauth2, flows: 5}
    c: {type: http}
    d: 3
""")
    report = run(spec, [errors.GATE, auth.GATE], Config(), raise_errors=True)
    assert {g.name for g in report.gates} == {"errors", "auth"}
