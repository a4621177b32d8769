"""The status page's test bed: the service on loopback, the emulators behind it, and one known
sequence of fetches whose numbers the tests then look for on the page.

The sequence (``play``), through the service's own fetch route with a caller key:

1. twitch @pixelmaya: fetched (a cache miss, one upstream call);
2. the plan now allows 1 request per host: twitch @pixelmaya refreshed: twitch-scraper2 answers
   the MONTHLY-quota 429 and is benched until its reset (the emulator's period ends in an hour);
   the service answers the last value, stale;
3. twitch @nightowl_live, never fetched: the only provider is benched, a quota error;
4. tiktok @mayacooks 3 times: one miss and two hits, a hit ratio of 2/3;
5. instagram @ghost_of_nobody: not found.

Before that, the history holds :data:`BACKFILL` older snapshots of tiktok @mayacooks, and the
roster two creators; after it, one roster refresh fails (twitch is benched), one is fresh
(tiktok @mayacooks, as its store says), and one webhook delivery is kept for replay.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web

from hyperbuds_sync import Roster, Snapshot, SocialSync
from hyperbuds_sync.service import create_app
from hyperbuds_sync.testing import RapidAPIEmulator

CHROMIUM = "/usr/bin/chromium"
RAPIDAPI_KEY = "status-test-rapidapi-key-0000000000000000wxyz"  # shown as "…wxyz"
CALLER = "ops"
CALLER_KEY = "caller-key-that-must-never-show-up-anywhere"
BACKFILL = 5
"""Older snapshots of tiktok @mayacooks written to the history before the fetches."""
MISSING = "ghost_of_nobody"
BENCHED = "nightowl_live"
WEBHOOK = "https://hooks.example.test/secret-path?token=not-shown"


@attrs.define
class Bed:
    """The running service and what stands behind it."""

    url: str
    emulator: RapidAPIEmulator
    sync: SocialSync
    roster: Roster
    app: web.Application


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


def playwright_or_skip() -> Any:
    """Playwright's async API; skipped without it locally, failed in CI (``CI`` set)."""
    try:
        from playwright import async_api
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[tests]')")
    return async_api


def chromium_or_skip() -> str:
    """Debian's chromium; skipped without it locally, failed in CI (``CI`` set)."""
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))
    _missing("chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


@asynccontextmanager
async def bed(tmp_path: Path, *, keys: dict[str, str] | None = None) -> AsyncIterator[Bed]:
    """The service with caller ``keys`` (default: one, :data:`CALLER_KEY`) on a free port."""
    keys = {CALLER: CALLER_KEY} if keys is None else keys
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAPIDAPI_KEY", RAPIDAPI_KEY)  # as `serve` reads it: the page shows its tail
        async with _running(tmp_path, keys) as running:
            yield running


@asynccontextmanager
async def _running(tmp_path: Path, keys: dict[str, str]) -> AsyncIterator[Bed]:
    async with (
        RapidAPIEmulator(quota=100, reset_after=3600, valid_keys={RAPIDAPI_KEY}) as emulator,
        SocialSync(
            rapidapi_endpoint=emulator.url,
            redis_url="",
            history_url=str(tmp_path / "history.db"),
        ) as sync,
    ):
        roster = Roster(sync, budgets={"tiktok-api23": 3000, "twitch-scraper2": 600})
        app = create_app(sync, keys=keys, roster=roster)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield Bed(f"http://127.0.0.1:{port}", emulator, sync, roster, app)
        finally:
            await runner.cleanup()
            await roster.aclose()


async def _fetch(
    http: aiohttp.ClientSession, bed: Bed, platform: str, username: str, **extra: Any
) -> int:
    async with http.post(
        f"{bed.url}/api/v1/social/fetch",
        json={"platform": platform, "username": username, **extra},
        headers={"X-API-Key": CALLER_KEY},
    ) as answer:
        await answer.read()
        return answer.status


async def play(bed: Bed) -> dict[str, Any]:
    """The known sequence (see the module); the statuses the service answered."""
    now = datetime.now(UTC)
    await bed.sync.history_store.add(
        Snapshot(
            platform="tiktok",
            username="mayacooks",
            provider="tiktok-api45",
            fetched_at=now - timedelta(days=BACKFILL - n),
            followers=1_150_000 + 10_000 * n,
            average_engagement=55_000.0 + 500 * n,
        )
        for n in range(BACKFILL)
    )
    await bed.roster.add("maya", {"tiktok": "mayacooks", "twitch": "pixelmaya"})
    await bed.roster.add("duo", {"tiktok": "danceduo"}, priority=2)
    statuses: dict[str, Any] = {}
    async with aiohttp.ClientSession() as http:
        statuses["twitch"] = await _fetch(http, bed, "twitch", "pixelmaya")
        bed.emulator.set_quota(1)  # what each host spent stays spent: twitch-scraper2 is done
        statuses["twitch refresh"] = await _fetch(http, bed, "twitch", "pixelmaya", refresh=True)
        statuses["benched"] = await _fetch(http, bed, "twitch", BENCHED)
        statuses["tiktok"] = [await _fetch(http, bed, "tiktok", "mayacooks") for _ in range(3)]
        statuses["missing"] = await _fetch(http, bed, "instagram", MISSING)
    outcome = await bed.roster.refresh("maya", "twitch")  # benched: fails, retried later
    statuses["roster refresh"] = outcome.status
    # As a roster refresh would leave it (a real one would spend tiktok-api23's last call):
    await bed.roster.store.update("maya", "tiktok", last_fetched_at=datetime.now(UTC))
    event = {"type": "creator.stats_changed", "creator_id": "maya", "platform": "tiktok"}
    await bed.roster.store.keep_delivery(WEBHOOK, event, tries=3)
    return statuses


async def status_json(bed: Bed, query: str = "", **headers: str) -> tuple[int, Any]:
    """``GET /status`` as JSON with the caller key (unless ``headers`` say otherwise)."""
    sent = {"Accept": "application/json", "X-API-Key": CALLER_KEY, **headers}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{bed.url}/status{query}", headers=sent) as answer,
    ):
        body = await answer.json() if answer.content_type == "application/json" else None
        return answer.status, body
