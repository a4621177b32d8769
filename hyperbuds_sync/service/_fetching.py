"""The fetch routes: HyperBuds' ``POST /api/v1/social/fetch`` and their Next.js route's
``GET /api/platform/{type}`` and ``POST /api/platform/batch``, quirks included.

- ``/api/v1/social/fetch``: ``{"platform", "username", "refresh"?, "formula"?}`` ->
  ``{"success": true, "data": {...}}``; errors by the table in ``_errors`` (400, 404, 429, 503,
  500), ``Retry-After`` on 429/503 when known.
- ``/api/platform/{type}?username=``: 400 for another type or no username (the contract's
  texts); a fetch that fails is **200** ``{"success": false, "error"}``; success
  ``{"success": true, "data", "cached"}``; a fault of the service 500 ``Internal server error``.
- ``/api/platform/batch``: ``{"platforms": [{"type", "username"}]}`` (1 to 10), fetched at once,
  ``null`` for each platform whose fetch failed.

Every fetch is served with ``allow_stale=True`` (a quota or outage answered with the last value,
``stale: true``) and recorded in the app's activity recorder.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
from aiohttp import web

from ..errors import ConfigError, HyperbudsSyncError
from ..metrics import UPSTREAM_CALLS
from ..models import PlatformData
from ._errors import INTERNAL, answer_for, error_response, problem, supported
from ._keys import ACTIVITY, SETTINGS, SYNC
from ._plain import camel
from ._state import ANSWERS

__all__ = ["MAX_BATCH", "data_json", "fetch_one", "fetch_record", "read_json"]

MAX_BATCH = 10
INVALID_TYPE = "Invalid platform type. Supported platforms: {}"
USERNAME_REQUIRED = "Username is required"
PLATFORMS_REQUIRED = "Platforms array is required"
USE_GET = "Use GET for single platform or POST /api/platform/batch for multiple"


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        HTTPException: 415 not ``application/json``; 400 malformed JSON or not an object; 413
            past 64 KiB (aiohttp's ``client_max_size``, turned to JSON at the edge).
    """
    if request.content_type != "application/json":
        raise problem(415, "Content-Type must be application/json")
    raw = await request.read()
    try:
        body = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        raise problem(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise problem(400, "Invalid JSON body", "the body must be a JSON object")
    return body


def data_json(data: PlatformData, cached: bool) -> dict[str, Any]:
    """``data`` as the contract's ``data``: ``followers`` and ``engagement`` (the formula's
    average engagement; ``null`` when unknown), the record's fields in camelCase (no ``raw``;
    ``lastFetched`` in ISO 8601, as :meth:`PlatformData.to_dict` writes them) and ``cached``.

    Plain attribute reads: the record's fields are plain values but for ``lastFetched``, and
    ``to_dict`` would walk ``raw`` (the provider's whole answer) only for it to be dropped.
    """
    out = {key: getattr(data, name) for name, key in _WIRE_FIELDS}
    out["lastFetched"] = data.last_fetched.isoformat()
    out["engagement"] = data.average_engagement
    out["cached"] = cached
    return out


_WIRE_FIELDS = tuple((a.name, camel(a.name)) for a in attrs.fields(PlatformData) if a.name != "raw")


async def fetch_one(
    app: web.Application,
    platform: str,
    username: str,
    *,
    refresh: bool = False,
    formula: str | None = None,
) -> dict[str, Any]:
    """One fetch through the SDK, recorded in the activity recorder: ``data_json``'s dict.

    Raises:
        HyperbudsSyncError: what the SDK raised.
    """
    return data_json(*await fetch_record(app, platform, username, refresh=refresh, formula=formula))


async def fetch_record(
    app: web.Application,
    platform: str,
    username: str,
    *,
    refresh: bool = False,
    formula: str | None = None,
) -> tuple[PlatformData, bool]:
    """One fetch through the SDK, recorded in the activity recorder: the record, and whether
    it came from the cache.

    Raises:
        HyperbudsSyncError: what the SDK raised.
    """
    sync = app[SYNC]
    formula = formula if formula is not None else app[SETTINGS].formula
    known = platform in sync.platforms.names()  # the recorder keeps known platforms only
    try:
        with sync.metrics.tally() as seen:
            data = await sync.fetch(
                platform, username, refresh=refresh, formula=formula, allow_stale=True
            )
    except Exception as exc:
        if known:
            app[ACTIVITY].record(platform, username, cached=None, error=exc)
        raise
    cached = data.stale or seen.get(UPSTREAM_CALLS) == 0
    app[ACTIVITY].record(platform, data.username, cached=cached)
    return data, cached


def _json_bytes(body: bytes) -> web.Response:
    """``body`` (JSON already encoded) answered as ``web.json_response`` answers a dict."""
    return web.Response(body=body, content_type="application/json", charset="utf-8")


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


async def social_fetch(request: web.Request) -> web.Response:
    """``POST /api/v1/social/fetch``."""
    body = await read_json(request)
    platform, username = body.get("platform"), _text(body, "username")
    names = request.app[SYNC].platforms.names()
    if not isinstance(platform, str) or platform not in names:
        raise problem(400, f"Invalid platform. Supported platforms: {supported(names)}")
    if username is None:
        raise problem(400, USERNAME_REQUIRED)
    refresh, formula = body.get("refresh", False), body.get("formula")
    if not isinstance(refresh, bool):
        raise problem(400, "Invalid request", "refresh must be true or false")
    if formula is not None and not isinstance(formula, str):
        raise problem(400, "Unknown formula", "formula must be a formula's name")
    data, cached = await fetch_record(
        request.app, platform, username, refresh=refresh, formula=formula
    )
    kept = request.app[ANSWERS].data_bytes(data, cached)  # as json_response would write it
    return _json_bytes(b'{"success": true, "data": ' + kept + b"}")


async def platform_get(request: web.Request) -> web.Response:
    """``GET /api/platform/{type}?username=`` (the Next.js route's contract)."""
    platform = request.match_info["type"]
    names = request.app[SYNC].platforms.names()
    if platform not in names:
        return error_response(400, INVALID_TYPE.format(supported(names)))
    username = request.query.get("username", "").strip()
    if not username:
        return error_response(400, USERNAME_REQUIRED)
    try:
        data, cached = await fetch_record(request.app, platform, username)
    except ConfigError as exc:
        return error_response(500, INTERNAL, answer_for(exc).message)
    except HyperbudsSyncError as exc:  # their quirk: a failed fetch is a 200
        answer = answer_for(exc, names)
        return web.json_response({"success": False, "error": answer.error}, headers=answer.headers)
    kept = request.app[ANSWERS].data_bytes(data, cached)  # as json_response would write it
    flag = b"true" if cached else b"false"
    return _json_bytes(b'{"success": true, "data": ' + kept + b', "cached": ' + flag + b"}")


async def platform_batch(request: web.Request) -> web.Response:
    """``POST /api/platform/batch``: ``null`` for each platform whose fetch failed."""
    body = await read_json(request)
    entries = body.get("platforms")
    if not isinstance(entries, list) or not entries:
        return error_response(400, PLATFORMS_REQUIRED)
    if len(entries) > MAX_BATCH:
        return error_response(400, f"At most {MAX_BATCH} platforms per batch")
    pairs = []
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if not isinstance(kind, str):
            return error_response(400, PLATFORMS_REQUIRED, "each entry needs a type and username")
        pairs.append((kind, _text(entry, "username") or ""))
    try:
        found = await asyncio.gather(*(_one_or_none(request.app, k, u) for k, u in pairs))
    except ConfigError as exc:
        return error_response(500, INTERNAL, answer_for(exc).message)
    data = {kind: value for (kind, _), value in zip(pairs, found, strict=True)}
    return web.json_response({"success": True, "data": data})


async def _one_or_none(app: web.Application, platform: str, username: str) -> Any:
    """One batch entry's data, or ``None`` when its fetch failed (a config fault raises)."""
    if platform not in app[SYNC].platforms.names() or not username:
        return None
    try:
        return await fetch_one(app, platform, username)
    except ConfigError:
        raise
    except HyperbudsSyncError:
        return None


async def platform_post_other(request: web.Request) -> web.Response:
    """``POST /api/platform/{type}`` for any other type: the contract's 400."""
    return error_response(400, USE_GET)
