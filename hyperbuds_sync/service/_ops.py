"""The operations routes: ``/healthz`` (alive), ``/readyz`` (Redis and the history database
answer; 503 when one does not), ``/metrics`` (Prometheus text) and ``/openapi.json``."""

from __future__ import annotations

from aiohttp import web

from ._keys import SYNC
from ._openapi import document
from ._state import METRICS

__all__ = ["ROUTES"]

READY_WITHIN = 2.0


async def healthz(request: web.Request) -> web.Response:
    """``GET /healthz``: the process is alive (no I/O)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """``GET /readyz``: each configured shared part and whether it answered; 503 if one did
    not."""
    checks = await request.app[SYNC].ready(READY_WITHIN)
    ready = all(checks.values())
    return web.json_response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


async def metrics(request: web.Request) -> web.Response:
    """``GET /metrics``: the Prometheus exposition text."""
    body, content_type = request.app[METRICS].render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type
    return response


async def openapi(request: web.Request) -> web.Response:
    """``GET /openapi.json``: the whole API as OpenAPI 3.1."""
    return web.json_response(document(request.app[SYNC].platforms.names()))


ROUTES = (
    web.get("/healthz", healthz, allow_head=False),
    web.get("/readyz", readyz, allow_head=False),
    web.get("/metrics", metrics, allow_head=False),
    web.get("/openapi.json", openapi, allow_head=False),
)
