"""The HTTP service: HyperBuds' ``/api/v1/social/fetch`` contract and more, on ``aiohttp.web``.

::

    from hyperbuds_sync import SocialSync
    from hyperbuds_sync.service import ServiceSettings, create_app

    sync = SocialSync.from_env()
    app = create_app(sync, settings=ServiceSettings.from_env())
    web.run_app(app, host="127.0.0.1", port=8080)  # or: hyperbuds-sync serve

Routes (the reference is ``GET /openapi.json``; errors by the table in ``_errors``):

===========================================  ==============================================
``POST /api/v1/social/fetch``                HyperBuds' contract: ``{"platform", "username",
                                             "refresh"?, "formula"?}``
``GET /api/platform/{type}?username=``       their Next.js route (a failed fetch is a 200)
``POST /api/platform/batch``                 up to 10 platforms, ``null`` per failure
``POST /api/v1/social/sync``                 with the creator's ``Authorization: Bearer``
``GET /api/v1/social/history``, ``growth``   ``platform``, ``username``, ``days``
``GET /api/v1/social/anomalies``             ``platform``, ``username``, ``days`` (90)
``GET /api/v1/providers``                    each chain's state, quota per host
``GET /api/v1/roster``,                      the roster (404 ``No roster`` without one)
``PUT|DELETE /api/v1/roster/creators/{id}``
``GET /healthz``, ``/readyz``                alive; Redis and history answer (503 if not)
``GET /metrics``, ``/openapi.json``          Prometheus text; OpenAPI 3.1
===========================================  ==============================================

Every answer but ``/metrics`` is JSON; an error is ``{"success": false, "error", "message"?}``.
A configured key is sent in ``X-API-Key`` (``/healthz`` and ``/readyz`` are open).

Owns the application factory, the routes, the errors as JSON, the caller keys, CORS, the
per-caller rate limit, request ids and the access log, the metrics, the OpenAPI document, the
activity recorder and the status page. May import: the SDK's public API only (the top package,
``errors``, ``models``, ``metrics``, ``engagement``, ``roster``'s face), aiohttp and attrs;
prometheus_client (the ``service`` extra). Nothing in the SDK imports ``service`` but the CLI's
``serve`` command. The top package does not import it: ``import hyperbuds_sync`` stays free of
``aiohttp.web``'s server side and prometheus_client for the SDK's users.
"""

from __future__ import annotations

from ._activity import ActivityError, ActivityRecorder, ActivitySnapshot, PlatformActivity
from ._app import create_app
from ._keys import ACTIVITY, PUBLIC_PATHS, ROSTER, SETTINGS, SYNC
from ._loglines import TickHandler
from ._serve import ServeOptions, serve
from ._settings import RateLimit, ServiceSettings

__all__ = [
    "ACTIVITY",
    "PUBLIC_PATHS",
    "ROSTER",
    "SETTINGS",
    "SYNC",
    "ActivityError",
    "ActivityRecorder",
    "ActivitySnapshot",
    "PlatformActivity",
    "RateLimit",
    "ServeOptions",
    "ServiceSettings",
    "TickHandler",
    "create_app",
    "serve",
]

for _public in (
    ActivityError,
    ActivityRecorder,
    ActivitySnapshot,
    PlatformActivity,
    RateLimit,
    ServeOptions,
    ServiceSettings,
    TickHandler,
    create_app,
    serve,
):
    _public.__module__ = __name__
del _public
