"""The demo pet shop: a small real API with four deliberate defects.

Its contract is ``openapi.yaml`` beside this file. What it does differently from that contract,
on purpose, so that ``gatekeeper audit`` has something to find:

=====================================  ==========================================================
operation                              seeded defect (rule the audit reports)
=====================================  ==========================================================
``GET /reports``                       secured in the spec, but answers 200 without credentials
                                       (``live/auth-not-enforced``)
``GET /exports``                       sleeps 300 ms (``live/latency-budget-exceeded``)
``GET /stats/{metric}``                ``metric=mean`` divides by zero: 500 (``live/server-error``)
``GET /invoices/{invoiceId}``          its 404 is ``application/json`` ``{"error": ...}`` where the
                                       spec declares an ``application/problem+json`` Problem
                                       (``live/error-body-mismatch``); the body also echoes the
                                       caller's credential, the way debug output leaks tokens
=====================================  ==========================================================

Everything else keeps its promises: ``GET /health``, ``GET/POST /pets``, ``GET/DELETE
/pets/{petId}``, ``GET /me`` (echoes the credential back, as documented), and ``GET /search``,
which is rate limited (5 requests a second) and answers 429 with ``Retry-After`` as documented.

Two more routes, described in ``chaos.yaml``, misbehave below HTTP: ``GET /hang`` never
answers and ``GET /drop`` closes the connection half-way through its body.

Every request is appended to the access log (JSON lines: method, path, query, status, whether an
Authorization header came, milliseconds), never the header's value.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
CHAOS_SPEC_PATH = Path(__file__).with_name("chaos.yaml")

PROBLEM = "application/problem+json"
RATE_LIMIT = 5  # requests per second on /search
SLOW_SECONDS = 0.3


def problem(status: int, title: str, detail: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def create_app(*, token: str, access_log: Path | None = None, slow_seconds: float = SLOW_SECONDS) -> Starlette:
    pets: dict[int, dict[str, Any]] = {
        1: {"id": 1, "name": "Rex", "tag": "dog"},
        2: {"id": 2, "name": "Tom", "tag": "cat"},
        3: {"id": 3, "name": "Nemo"},
    }
    expected = f"Bearer {token}"

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == expected

    routes = [
        Route("/health", _health, methods=["GET"]),
        *_pet_routes(pets, authorized),
        *_me_and_search_routes(pets, authorized),
        *_defect_routes(pets, slow_seconds),
    ]
    app = Starlette(routes=routes)
    return _AccessLog(_Dropper(app), access_log)


def _int_param(raw: str) -> int | None:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        return None
    value = int(raw)
    return value if 1 <= value <= 1_000_000 else None


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _pet_routes(pets: dict[int, dict[str, Any]], authorized: Callable[[Request], bool]) -> list[Route]:
    """``GET/POST /pets`` and ``GET/DELETE /pets/{petId}``, on ``pets``."""
    next_id = [max(pets, default=0) + 1]

    async def list_pets(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "Unauthorized")
        limit_raw = request.query_params.get("limit", "20")
        cursor_raw = request.query_params.get("cursor", "0")
        limit = _int_param(limit_raw)
        if limit is None or limit > 50:
            return problem(400, "Bad Request", "limit must be an integer from 1 to 50")
        if not (cursor_raw.isascii() and cursor_raw.isdigit() and len(cursor_raw) <= 6):
            return problem(400, "Bad Request", "cursor must be what a previous page gave")
        start = int(cursor_raw)
        items = sorted(pets.values(), key=lambda p: p["id"])[start:start + limit]
        body: dict[str, Any] = {"items": items}
        if start + limit < len(pets):
            body["next"] = str(start + limit)
        return JSONResponse(body)

    async def create_pet(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "Unauthorized")
        try:
            data = json.loads(await request.body())
        except ValueError:
            return problem(400, "Bad Request", "body must be JSON")
        if not isinstance(data, dict):
            return problem(400, "Bad Request", "body must be an object")
        name, tag = data.get("name"), data.get("tag")
        if not isinstance(name, str) or not 1 <= len(name) <= 50:
            return problem(400, "Bad Request", "name must be a string of 1 to 50 characters")
        if tag is not None and (not isinstance(tag, str) or len(tag) > 20):
            return problem(400, "Bad Request", "tag must be a string of at most 20 characters")
        pet = {"id": next_id[0], "name": name}
        if tag is not None:
            pet["tag"] = tag
        pets[next_id[0]] = pet
        next_id[0] += 1
        return JSONResponse(pet, status_code=201)

    async def pet_item(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "Unauthorized")
        pet_id = _int_param(request.path_params["petId"])
        if pet_id is None:
            return problem(400, "Bad Request", "petId must be an integer from 1 to 1000000")
        if pet_id not in pets:
            return problem(404, "Not Found", f"no pet {pet_id}")
        if request.method == "DELETE":
            del pets[pet_id]
            return Response(status_code=204)
        return JSONResponse(pets[pet_id])

    return [
        Route("/pets", list_pets, methods=["GET"]),
        Route("/pets", create_pet, methods=["POST"]),
        Route("/pets/{petId}", pet_item, methods=["GET", "DELETE"]),
    ]


def _me_and_search_routes(pets: dict[int, dict[str, Any]],
                          authorized: Callable[[Request], bool]) -> list[Route]:
    """``GET /me`` (echoes the credential, as documented) and the rate-limited ``GET /search``."""
    search_hits: deque[float] = deque()

    async def me(request: Request) -> Response:
        if not authorized(request):
            return problem(401, "Unauthorized")
        return JSONResponse({"authorization": request.headers["authorization"]})

    async def search(request: Request) -> Response:
        now = time.monotonic()
        while search_hits and now - search_hits[0] > 1.0:
            search_hits.popleft()
        if len(search_hits) >= RATE_LIMIT:
            response = problem(429, "Too Many Requests", "at most 5 searches a second")
            response.headers["Retry-After"] = "1"
            return response
        search_hits.append(now)
        q = request.query_params.get("q")
        if q is None or len(q) > 40:
            return problem(400, "Bad Request", "q is required, at most 40 characters")
        items = [p for p in pets.values() if q.lower() in p["name"].lower()]
        return JSONResponse({"items": items})

    return [
        Route("/me", me, methods=["GET"]),
        Route("/search", search, methods=["GET"]),
    ]


def _defect_routes(pets: dict[int, dict[str, Any]], slow_seconds: float) -> list[Route]:
    """The seeded defects of the module docstring's table, and ``GET /hang``."""

    async def reports(request: Request) -> Response:
        # DEFECT: secured in the spec, but the credential is never checked.
        return JSONResponse({"reports": ["2024-Q1", "2024-Q2"]})

    async def exports(request: Request) -> Response:
        # DEFECT: far over any sensible latency budget.
        await asyncio.sleep(slow_seconds)
        return JSONResponse({"exports": ["pets.csv"]})

    async def stats(request: Request) -> Response:
        metric = request.path_params["metric"]
        sold: list[float] = []
        if metric == "count":
            return JSONResponse({"metric": metric, "value": len(pets)})
        if metric == "max":
            return JSONResponse({"metric": metric, "value": max(pets, default=0)})
        if metric == "mean":
            # DEFECT: no sales yet, so this raises ZeroDivisionError and the server answers 500.
            return JSONResponse({"metric": metric, "value": sum(sold) / len(sold)})
        return problem(400, "Bad Request", "metric must be one of count, max, mean")

    async def invoice(request: Request) -> Response:
        invoice_id = _int_param(request.path_params["invoiceId"])
        if invoice_id is None:
            return problem(400, "Bad Request", "invoiceId must be an integer from 1 to 1000000")
        if invoice_id == 1:
            return JSONResponse({"id": 1, "total": 42.5})
        # DEFECT: not the documented problem+json shape, and it echoes the caller's credential.
        return JSONResponse(
            {"error": f"invoice {invoice_id} not found",
             "seen_authorization": request.headers.get("authorization")},
            status_code=404,
        )

    async def hang(request: Request) -> Response:
        await asyncio.sleep(3600)
        return JSONResponse({})

    return [
        Route("/reports", reports, methods=["GET"]),
        Route("/exports", exports, methods=["GET"]),
        Route("/stats/{metric}", stats, methods=["GET"]),
        Route("/invoices/{invoiceId}", invoice, methods=["GET"]),
        Route("/hang", hang, methods=["GET"]),
    ]


class _Dropper:
    """``GET /drop``: starts a 100-byte answer, sends 10 bytes, then aborts the connection."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/drop":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")]})
            await send({"type": "http.response.body", "body": b'{"partial"', "more_body": True})
            raise ConnectionAbortedError("demo: dropping the connection on purpose")
        await self.app(scope, receive, send)


class _AccessLog:
    """Appends one JSON line per request; never logs header values."""

    def __init__(self, app: Any, path: Path | None) -> None:
        self.app = app
        self.path = path
        self._lock = threading.Lock()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.path is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            has_auth = any(k.lower() == b"authorization" for k, _ in scope.get("headers", []))
            line = json.dumps({
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status[0],
                "auth": has_auth,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            })
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
