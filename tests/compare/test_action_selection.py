"""The Action's spec selection (`gatekeeper changed`) in real git repositories with a base and
a head commit and ``GITHUB_EVENT_PATH`` set, as on a pull request: a JSON file that mentions
"openapi" is not a spec, a deleted spec fails compat, a renamed spec reports only the
change's own findings, a changed fragment gates the root spec that references it, and the job
summary is written once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

from compare.gitrepo import ENV, Repo
from compare.test_base_git import V1

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")

PACKAGE_JSON = """
{"name": "web", "scripts": {"openapi": "openapi-generator generate -i api/openapi.yaml"}}
"""
PACKAGE_JSON_2 = """
{"name": "web", "scripts": {"openapi": "openapi-generator generate -i api/openapi.yaml",
                            "swagger": "2.0"}}
"""

ROOT_SPEC = """
openapi: 3.0.3
info: {title: Pets, version: "1.0", description: Pets.}
paths:
  /pets:
    get:
      summary: List pets
      description: Every pet.
      operationId: listPets
      responses:
        "200":
          description: The pets.
          content:
            application/json:
              schema: {$ref: "components/pet.yaml"}
"""
PET = """
type: object
description: A pet.
properties:
  name: {type: string, description: The pet's name.}
"""
PET_2 = """
type: object
description: A pet.
properties:
  name: {type: string, description: The pet's name.}
  tag: {type: string, description: A tag.}
"""
OLD = """
openapi: 3.0.3
info: {title: Old, version: "1.0", description: The old API.}
paths:
  /things:
    get:
      summary: List things
      responses: {"200": {description: The things.}}
  /things/{id}:
    delete:
      summary: Delete a thing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: Gone.}}
"""
# V1 renamed; the change also adds one bare operation (one new finding)
MOVED = V1.rstrip("\n") + """
  /owners:
    get:
      responses:
        "200":
          description: The owners.
"""


def _gk(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **ENV, "NO_COLOR": "1", **(env or {})})


@pytest.fixture
def pr(tmp_path: Path):
    """base: five files; head: package.json, a fragment, a rename, a deletion."""
    repo = Repo(tmp_path / "repo")
    base = repo.commit("base", {
        "package.json": PACKAGE_JSON, "api/openapi.yaml": ROOT_SPEC,
        "api/components/pet.yaml": PET, "legacy/old.yaml": OLD, "specs/pets.yaml": V1,
        "notes.yaml": "just: data\n"})
    repo.git("checkout", "-q", "-b", "feature")
    (repo.root / "legacy" / "old.yaml").unlink()
    repo.git("mv", "specs/pets.yaml", "specs/pets-v1.yaml")
    repo.write("specs/pets-v1.yaml", MOVED)
    repo.commit("head", {"package.json": PACKAGE_JSON_2, "api/components/pet.yaml": PET_2,
                         "notes.yaml": "just: more data\n"})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base,
                                                                        "ref": "main"}}}))
    return repo, base, event


def test_changed_selects_by_content_rename_deletion_and_references(pr):
    repo, base, event = pr
    proc = _gk(repo.root, "changed", "--format", "json", env={"GITHUB_EVENT_PATH": str(event)})
    assert proc.returncode == 0, proc.stderr
    found = {c["path"]: c for c in json.loads(proc.stdout)}
    assert found == {
        "api/openapi.yaml": {"path": "api/openapi.yaml", "status": "referenced"},
        "legacy/old.yaml": {"path": "legacy/old.yaml", "status": "deleted"},
        "specs/pets-v1.yaml": {"path": "specs/pets-v1.yaml", "status": "renamed",
                               "from": "specs/pets.yaml"},
    }
    # package.json mentions openapi (and even "swagger": "2.0" in a nested object): not a spec
    lines = _gk(repo.root, "changed", "--base", base).stdout.splitlines()
    assert lines == ["api/openapi.yaml", "legacy/old.yaml", "specs/pets-v1.yaml"]
    assert _gk(repo.root, "changed", "--show-base",
               env={"GITHUB_EVENT_PATH": str(event)}).stdout.strip() == base
    # from a subfolder, paths are relative to it; listed specs are filtered
    sub = _gk(repo.root / "api", "changed", "--base", base, "openapi.yaml", "../notes.yaml")
    assert sub.stdout.splitlines() == ["openapi.yaml"], sub.stderr


def test_deleted_spec_fails_compat(pr):
    repo, base, _ = pr
    proc = _gk(repo.root, "check", "legacy/old.yaml", "--base", base, "--new-only",
               "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)  # one spec: one report, as for any other spec
    assert not report["passed"]
    compat = next(g for g in report["gates"] if g["name"] == "compat")
    assert not compat["passed"]
    rules = {f["rule"] for f in compat["findings"]}
    assert rules == {"compat/removed-operation"}
    assert len(compat["findings"]) == 2  # GET /things and DELETE /things/{id}
    term = _gk(repo.root, "check", "legacy/old.yaml", "--base", base)
    assert term.returncode == 1 and "the change deletes this spec" in term.stdout


def test_renamed_spec_reports_only_new_findings(pr):
    repo, base, _ = pr
    proc = _gk(repo.root, "check", "specs/pets-v1.yaml", "--base", base, "--new-only",
               "--select", "docs,compat", "--format", "json")
    report = json.loads(proc.stdout)
    compare = report["sections"]["compare"]
    assert compare["base_found"], compare
    assert compare["counts"]["new"] == 1, compare["counts"]
    new = [f for g in compare["gates"] for f in g["new"]]
    assert [f["pointer"] for f in new] == ["#/paths/~1owners/get"]
    assert compare["counts"]["unchanged"] >= 1


def _gate_step() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(s for s in action["runs"]["steps"] if s.get("id") == "gate")["run"]


def test_action_gate_step_on_the_pull_request(pr, tmp_path):
    """The Action's gate step, run as GitHub runs it: the selection, one summary, a failed
    verdict because the change deletes an API."""
    repo, base, event = pr
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {**os.environ, **ENV, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_BASE_REF": "main", "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(summary), "GK_SPECS": "", "GK_BASE_REF": "",
           "GK_NEW_ONLY": "true", "GK_ARGS": "", "GK_OUT": "gatekeeper-reports",
           "NO_COLOR": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                    f"{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "-c", _gate_step()], cwd=repo.root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    outputs = out.read_text()
    assert ("specs<<GATEKEEPER_EOF\napi/openapi.yaml\nlegacy/old.yaml\nspecs/pets-v1.yaml\n"
            "GATEKEEPER_EOF") in outputs
    assert "result=failed" in outputs  # removing legacy/old.yaml breaks its clients
    text = summary.read_text()
    assert text.count("Old") >= 1
    first_line = text.splitlines()[0]
    assert text.count(first_line) == 1, "the job summary is written once"
    assert (repo.root / "gatekeeper-reports" / "summary.md").read_text().strip() in text
    assert text.count((repo.root / "gatekeeper-reports" / "summary.md").read_text().strip()) == 1


def test_action_skips_a_change_without_specs(tmp_path):
    repo = Repo(tmp_path / "repo")
    base = repo.commit("base", {"package.json": PACKAGE_JSON, "api/openapi.yaml": ROOT_SPEC})
    repo.commit("head", {"package.json": PACKAGE_JSON_2})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}}}))
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {**os.environ, **ENV, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary), "GK_SPECS": "",
           "GK_BASE_REF": "", "GK_NEW_ONLY": "true", "GK_ARGS": "", "GK_OUT": "reports",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["bash", "-c", _gate_step()], cwd=repo.root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "result=skipped" in out.read_text()
    assert summary.read_text() == "gatekeeper: no OpenAPI spec changed\n"
