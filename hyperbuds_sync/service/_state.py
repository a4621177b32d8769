"""Keys for the service's internal state on the app and on each request (not public)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._answers import KeptAnswers
from ._limits import CallerLimits
from ._metrics import ServiceMetrics

__all__ = ["ANSWERS", "CALLER", "LIMITS", "METRICS", "REQUEST_ID"]

ANSWERS = web.AppKey("hyperbuds_sync.kept_answers", KeptAnswers)
METRICS = web.AppKey("hyperbuds_sync.service_metrics", ServiceMetrics)
LIMITS: web.AppKey[tuple[CallerLimits | None, CallerLimits | None]] = web.AppKey(
    "hyperbuds_sync.caller_limits"
)
# web.RequestKey where aiohttp has it (3.14 warns about plain strings), else strings (3.9+)
_RequestKey: Any = getattr(web, "RequestKey", None)
REQUEST_ID: Any = "hyperbuds_sync.request_id"
CALLER: Any = "hyperbuds_sync.caller"
if _RequestKey is not None:
    REQUEST_ID = _RequestKey(REQUEST_ID, str)
    CALLER = _RequestKey(CALLER, str)
