"""Baseline files: entries waive their findings until they expire; expired and stale entries are
reported (acceptance 4)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from gatekeeper import Config, load
from gatekeeper.baseline import read_baseline
from gatekeeper.orchestration.compare import run_check
from gatekeeper.errors import ConfigError
from gatekeeper.registry import all_gates
from gatekeeper.reporters._pr_summary import render

SPEC = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0, description: A pet store.}
paths:
  /pets:
    get:
      summary: List pets
      responses:
        "200": {description: The pets.}
  /legacy:
    get:
      responses:
        "200": {description: Old stuff.}
"""
CONFIG = Config(select=("docs",))
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _write(cli, spec_path: Path, *extra: str) -> Path:
    out = spec_path.parent / "gatekeeper-baseline.yaml"
    proc = cli("baseline", str(spec_path), "-o", str(out), "--reason", "legacy endpoint",
               "--owner", "team-pets", *extra, cwd=spec_path.parent)
    assert proc.returncode == 0, proc.stderr
    return out


def test_baseline_waives_until_it_expires(cli, spec_path: Path) -> None:
    out = _write(cli, spec_path, "--expires", "2026-12-31")
    entries = read_baseline(str(out))
    assert {e.rule for e in entries} >= {"docs/undocumented-operation"}
    assert all(e.reason == "legacy endpoint" and e.owner == "team-pets" for e in entries)
    assert all(e.expires == dt.date(2026, 12, 31) for e in entries)

    report = run_check(load(str(spec_path)), str(spec_path), all_gates(), CONFIG,
                       baseline=str(out), today=TODAY)
    assert report.passed and report.findings == ()
    assert {f.waived for f in report.waived} == {"baseline: legacy endpoint"}
    b = report.sections["baseline"]
    docs_entries = [e for e in entries if e.rule.startswith("docs/")]
    assert b["expired"] == [] and b["stale"] == [] and b["waived"] == len(docs_entries)

    # the day after `expires`, the entries waive nothing and are reported
    late = run_check(load(str(spec_path)), str(spec_path), all_gates(), CONFIG,
                     baseline=str(out), today=dt.date(2027, 1, 1))
    assert not late.passed
    assert "docs/undocumented-operation" in {f.rule for f in late.findings}
    expired = late.sections["baseline"]["expired"]
    assert {e["rule"] for e in expired} == {e.rule for e in docs_entries}
    assert all(e["owner"] == "team-pets" and e["expires"] == "2026-12-31" for e in expired)
    assert "expired 2026-12-31" in render(late)
    json.dumps(late.to_dict(), allow_nan=False)


def test_past_expiry_in_file_via_cli(cli, spec_path: Path) -> None:
    out = _write(cli, spec_path, "--expires", "2020-01-01")
    proc = cli("check", str(spec_path), "--select", "docs", "--baseline", str(out),
               cwd=spec_path.parent)
    assert proc.returncode == 1
    assert "expired 2020-01-01 (owner team-pets): docs/undocumented-operation" in proc.stdout


def test_stale_entries_and_config_key(cli, spec_path: Path) -> None:
    out = _write(cli, spec_path)
    spec_path.write_text(SPEC.replace("      responses:\n        \"200\": {description: Old",
                                      "      summary: Legacy\n      responses:\n"
                                      "        \"200\": {description: Old"), encoding="utf-8")
    (spec_path.parent / "gatekeeper.toml").write_text(
        'baseline = "gatekeeper-baseline.yaml"\nselect = ["docs"]\n', encoding="utf-8")
    proc = cli("check", str(spec_path), "--format", "json", cwd=spec_path.parent)
    data = json.loads(proc.stdout)
    stale = data["sections"]["baseline"]["stale"]
    assert "docs/undocumented-operation" in {e["rule"] for e in stale}
    assert proc.returncode == 0


def test_rewrite_keeps_accountability(cli, spec_path: Path) -> None:
    out = _write(cli, spec_path, "--expires", "2026-12-31")
    proc = cli("baseline", str(spec_path), "-o", str(out), "--reason", "other",
               cwd=spec_path.parent)
    assert proc.returncode == 0
    data = yaml.safe_load(out.read_text())
    assert {e["reason"] for e in data["entries"]} == {"legacy endpoint"}
    assert {e["owner"] for e in data["entries"]} == {"team-pets"}


def test_bad_baseline_files(tmp_path: Path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("entries:\n  - {rule: a/b, fingerprint: x, expires: soon}\n")
    with pytest.raises(ConfigError, match="expires"):
        read_baseline(str(bad))
    bad.write_text("entries:\n  - {rule: a/b}\n")
    with pytest.raises(ConfigError, match="fingerprint"):
        read_baseline(str(bad))
    with pytest.raises(ConfigError, match="not found"):
        read_baseline(str(tmp_path / "missing.yaml"))
