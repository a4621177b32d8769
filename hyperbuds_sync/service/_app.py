"""``create_app``: the service's one application factory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs
from aiohttp import web

from ._activity import ActivityRecorder
from ._keys import ACTIVITY, PUBLIC_PATHS, ROSTER, SETTINGS, SYNC
from ._settings import ServiceSettings, parse_origins
from ._status import mount as _mount_status

if TYPE_CHECKING:
    from ..client import SocialSync
    from ..roster import Roster

__all__ = ["MAX_BODY_BYTES", "create_app"]

MAX_BODY_BYTES = 64 * 1024


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
        roster: the roster the ``/api/v1/roster`` routes manage (``None``: they answer 501).
        settings: formula and rate limits (default :class:`ServiceSettings`'s defaults);
            ``ServiceSettings.from_env()`` reads them from the environment.
        activity: the recorder of recent fetches (default: a new one), ``app[ACTIVITY]``.
    """
    settings = settings or ServiceSettings()
    if keys is not None:
        settings = attrs.evolve(settings, keys=keys)
    if origins is not None:
        settings = attrs.evolve(settings, origins=parse_origins(",".join(origins)))
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SYNC] = sync
    app[SETTINGS] = settings
    app[ACTIVITY] = activity if activity is not None else ActivityRecorder()
    app[ROSTER] = roster
    app[PUBLIC_PATHS] = {"/healthz", "/readyz"}
    app.router.add_get("/healthz", healthz)
    _mount_status(app)  # GET /status, its sign-in and stylesheet
    return app


async def healthz(request: web.Request) -> web.Response:
    """``GET /healthz``: the process is alive (no I/O)."""
    return web.json_response({"status": "ok"})
