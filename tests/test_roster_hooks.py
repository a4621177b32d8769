"""The roster's change hooks: on_change, signed webhooks checked by a receiver with verify, and
failed deliveries kept and replayed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp import web

from hyperbuds_sync import Roster, SocialSync, webhooks
from hyperbuds_sync.roster import SyncedStats
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, Creator, RapidAPIEmulator

SECRET = "whsec-test"


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks every signature; ``status`` is its answer."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.status = 200
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        webhooks.verify(body, dict(request.headers), SECRET)  # raises on a bad signature
        if self.status != 200:
            self.refused += 1
            return web.Response(status=self.status)
        self.events.append(json.loads(body))
        return web.Response(status=204)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/hook", got.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield got, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_changes_fire_on_change_and_a_signed_webhook_and_failures_replay(
    receiver: tuple[Receiver, str], tmp_path: Path
) -> None:
    got, url = receiver
    changes: list[tuple[str, str, SyncedStats | None, int]] = []

    def on_change(creator_id: str, platform: str, before: SyncedStats | None, after: Any) -> None:
        changes.append((creator_id, platform, before, after.followers))

    async with RapidAPIEmulator() as rapidapi, BackendEmulator(tokens=("tok-1",)) as backend:
        rapidapi.add_creator("tiktok", Creator("hookuser", followers=1000))
        sync = SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
            redis_url="",
            history_url=str(tmp_path / "h.db"),
        )
        async with (
            sync,
            Roster(
                sync,
                token_for=lambda _: "tok-1",
                on_change=on_change,
                webhook_url=url,
                webhook_secret=SECRET,
                webhook_waits=(0.0, 0.0),
            ) as roster,
        ):
            await roster.add("user-1", {"tiktok": "hookuser"})
            await roster.refresh("user-1", "tiktok")  # a first sync is a change
            await roster.refresh("user-1", "tiktok")  # nothing moved: no event
            await roster.hooks.drain()
            assert [c[2] for c in changes] == [None]
            assert len(got.events) == 1
            rapidapi.add_creator("tiktok", Creator("hookuser", followers=1100))  # +10 %
            got.status = 500
            await roster.refresh("user-1", "tiktok")
            await roster.hooks.drain()
            assert changes[-1] == ("user-1", "tiktok", SyncedStats(1000, 0.0), 1100)
            assert got.refused == 3  # three tries, then kept
            kept = await roster.store.deliveries()
            assert [d.event["after"]["followers"] for d in kept] == [1100]
            got.status = 200
            assert await roster.replay_webhooks() == 1
            assert await roster.store.deliveries() == []
    first, replayed = got.events
    assert first["creator_id"] == "user-1"
    assert first["before"] is None
    assert first["after"]["followers"] == 1000
    assert replayed["before"]["followers"] == 1000
    assert replayed["after"]["followers"] == 1100
