"""OpenAPI 3.1/3.2 specifics of the validity gate that a user sees: Schema Objects checked
against their dialect, 3.2 `additionalOperations` seen by every gate, and the messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gatekeeper import Config, load, run
from gatekeeper.config import GateConfig
from gatekeeper.registry import builtin_gates

GATES = {g.name: g for g in builtin_gates()}


def _findings(tmp_path: Path, text: str, gate: str = "validity", options: dict | None = None,
              name: str = "spec.yaml") -> list:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    config = Config(gates={gate: GateConfig(options=options or {})})
    report = run(load(str(path)), [GATES[gate]], config, raise_errors=True)
    return list(report.gate(gate).findings)


BAD_SCHEMAS = """\
    openapi: {version}
    info: {{title: t, version: '1'}}
    paths:
      /pets:
        get:
          parameters:
            - {{name: q, in: query, schema: {{type: 123}}}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {{required: name, allOf: {{}}, xml: {{name: 3}}}}
    components:
      schemas:
        Pet: {{required: name}}
        Owner: {{allOf: {{}}}}
        Kind: {{type: 123}}
        Tag: {{xml: {{name: 3}}}}
    """


@pytest.mark.parametrize("version", ["3.1.0", "3.2.0"])
def test_schema_objects_checked_inline_and_in_components(tmp_path: Path, version: str) -> None:
    found = {(f.pointer, f.message.split(" (at ")[0]) for f in
             _findings(tmp_path, BAD_SCHEMAS.format(version=version))
             if f.rule == "validity/schema-violation"}
    media = "#/paths/~1pets/get/responses/200/content/application~1json/schema"
    assert (f"{media}/required", "must be an array, not a string") in found
    assert (f"{media}/allOf", "must be an array, not an object") in found
    assert (f"{media}/xml/name", "must be a string, not an integer") in found
    assert any(p == "#/paths/~1pets/get/parameters/0/schema/type" for p, _ in found)
    assert ("#/components/schemas/Pet/required", "must be an array, not a string") in found
    assert ("#/components/schemas/Owner/allOf", "must be an array, not an object") in found
    assert any(p == "#/components/schemas/Kind/type" and "`123`" in m for p, m in found)
    assert ("#/components/schemas/Tag/xml/name", "must be a string, not an integer") in found


def test_plain_2020_12_dialect_does_not_check_oas_keywords(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema
        info: {title: t, version: '1'}
        paths: {}
        components:
          schemas:
            Free: {xml: 5}
            Wrong: {required: name}
        """
    found = _findings(tmp_path, text)
    assert [f.pointer for f in found] == ["#/components/schemas/Wrong/required"]


def test_older_json_schema_drafts_checked_by_their_own_meta_schema(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        jsonSchemaDialect: http://json-schema.org/draft-07/schema#
        info: {title: t, version: '1'}
        paths: {}
        components:
          schemas:
            Draft4:
              $schema: http://json-schema.org/draft-04/schema#
              type: number
              minimum: 1
              exclusiveMinimum: true
            Draft7: {type: object, required: name}
        """
    found = _findings(tmp_path, text)
    assert [(f.rule, f.pointer) for f in found] == [
        ("validity/schema-violation", "#/components/schemas/Draft7/required")]


def test_unknown_dialect_reported_and_not_guessed(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        jsonSchemaDialect: https://example.com/dialect
        info: {title: t, version: '1'}
        paths: {}
        components:
          schemas:
            Wrong: {required: name}
        """
    found = _findings(tmp_path, text)
    assert [(f.rule, f.severity.value if hasattr(f.severity, "value") else f.severity)
            for f in found] == [("validity/unknown-dialect", "error")]


def test_extension_fields_not_listed_as_unexpected(tmp_path: Path) -> None:
    text = """\
        openapi: 3.1.0
        info: {title: t, version: '1'}
        tags: [{name: pets, source: x, x-groups: [a]}]
        paths: {}
        """
    (finding,) = _findings(tmp_path, text)
    assert finding.message == "unexpected field `source` (at /tags/0/source)"
    assert (finding.location.line, finding.location.column) == (3, 21)


def test_message_names_the_discriminating_field_in_openapi_words(tmp_path: Path) -> None:
    text = """\
        swagger: '2.0'
        info: {title: t, version: '1'}
        paths:
          /p:
            get:
              parameters:
                - {name: a, in: querystring, type: string}
                - {name: f, in: header, type: file}
                - {name: g, in: query, type: string, required: 'yes'}
              responses: {'200': {description: ok}}
        """
    messages = [f.message for f in _findings(tmp_path, text)]
    assert messages[0].startswith("`querystring` is not a valid `in`: must be one of `body`")
    assert messages[1] == ("type `file` is allowed only for parameters `in: formData` "
                           "(at /paths/~1p/get/parameters/1/type)")
    assert messages[2] == ("must be a boolean, not a string "
                           "(at /paths/~1p/get/parameters/2/required)")
    assert not any("dict" in m or "{'" in m for m in messages)


def test_unsupported_version_message_lists_3_2(tmp_path: Path) -> None:
    from gatekeeper.errors import SpecError

    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(SpecError, match=r"3\.2\.x"):
        load(str(path))


ADDITIONAL = """\
    openapi: 3.2.0
    info: {title: t, version: '1'}
    components:
      securitySchemes:
        key: {type: apiKey, in: header, name: X-Key}
    paths:
      /pets:
        get:
          summary: List pets
          description: All pets.
          operationId: listPets
          security: [{key: []}]
          responses: {'200': {description: ok}}
        additionalOperations:
          SEARCH:
            responses:
              '200':
                description: Pets found
                content:
                  application/json:
                    schema: {type: array, items: {type: object}}
    """


def test_additional_operations_are_operations(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(textwrap.dedent(ADDITIONAL), encoding="utf-8")
    labels = [op.label for op in load(str(spec_path)).operations]
    assert labels == ["GET /pets", "SEARCH /pets"]


def test_docs_auth_pagination_see_additional_operations(tmp_path: Path) -> None:
    docs = _findings(tmp_path, ADDITIONAL, gate="docs")
    assert any(f.rule == "docs/undocumented-operation" and "SEARCH /pets" in f.message
               for f in docs)
    auth = _findings(tmp_path, ADDITIONAL, gate="auth")
    assert any(f.rule == "auth/undeclared-security" and "SEARCH /pets" in f.message
               for f in auth)
    assert not any("GET /pets" in f.message for f in auth if f.rule == "auth/undeclared-security")
    pagination = _findings(tmp_path, ADDITIONAL, gate="pagination",
                           options={"search_methods": ["SEARCH"],
                                    "search_pattern": "pets"})
    assert any(f.rule == "pagination/unpaginated-collection" and "SEARCH /pets" in f.message
               for f in pagination), [f.message for f in pagination]


def test_additional_operations_ignored_before_3_2(tmp_path: Path) -> None:
    text = ADDITIONAL.replace("openapi: 3.2.0", "openapi: 3.1.0")
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(textwrap.dedent(text), encoding="utf-8")
    assert [op.label for op in load(str(spec_path)).operations] == ["GET /pets"]
    assert any("additionalOperations" in f.message for f in _findings(tmp_path, text))
