"""The status page's routes: ``GET /status`` (HTML, or JSON with ``Accept: application/json``),
the sign-in form, sign-out, and the page's stylesheet."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from aiohttp import web

from .._errors import error_response
from .._keys import ACTIVITY, PUBLIC_PATHS, ROSTER, SETTINGS, SYNC
from . import _access as access
from ._creator import creator_facts
from ._html import sign_in_page
from ._page import page
from ._providers import iso, providers_facts, quota_of
from ._roster import roster_facts
from ._samples import Samples
from ._traffic import traffic_facts

__all__ = ["SAMPLES", "SAMPLE_EVERY", "mount", "status_facts"]

SAMPLES = web.AppKey("hyperbuds_sync.status_samples", Samples)
SAMPLE_EVERY = 60.0
"""Seconds between two samples of the quota and upstream totals (also taken at every read)."""
PATHS = ("/status", "/status/sign-in", "/status/sign-out", "/status/static/status.css")
FORM = "application/x-www-form-urlencoded"
REALM = 'Basic realm="hyperbuds-sync status", charset="UTF-8"'
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
"""Every answer of the page: never cached, and nothing loaded from anywhere but the service
(the SVG charts carry inline styles; no script runs at all)."""
logger = logging.getLogger("hyperbuds_sync.service")
CSS = resources.files(__package__).joinpath("static/status.css").read_bytes()


async def status_facts(app: web.Application, creator: tuple[str, str] | None) -> dict[str, Any]:
    """Every fact the page shows, as the JSON answer gives them."""
    sync, roster, samples = app[SYNC], app[ROSTER], app[SAMPLES]
    budgets = {} if roster is None else roster.budgets
    quota = await quota_of(sync)
    now = samples.take(quota)
    providers = await providers_facts(sync, samples, now, quota, budgets=budgets)
    return {
        "at": iso(now.at),
        "providers": providers,
        "traffic": traffic_facts(app[ACTIVITY], samples, now),
        "roster": await roster_facts(roster, now.at),
        "creator": None if creator is None else await creator_facts(sync, *creator),
    }


def _wants_json(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _asked_creator(request: web.Request) -> tuple[str, str] | None:
    platform = request.query.get("platform", "").strip()
    username = request.query.get("username", "").strip()
    return (platform[:50], username[:100]) if platform and username else None


def _denied(request: web.Request) -> web.Response:
    if _wants_json(request):
        body = {"success": False, "error": "Unauthorized", "message": "a caller key is needed"}
        return web.json_response(body, status=401, headers={**HEADERS, "WWW-Authenticate": REALM})
    return _see_other("/status/sign-in")  # a page, not an error a browser would log


async def status(request: web.Request) -> web.Response:
    """``GET /status``: the page, or its facts as JSON."""
    keys = request.app[SETTINGS].keys
    if access.caller(request, keys) is None:
        return _denied(request)
    facts = await status_facts(request.app, _asked_creator(request))
    if _wants_json(request):
        return web.json_response(facts, headers=HEADERS)
    signed_in = bool(keys) and access.COOKIE in request.cookies
    html = page(facts, request.app[SYNC].platforms.names(), signed_in=signed_in)
    return web.Response(text=html, content_type="text/html", headers=HEADERS)


async def sign_in_form(request: web.Request) -> web.Response:
    """``GET /status/sign-in``: the form."""
    return web.Response(text=sign_in_page(), content_type="text/html", headers=HEADERS)


async def sign_in(request: web.Request) -> web.Response:
    """``POST /status/sign-in``: a valid key sets the session cookie and goes to the page."""
    keys = request.app[SETTINGS].keys
    if request.content_type != FORM:
        return error_response(415, "Unsupported Media Type", f"send the form as {FORM}")
    try:
        form = await request.post()
    except ValueError:
        return error_response(400, "Invalid request", "the form could not be read")
    given = form.get("key")
    name = access.check_key(keys, given) if isinstance(given, str) and given else None
    if keys and name is None:
        text = sign_in_page("That key is not one of this service's caller keys.")
        return web.Response(text=text, status=401, content_type="text/html", headers=HEADERS)
    answer = _see_other("/status")
    if name is not None:
        answer.set_cookie(
            access.COOKIE,
            access.session_cookie(keys, name),
            max_age=access.SESSION_SECONDS,
            path="/status",
            httponly=True,
            samesite="Strict",
            secure=request.secure,
        )
    return answer


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={**HEADERS, "Location": location})


async def sign_out(request: web.Request) -> web.Response:
    """``POST /status/sign-out``: forget the session cookie."""
    answer = _see_other("/status/sign-in")
    answer.del_cookie(access.COOKIE, path="/status")
    return answer


async def stylesheet(request: web.Request) -> web.Response:
    """The page's one stylesheet, shipped in the package."""
    return web.Response(
        body=CSS, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
    )


async def _sampling(app: web.Application) -> AsyncIterator[None]:
    """A first sample at start (the totals before any traffic), then one a minute."""
    sync, samples = app[SYNC], app[SAMPLES]

    async def take() -> None:
        samples.take(await quota_of(sync))

    async def loop() -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY)
            try:
                await take()
            except Exception as exc:  # Redis away for a minute: the next sample will do
                logger.warning("status page: no sample taken (%s)", type(exc).__name__)

    await take()
    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def mount(app: web.Application) -> None:
    """Add the status page's routes to an app built by ``create_app``."""
    app[SAMPLES] = Samples(app[SYNC].metrics)
    app[PUBLIC_PATHS].update(PATHS)  # the page checks the caller itself: Basic or its cookie
    app.router.add_get("/status", status)
    app.router.add_get("/status/sign-in", sign_in_form)
    app.router.add_post("/status/sign-in", sign_in)
    app.router.add_post("/status/sign-out", sign_out)
    app.router.add_get("/status/static/status.css", stylesheet)
    app.cleanup_ctx.append(_sampling)
