"""Every sample_specs/compat/pairs/<case>/{base,head}.yaml pair: the compat gate's verdict and
the exact set of (rule, level) findings must match the head's ``# compat-verdict:`` and
``# breaking: <rule> <level>`` headers (no ``# breaking:`` line: the pair must stay quiet)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gatekeeper import Config, load, run
from gatekeeper.report import Severity
from gates.compat import GATE

from conftest import SAMPLES

PAIRS = SAMPLES / "compat" / "pairs"
HEADER = re.compile(r"^#\s*(compat-verdict|breaking):\s*(\S+)(?:\s+(error|warning|info))?\s*$")


def _cases() -> list[Path]:
    return sorted(p for p in PAIRS.iterdir() if (p / "head.yaml").is_file())


def _headers(path: Path) -> tuple[str, set[tuple[str, str]]]:
    verdict, rules = "", set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if m and m.group(1) == "compat-verdict":
            verdict = m.group(2)
        elif m:
            assert m.group(3), f"{path}: `# breaking: {m.group(2)}` needs its level"
            rules.add((m.group(2), m.group(3)))
    return verdict, rules


def compare(case: Path):
    head = load(str(case / "head.yaml"))
    head.base = load(str(case / "base.yaml"))
    return run(head, [GATE], Config(), raise_errors=True).gate("compat")


def test_enough_pairs() -> None:
    cases = _cases()
    assert len(cases) >= 25
    classes = {r for c in cases for r, _ in _headers(c / "head.yaml")[1]}
    checked = {r.id for r in GATE.rules if r.recommended}  # the others are for `diff`
    assert classes >= checked, checked - classes
    assert sum(1 for c in cases if _headers(c / "head.yaml")[0] == "pass") >= 8


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_pair(case: Path) -> None:
    verdict, rules = _headers(case / "head.yaml")
    assert verdict in ("pass", "fail"), "head.yaml needs `# compat-verdict: pass|fail`"
    result = compare(case)
    shown = "\n".join(f"{f.location} {f.rule} [{f.severity}] {f.message}"
                      for f in result.findings)
    assert {(f.rule, str(f.severity)) for f in result.findings} == rules, shown
    assert len(result.findings) == len(rules), shown  # one finding per expected kind
    assert result.passed is (verdict == "pass"), shown
    for f in result.findings:
        # both locations: the head element, and the base in the message and in `extra`
        extra = dict(f.extra)
        assert extra["base"].startswith(str(case / "base.yaml")), f
        assert "(base: " in f.message and f.location.file.endswith("head.yaml"), f
        if verdict == "pass":
            assert f.severity is not Severity.ERROR  # a warning, info, or a major version bump


def test_without_a_base_the_gate_is_left_out_of_the_report() -> None:
    head = load(str(PAIRS / "removed-path" / "head.yaml"))
    assert run(head, [GATE], Config(), raise_errors=True).gate("compat") is None


def test_same_spec_no_findings() -> None:
    case = PAIRS / "removed-path"
    head = load(str(case / "base.yaml"))
    head.base = load(str(case / "base.yaml"))
    assert run(head, [GATE], Config(), raise_errors=True).gate("compat").findings == ()
