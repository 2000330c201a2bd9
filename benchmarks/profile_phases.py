"""Where does a check's time go? One Markdown table of phases for every benchmark row.

Not a test. For each row (``bench_peers.py``'s targets: the corpus median spec, GitHub,
Stripe's YAML, DigitalOcean's multi-file spec, Graph beta) a fresh process runs
``gatekeeper check --format json SPEC`` in-process (``gatekeeper.cli.check_command``, the
command itself, with the worker limits off so nothing is forked) while the functions the
pipeline calls are timed where they are defined:

* interpreter start-up: from the parent's spawn to the child's first statement;
* imports: the modules a check imports (the CLI, the gates, the JSON reporter);
* read: ``loader.load_document`` (stat, read, decode), without the parse;
* parse: ``loader.parse_text`` (JSON or YAML, depth check);
* resolve: ``resolver.resolve_all`` without the files it reads and parses;
* index: ``Spec.__init__`` (the operations) and the security-scheme and server views;
* positions: ``Spec.location``, line:column of each reported pointer (inside the gates);
* gate NAME: ``engine._run_gate`` for that gate, without index work or positions done
  inside it;
* report build: the rest of ``engine.run`` (rule catalogue, the `Report`);
* report render: ``gatekeeper.reporters.json.render`` or ``render_bytes`` (what a file or
  stdout gets);
* other: the rest of ``check_command`` (configuration, output, ...).

Each phase is exclusive (a nested timed call is counted in its own phase, not its caller's),
so the column adds up to the in-process total. Start-up and imports are wall-clock seconds
(they span two processes); the phases after them are CPU seconds of the process, which other
sessions' load on a shared machine disturbs far less than wall time. The whole process as
the benchmark runs it (supervised child, validity's helper process for small specs) is timed
too, wall-clock, in the same rounds. Medians of ``--repeat`` fresh processes per row.

    python benchmarks/profile_phases.py                       # every row, 3 runs each
    python benchmarks/profile_phases.py azure-auth stripe --repeat 5
    GATEKEEPER_PYTHON=/tmp/venv/bin/python python benchmarks/profile_phases.py

Measure with bytecode caching on (``env -u PYTHONDONTWRITEBYTECODE``), as users' installs
have their ``.pyc`` files; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_peers import TARGETS, gatekeeper_python, measure  # noqa: E402

ROWS = ["azure-auth", "github", "stripe", "digitalocean", "graph-beta"]
FIXED = ["interpreter start-up (wall)", "imports (wall)", "read", "parse", "resolve", "index"]
TAIL = ["positions", "report build", "report render", "other"]

# Runs in the child: times the pipeline's own functions, then runs the command once.
_CHILD = r"""
import sys, time
started = time.time()
import gatekeeper.cli, gatekeeper.orchestration.check, gatekeeper.orchestration.compare
import gatekeeper.config
import gatekeeper.registry, gatekeeper.reporters, gatekeeper.reporters.json, gatekeeper.spec
gatekeeper.registry.gates_for(gatekeeper.config.Config())  # imports every gate
imported = time.time()

import gc, json, os
from time import process_time as perf_counter  # CPU: steadier on a shared machine
from gatekeeper import engine, loader, resolver, spec as spec_mod
from gatekeeper.index import build

totals, stack = {}, []

def timed(fn, label):
    def wrapper(*args, **kwargs):
        name = label(args) if callable(label) else label
        start = perf_counter()
        stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = perf_counter() - start
            inner = stack.pop()
            totals[name] = totals.get(name, 0.0) + elapsed - inner
            if stack:
                stack[-1] += elapsed
    wrapper.__wrapped__ = fn
    return wrapper

def patch(module, name, label):
    # the function where it is defined and every module that imported its name (none
    # when an older tree has no such function)
    original = getattr(module, name, None)
    if original is None:
        return
    wrapper = timed(original, label)
    for mod in list(sys.modules.values()):
        if getattr(mod, "__dict__", {}).get(name) is original:
            setattr(mod, name, wrapper)

patch(loader, "load_document", "read")
patch(loader, "parse_text", "parse")
patch(resolver, "resolve_all", "resolve")
patch(build, "_build_security_schemes", "index")
patch(build, "_root_servers", "index")
patch(engine, "_run_gate", lambda args: "gate " + args[1].name)
patch(engine, "run", "report build")
patch(gatekeeper.reporters.json, "render", "report render")
patch(gatekeeper.reporters.json, "render_bytes", "report render")
spec_mod.Spec.__init__ = timed(spec_mod.Spec.__init__, "index")
spec_mod.Spec.location = timed(spec_mod.Spec.location, "positions")

from gatekeeper.orchestration.check import CheckOptions, check_command
from gatekeeper.orchestration.failures import Exit
out = open(os.devnull, "w")
real_stdout, sys.stdout = sys.stdout, out
start = perf_counter()
try:
    check_command(CheckOptions(specs=[sys.argv[1]], fmt="json", timeout=0, max_memory="0"))
except Exit:
    pass
total = perf_counter() - start
sys.stdout = real_stdout
totals["other"] = total - sum(totals.values())
print(json.dumps({"started": started, "imported": imported, "phases": totals}))
"""


def profile_once(python: str, spec: Path) -> dict[str, float]:
    """Phase -> seconds for one fresh process."""
    spawned = time.time()
    proc = subprocess.Popen([python, "-c", _CHILD, str(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=spec.parent,
                            env={**os.environ, "NO_COLOR": "1"})
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"profile of {spec} failed:\n{err}")
    data = json.loads(out.strip().splitlines()[-1])
    phases = {"interpreter start-up (wall)": data["started"] - spawned,
              "imports (wall)": data["imported"] - data["started"], **data["phases"]}
    return phases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="*", help=f"default: all ({', '.join(ROWS)})")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rows = args.rows or ROWS
    for row in rows:
        if row not in ROWS:
            ap.error(f"unknown row {row!r}; choose from {', '.join(ROWS)}")
    python = gatekeeper_python()
    runs: dict[str, list[dict[str, float]]] = {row: [] for row in rows}
    whole: dict[str, list[tuple[float, float]]] = {row: [] for row in rows}
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
          f"; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {python}\n")
    for _ in range(args.repeat):  # rounds: each row once per round, so load drifts evenly
        for row in rows:
            spec = TARGETS[row]
            runs[row].append(profile_once(python, spec))
            cmd = [python, "-m", "gatekeeper", "check", "--format", "json", str(spec)]
            wall, rss, _ = measure(cmd, 600, cwd=spec.parent)
            whole[row].append((wall, rss))
    gates = sorted({p for r in runs.values() for run in r for p in run if p.startswith("gate ")})
    phases = FIXED + gates + TAIL

    def med(row: str, phase: str) -> float:
        return statistics.median(run.get(phase, 0.0) for run in runs[row])

    print("| phase (s, median of %d runs) | %s |" % (args.repeat, " | ".join(rows)))
    print("|---|" + "---:|" * len(rows))
    for phase in phases:
        print(f"| {phase} | " + " | ".join(f"{med(row, phase):.3f}" for row in rows) + " |")
    sums = {row: statistics.median(sum(run.values()) for run in runs[row]) for row in rows}
    print("| **sum of phases** | " + " | ".join(f"**{sums[r]:.3f}**" for r in rows) + " |")
    print("| whole process, `check --format json` (wall) | " + " | ".join(
        f"{statistics.median(w for w, _ in whole[r]):.3f}" for r in rows) + " |")
    print("| its peak RSS MB | " + " | ".join(
        f"{max(m for _, m in whole[r]):.0f}" for r in rows) + " |")
    print()
    for row in rows:
        top = sorted(phases, key=lambda p: -med(row, p))[:3]
        print(f"- {row}: largest " + ", ".join(f"{p} {med(row, p):.3f} s "
                                               f"({med(row, p) / sums[row]:.0%})" for p in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
