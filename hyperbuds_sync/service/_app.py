"""``create_app``: the service's one application factory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs
from aiohttp import web

from . import _fetching as fetching
from . import _ops as ops
from . import _routes as routes
from ._activity import ActivityRecorder
from ._answers import KeptAnswers
from ._keys import ACTIVITY, PUBLIC_PATHS, ROSTER, SETTINGS, SYNC
from ._limits import CallerLimits
from ._metrics import ServiceMetrics
from ._middleware import MAX_BODY, MIDDLEWARES
from ._settings import RateLimit, ServiceSettings, parse_origins
from ._state import ANSWERS, LIMITS, METRICS
from ._status import mount as _mount_status

if TYPE_CHECKING:
    from ..client import SocialSync
    from ..roster import Roster

__all__ = ["create_app"]


def create_app(
    sync: SocialSync,
    *,
    keys: Mapping[str, str] | None = None,
    origins: Iterable[str] | None = None,
    roster: Roster | None = None,
    settings: ServiceSettings | None = None,
    activity: ActivityRecorder | None = None,
) -> web.Application:
    """The service as an :class:`aiohttp.web.Application` over ``sync``.

    The app borrows ``sync`` (and ``roster``): it never closes them; whoever made them closes
    them after the app is cleaned up (the ``serve`` command does).

    Args:
        sync: the client every route calls (its public API only).
        keys: caller name to ``X-API-Key`` value; overrides ``settings.keys``. Empty: anonymous
            callers are let in (limited per address by ``settings.anonymous_rate_limit``).
        origins: the browser origins CORS allows; overrides ``settings.origins``.
        roster: the roster the ``/api/v1/roster`` routes manage, its figures in ``/metrics``
            (``None``: those routes answer 404 ``No roster``).
        settings: formula and rate limits (default :class:`ServiceSettings`'s defaults);
            ``ServiceSettings.from_env()`` reads them from the environment.
        activity: the recorder of recent fetches (default: a new one), ``app[ACTIVITY]``.

    Raises:
        ConfigError: prometheus_client is missing (``pip install "hyperbuds-sync[service]"``).
    """
    settings = settings or ServiceSettings()
    if keys is not None:
        settings = attrs.evolve(settings, keys=keys)
    if origins is not None:
        settings = attrs.evolve(settings, origins=parse_origins(",".join(origins)))
    app = web.Application(client_max_size=MAX_BODY, middlewares=MIDDLEWARES)
    app[SYNC] = sync
    app[SETTINGS] = settings
    app[ACTIVITY] = activity if activity is not None else ActivityRecorder()
    app[ROSTER] = roster
    app[PUBLIC_PATHS] = {"/healthz", "/readyz"}
    app[METRICS] = ServiceMetrics(sync, roster)
    app[ANSWERS] = KeptAnswers(fetching.data_json)
    app[LIMITS] = (_limits(settings.rate_limit), _limits(settings.anonymous_rate_limit))
    app.router.add_routes(ops.ROUTES)
    app.router.add_routes(FETCH_ROUTES)
    app.router.add_routes(routes.ROUTES)
    _mount_status(app)  # GET /status, its sign-in and stylesheet (paths: _status/_openapi.py)
    return app


def _limits(limit: RateLimit | None) -> CallerLimits | None:
    return None if limit is None else CallerLimits(limit)


FETCH_ROUTES = (
    web.post("/api/v1/social/fetch", fetching.social_fetch),
    web.post("/api/platform/batch", fetching.platform_batch),  # before {type}: first match wins
    web.get("/api/platform/{type}", fetching.platform_get, allow_head=False),
    web.post("/api/platform/{type}", fetching.platform_post_other),
)
