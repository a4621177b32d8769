"""The access log: one JSON line per request, written by aiohttp after the answer is sent.

The middleware (``_middleware.edge``) puts on the request what only it knows (the request id,
the caller's key name, the error's class); :class:`AccessLogger`, aiohttp's access logger class
(``access_log_class=``), writes the line once the response has gone out, so the line's cost is
not on the answer's path. ``serve`` passes it (one process and gunicorn's workers alike); an
embedder running :func:`~hyperbuds_sync.service.create_app` in its own runner passes
:data:`ACCESS_LOG` to it: ``web.AppRunner(app, **ACCESS_LOG)`` (or ``web.run_app``,
``aiohttp.test_utils.TestServer``). Without it no access line is written.

A line holds the request id, the method, the route's pattern (never the raw path), the status,
the latency in ms (from the request's start to the answer sent), the caller's key name (never the
key), the client's address and, for an error, its class: no header, query or body.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest

from ._state import CALLER, ERROR_CLASS, REQUEST_ID

__all__ = ["ACCESS_LOG", "AccessLogger", "access_log", "route_of"]

access_log = logging.getLogger("hyperbuds_sync.service.access")
ANONYMOUS = "anonymous"


def route_of(request: web.Request) -> str:
    """The matched route's pattern (``/api/platform/{type}``), never the raw path."""
    info = request.match_info
    if info.http_exception is not None:
        return "unmatched"
    resource = info.route.resource
    return resource.canonical if resource is not None else "unmatched"


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access logger writing the service's JSON line (see the module): INFO, or ERROR
    for a 5xx. A request the service's middleware never saw (one aiohttp refused while parsing
    it) has no line, as before."""

    @property
    def enabled(self) -> bool:
        """Whether any line would be written (an ERROR line at least)."""
        return self.logger.isEnabledFor(logging.ERROR)

    def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write ``request``'s line (``time``: seconds from its start to its answer sent)."""
        rid = request.get(REQUEST_ID)
        if rid is None or not isinstance(request, web.Request):
            return
        status = response.status
        level = logging.ERROR if status >= 500 else logging.INFO
        if not self.logger.isEnabledFor(level):
            return
        line: dict[str, Any] = {
            "request_id": rid,
            "method": request.method,
            "route": route_of(request),
            "status": status,
            "ms": round(time * 1000, 2),
            "caller": request.get(CALLER) or ANONYMOUS,
            "remote": request.remote,
        }
        error_class = request.get(ERROR_CLASS)
        if error_class:
            line["error"] = error_class
        text = json.dumps(line, separators=(",", ":"))
        # the record made and handled as ``Logger.log`` does, without its ``findCaller`` (a walk
        # up the stack for a file and line number that are always this one)
        logger = self.logger
        logger.handle(logger.makeRecord(logger.name, level, __file__, 0, text, (), None))


ACCESS_LOG: dict[str, Any] = {"access_log_class": AccessLogger, "access_log": access_log}
"""The runner options that write the access lines: ``web.AppRunner(app, **ACCESS_LOG)``."""
