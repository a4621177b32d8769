"""The typed keys under which an app built by ``create_app`` keeps its parts.

Handlers, the status page and the ``serve`` command read them: ``app[SYNC]`` the
:class:`~hyperbuds_sync.SocialSync`, ``app[SETTINGS]`` the
:class:`~hyperbuds_sync.service.ServiceSettings`, ``app[ACTIVITY]`` the
:class:`~hyperbuds_sync.service.ActivityRecorder`, ``app[ROSTER]`` the roster or ``None``,
``app[PUBLIC_PATHS]`` the paths answered without an ``X-API-Key`` (a page may add its own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ._activity import ActivityRecorder
from ._settings import ServiceSettings

if TYPE_CHECKING:
    from ..client import SocialSync
    from ..roster import Roster

__all__ = ["ACTIVITY", "PUBLIC_PATHS", "ROSTER", "SETTINGS", "SYNC"]

SYNC: web.AppKey[SocialSync] = web.AppKey("hyperbuds_sync.sync")
SETTINGS = web.AppKey("hyperbuds_sync.service_settings", ServiceSettings)
ACTIVITY = web.AppKey("hyperbuds_sync.activity", ActivityRecorder)
ROSTER: web.AppKey[Roster | None] = web.AppKey("hyperbuds_sync.roster")
PUBLIC_PATHS: web.AppKey[set[str]] = web.AppKey("hyperbuds_sync.public_paths")
