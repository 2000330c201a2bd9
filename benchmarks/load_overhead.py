"""gatekeeper's generated load test against a plain, hand-written locustfile, interleaved.

Both drive the load demo (``python -m gatekeeper.demo.load_demo``, started here on 127.0.0.1)
with the same mix (``GET /status`` and ``GET /reports/42``, equal weights), the same users and
the same duration, alternating A B A B so machine noise falls on both. It prints, per round and
as medians: requests per second (gatekeeper's must reach at least 80 % of plain Locust's) and
p95 per operation (they must agree within 10 %), both computed from Locust's own statistics.

    python benchmarks/load_overhead.py [--rounds 3] [--users 30] [--seconds 10] [--mix status]

``--mix demo`` (the default) measures with the demo's two operations, where the service's
connection pool bounds throughput: it compares the p95 figures. ``--mix status`` sends only
``GET /status``, which the service answers faster than one Locust process can ask, so the load
generator is the bottleneck: it compares the generators' own cost (requests per second).
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "gatekeeper" / "demo" / "load.yaml"

PLAIN_LOCUSTFILE = '''
from locust import HttpUser, constant, task


class Plain(HttpUser):
    wait_time = constant(0)

    @task
    def status(self):
        with self.client.get("/status", name="GET /status", catch_response=True) as r:
            r.failure("5xx") if r.status_code >= 500 or r.status_code == 0 else r.success()

    @task
    def report(self):
        with self.client.get("/reports/42", name="GET /reports/{reportId}", catch_response=True) as r:
            r.failure("5xx") if r.status_code >= 500 or r.status_code == 0 else r.success()
'''


def percentile(histogram: dict[str, int], fraction: float) -> float:
    total = sum(histogram.values())
    seen = 0
    for value in sorted(histogram, key=float):
        seen += histogram[value]
        if seen >= fraction * total:
            return float(value)
    return 0.0


def figures(stats: list[dict]) -> dict[str, float]:
    start = min(e["start_time"] for e in stats)
    end = max(e["last_request_timestamp"] for e in stats)
    out = {"rps": sum(e["num_requests"] for e in stats) / (end - start)}
    for e in stats:
        out["p95 " + e["name"]] = percentile(e["response_times"], 0.95)
    return out


MIX = {"value": "demo"}


def run_plain(url: str, users: int, seconds: int, folder: Path) -> dict[str, float]:
    locustfile = folder / "plain_locustfile.py"
    text = PLAIN_LOCUSTFILE
    if MIX["value"] == "status":
        text = text.split("    @task\n    def report")[0]
    locustfile.write_text(text, encoding="utf-8")
    prefix = folder / "plain"
    subprocess.run([sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(users),
                    "-r", str(users), "-t", f"{seconds}s", "--host", url, "--json-file", str(prefix),
                    "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "0"],
                   check=True, capture_output=True, cwd=folder)
    return figures(json.loads(Path(str(prefix) + ".json").read_text()))


def run_gatekeeper(url: str, users: int, seconds: int, folder: Path) -> dict[str, float]:
    report = folder / "gatekeeper.json"
    spec = SPEC
    if MIX["value"] == "status":
        spec = folder / "status-only.yaml"
        text = SPEC.read_text(encoding="utf-8")
        spec.write_text(text.split("  /reports/{reportId}:")[0], encoding="utf-8")
    subprocess.run([sys.executable, "-m", "gatekeeper", "load", str(spec), "--base-url", url,
                    "-u", str(users), "-t", str(seconds), "--progress", "off", "--format", "json",
                    "-o", str(report)], capture_output=True, cwd=folder)
    section = json.loads(report.read_text())["sections"]["load"]
    out = {"rps": section["totals"]["requests"] / section["duration_s"]}
    for op in section["operations"]:
        out["p95 " + op["name"]] = op["p95"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--mix", choices=("demo", "status"), default="demo")
    args = parser.parse_args()
    MIX["value"] = args.mix
    server = subprocess.Popen([sys.executable, "-m", "gatekeeper.demo.load_demo", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    url = server.stdout.readline().strip().split("serving on ", 1)[1]
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/status", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    results: dict[str, list[dict[str, float]]] = {"gatekeeper": [], "plain": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for round_ in range(args.rounds):
                for name, runner in (("gatekeeper", run_gatekeeper), ("plain", run_plain)):
                    figures_ = runner(url, args.users, args.seconds, folder)
                    results[name].append(figures_)
                    print(f"round {round_ + 1} {name:<10} " +
                          "  ".join(f"{k} {v:.1f}" for k, v in sorted(figures_.items())), flush=True)
    finally:
        server.terminate()
    print(f"\nmedians over {args.rounds} interleaved rounds, {args.users} users, {args.seconds} s each "
          f"(load average {os.getloadavg()[0]:.1f}):")
    keys = sorted(results["plain"][0])
    for key in keys:
        gk = statistics.median(r[key] for r in results["gatekeeper"])
        plain = statistics.median(r[key] for r in results["plain"])
        print(f"  {key:<32} gatekeeper {gk:8.1f}   plain locustfile {plain:8.1f}   ratio {gk / plain:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
