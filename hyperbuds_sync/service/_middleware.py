"""The edge: what every request goes through before and after its handler.

In order, outermost first:

1. :func:`edge`, the envelope: the request id (``X-Request-ID`` taken when sane, else made;
   echoed), CORS (preflight answered here; headers on every answer to an allowed origin), every
   exception turned into JSON (404, 405, 413 and the SDK's errors by the table in ``_errors``;
   anything else a bare 500), the metrics and one JSON access-log line per request.
2. :func:`admit`, the door: ``X-API-Key`` against the configured keys (constant-time), 401 JSON
   otherwise; per caller (key name, else client address) a rate limit, 429 with
   ``Retry-After``; a declared body over 64 KiB a 413 before anything is read. The public paths
   (``/healthz``, ``/readyz``) are open; no keys: anonymous.

Two middlewares, not one per check: each layer is a call and a coroutine on every request.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from ..errors import HyperbudsSyncError
from ._errors import INTERNAL, answer_for, error_response
from ._keys import PUBLIC_PATHS, SETTINGS, SYNC
from ._limits import CallerLimits
from ._loglines import only_tick
from ._state import CALLER, LIMITS, METRICS, REQUEST_ID

__all__ = ["MIDDLEWARES", "access_log"]

access_log = logging.getLogger("hyperbuds_sync.service.access")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ANONYMOUS = "anonymous"
MAX_BODY = 64 * 1024
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, X-API-Key, X-Request-ID"
EXPOSE_HEADERS = "Retry-After, X-Request-ID"
_HTTP_ERRORS = {
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large (64 KiB at most)",
}


def _request_id(request: web.Request) -> str:
    """The caller's ``X-Request-ID`` when sane, else 32 random hex digits."""
    given = request.headers.get("X-Request-ID", "")
    return given if _SANE_ID.fullmatch(given) else secrets.token_hex(16)


def route_of(request: web.Request) -> str:
    """The matched route's pattern (``/api/platform/{type}``), never the raw path."""
    info = request.match_info
    if info.http_exception is not None:
        return "unmatched"
    resource = info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, CORS, errors as JSON, metrics and the access log (see the module)."""
    started = time.perf_counter()
    request[REQUEST_ID] = rid = _request_id(request)
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin in request.app[SETTINGS].origins
    error_class = ""
    try:
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response: web.StreamResponse = _preflight(allowed)
        else:
            response = await handler(request)
    except web.HTTPException as exc:
        response = _http_error(exc)
    except HyperbudsSyncError as exc:
        error_class = type(exc).__name__
        response = answer_for(exc, request.app[SYNC].platforms.names()).response()
    except Exception as exc:  # a fault of the service itself: logged by class, answered bare
        error_class = type(exc).__name__
        response = error_response(500, INTERNAL)
    if response.prepared:  # a streamed answer has sent its headers already
        _account(request, response.status, time.perf_counter() - started, error_class)
        return response
    response.headers["X-Request-ID"] = rid
    if allowed and origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        response.headers.add("Vary", "Origin")
    _account(request, response.status, time.perf_counter() - started, error_class)
    return response


def _preflight(allowed: bool) -> web.Response:
    if not allowed:
        return error_response(403, "Origin not allowed")
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": "600",
        },
    )


def _http_error(exc: web.HTTPException) -> web.StreamResponse:
    """aiohttp's own HTTP errors (router, body size) as JSON; a handler's JSON ones as they are
    (copied: an ``HTTPException`` returned as a response is deprecated)."""
    if exc.content_type == "application/json":
        return web.Response(status=exc.status, text=exc.text, content_type="application/json")
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return error_response(exc.status, _HTTP_ERRORS.get(exc.status, exc.reason), headers=headers)


def _account(request: web.Request, status: int, seconds: float, error_class: str) -> None:
    """Metrics and the one access-log line (no header, query or body in it)."""
    route, caller = route_of(request), request.get(CALLER) or ANONYMOUS
    request.app[METRICS].observe(route, request.method, status, caller, seconds)
    level = logging.ERROR if status >= 500 else logging.INFO
    if not access_log.isEnabledFor(level):
        return
    line = {
        "request_id": request[REQUEST_ID],
        "method": request.method,
        "route": route,
        "status": status,
        "ms": round(seconds * 1000, 2),
        "caller": caller,
        "remote": request.remote,
    }
    if error_class:
        line["error"] = error_class
    text = json.dumps(line, separators=(",", ":"))
    tick = only_tick(access_log) if level == logging.INFO else None
    if tick is not None:  # the serve command's own handler alone: the same line, no LogRecord
        tick.write_line(text)
    else:
        access_log.log(level, text)


@web.middleware
async def admit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Whether the request may come in: the caller's key, the caller's rate, the body's size.

    In that order: an unknown caller hears 401 before anything else (even with a big body), a
    known one may hear 429, and a declared body over 64 KiB is a 413 before anything is read (a
    streamed one by aiohttp's ``client_max_size`` when read). The public paths (``/healthz``,
    ``/readyz``) skip the key and the rate; no keys configured: every caller is anonymous.
    """
    app = request.app
    if request.path not in app[PUBLIC_PATHS]:
        keys = app[SETTINGS].keys
        name = _caller(keys, request.headers.get("X-API-Key", "")) if keys else None
        if keys and name is None:
            return error_response(401, "Invalid or missing API key", "send X-API-Key")
        if name is not None:
            request[CALLER] = name
        refused = _rate_limited(app[LIMITS], name, request.remote)
        if refused is not None:
            return refused
    if (request.content_length or 0) > MAX_BODY:
        return error_response(413, _HTTP_ERRORS[413])
    return await handler(request)


def _caller(keys: Mapping[str, str], given: str) -> str | None:
    """The name of the key ``given`` is, compared in constant time with every key (the time
    says nothing about which matched); ``None`` when it is none of them."""
    raw, name = given.encode(), None
    for candidate, key in keys.items():
        if hmac.compare_digest(raw, key.encode()) and name is None:
            name = candidate
    return name


def _rate_limited(
    limits: tuple[CallerLimits | None, CallerLimits | None], name: str | None, remote: str | None
) -> web.Response | None:
    """The 429 when the caller (key name, else the client's address) is over its rate."""
    keyed, anonymous = limits
    chosen = keyed if name else anonymous
    wait = None if chosen is None else chosen.take(name or f"addr:{remote}")
    if wait is None:
        return None
    return error_response(
        429,
        "Rate limit exceeded. Please try again later.",
        "too many requests from this caller",
        headers={"Retry-After": CallerLimits.header(wait)},
    )


MIDDLEWARES = (edge, admit)
