"""The style gate's helper process: a ruleset's findings computed beside the check, from the
helper's own copy of the spec, are the findings the check computes itself; a helper that
fails or is not started changes nothing but the time."""

from __future__ import annotations

import json
import os
import sys
from functools import partial

import pytest

from conftest import ROOT, SAMPLES, run_cli
from gatekeeper import Config, load
from gatekeeper.gate import gates_with_helpers
from gatekeeper.loader import Limits
from gatekeeper.orchestration.helper_process import (HelperProcess, adopt_helpers,
                                                     helpers_for, run_helper)
from gatekeeper.orchestration.isolation import WorkerLimits
from gatekeeper.registry import gates_for

RULESETS = SAMPLES / "style" / "rulesets"
OAS_ALL = ROOT / "tests" / "style" / "rulesets" / "spectral-oas-all.yaml"
CASES = [
    (SAMPLES / "style" / "core-functions.yaml", RULESETS / "core-functions.yaml"),
    (SAMPLES / "style" / "example-extra-properties.yaml", RULESETS / "media-examples.yaml"),
    (SAMPLES / "style" / "js-function.yaml", RULESETS / "js-function.yaml"),
    (SAMPLES / "petstore.yaml", OAS_ALL),
    (SAMPLES / "validity" / "schema-violation.yaml", OAS_ALL),
]

needs_two_cores = pytest.mark.skipif(
    not HelperProcess.worthwhile(str(SAMPLES / "petstore.yaml")),
    reason="one core or no fork: the command line starts no helper process")


def _style_findings(spec_path, ruleset, helper=None):
    """{rule: [(pointer, message, subject, severity)]} of the style gate on a spec loaded
    here, reading `helper`'s result when one is given."""
    config = Config(settings={"ruleset": [str(ruleset)]})
    gate = next(g for g in gates_for(config) if g.name == "style")
    spec = load(str(spec_path))
    if helper is not None:
        adopt_helpers(spec, str(spec_path))
        assert gates_with_helpers(spec) == {"style": helper}
    out = {}
    for rule in gate.rules:
        out[rule.id] = [(str(v.pointer), v.message, v.subject, v.severity)
                        for v in rule.check(spec)]
    return out


def _helper(spec_path, ruleset, job=None):
    config = Config(settings={"ruleset": [str(ruleset)]})
    job = job or partial(run_helper, "style", str(spec_path), Limits(), None, config)
    return HelperProcess("style", str(spec_path), job, WorkerLimits(timeout=60))


@needs_two_cores
@pytest.mark.parametrize("spec_path, ruleset", CASES, ids=lambda p: p.name)
def test_the_helper_finds_what_the_check_itself_finds(spec_path, ruleset):
    import gates.style

    helper = _helper(spec_path, ruleset)
    helper.start()
    try:
        spec = load(str(spec_path))
        adopt_helpers(spec, str(spec_path))
        through_helper = gates.style._from_helper(spec)  # None: the helper failed
    finally:
        helper.stop()
    assert through_helper is not None
    in_process = _style_findings(spec_path, ruleset)
    assert {"style/" + rule: [(str(v.pointer), v.message, v.subject, v.severity)
                              for v in found]
            for rule, found in through_helper.items()} == \
        {rule: found for rule, found in in_process.items() if found}
    assert sum(map(len, in_process.values())) > 0


@needs_two_cores
@pytest.mark.parametrize("job", [
    lambda: 1 / 0,  # the helper crashed
    lambda: b"not marshal data",  # unreadable bytes
], ids=["crashed", "garbled"])
def test_a_failed_helper_leaves_the_check_to_compute_the_findings(job):
    spec_path, ruleset = CASES[0]
    helper = _helper(spec_path, ruleset, job)
    helper.start()
    try:
        found = _style_findings(spec_path, ruleset, helper)
    finally:
        helper.stop()
    assert found == _style_findings(spec_path, ruleset)
    assert sum(map(len, found.values())) > 0


def test_a_style_helper_is_planned_only_when_a_ruleset_is_configured(tmp_path):
    spec = str(SAMPLES / "petstore.yaml")
    without = helpers_for(Config(), spec, Limits(), None, WorkerLimits())
    with_ruleset = helpers_for(Config(settings={"ruleset": [str(OAS_ALL)]}), spec, Limits(),
                               None, WorkerLimits())
    ignored = helpers_for(Config(settings={"ruleset": [str(OAS_ALL)]}, ignore=["style"]),
                          spec, Limits(), None, WorkerLimits())
    assert "style" not in {h.name for h in without}
    assert "style" not in {h.name for h in ignored}
    if HelperProcess.worthwhile(spec):
        assert "style" in {h.name for h in with_ruleset}
    big = tmp_path / "big.yaml"  # past the style helper's size bound: no second copy
    big.write_text((SAMPLES / "petstore.yaml").read_text() + "\n" + "#" * (17 << 20) + "\n")
    assert "style" not in {h.name for h in helpers_for(
        Config(settings={"ruleset": [str(OAS_ALL)]}), str(big), Limits(), None,
        WorkerLimits())}


@needs_two_cores
@pytest.mark.parametrize("fmt, case", [("json", 1), ("sarif", 1), ("json", 0)])
def test_check_output_is_the_same_with_the_helper_and_in_process(fmt, case):
    """Findings, messages and the lines and columns the helper found for them."""
    spec_path, ruleset = CASES[case]

    def run(*extra):
        out = run_cli("check", "--format", fmt, "--ruleset", str(ruleset), *extra,
                      str(spec_path))
        assert out.returncode == 1, out.stderr
        data = json.loads(out.stdout)
        data.pop("generated_at", None)
        return data

    supervised = run()
    in_process = run("--timeout", "0", "--max-memory", "0")  # no worker, no helper
    assert supervised == in_process
    assert ("style/oas3-valid-media-example" if case == 1 else "style/") in json.dumps(supervised)


@needs_two_cores
def test_a_broken_ruleset_still_exits_2_with_one_line_when_a_helper_is_planned():
    out = run_cli("check", str(SAMPLES / "petstore.yaml"), "--ruleset",
                  str(RULESETS / "bad-yaml.yaml"))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "bad-yaml.yaml:6:" in out.stderr and "Traceback" not in out.stderr


if sys.platform == "win32" or not hasattr(os, "fork"):  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="helper processes need fork")


@needs_two_cores
def test_a_large_result_crosses_whole_and_no_address_space_is_reserved_for_it():
    """The result travels through a file, not a mapping made before the fork: a mapping
    would count against `--max-memory` (an address-space limit) in the worker whatever its
    use, and would cap the result's size."""
    def address_space_kb() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))

    if not os.path.exists("/proc/self/status"):
        pytest.skip("no /proc: address space not measured")
    big = os.urandom(3 << 20) * 2  # 6 MiB
    helper = HelperProcess("style", str(CASES[0][0]), lambda: big, WorkerLimits(timeout=60))
    before = address_space_kb()
    helper.start()
    grown = address_space_kb() - before
    try:
        assert helper.result() == big
    finally:
        helper.stop()
    assert grown < 1024, f"{grown} KiB of address space reserved for a helper's result"


@needs_two_cores
def test_a_helper_yields_to_the_check_when_both_want_a_core():
    from gatekeeper.orchestration.helper_process import HELPER_NICENESS

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    helper = HelperProcess("style", str(SAMPLES / "petstore.yaml"),
                           lambda: str(os.getpriority(os.PRIO_PROCESS, 0)).encode(),
                           WorkerLimits(timeout=60))
    helper.start()
    try:
        niceness = helper.result()
    finally:
        helper.stop()
    assert HELPER_NICENESS > 0
    assert niceness == str(min(mine + HELPER_NICENESS, 19)).encode()
