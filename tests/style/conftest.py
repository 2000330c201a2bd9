"""Helpers for the style gate's tests: run a ruleset on a spec, both given as text."""

from __future__ import annotations

import textwrap

import pytest

from gatekeeper import Config, load, run
from gatekeeper.registry import gates_for


def lint_files(spec_path, ruleset_paths, **settings):
    """Findings of the style gate as (rule, pointer, line, severity, message), sorted."""
    config = Config(settings={"ruleset": [str(p) for p in ruleset_paths], **settings})
    gates = [g for g in gates_for(config) if g.name == "style"]
    report = run(load(str(spec_path)), gates, config, raise_errors=True)
    result = report.gate("style")
    if result is None:
        return []
    return sorted((f.rule, f.pointer.split("#", 1)[1], f.location.line, str(f.severity),
                   f.message) for f in result.findings)


@pytest.fixture
def lint(tmp_path):
    """``lint(ruleset_yaml, spec_yaml)`` -> findings (see `lint_files`)."""
    def go(ruleset: str, spec: str, spec_name: str = "spec.yaml"):
        (tmp_path / ".spectral.yaml").write_text(textwrap.dedent(ruleset))
        (tmp_path / spec_name).write_text(textwrap.dedent(spec))
        return lint_files(tmp_path / spec_name, [tmp_path / ".spectral.yaml"])
    return go


SPEC = """\
openapi: 3.0.3
info:
  title: Pets
  version: "1.0"
paths:
  /pets:
    get:
      operationId: listPets
      summary: List pets
      parameters:
        - name: page_size
          in: query
          schema: {type: integer}
      responses:
        '200':
          description: The pets
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
        Tag: {$ref: '#/components/schemas/Tag'}
    Tag:
      type: string
"""
