"""The live audit's own overhead per request, against plain httpx calls.

Starts the demo service (``python -m gatekeeper.demo --port 0``) on 127.0.0.1 and sends the same
``GET /health`` N times in four ways, in one process, one connection each:

1. ``httpx``: a plain ``httpx.Client().get`` loop (the floor);
2. ``sender``: gatekeeper's `Sender.send` (origin check, budget, credential merge, bounded
   streaming read, latency timing, exchange record);
3. ``sender+checks``: the same plus every Schemathesis check on each answer (what the audit does
   for each generated request);
4. ``audit``: the whole audit (`run_audit`) of a one-operation spec with ``latency_samples=N``,
   end to end (generation, probes, checks, statistics), divided by the requests it sent.

Run: ``python benchmarks/live_overhead.py [-n 500] [--repeat 3] [--json out.json]``. It prints the
median over the repeats of the mean time per request and the overhead over plain httpx.

Measured on the project machine (2 cores shared with other jobs, load average about 7;
Python 3.11, Schemathesis 4.32.5, httpx 0.28.1), ``-n 400 --repeat 5``:

    httpx             0.60 ms
    sender            0.74 ms  overhead +0.14 ms (1.2x)
    sender+checks     1.51 ms  overhead +0.92 ms (2.5x)
    audit             1.83 ms  overhead +1.24 ms (3.1x)

So the audit adds about 1.2 ms of its own per request, most of it Schemathesis's response
validation (converting the answer and running ten checks); our client and bookkeeping add
0.14 ms. Against a real service (tens of ms per request, and the default rate limit of 10
requests a second) that is a few percent, and it is never counted in the latency figures,
which time only the request itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEC = """openapi: 3.0.3
info: {title: overhead, version: '1'}
paths:
  /health:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [status]
                properties: {status: {type: string}}
"""


def start_demo() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "gatekeeper.demo", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    return proc, line.strip().split("serving on ", 1)[1]


def per_request(fn, n: int) -> float:
    started = time.perf_counter()
    sent = fn(n)
    return (time.perf_counter() - started) / sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import httpx

    from gatekeeper.live.budget import Budget
    from gatekeeper.live.fuzz import Fuzzer
    from gatekeeper.live.runner import AuditOptions, run_audit
    from gatekeeper.live.safety import Credentials, Redactor, prepare_schema
    from gatekeeper.live.transport import Sender
    from gatekeeper.spec import load

    proc, url = start_demo()
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "overhead.yaml"
        spec_path.write_text(SPEC)
        spec = load(str(spec_path))
        fuzzer = Fuzzer(prepare_schema(spec.raw), with_credentials=False)
        st_op = fuzzer.operation("GET", "/health")
        case = fuzzer.cases(st_op, 1)[0]
        kwargs = fuzzer.request_kwargs(case, url)

        def plain(n: int) -> int:
            with httpx.Client(trust_env=False) as client:
                for _ in range(n):
                    client.get(url + "/health").read()
            return n

        def sender(n: int, checks: bool = False) -> int:
            s = Sender(url, Budget(max_requests=n + 1, max_duration=600, rate_limit=0),
                       credentials=Credentials(), redactor=Redactor())
            try:
                for _ in range(n):
                    ex = s.send("GET /health", "bench", **kwargs)
                    if checks:
                        list(fuzzer.validate(case, ex.response))
            finally:
                s.close()
            return n

        def audit(n: int) -> int:
            opts = AuditOptions(base_url=url, rate_limit=0, max_examples=1, negative_examples=0,
                                latency_samples=n, max_requests=n + 10)
            result = run_audit(spec, opts)
            return result.section()["requests"]["sent"]

        ways = {"httpx": plain, "sender": sender, "sender+checks": lambda n: sender(n, True), "audit": audit}
        try:
            for fn in ways.values():  # warm-up: imports, connection, JIT-free caches
                fn(20)
            results = {name: statistics.median(per_request(fn, args.n) for _ in range(args.repeat))
                       for name, fn in ways.items()}
        finally:
            proc.terminate()
            proc.wait(timeout=5)

    floor = results["httpx"]
    print(f"GET /health x {args.n}, median of {args.repeat} runs, per request:")
    for name, value in results.items():
        extra = "" if name == "httpx" else f"  overhead {(value - floor) * 1000:+.2f} ms ({value / floor:.1f}x)"
        print(f"  {name:<14} {value * 1000:7.2f} ms{extra}")
    if args.json:
        args.json.write_text(json.dumps({k: v * 1000 for k, v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
