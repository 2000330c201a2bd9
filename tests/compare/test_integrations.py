"""action.yml and .pre-commit-hooks.yaml are valid (acceptance 5), and the Action's gate script
really gates the changed specs of a pull request against its base."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

from compare.gitrepo import ENV, Repo
from compare.test_base_git import V1, V2

ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOC = ROOT / "README.md"


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_is_a_valid_composite_action() -> None:
    action = _action()
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(action)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    declared = set(action["inputs"])
    text = ACTION.read_text(encoding="utf-8")
    assert set(re.findall(r"inputs\.([a-z-]+)", text)) <= declared
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite steps must name a shell
            assert "${{" not in step["run"], "inputs reach scripts through env only"
    uses = {s["uses"].split("@")[0] for s in steps if "uses" in s}
    assert {"actions/setup-python", "github/codeql-action/upload-sarif",
            "actions/upload-artifact"} <= uses
    gate = next(s for s in steps if s.get("id") == "gate")
    assert "GITHUB_STEP_SUMMARY" in gate["run"] and "--base" in gate["run"]
    for output in action["outputs"].values():
        assert output["value"].startswith("${{ steps.gate.outputs.")
    if shutil.which("bash"):
        for step in steps:
            if "run" in step:
                subprocess.run(["bash", "-n", "-c", step["run"]], check=True)


def test_pre_commit_hooks_are_valid() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and {h["id"] for h in hooks} == {"gatekeeper",
                                                                    "gatekeeper-new-only"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["entry"].startswith("gatekeeper check")
        pattern = re.compile(hook["files"])
        assert pattern.search("api/openapi.yaml") and pattern.search("swagger.json")
        assert not pattern.search("docs/notes.md")
    new_only = next(h for h in hooks if h["id"] == "gatekeeper-new-only")
    assert new_only["args"] == ["--base", "origin/main", "--new-only"]


def test_documented_with_copy_paste_examples() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    parsed = [yaml.safe_load(b) for b in blocks]
    workflow = next(p for p in parsed if isinstance(p, dict) and "jobs" in p)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(str(s.get("uses", "")).split("@")[0].endswith("gatekeeper") for s in steps)
    assert any(s.get("with", {}).get("fetch-depth") == 0 for s in steps)
    perms = next(iter(workflow["jobs"].values())).get("permissions") or workflow["permissions"]
    assert perms.get("security-events") == "write"
    config = next(p for p in parsed if isinstance(p, dict) and "repos" in p)
    assert {h["id"] for r in config["repos"] for h in r["hooks"]} <= {"gatekeeper",
                                                                      "gatekeeper-new-only"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_gate_script_on_a_pull_request(tmp_path: Path) -> None:
    """Run the gate step's script as GitHub would on a pull request: origin/main has v1, the
    branch changes the spec to v2 and touches an unrelated file."""
    origin = Repo(tmp_path / "origin")
    origin.commit("v1", {"api/openapi.yaml": V1, "README.md": "hello\n"})
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin.root), str(work)], check=True,
                   env={**os.environ, **ENV})
    clone = Repo.__new__(Repo)
    clone.root = work
    clone.git("checkout", "-q", "-b", "feature")
    clone.commit("v2", {"api/openapi.yaml": V2, "notes.yaml": "just: data\n"})
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    gate = next(s for s in _action()["runs"]["steps"] if s.get("id") == "gate")
    env = {**os.environ, **ENV, "GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main",
           "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(summary), "GK_SPECS": "", "GK_BASE_REF": "",
           "GK_NEW_ONLY": "true", "GK_ARGS": "--select docs,compat --fail-on warning",
           "GK_OUT": "gatekeeper-reports", "NO_COLOR": "1"}
    proc = subprocess.run(["bash", "-c", gate["run"]], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    outputs = out.read_text()
    assert "specs<<GATEKEEPER_EOF\napi/openapi.yaml\nGATEKEEPER_EOF" in outputs
    assert "result=failed" in outputs  # the new bare POST /pets fails under --fail-on warning
    text = summary.read_text()
    assert "Change review" in text and "1 new" in text, text
    sarif = json.loads((work / "gatekeeper-reports" / "gatekeeper.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert (work / "gatekeeper-reports" / "scorecard.html").is_file()
