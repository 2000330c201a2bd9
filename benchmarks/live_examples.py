"""How hard to look: what the live audit finds at --max-examples 10 and 100, and with
--focus-failures, in a FastAPI app with planted server errors of different rarity.

The app (`app`, FastAPI, served by uvicorn in a child process on 127.0.0.1) serves its own
generated OpenAPI document; each planted defect answers 500 only for part of its inputs:

- ``GET /search``: a query with a non-ASCII character (``q.encode("ascii")``): common;
- ``GET /orders``: ``page * per_page > 5000`` (an offset past a limit): needs large values;
- ``GET /catalog``: ``sort=price`` together with a ``category``: a combination;
- ``GET /users/{user_id}``: a body off its response model for ``user_id > 900`` (FastAPI
  turns it into a 500): needs large values;
- ``GET /invoices/{invoice_id}`` (1 to 100,000): ``invoice_id`` a multiple of 97: rare
  (about 1 % of values), next to a common 404.

Each configuration is one audit (`run_audit`, ``rate_limit=0``, default budgets otherwise),
with gatekeeper's direct generator for simple schemas (the default) and with Schemathesis's
Hypothesis generator for every operation (``fast_generation=False``).

Run: ``python benchmarks/live_examples.py [--json out.json]``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFECTS = {"GET /search": "non-ASCII q", "GET /orders": "page*per_page > 5000",
           "GET /catalog": "sort=price with category", "GET /users/{user_id}": "user_id > 900",
           "GET /invoices/{invoice_id}": "invoice_id % 97 == 0"}


def make_app():
    from typing import Literal

    from fastapi import FastAPI, HTTPException, Path, Query
    from pydantic import BaseModel

    app = FastAPI(title="planted", version="1")

    class User(BaseModel):
        id: int
        name: str

    @app.get("/search")
    def search(q: str = Query("", max_length=40)) -> dict:
        q.encode("ascii")  # DEFECT: UnicodeEncodeError -> 500
        return {"hits": []}

    @app.get("/orders")
    def orders(page: int = Query(1, ge=1), per_page: int = Query(20, ge=1, le=100)) -> dict:
        if page * per_page > 5000:
            raise RuntimeError("offset past the index")  # DEFECT
        return {"orders": []}

    @app.get("/catalog")
    def catalog(sort: Literal["name", "price", "date"] = "name", category: str | None = None) -> dict:
        if sort == "price" and category is not None:
            raise KeyError(category)  # DEFECT: price index per category missing
        return {"items": []}

    @app.get("/users/{user_id}", response_model=User)
    def user(user_id: int) -> dict:
        if user_id > 900:
            return {"id": user_id, "name": None}  # DEFECT: off the response model -> 500
        return {"id": user_id, "name": "ann"}

    @app.get("/invoices/{invoice_id}", responses={404: {"description": "no such invoice"}})
    def invoice(invoice_id: int = Path(ge=1, le=100_000)) -> dict:
        if invoice_id % 97 == 0:
            raise ZeroDivisionError  # DEFECT: rare
        if invoice_id > 50:
            raise HTTPException(404, "no such invoice")
        return {"id": invoice_id}

    @app.get("/health")
    def health() -> dict:
        return {"ok": True}

    return app


def serve(port_file: str) -> None:
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    Path(port_file).write_text(str(sock.getsockname()[1]))
    config = uvicorn.Config(make_app(), log_level="critical")
    uvicorn.Server(config).run(sockets=[sock])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
        try:
            for _ in range(100):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.1)
            url = f"http://127.0.0.1:{port_file.read_text()}"
            import httpx

            for _ in range(100):
                try:
                    spec = httpx.get(url + "/openapi.json", trust_env=False).json()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            spec_path = Path(tmp) / "openapi.json"
            spec_path.write_text(json.dumps(spec))
            from gatekeeper.live.runner import AuditOptions, run_audit
            from gatekeeper.spec import load

            loaded = load(str(spec_path))
            rows = []
            for generator, fast in (("gatekeeper", True), ("schemathesis", False)):
                for label, extra in (("max-examples 10", {"max_examples": 10}),
                                     ("max-examples 100", {"max_examples": 100}),
                                     ("max-examples 10 + focus", {"max_examples": 10, "focus_failures": True})):
                    started = time.monotonic()
                    result = run_audit(loaded, AuditOptions(base_url=url, rate_limit=0, fast_generation=fast,
                                                            **extra))
                    elapsed = time.monotonic() - started
                    errors = [o for o in result.observations.items.values() if o.rule == "live/server-error"]
                    found = [op for op in DEFECTS if any(o.operation == op for o in errors)]
                    first = {o.operation: o.extra.get("request", "") for o in errors}
                    rows.append({"generator": generator, "config": label, "seconds": round(elapsed, 1),
                                 "requests": result.section()["requests"]["sent"], "found": found,
                                 "missed": [op for op in DEFECTS if op not in found],
                                 "first_failing_request": first})
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for row in rows:
        print(f"{row['generator']:<13} {row['config']:<24} {row['requests']:>5} requests {row['seconds']:>6} s  "
              f"found {len(row['found'])}/{len(DEFECTS)}  missed: {', '.join(row['missed']) or '-'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
