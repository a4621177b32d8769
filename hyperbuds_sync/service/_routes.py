"""The service's own routes beyond HyperBuds' contract: sync, history, growth, anomalies,
providers and the roster.

- ``POST /api/v1/social/sync``: ``{"platform", "username"}`` (fetched first) or ``{"platform",
  "followers", "engagement"}`` (a manual entry), with the creator's ``Authorization: Bearer``
  forwarded to the HyperBuds backend (401 without one); ``"force": true`` sends a sudden drop.
  ``{"success": true, "data": <SyncResult>}``; a ``SuspiciousDrop`` is a 409 with ``drop``.
- ``GET /api/v1/social/history?platform&username&days``: the snapshots of the last ``days``
  (default 30, 1 to 3660), oldest first.
- ``GET /api/v1/social/growth?platform&username&days``: the change over ``days`` (comma-separated,
  default 7,30,90).
- ``GET /api/v1/social/anomalies?platform&username&days``: the growth anomalies (spikes, drops,
  divergences) of the last ``days`` (default 90, 1 to 3660), oldest first.
- ``GET /api/v1/providers``: per platform, each provider with its state, and the quota facts
  per host (remaining, limit, reset).
- ``GET /api/v1/roster``, ``PUT|DELETE /api/v1/roster/creators/{creator_id}``: the roster, its
  plan and each creator's freshness (``plan`` and ``status`` ``null`` with ``planError`` when no
  plan can be made yet, e.g. no budget known); 404 ``No roster`` when the app was built
  without one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from ..errors import InvalidInput
from ..models import ManualEntry
from ._errors import problem
from ._fetching import read_json
from ._keys import ROSTER, SETTINGS, SYNC
from ._plain import plain

__all__ = ["ROUTES"]

MAX_DAYS = 3660
DEFAULT_WINDOWS = (7, 30, 90)


def _ok(data: Any) -> web.Response:
    return web.json_response({"success": True, "data": plain(data)})


def _bearer(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise problem(401, "Authorization required", "send the creator's Authorization: Bearer")
    return token.strip()


async def social_sync(request: web.Request) -> web.Response:
    """``POST /api/v1/social/sync``."""
    token = _bearer(request)
    body = await read_json(request)
    platform, username = body.get("platform"), body.get("username")
    force = body.get("force", False)
    if not isinstance(platform, str) or not platform:
        raise problem(400, "Invalid request", "platform is required")
    if not isinstance(force, bool):
        raise problem(400, "Invalid request", "force must be true or false")
    data: ManualEntry | str
    if isinstance(username, str) and username.strip():
        data = username.strip()
    elif "followers" in body:
        data = _manual(body)
    else:
        raise problem(400, "Invalid request", "send a username, or followers and engagement")
    result = await request.app[SYNC].sync(platform, data, force=force, token=token)
    return _ok(result)


def _manual(body: dict[str, Any]) -> ManualEntry:
    """A manual entry; its own checks raise ``InvalidStats`` (a 400) for bad numbers."""
    followers: Any = body.get("followers")
    return ManualEntry(followers=followers, engagement=body.get("engagement"))


def _creator(request: web.Request) -> tuple[str, str]:
    platform = request.query.get("platform", "").strip()
    username = request.query.get("username", "").strip()
    if not platform or not username:
        raise problem(400, "Invalid request", "platform and username are required")
    return platform, username


def _days(text: str, name: str = "days") -> int:
    try:
        days = int(text)
    except ValueError:
        raise problem(400, "Invalid request", f"{name} must be a whole number") from None
    if not 1 <= days <= MAX_DAYS:
        raise problem(400, "Invalid request", f"{name} must be from 1 to {MAX_DAYS}")
    return days


async def social_history(request: web.Request) -> web.Response:
    """``GET /api/v1/social/history``."""
    platform, username = _creator(request)
    days = _days(request.query.get("days", "30"))
    since = datetime.now(UTC) - timedelta(days=days)
    snapshots = await request.app[SYNC].history(platform, username, since=since)
    return _ok({"platform": platform, "username": username, "days": days, "snapshots": snapshots})


async def social_growth(request: web.Request) -> web.Response:
    """``GET /api/v1/social/growth``."""
    platform, username = _creator(request)
    given = request.query.get("days", "")
    windows = [_days(d) for d in given.split(",") if d.strip()] if given else DEFAULT_WINDOWS
    if not windows or len(windows) > 10:
        raise problem(400, "Invalid request", "days takes 1 to 10 comma-separated windows")
    growth = await request.app[SYNC].growth(platform, username, windows=tuple(windows))
    return _ok(growth)


async def social_anomalies(request: web.Request) -> web.Response:
    """``GET /api/v1/social/anomalies``."""
    platform, username = _creator(request)
    days = _days(request.query.get("days", "90"))
    found = await request.app[SYNC].anomalies(platform, username, days=days)
    return _ok({"platform": platform, "username": username, "days": days, "anomalies": found})


async def providers(request: web.Request) -> web.Response:
    """``GET /api/v1/providers``."""
    sync = request.app[SYNC]
    states = await sync.providers()
    quota = await sync.shared_quota() if sync.redis_url else sync.quota()
    formula = request.app[SETTINGS].formula or sync.formula
    return _ok({"platforms": states, "quota": quota, "formula": formula})


def _roster(request: web.Request) -> Any:
    roster = request.app[ROSTER]
    if roster is None:
        raise problem(404, "No roster", "the service runs without a roster (serve --roster)")
    return roster


async def roster_get(request: web.Request) -> web.Response:
    """``GET /api/v1/roster``."""
    roster = _roster(request)
    out: dict[str, Any] = {"creators": await roster.list(), "plan": None, "status": None}
    try:
        out["plan"] = await roster.plan()
        out["status"] = await roster.status()
    except InvalidInput as exc:  # e.g. no budget known yet for a provider: say so, list anyway
        out["planError"] = exc.message
    return _ok(out)


async def roster_put(request: web.Request) -> web.Response:
    """``PUT /api/v1/roster/creators/{creator_id}``: ``{"usernames": {platform: username},
    "priority"?: int}``."""
    roster = _roster(request)
    body = await read_json(request)
    usernames, priority = body.get("usernames"), body.get("priority", 1)
    if not isinstance(usernames, dict) or not usernames:
        raise problem(400, "Invalid request", "usernames must map platforms to usernames")
    if not all(isinstance(v, str) for v in usernames.values()):
        raise problem(400, "Invalid request", "every username must be a string")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise problem(400, "Invalid request", "priority must be an integer")
    record = await roster.add(request.match_info["creator_id"], usernames, priority=priority)
    return _ok(record)


async def roster_delete(request: web.Request) -> web.Response:
    """``DELETE /api/v1/roster/creators/{creator_id}``: 404 when not on the roster."""
    roster = _roster(request)
    if not await roster.remove(request.match_info["creator_id"]):
        raise problem(404, "Creator not on the roster")
    return _ok({"removed": request.match_info["creator_id"]})


ROUTES = (
    web.post("/api/v1/social/sync", social_sync),
    web.get("/api/v1/social/history", social_history, allow_head=False),
    web.get("/api/v1/social/growth", social_growth, allow_head=False),
    web.get("/api/v1/social/anomalies", social_anomalies, allow_head=False),
    web.get("/api/v1/providers", providers, allow_head=False),
    web.get("/api/v1/roster", roster_get, allow_head=False),
    web.put("/api/v1/roster/creators/{creator_id}", roster_put),
    web.delete("/api/v1/roster/creators/{creator_id}", roster_delete),
)
