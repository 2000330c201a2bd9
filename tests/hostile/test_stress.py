"""Sixteen checks at once of the 5,000-operation spec (case 36), every report format each,
beside a process that keeps a core busy: every check exits, with every report written.

This catches hangs, not slowness: one check costs about 2.5 s of CPU, so the 16 need about
40 s of CPU on a 2-core runner; the bound below is what a busy shared runner honours (the
work, slowed by the hog and by other jobs, with room to spare). Speed is measured in
benchmarks/reporters.py. A reporter that is quadratic in the number of findings (the JUnit
reporter once took 15 s on this spec's 10,000 findings) makes the 16 miss the bound.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

from .cases import c36

#: Seconds within which all 16 checks must have exited (hang detection only).
BOUND = 400.0
FORMATS = {"json": "r.json", "sarif": "r.sarif", "junit": "r.xml", "html": "r.html",
           "github": "r.txt", "markdown": "r.md", "gitlab": "r.gitlab.json"}


def test_sixteen_concurrent_checks_of_a_5000_operation_spec_all_exit(tmp_path):
    c36(tmp_path, 0)
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    runs = []
    try:
        for i in range(16):
            out = tmp_path / f"out{i}"
            out.mkdir()
            # --timeout 0: the bound below is the hang detector. gatekeeper's own 120 s limit
            # would stop checks that are merely slow on a machine shared with other jobs
            # (seen at a load of 33 on 2 cores), and the test is about every report being
            # written, not about how long a crowded machine takes.
            args = [sys.executable, "-m", "gatekeeper", "check", "spec.yaml", "-q",
                    "--timeout", "0"]
            for name, file in FORMATS.items():
                args += ["--report", f"{name}={out / file}"]
            runs.append((out, subprocess.Popen(args, cwd=tmp_path, env=env,
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.PIPE)))
        deadline = time.monotonic() + BOUND
        late = []
        for out, proc in runs:
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                late.append(out.name)
    finally:
        hog.kill()
        hog.wait()
        for _, proc in runs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not late, f"checks still running after {BOUND:.0f} s: {late}"
    for out, proc in runs:
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert proc.returncode in (0, 1), f"{out.name}: exit {proc.returncode}: {stderr[:500]}"
        data = json.loads((out / "r.json").read_text())
        assert data["spec"]["operations"] == 5000
        json.loads((out / "r.sarif").read_text())
        json.loads((out / "r.gitlab.json").read_text())
        ET.fromstring((out / "r.xml").read_text())
        assert (out / "r.html").read_text().rstrip().endswith("</html>")
        assert (out / "r.md").stat().st_size > 0 and (out / "r.txt").exists()
