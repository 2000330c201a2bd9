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
    """The supervisor starts a style helper early for a JSON root only: for a YAML root the
    check's process forks it once the spec is loaded (`test_a_yaml_spec_s_helper_...`)."""
    as_json = tmp_path / "petstore.json"
    as_json.write_text(json.dumps(load(str(SAMPLES / "petstore.yaml")).raw))
    ruleset = {"ruleset": [str(OAS_ALL)]}
    for spec, early in ((str(as_json), True), (str(SAMPLES / "petstore.yaml"), False)):
        without = helpers_for(Config(), spec, Limits(), None, WorkerLimits())
        with_ruleset = helpers_for(Config(settings=ruleset), spec, Limits(), None,
                                   WorkerLimits())
        ignored = helpers_for(Config(settings=ruleset, ignore=["style"]), spec, Limits(), None,
                              WorkerLimits())
        assert "style" not in {h.name for h in without}
        assert "style" not in {h.name for h in ignored}
        if HelperProcess.worthwhile(spec):
            assert ("style" in {h.name for h in with_ruleset}) is early, spec
    big = tmp_path / "big.json"  # past the style helper's size bound: no second copy
    big.write_text(as_json.read_text() + "\n" + " " * (17 << 20) + "\n")
    assert "style" not in {h.name for h in helpers_for(
        Config(settings=ruleset), str(big), Limits(), None, WorkerLimits())}


_AFTER_LOAD = """
import json, os, sys
from gatekeeper import Config, load
from gatekeeper.gate import gates_with_helpers
from gatekeeper.loader import Limits
from gatekeeper.orchestration.helper_process import adopt_helpers
from gatekeeper.registry import gates_for
import gates.style

spec_path, ruleset, spare = sys.argv[1], sys.argv[2], sys.argv[3] == "spare"
config = Config(settings={"ruleset": [ruleset]})
chosen = gates_for(config)
spec = load(spec_path, limits=Limits(spare_core=spare))
adopt_helpers(spec, spec_path, chosen, config)
helper = gates_with_helpers(spec).get("style")
found = gates.style._from_helper(spec)
style = next(g for g in chosen if g.name == "style")
own = {rule.id[len("style/"):]: [(str(v.pointer), v.message) for v in rule.check(load(spec_path))]
       for rule in style.rules}
print(json.dumps({
    "forked": helper is not None and helper.of_worker,
    "same": found is not None and {r: [(str(v.pointer), v.message) for v in f]
                                   for r, f in found.items()} == {r: f for r, f in own.items() if f},
    "findings": sum(map(len, own.values()))}))
"""


def _after_load(spec_path, ruleset, spare="spare"):
    import subprocess

    out = subprocess.run([sys.executable, "-c", _AFTER_LOAD, str(spec_path), str(ruleset),
                          spare], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@needs_two_cores
@pytest.mark.parametrize("spec_path, ruleset", CASES[:4], ids=lambda p: p.name)
def test_a_yaml_spec_s_helper_is_forked_after_the_load_and_finds_the_same(spec_path, ruleset):
    """In a subprocess: a fork test must not fork the test runner."""
    seen = _after_load(spec_path, ruleset)
    assert seen["forked"] and seen["same"] and seen["findings"] > 0, seen


@needs_two_cores
def test_no_helper_is_forked_where_the_spec_may_not_work_beside():
    """A library caller's spec (`Limits.spare_core` off) never forks: its rules compute."""
    seen = _after_load(*CASES[3], spare="no")
    assert not seen["forked"] and not seen["same"] and seen["findings"] > 0, seen


def _stopped(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"  # a zombie: it has ended
    except OSError:
        return True


@needs_two_cores
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
@pytest.mark.parametrize("end", ["killed", "exits at once"])
def test_a_helper_forked_by_the_worker_ends_with_the_worker(end):
    """The supervisor stops a worker that ran out of time with SIGKILL: the helper that
    worker forked must not keep running its job, even when the worker ends before the
    helper has asked the kernel to end it too."""
    import signal
    import subprocess
    import time

    code = (
        "import os, sys, time\n"
        "from gatekeeper.orchestration.helper_process import HelperProcess\n"
        "helper = HelperProcess('style', sys.argv[1], lambda: time.sleep(120) or b'', None,"
        " of_worker=True)\n"
        "helper.start()\n"
        "print(helper.pid, flush=True)\n"
        + ("os._exit(0)\n" if end == "exits at once" else "time.sleep(120)\n"))
    worker = subprocess.Popen([sys.executable, "-c", code, str(CASES[0][0])],
                              stdout=subprocess.PIPE, text=True)
    try:
        helper_pid = int(worker.stdout.readline())
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    deadline = time.monotonic() + 30  # a hang guard: the kernel ends it at once
    while not _stopped(helper_pid):
        if time.monotonic() > deadline:
            os.kill(helper_pid, signal.SIGKILL)
            pytest.fail("the helper outlived the worker that forked it")
        time.sleep(0.05)


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
