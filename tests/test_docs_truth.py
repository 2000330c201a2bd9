"""Docs that point somewhere and examples that match what the tool prints: files the hooks and
README cite exist, no release tag or published package is presented as real, and the README's
sample output is the tool's output."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_cited_by_the_hooks_and_the_readme_exist():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    cited = set(re.findall(r"\bdocs/[\w./-]+\.md\b", hooks))
    assert "docs/ci.md" in cited
    cited |= set(re.findall(r"\]\((docs/[^)#]+)\)", README))
    for path in sorted(cited):
        assert (ROOT / path).is_file(), path


def test_ci_doc_covers_the_action_pre_commit_gitlab_and_sarif():
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for heading in ("## GitHub Action", "## pre-commit", "## GitLab CI", "## SARIF upload"):
        assert heading in text
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]
    gitlab = next(b for b in blocks if isinstance(b, dict) and "openapi-gate" in b)
    assert gitlab["openapi-gate"]["artifacts"]["reports"]["codequality"]
    assert "gatekeeper changed" in text


def _git_tags() -> list[str]:
    proc = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.split()


def test_no_nonexistent_tag_or_unpublished_package_is_presented_as_real():
    tags = _git_tags()
    ours = re.findall(r"rev:\s*(v[\w.]+)", README) + re.findall(
        r"uses:\s*[\w.-]+/gatekeeper@(v[\w.]+)", README)  # actions/checkout@v4 is GitHub's
    for rev in ours:
        assert rev in tags, f"README cites tag {rev}, which does not exist"
    # gatekeeper-openapi is not on PyPI: installs go through a checkout or a git URL
    for text, where in ((README, "README.md"),
                        *((p.read_text(encoding="utf-8"), str(p)) for p in
                          (ROOT / "gatekeeper").rglob("*.py"))):
        assert not re.search(r"pip install\s+['\"]?gatekeeper-openapi(\[|\s|['\"]|$)", text), where
        assert not re.search(r"gatekeeper(-openapi)?==\d", text), where


def test_readme_sample_output_is_what_the_tool_prints():
    block = re.search(r"```\n\$ gatekeeper check sample_specs/showcase.yaml\n(.*?)```", README,
                      flags=re.S)
    assert block
    shown = [line for line in block.group(1).splitlines() if line and line != "..."]
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check",
                           "sample_specs/showcase.yaml"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    printed = proc.stdout.splitlines()
    for line in shown:
        assert line in printed, line


def test_pre_commit_hook_entry_runs():
    assert run_cli("check", "--help").returncode == 0
