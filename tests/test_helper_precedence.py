"""Helper processes forked by the check's process once the spec is loaded
(`gatekeeper.orchestration.helper_process.adopt_helpers`, ``after_load`` in
``gates.WITH_HELPER``): one at most, the first in the table's order, none while an early
helper before it runs; what the helper computes is what the check computes itself. Each case
runs in a process of its own: a fork of the test process would count its memory as a child's
peak RSS in later tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from gatekeeper.orchestration.helper_process import HelperProcess

pytestmark = pytest.mark.skipif(
    not HelperProcess.worthwhile(str(SAMPLES / "petstore.yaml")),
    reason="one core or no fork: the command line starts no helper process")

OAS = Path(__file__).parent / "style" / "rulesets" / "spectral-oas-all.yaml"

_SCRIPT = r"""
import json, sys, time
from gatekeeper import Config, load
from gatekeeper.gate import gates_with_helpers
from gatekeeper.loader import Limits
from gatekeeper.orchestration.helper_process import HelperProcess, adopt_helpers
from gatekeeper.orchestration.isolation import WorkerLimits
from gatekeeper.registry import gates_for
from gates import validity

spec_path, ruleset, early = sys.argv[1], sys.argv[2], sys.argv[3]
config = Config(settings={"ruleset": [ruleset]} if ruleset else {})
started = None
if early:  # an early helper of that gate, still running when the spec is loaded
    started = HelperProcess(early, spec_path, lambda: time.sleep(60) or None, WorkerLimits())
    started.start()
spec = load(spec_path, limits=Limits(spare_core=True))
adopt_helpers(spec, spec_path, gates_for(config), config)
attached = {name: handle.of_worker for name, handle in gates_with_helpers(spec).items()}
through_helper = validity._helper_result(spec) if attached.get("validity") else None
print(json.dumps({"attached": attached,
                  "same": through_helper == validity._schema_errors(load(spec_path)),
                  "errors": len(validity._schema_errors(load(spec_path)))}))
if started is not None:
    started.stop()
"""


def _big(folder: Path, source: Path = SAMPLES / "validity" / "schema-violation.yaml") -> Path:
    """`source` past 1 MiB (a comment), where the schema check's helper comes after the
    load."""
    spec = folder / "big.yaml"
    spec.write_text(source.read_text(encoding="utf-8") + "\n" + "#" * (1 << 20) + "\n",
                    encoding="utf-8")
    return spec


def _adopt(spec: Path, ruleset: Path | None = None, early: str = "") -> dict:
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(spec), str(ruleset or ""), early],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_big_spec_s_schema_check_is_forked_after_the_load_and_finds_the_same(tmp_path):
    seen = _adopt(_big(tmp_path))
    assert seen["attached"] == {"validity": True}
    assert seen["same"] and seen["errors"] > 0, seen


def test_a_small_spec_gets_no_helper_after_the_load(tmp_path):
    """Up to 1 MiB the schema check's helper is started early, by the supervisor."""
    seen = _adopt(SAMPLES / "validity" / "schema-violation.yaml")
    assert seen["attached"] == {}


def test_one_helper_after_the_load_the_first_in_the_table(tmp_path):
    """A YAML spec with a ruleset: the ruleset's helper takes the second core; the schema
    check is computed by the check's process."""
    seen = _adopt(_big(tmp_path), OAS)
    assert seen["attached"] == {"style": True}
    assert seen["errors"] > 0


def test_no_helper_after_the_load_while_an_early_one_before_it_runs(tmp_path):
    seen = _adopt(_big(tmp_path), OAS, early="style")
    assert seen["attached"] == {"style": False}


def test_an_early_helper_after_it_in_the_table_leaves_room(tmp_path):
    seen = _adopt(_big(tmp_path), OAS, early="validity")
    assert seen["attached"] == {"validity": False, "style": True}


_RUNNING_SCRIPT = r"""
import json, os, sys, time
from gatekeeper.orchestration.helper_process import HelperProcess

go = sys.argv[2]  # the helper works until this file exists: no race with the scheduler

def job():
    while not os.path.exists(go):
        time.sleep(0.01)
    return b"done"

helper = HelperProcess("validity", sys.argv[1], job, None, of_worker=True)
helper.start()
while_working = helper.running()
open(go, "w").close()
deadline = time.monotonic() + 60  # a hang guard
while helper.running() and time.monotonic() < deadline:
    time.sleep(0.02)
print(json.dumps([while_working, helper.running(), helper.result().decode(), helper.running()]))
"""


def test_a_helper_that_has_ended_holds_no_core(tmp_path):
    """`Spec.locations` works beside only while no helper runs: `running` says when."""
    out = subprocess.run([sys.executable, "-c", _RUNNING_SCRIPT, str(SAMPLES / "petstore.yaml"),
                          str(tmp_path / "go")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [True, False, "done", False]


_NOISY = r"""
import os, sys
from gatekeeper import beside
from gatekeeper.orchestration.helper_process import HelperProcess
from gatekeeper.orchestration.isolation import WorkerLimits

def noisy():
    os.write(1, b"helper says hello\n")
    os.write(2, b"thread panicked at ...\n")
    print("and through Python", file=sys.stderr, flush=True)
    return b"done"

for of_worker in (True, False):
    helper = HelperProcess("validity", sys.argv[1], noisy, None if of_worker else WorkerLimits(),
                           of_worker=of_worker)
    helper.start()
    assert helper.result() == b"done"
    helper.stop()
job = beside.start(lambda: noisy().decode())
assert job is None or job.result() == "done"
"""


def test_a_helper_or_a_process_beside_prints_nothing():
    """Their output is not the command's: a Rust extension that cannot allocate under
    `--max-memory` writes its panic before it aborts, and the check's process redoes the work."""
    out = subprocess.run([sys.executable, "-c", _NOISY, str(SAMPLES / "petstore.yaml")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert (out.stdout, out.stderr) == ("", "")
