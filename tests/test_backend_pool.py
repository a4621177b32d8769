"""The backend's attempt timeout on real sockets: waiting for a pooled connection is not charged
to an attempt (issue 10 point 8, for the backend as for the providers)."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync.backend import SyncClient
from hyperbuds_sync.models import SyncPayload, SyncResult
from hyperbuds_sync.transport import RetryPolicy, SessionHolder

ANSWER = {"success": True, "message": "ok", "data": {"totalFollowers": 1, "avgEngagement": 1.0}}
ANSWER_TIME = 0.3  # each answer takes this long; one connection, so the fourth waits 0.9 s
TIMEOUT = 0.5  # per attempt: shorter than the queueing, longer than one answer


async def _posts_through_one_connection(
    session: aiohttp.ClientSession | SessionHolder,
) -> tuple[list[object], int]:
    hits = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        await asyncio.sleep(ANSWER_TIME)
        return web.json_response(ANSWER)

    app = web.Application()
    app.router.add_post("/api/v1/profiles/social-sync/{platform}", slow)
    async with TestServer(app, host="127.0.0.1") as server:
        client = SyncClient(
            str(server.make_url("/api/v1")),
            "tok",
            session=session,
            timeout=TIMEOUT,
            retry=RetryPolicy(max_tries=1),
        )
        async with client:
            payload = SyncPayload(followers=10, engagement=1.0)
            posts = (client.post(p, payload) for p in ("tiktok", "twitch", "twitter", "instagram"))
            outcomes = await asyncio.gather(*posts, return_exceptions=True)
    return outcomes, hits


async def test_waiting_for_a_pooled_connection_is_no_backend_timeout() -> None:
    """Four posts through one connection: the last waits 0.9 s for it, beyond the 0.5 s per
    attempt; all succeed, each sent once. (With ``ClientTimeout(total=...)`` the queued ones
    failed as ``BackendUnavailable`` without being sent.)"""
    connector = aiohttp.TCPConnector(limit=1, limit_per_host=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        outcomes, hits = await _posts_through_one_connection(session)
    assert all(isinstance(o, SyncResult) for o in outcomes), outcomes
    assert hits == 4


async def test_a_shared_holder_is_borrowed_not_closed() -> None:
    """A ``SessionHolder`` given as the session is borrowed: its limits apply, and closing the
    client leaves it open for the other parts that share it."""
    holder = SessionHolder(limit=1, limit_per_host=1)
    try:
        outcomes, hits = await _posts_through_one_connection(holder)
        assert all(isinstance(o, SyncResult) for o in outcomes), outcomes
        assert hits == 4
        assert not holder.get().closed
    finally:
        await holder.aclose()
