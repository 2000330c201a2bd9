"""Case 42 (R1): a 52 MB spec of about 86k valid paths, generated at test time."""

from __future__ import annotations

import re

import pytest

from .cases import c42
from .conftest import hang_bound
from .test_cases import check_common


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("case42")
    case = c42(folder, 0)
    yield folder, case
    (folder / "spec.yaml").unlink()


def test_42_refused_with_max_file_size(big, gk, recorder):
    folder, case = big
    recorder.clear()
    run = gk(["check", "spec.yaml", "--max-file-size", "10MB"], cwd=folder)
    assert run.code == 2, run.stderr
    first = run.stderr.splitlines()[0]
    assert re.search(r"^spec\.yaml: file is 5\d\.\d MB, over the 10\.0 MB limit", first), first
    assert "--max-file-size" in first
    assert run.cpu <= 2.0 and run.seconds <= hang_bound(2.0), (run.cpu, run.seconds)
    assert run.rss_mb < 200, run.rss_mb
    check_common(run, case, folder, [])
    assert recorder.hits == []


def test_42_completes_with_default_limits(big, gk, recorder):
    folder, case = big
    recorder.clear()
    # Default size, depth and memory limits. The wall clock is the test's hang bound, not
    # gatekeeper's 120 s worker timeout: 16 to 36 s of CPU, by machine, took up to 175 s of
    # wall time at a load of 15 on 2 cores, and the timeout itself is tested in
    # tests/test_worker.py.
    run = gk(["check", "spec.yaml", "--quiet", "--timeout", "0"], cwd=folder,
             timeout=hang_bound(case.seconds))
    assert run.code in (0, 1), f"exit {run.code}: {run.stderr[:500]}"
    check_common(run, case, folder, [])
    assert recorder.hits == []
