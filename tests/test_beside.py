"""Work beside (`gatekeeper.beside`): the command line's worker for one spec locates a gate's
many findings in a forked process while the next gates run (`Spec.locations`); the report is
the one a single process writes. The forks run in processes of their own here: a fork of
the test process would count its memory as a child's peak RSS in later tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork")


def _many_undocumented(folder: Path, count: int = 1500, pad: bool = False) -> Path:
    """A valid spec whose documentation gate finds `count` undocumented properties; `pad`:
    past 1 MiB with a comment, so that the findings may be located beside (no early helper
    for such a file; the official-schema check's helper, forked after the load, has ended
    by then)."""
    props = "".join(f"        field{i}:\n          type: string\n" for i in range(count))
    spec = folder / "many.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\n  description: d\n"
        "paths:\n  /things:\n    get:\n      summary: s\n      description: d\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n"
        "                $ref: '#/components/schemas/Thing'\n"
        "components:\n  schemas:\n    Thing:\n      type: object\n      description: d\n"
        "      properties:\n" + props + ("#" * (1 << 20) + "\n" if pad else ""),
        encoding="utf-8")
    return spec


def _run(spec: Path, *extra: str) -> dict:
    out = run_cli("check", "--format", "json", *extra, str(spec))
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    data.pop("generated_at", None)
    return data


def test_findings_located_beside_are_the_ones_located_in_one_process(tmp_path):
    spec = _many_undocumented(tmp_path, pad=True)
    supervised = _run(spec)
    assert supervised == _run(spec, "--timeout", "0", "--max-memory", "0")  # one process
    docs = next(g for g in supervised["gates"] if g["name"] == "docs")
    lines = [f["line"] for f in docs["findings"] if f["rule"] == "docs/undocumented-property"]
    assert len(lines) == 1500 and lines == sorted(lines) and lines[0] > 20


_SCRIPT = r"""
import json, sys
from gatekeeper import beside
from gatekeeper.loader import Limits
from gatekeeper.spec import Spec, load

job = beside.start(lambda: {"a": [1, 2], "b": "x"})
print(json.dumps("no fork" if job is None else job.result()))
print(json.dumps(beside.start(lambda: 1 / 0).result()))  # the child failed: None
print(json.dumps(beside.start(lambda: object()).result()))  # marshal refused it: None

spec = load(sys.argv[1], limits=Limits(spare_core=True))
pointers = [spec.root.join("components", "schemas", "Thing", "properties", f"field{i}")
            for i in range(1500)]
here = [(l.file, l.line, l.column) for l in map(spec.location, pointers)]
def fails(self, pointer):
    raise RuntimeError("in the child only")
Spec._line_column = fails  # the forked child fails: the parent locates them itself
got = [(l.file, l.line, l.column) for l in spec.locations(pointers)()]
print(json.dumps(got == here))
"""


def test_work_beside_gives_the_value_or_none_and_a_failed_child_is_redone_here(tmp_path):
    spec = _many_undocumented(tmp_path)
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(spec)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    value, failed, unmarshallable, same = map(json.loads, out.stdout.splitlines())
    if value == "no fork":
        pytest.skip("one core or no fork")
    assert value == {"a": [1, 2], "b": "x"}
    assert failed is None and unmarshallable is None and same is True


def test_a_library_run_locates_in_its_own_process(tmp_path):
    """`gatekeeper.load` gives a spec without a spare core: `run` never forks."""
    script = ("import os, sys, gatekeeper\n"
              "from gatekeeper.registry import builtin_gates\n"
              "def no_fork():\n    raise AssertionError('forked')\n"
              "os.fork = no_fork\n"
              "report = gatekeeper.run(gatekeeper.load(sys.argv[1]), builtin_gates(),"
              " gatekeeper.Config())\n"
              "print(sum(len(g.findings) for g in report.gates))\n")
    out = subprocess.run([sys.executable, "-c", script, str(_many_undocumented(tmp_path))],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 1500


def test_no_work_beside_while_another_thread_runs():
    """A fork carries only the calling thread: after the live audit's or the load test's
    threads have started, the check's process works alone until they have ended."""
    script = ("import json, threading\n"
              "from gatekeeper import beside\n"
              "before = beside.start(lambda: 1)\n"
              "stop = threading.Event()\n"
              "other = threading.Thread(target=stop.wait)\n"
              "other.start()\n"
              "during = beside.start(lambda: 2)\n"
              "stop.set(); other.join()\n"
              "after = beside.start(lambda: 3)\n"
              "print(json.dumps([before and before.result(), during,"
              " after and after.result()]))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    before, during, after = json.loads(out.stdout)
    if before is None:
        pytest.skip("one core or no fork")
    assert (before, during, after) == (1, None, 3)
