"""Time `gatekeeper check` on spec files, one fresh process per run: wall time and peak RSS.

    python benchmarks/time_check.py ../shared/corpus/stripe/spec3.yaml [--runs 3]

Prints one line per spec: size, median wall seconds, peak RSS of the child process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def measure(spec: str, runs: int) -> tuple[float, float]:
    walls = []
    peak = 0.0
    for _ in range(runs):
        pid_start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "gatekeeper", "check", spec, "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - pid_start)
        peak = max(peak, usage.ru_maxrss / 1024)  # KiB -> MiB on Linux
    return statistics.median(walls), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'spec':<60} {'size MB':>8} {'median s':>9} {'peak MiB':>9}")
    for spec in args.specs:
        wall, peak = measure(spec, args.runs)
        size = os.path.getsize(spec) / 1e6
        print(f"{spec[-60:]:<60} {size:>8.1f} {wall:>9.2f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
