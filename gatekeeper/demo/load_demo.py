"""A service that is fast alone and slow under concurrency, for the load test's demo.

``python -m gatekeeper.demo.load_demo [--host 127.0.0.1] [--port 8001] [--pool 2] [--hold-ms 30]``

Its contract is ``load.yaml`` beside this file. ``GET /reports/{reportId}`` borrows one of
``--pool`` database connections for ``--hold-ms`` per request, the way a service with a small
connection pool behaves: one request at a time takes ~30 ms, but at 30 concurrent users requests
queue for the pool and p95 climbs past a second. ``GET /status`` needs no connection and stays
fast at any concurrency (a steady endpoint). So the idle live audit (one request at a time)
passes, and ``gatekeeper load`` with enough users fails the p95 budget on the reports endpoint.
With ``--port 0`` the system picks a free port; the first stdout line names the URL:
``gatekeeper load demo: serving on http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from pathlib import Path

SPEC_PATH = Path(__file__).with_name("load.yaml")


def create_app(*, pool: int = 2, hold_seconds: float = 0.03):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    connections: list[asyncio.Semaphore] = []  # created on the server's event loop

    def semaphore() -> asyncio.Semaphore:
        if not connections:
            connections.append(asyncio.Semaphore(pool))
        return connections[0]

    async def status(request: Request) -> Response:
        await asyncio.sleep(0.002)
        return JSONResponse({"status": "ok"})

    async def report(request: Request) -> Response:
        raw = request.path_params["reportId"]
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            return JSONResponse({"title": "Not Found", "status": 404}, status_code=404,
                                media_type="application/problem+json")
        async with semaphore():
            await asyncio.sleep(hold_seconds)
        return JSONResponse({"id": int(raw), "title": f"Report {raw}", "rows": 12})

    return Starlette(routes=[Route("/status", status), Route("/reports/{reportId}", report)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatekeeper.demo.load_demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--pool", type=int, default=2, help="connections GET /reports/{id} shares")
    parser.add_argument("--hold-ms", type=float, default=30, help="how long a request holds one")
    args = parser.parse_args(argv)
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(f"the load demo needs the demo extra: in a checkout of gatekeeper, pip install '.[demo]' ({exc})",
              file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"gatekeeper load demo: cannot listen on {args.host}:{args.port}: {exc.strerror}",
              file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    print(f"gatekeeper load demo: serving on http://{host}:{port}", flush=True)
    app = create_app(pool=args.pool, hold_seconds=args.hold_ms / 1000)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
