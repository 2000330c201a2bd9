"""Memory of a batch run: the parent's RSS and the whole process tree's, sampled.

    python benchmarks/batch_memory.py [--interval 0.5] [--log samples.tsv] -- \\
        gatekeeper check FOLDER -j 2 --format json -o batch.json

Runs the command and, every `--interval` seconds, reads ``VmRSS`` from /proc/PID/status of
the command's process (the batch parent) and of every process below it (the spec workers).
Prints the peak parent RSS, the peak total, and the peak total without the largest worker of
each sample (what the batch costs beyond the one spec that needs the most memory), plus the
wall time and the exit code. Totals are given as RSS sums (which count a forked worker's
pages shared with the parent twice) and as PSS sums (each shared page counted once). Linux only (/proc). The command's exit code is passed on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def _field(path: str, name: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_kib(pid: int) -> int:
    return _field(f"/proc/{pid}/status", "VmRSS:")


def pss_kib(pid: int) -> int:
    """Proportional set size: pages shared with other processes (a forked worker shares the
    parent's heap until it writes to it) counted once over all of them."""
    return _field(f"/proc/{pid}/smaps_rollup", "Pss:")


def children_of(pid: int) -> list[int]:
    """Every descendant of `pid` (via /proc/PID/task/*/children)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--log", help="write every sample (seconds, parent, workers, total "
                        "in MB) to this TSV file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    started = time.monotonic()
    proc = subprocess.Popen(command)
    peak_parent = peak_total = peak_rest = peak_worker = peak_pss = peak_pss_rest = 0
    log = open(args.log, "w", encoding="utf-8") if args.log else None  # noqa: SIM115
    if log:
        log.write("seconds\tparent_mb\tworkers_mb\ttotal_mb\ttotal_pss_mb\n")
    while proc.poll() is None:
        parent = rss_kib(proc.pid)
        kids = children_of(proc.pid)
        workers = [rss_kib(pid) for pid in kids]
        worker_pss = [pss_kib(pid) for pid in kids]
        total_pss = pss_kib(proc.pid) + sum(worker_pss)
        peak_pss = max(peak_pss, total_pss)
        peak_pss_rest = max(peak_pss_rest, total_pss - max(worker_pss, default=0))
        total = parent + sum(workers)
        largest = max(workers, default=0)
        peak_parent = max(peak_parent, parent)
        peak_total = max(peak_total, total)
        peak_rest = max(peak_rest, total - largest)
        peak_worker = max(peak_worker, largest)
        if log:
            log.write(f"{time.monotonic() - started:.1f}\t{parent / 1024:.0f}\t"
                      f"{sum(workers) / 1024:.0f}\t{total / 1024:.0f}\t{total_pss / 1024:.0f}\n")
            log.flush()
        time.sleep(args.interval)
    elapsed = time.monotonic() - started
    if log:
        log.close()
    mb = 1024
    print(f"wall {elapsed:.1f} s, exit {proc.returncode}\n"
          f"peak parent RSS          {peak_parent / mb:8.0f} MB\n"
          f"peak total RSS           {peak_total / mb:8.0f} MB\n"
          f"peak total minus largest worker {peak_rest / mb:.0f} MB\n"
          f"largest worker seen      {peak_worker / mb:8.0f} MB\n"
          f"peak total PSS           {peak_pss / mb:8.0f} MB\n"
          f"peak total PSS minus largest worker {peak_pss_rest / mb:.0f} MB", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
