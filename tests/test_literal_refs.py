"""`$ref` inside literal data is data: enum values, defaults, examples, an Example Object's
value, `x-` extensions and `const` hold instances, not references. Such a `$ref` is never
followed, and when it could not be resolved it must not end the check with exit 2. Names that
happen to be keywords (a property called `default`, the `default` response) are still
followed."""

from __future__ import annotations

import json
import textwrap

import pytest

from gatekeeper import load

from conftest import run_cli

HEAD = """
openapi: 3.1.0
info: {title: Lit, version: 1.0.0, description: Literal data.}
paths:
  /pets:
    get:
      summary: List pets
      description: Every pet.
      operationId: listPets
"""

# Each case puts an unresolvable `$ref` (a fragment that does not exist, or a file that does
# not exist or is not YAML at all) where the specification says the value is data.
CASES = {
    "enum": """
      parameters:
        - name: q
          in: query
          description: Query.
          schema: {type: object, enum: [{$ref: "#/no/such/enum"}]}
      responses: {"200": {description: OK}}
""",
    "default": """
      parameters:
        - name: q
          in: query
          description: Query.
          schema: {type: object, default: {$ref: "missing-default.yaml"}}
      responses: {"200": {description: OK}}
""",
    "example": """
      parameters:
        - name: q
          in: query
          description: Query.
          schema: {type: object}
          example: {$ref: "logo.png"}
      responses: {"200": {description: OK}}
""",
    "schema-examples": """
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {type: object, examples: [{$ref: "#/no/such/example"}]}
""",
    "example-value": """
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {type: object}
              examples:
                one: {summary: One, value: {$ref: "#/no/such/value"}}
""",
    "x-extension": """
      x-code-samples: [{lang: curl, source: {$ref: "samples/missing.sh"}}]
      x-logo: {$ref: "logo.png"}
      responses: {"200": {description: OK}}
""",
    "const": """
      parameters:
        - name: q
          in: query
          description: Query.
          schema: {const: {$ref: "#/no/such/const"}}
      responses: {"200": {description: OK}}
""",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_ref_in_literal_data_is_data(tmp_path, case):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe: [")
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(HEAD).lstrip() + CASES[case].lstrip("\n"), "utf-8")
    spec = load(str(path))  # raises SpecError today: the `$ref` was followed
    assert spec.ref_count == 0
    proc = run_cli("check", str(path), "--select", "validity,docs", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["spec"]["path"] == str(path) or report.get("reports")
    assert "unresolvable" not in proc.stderr and "logo.png" not in proc.stderr


def test_names_that_are_keywords_are_still_references(tmp_path):
    """A property named `default`, a response `default`, an examples map entry and a
    component example are references and are followed (a broken one still fails)."""
    text = textwrap.dedent(HEAD).lstrip() + textwrap.dedent("""
          responses:
            default: {$ref: "#/components/responses/Error"}
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      default: {$ref: "#/components/schemas/Pet"}
                      enum: {$ref: "#/components/schemas/Pet"}
                  examples:
                    two: {$ref: "#/components/examples/Two"}
    components:
      schemas:
        Pet: {type: object, description: A pet.}
      responses:
        Error: {description: An error.}
      examples:
        Two: {value: {$ref: "not-followed.png"}}
    """)
    path = tmp_path / "spec.yaml"
    path.write_text(text, "utf-8")
    spec = load(str(path))
    assert spec.ref_count == 4
    broken = text.replace('enum: {$ref: "#/components/schemas/Pet"}',
                          'enum: {$ref: "#/components/schemas/Nope"}')
    assert broken != text
    path.write_text(broken, "utf-8")
    proc = run_cli("check", str(path))
    assert proc.returncode == 2 and "#/components/schemas/Nope" in proc.stderr
