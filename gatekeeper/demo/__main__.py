"""``python -m gatekeeper.demo [--host 127.0.0.1] [--port 8000] [--access-log FILE]``.

The valid credential is ``Bearer <token>``, with the token from ``--token-env VAR`` (the
variable's name, default ``GATEKEEPER_DEMO_TOKEN``) or ``demo-token`` when that is unset. With
``--port 0`` the system picks a free port; the first line on stdout always names the real URL:
``gatekeeper demo: serving on http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatekeeper.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--access-log", type=Path, default=None, help="append one JSON line per request")
    parser.add_argument("--token-env", default="GATEKEEPER_DEMO_TOKEN",
                        help="environment variable holding the valid bearer token")
    parser.add_argument("--slow-ms", type=int, default=300, help="delay of GET /exports")
    args = parser.parse_args(argv)

    try:
        import uvicorn

        from gatekeeper.demo.app import create_app
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(f"gatekeeper demo needs the demo extra: in a checkout of gatekeeper, pip install '.[demo]' ({exc})",
              file=sys.stderr)
        return 2

    token = os.environ.get(args.token_env) or "demo-token"
    app = create_app(token=token, access_log=args.access_log, slow_seconds=args.slow_ms / 1000)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"gatekeeper demo: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    print(f"gatekeeper demo: serving on http://{host}:{port}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
