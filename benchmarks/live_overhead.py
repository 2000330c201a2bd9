"""The live audit's own cost per request, against a plain httpx loop on the same operations.

A fast HTTP server (`serve`, asyncio, keep-alive; it answers every request at once with a
small JSON body) runs in a child process on 127.0.0.1. The document has ``--operations``
operations (20 by default): GETs with path and query parameters and POSTs with JSON bodies,
so the audit's generator has real schemas to fill. Two variants, interleaved in one run
(A B A B ...), so that the load other jobs put on a shared machine falls on both alike:

A. ``httpx``: a plain ``httpx.Client`` loop sending, per operation, one fixed valid request
   (path parameters filled in, query string, JSON body) ``--per-operation`` times; the floor
   any tool that sends these requests pays.
B. ``audit``: the whole audit (`run_audit`, writes allowed, ``--rate-limit 0``) of the same
   document: generation, every probe, the checks on every answer, the statistics; its
   wall time divided by the requests the server answered.

Run: ``python benchmarks/live_overhead.py [--rounds 5] [--json out.json]``. Prints the median
per-request wall time of each variant, the ratio B/A (the median of the per-round ratios:
each round's A and B ran back to back under the same load), and the CPU time this process
spent per request in each variant, which does not depend on the machine's load: on a busy
machine every millisecond of CPU between two requests costs more than a millisecond of wall
time, as the process waits to be scheduled again after each answer. Figures and what they
mean: benchmarks/README.md ("Live audit: cost per request").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = b'{"id": 7, "name": "rex", "tags": ["a"], "status": "ok"}'


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:].strip() or 0)
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def serve() -> None:
    async def main() -> None:
        server = await asyncio.start_server(_handle, "127.0.0.1", 0)
        print(f"serving on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()

    asyncio.run(main())


def make_spec(operations: int) -> dict:
    pet = {"type": "object", "required": ["id", "name"],
           "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                          "tags": {"type": "array", "items": {"type": "string"}},
                          "status": {"type": "string", "enum": ["ok", "sold"]}}}
    new_pet = {"type": "object", "required": ["name"],
               "properties": {"name": {"type": "string", "maxLength": 40},
                              "age": {"type": "integer", "minimum": 0, "maximum": 40},
                              "tags": {"type": "array", "maxItems": 5, "items": {"type": "string"}}}}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": pet}}}}
    paths: dict = {}
    for i in range(operations):
        if i % 2 == 0:
            paths[f"/r{i}/{{id}}"] = {"get": {"parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 20}}],
                "responses": ok}}
        else:
            paths[f"/r{i}"] = {"post": {"requestBody": {"required": True, "content": {
                "application/json": {"schema": new_pet}}}, "responses": ok}}
    return {"openapi": "3.0.3", "info": {"title": "overhead", "version": "1"}, "paths": paths}


def plain_requests(spec: dict, url: str) -> list[tuple[str, str, dict | None, dict | None]]:
    out = []
    for path, item in spec["paths"].items():
        for method in item:
            if method == "get":
                out.append(("GET", url + path.replace("{id}", "7"), {"limit": 10, "q": "rex"}, None))
            else:
                out.append(("POST", url + path, None, {"name": "rex", "age": 3, "tags": ["a"]}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--operations", type=int, default=20)
    parser.add_argument("--per-operation", type=int, default=25)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0

    import httpx

    from gatekeeper.live.runner import AuditOptions, run_audit
    from gatekeeper.spec import load

    proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip().split("serving on ", 1)[1]
    doc = make_spec(args.operations)
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "overhead.json"
        spec_path.write_text(json.dumps(doc))
        spec = load(str(spec_path))
        requests = plain_requests(doc, url)

        def plain() -> tuple[float, float, int]:
            started, cpu = time.perf_counter(), time.process_time()
            with httpx.Client(trust_env=False) as client:
                for _ in range(args.per_operation):
                    for method, target, params, body in requests:
                        client.request(method, target, params=params, json=body).read()
            return time.perf_counter() - started, time.process_time() - cpu, args.per_operation * len(requests)

        def audit() -> tuple[float, float, int]:
            opts = AuditOptions(base_url=url, rate_limit=0, allow_writes=True, max_requests=100_000,
                                max_duration=600)
            started, cpu = time.perf_counter(), time.process_time()
            result = run_audit(spec, opts)
            elapsed, used = time.perf_counter() - started, time.process_time() - cpu
            return elapsed, used, result.section()["requests"]["by_outcome"]["2xx"]

        variants = {"httpx": plain, "audit": audit}
        samples: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        counts: dict[str, int] = {}
        try:
            for fn in variants.values():  # warm-up: imports, connections, caches
                fn()
            for _ in range(args.rounds):
                for name, fn in variants.items():  # interleaved: A B A B ...
                    elapsed, used, sent = fn()
                    samples[name].append(elapsed / sent)
                    cpu[name].append(used / sent)
                    counts[name] = sent
        finally:
            proc.terminate()
            proc.wait(timeout=5)

    results = {name: statistics.median(values) for name, values in samples.items()}
    # Each round's two variants ran back to back under the same load: the ratio of a round
    # is the fair comparison, and its median the figure.
    ratios = [b / a for a, b in zip(samples["httpx"], samples["audit"], strict=True)]
    ratio = statistics.median(ratios)
    print(f"{args.operations} operations (GET with path+query parameters, POST with JSON bodies), "
          f"{args.rounds} interleaved rounds, median per request:")
    for name, value in results.items():
        spread = ", ".join(f"{v * 1000:.2f}" for v in samples[name])
        print(f"  {name:<6} {value * 1000:6.2f} ms  ({counts[name]} requests a round; rounds: {spread})")
    print(f"  audit / httpx, median of the per-round ratios: {ratio:.2f}x "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    cpu_ms = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    print(f"  CPU of this process per request: httpx {cpu_ms['httpx']:.2f} ms, audit {cpu_ms['audit']:.2f} ms "
          f"({cpu_ms['audit'] / cpu_ms['httpx']:.2f}x); load average {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"per_request_ms": {k: v * 1000 for k, v in results.items()},
                                         "cpu_per_request_ms": cpu_ms, "load_average": os.getloadavg()[0],
                                         "ratio": ratio, "round_ratios": ratios, "rounds_ms": {k: [x * 1000 for x in v]
                                                                       for k, v in samples.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
