"""`gatekeeper diff BASE HEAD`: the consumer changelog, run as users run it."""

from __future__ import annotations

import json

from conftest import SAMPLES, run_cli
from compare.gitrepo import Repo

PAIRS = SAMPLES / "compat" / "pairs"

BASE = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
servers: [{url: https://api.example.com/v1}]
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
        - {name: tag, in: query, schema: {type: string}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  required: [id, name]
                  properties:
                    id: {type: integer}
                    name: {type: string}
                    status: {type: string, enum: [available, sold]}
"""
# breaking: `name` no longer required; potentially breaking: `tag` removed, enum value added;
# informational: a new operation, a new optional parameter, a new property
HEAD = BASE.replace("required: [id, name]", "required: [id]") \
    .replace("        - {name: tag, in: query, schema: {type: string}}\n",
             "        - {name: sort, in: query, schema: {type: string}}\n") \
    .replace("enum: [available, sold]}", "enum: [available, sold, lost]}\n"
             "                    birthday: {type: string, format: date}") \
    + """\
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: OK}
"""


def _pair(tmp_path):
    (tmp_path / "v1.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(HEAD, encoding="utf-8")
    return str(tmp_path / "v1.yaml"), str(tmp_path / "v2.yaml")


def test_json_groups_every_change_by_operation_with_its_level(tmp_path) -> None:
    base, head = _pair(tmp_path)
    proc = run_cli("diff", base, head, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"] == {"breaking": 1, "potentially breaking": 2, "informational": 3}
    by_op = {g["operation"]: {(c["rule"], c["level"]) for c in g["changes"]}
             for g in data["operations"]}
    assert by_op == {
        "GET /pets": {("compat/response-property-made-optional", "breaking"),
                      ("compat/removed-parameter", "potentially breaking"),
                      ("compat/response-enum-value-added", "potentially breaking"),
                      ("compat/parameter-added", "informational"),
                      ("compat/property-added", "informational")},
        "GET /pets/{petId}": {("compat/operation-added", "informational")},
    }
    assert data["operations"][0]["operation"] == "GET /pets"  # breaking first


def test_markdown_puts_breaking_changes_first(tmp_path) -> None:
    base, head = _pair(tmp_path)
    text = run_cli("diff", base, head, "--format", "markdown").stdout
    assert text.index("## Breaking changes (1)") < text.index("## Potentially breaking "
                                                              "changes (2)") \
        < text.index("## Other changes (3)")
    assert "`name`" in text and "compat/response-property-made-optional" in text


def test_breaking_only_and_fail_on(tmp_path) -> None:
    base, head = _pair(tmp_path)
    proc = run_cli("diff", base, head, "--breaking-only", "--fail-on", "error")
    assert proc.returncode == 1
    assert "compat/operation-added" not in proc.stdout
    assert "compat/response-property-made-optional" in proc.stdout
    assert "compat/removed-parameter" in proc.stdout
    quiet = run_cli("diff", base, base, "--fail-on", "info")
    assert quiet.returncode == 0 and "No changes" in quiet.stdout


def test_html_is_one_escaped_page(tmp_path) -> None:
    base, head = _pair(tmp_path)
    out = tmp_path / "changelog.html"
    proc = run_cli("diff", base, head, "--format", "html", "--output", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<h2>GET /pets</h2>" in page
    assert "<code>name</code>" in page and "<script" not in page


def test_markdown_stays_under_the_comment_limit(tmp_path) -> None:
    ops = "".join(f"  /things{i}/{{id}}:\n    get:\n      operationId: getThing{i}\n"
                  f"      responses: {{'200': {{description: OK}}}}\n" for i in range(3000))
    (tmp_path / "big.yaml").write_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
                                       "paths:\n" + ops, encoding="utf-8")
    (tmp_path / "none.yaml").write_text("openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
                                        "paths: {}\n", encoding="utf-8")
    text = run_cli("diff", str(tmp_path / "big.yaml"), str(tmp_path / "none.yaml"),
                   "--format", "markdown").stdout
    assert len(text) < 60_000
    assert "## Breaking changes (3000)" in text and "more change(s) not shown" in text


def test_git_refs_resolve_as_base_does(tmp_path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("v1", {"api/openapi.yaml": BASE})
    repo.commit("v2", {"api/openapi.yaml": HEAD})
    spec = str(repo.root / "api" / "openapi.yaml")
    by_spec = run_cli("diff", "HEAD~1", "HEAD", "--spec", spec, "--format", "json")
    assert by_spec.returncode == 0, by_spec.stderr
    assert json.loads(by_spec.stdout)["summary"]["breaking"] == 1
    # a ref against the working-tree file, and REF:path
    mixed = run_cli("diff", "HEAD~1", spec, "--format", "json", cwd=repo.root)
    assert json.loads(mixed.stdout)["summary"]["breaking"] == 1
    colon = run_cli("diff", "HEAD~1:api/openapi.yaml", "HEAD:api/openapi.yaml", "--format",
                    "json", cwd=repo.root)
    assert colon.returncode == 0, colon.stderr
    assert json.loads(colon.stdout)["summary"]["breaking"] == 1


def test_unresolvable_argument_is_one_line_and_exit_2(tmp_path) -> None:
    proc = run_cli("diff", "no-such-ref", str(PAIRS / "removed-path" / "head.yaml"),
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    lone = run_cli("diff", "v1", "v2", cwd=tmp_path)
    assert lone.returncode == 2 and "--spec" in lone.stderr


def test_major_version_bump_keeps_the_level_and_says_it_is_allowed() -> None:
    case = PAIRS / "major-version-bump"
    proc = run_cli("diff", str(case / "base.yaml"), str(case / "head.yaml"), "--format", "json")
    data = json.loads(proc.stdout)
    assert data["summary"]["breaking"] == 1 and data["major_bump"].startswith("info.version")
    change = data["operations"][0]["changes"][0]
    assert change["rule"] == "compat/removed-operation" and change["level"] == "breaking"
    assert "allowed by" not in change["message"]
    text = run_cli("diff", str(case / "base.yaml"), str(case / "head.yaml")).stdout
    assert "allowed by the major version bump" in text.splitlines()[0]


def test_a_missing_spec_file_is_named_as_missing(tmp_path) -> None:
    missing = tmp_path / "old-openapi.yaml"
    proc = run_cli("diff", str(missing), str(PAIRS / "removed-path" / "head.yaml"), cwd=tmp_path)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert str(missing) in line and "file not found" in line and "git" in line
    assert len(line.splitlines()) == 1
