"""Keys for the service's internal state on the app and on each request (not public)."""

from __future__ import annotations

from aiohttp import web

from ._limits import CallerLimits
from ._metrics import ServiceMetrics

__all__ = ["CALLER", "LIMITS", "METRICS", "REQUEST_ID"]

METRICS = web.AppKey("hyperbuds_sync.service_metrics", ServiceMetrics)
LIMITS: web.AppKey[tuple[CallerLimits | None, CallerLimits | None]] = web.AppKey(
    "hyperbuds_sync.caller_limits"
)
# request keys as plain strings: web.RequestKey needs aiohttp 3.12, the SDK supports 3.9
REQUEST_ID = "hyperbuds_sync.request_id"
CALLER = "hyperbuds_sync.caller"
