"""Every sample spec under sample_specs/<gate>/ is a test case (pycodestyle/ruff style).

A file whose stem (before the first dot) names a rule of its gate runs only that rule, and
its findings must equal its ``# expect: <rule> <line>:<col>`` lines exactly. Any other file is
a gate-level fixture: the whole gate runs, ``# verdict: pass|fail`` must hold, each
``# expect:`` finding must be present and each ``# expect-not: <rule>`` absent. An optional
``# options: {json}`` header gives the gate's options. A gate whose rules come from a file the
configuration names (`Gate.configure`, e.g. a Spectral ruleset) reads it from the
``# ruleset: <path relative to the sample>`` header.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gatekeeper import Config, Severity, load, run
from gatekeeper.config import GateConfig
from gatekeeper.registry import builtin_gates

from conftest import SAMPLES

GATES = {g.name: g for g in builtin_gates()}
HEADER = re.compile(r"^#\s*(expect|expect-not|verdict|options|ruleset):\s*(.*)$")


def _cases() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*/**/*.yaml")
                  if p.parent.name in GATES and "pairs" not in p.parts)


def _headers(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"expect": [], "expect-not": [], "verdict": [], "options": [],
                                   "ruleset": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER.match(line)
        if m:
            found[m.group(1)].append(m.group(2).strip())
    return found


@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_spec(path: Path) -> None:
    gate = GATES[path.parent.name]
    headers = _headers(path)
    stem = path.name.split(".")[0]
    rule_id = f"{gate.name}/{stem}"
    options = json.loads(headers["options"][0]) if headers["options"] else {}
    config = Config(gates={gate.name: GateConfig(options=options)})
    if headers["ruleset"]:
        config = config.replace(settings={"ruleset": [str(path.parent / r)
                                                      for r in headers["ruleset"]]})
    if gate.configure is not None:
        gate = gate.configure(config)
    single = any(r.id == rule_id for r in gate.rules)
    if single:
        config = config.replace(select=(rule_id,))
    elif gate.opt_in:  # an opt-in gate runs when selected
        config = config.replace(extend_select=(gate.name,))
    spec = load(str(path))
    report = run(spec, [gate], config, raise_errors=True)
    result = report.gate(gate.name)
    assert result is not None
    got = {f"{f.rule} {f.location.line}:{f.location.column}" for f in result.findings
           if f.rule != gate.below_threshold_rule or not single}
    expected = set(headers["expect"])
    if single:
        assert got == expected, "\n".join(f"{f.location} {f.rule} {f.message}"
                                          for f in result.findings)
        assert headers["expect"] or "ok" in path.name.split(".")[1:], \
            "a rule sample needs at least one `# expect:` line (or `.ok` in its name)"
    else:
        missing = expected - got
        assert not missing, f"missing {missing}; got:\n" + "\n".join(
            f"{f.location} {f.rule} {f.message}" for f in result.findings)
        for rule_not in headers["expect-not"]:
            assert not any(f.rule == rule_not for f in result.findings), rule_not
        if headers["verdict"]:
            want = headers["verdict"][0].lower() == "pass"
            assert result.passed is want, "\n".join(f"{f.location} {f.rule} {f.message}"
                                                    for f in result.findings)
        else:
            assert headers["expect"] or headers["expect-not"], "fixture states nothing"


def test_petstore_passes_every_default_gate_with_zero_findings() -> None:
    spec = load(str(SAMPLES / "petstore.yaml"))
    report = run(spec, builtin_gates(), Config(), raise_errors=True)
    assert [f"{f.location} {f.rule} {f.message}" for f in report.findings] == []
    assert report.passed


def test_showcase_fails_every_gate() -> None:
    spec = load(str(SAMPLES / "showcase.yaml"))
    report = run(spec, builtin_gates(), Config(), raise_errors=True)
    assert not report.passed
    mandatory_passing = [g.name for g in report.gates if g.passed and g.mandatory]
    assert mandatory_passing == []
    # Reviewer gates that only warn by default fail once warnings count.
    strict = run(spec, builtin_gates(), Config(fail_on=Severity.WARNING), raise_errors=True)
    assert [g.name for g in strict.gates if g.passed] == []
