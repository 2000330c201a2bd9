"""One config file serves every command: each validates it against the same catalogue
(`gatekeeper.registry.configurable_gates`: the static gates plus the live audit's and the
load test's gates, which the commands pass in from `gatekeeper.orchestration.catalogues`), so a file
that tunes a live rule works for `baseline` and `check` without `--live`, and a file that tunes
a static rule works for `audit`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES, run_cli
from gatekeeper.config import Config
from gatekeeper.errors import ConfigError
from gatekeeper.registry import all_gates, configurable_gates, validate
from gatekeeper.orchestration.catalogues import catalogues

SHARED = ('[rules."live/latency-budget-exceeded"]\nseverity = "warning"\n'
          '[rules."docs/undocumented-operation"]\nseverity = "warning"\n')
TYPO = '[rules."live/latency-budget-exceded"]\nseverity = "warning"\n'
PETSTORE = str(SAMPLES / "petstore.yaml")


def test_configurable_gates_are_the_static_gates_the_live_gate_and_the_perf_gate() -> None:
    names = [g.name for g in configurable_gates(None, catalogues())]
    assert names == [g.name for g in all_gates()] + ["live", "perf"]


def test_validate_knows_live_rules() -> None:
    from gatekeeper.config import RuleConfig

    validate(Config(), extra=catalogues)
    ok = Config(rules={"live/timeout": RuleConfig()})
    validate(ok, extra=catalogues)
    with pytest.raises(ConfigError, match="did you mean"):
        validate(Config(rules={"live/timeoutt": RuleConfig()}), extra=catalogues)
    with pytest.raises(ConfigError):  # the registry alone knows no live module
        validate(ok)


def _commands(tmp_path: Path) -> dict[str, tuple[str, ...]]:
    return {
        "check": ("check", PETSTORE),
        "baseline": ("baseline", PETSTORE, "-o", str(tmp_path / "baseline.yaml")),
        # a closed port: the audit fails fast with connection findings, exit 1, never 2
        "audit": ("audit", PETSTORE, "--base-url", "http://127.0.0.1:9", "--progress", "off",
                  "--max-duration", "5", "--max-requests", "5", "--rate-limit", "0"),
    }


@pytest.mark.parametrize("command", ["check", "baseline", "audit"])
def test_every_command_accepts_a_shared_config(command: str, tmp_path: Path) -> None:
    if command == "audit":
        pytest.importorskip("httpx")
        pytest.importorskip("schemathesis")
    cfg = tmp_path / "gatekeeper.toml"
    cfg.write_text(SHARED)
    result = run_cli(*_commands(tmp_path)[command], "--config", str(cfg), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "unknown" not in result.stderr


@pytest.mark.parametrize("command", ["check", "baseline", "audit"])
def test_every_command_rejects_a_misspelt_live_rule(command: str, tmp_path: Path) -> None:
    cfg = tmp_path / "gatekeeper.toml"
    cfg.write_text(TYPO)
    result = run_cli(*_commands(tmp_path)[command], "--config", str(cfg), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule" in result.stderr and "live/latency-budget-exceeded" in result.stderr
