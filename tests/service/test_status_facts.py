"""``GET /status`` as JSON after the known sequence of fetches (see ``_status_harness``): each
section's numbers, and nothing secret in them."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _status_harness import (
    BACKFILL,
    BENCHED,
    CALLER_KEY,
    MISSING,
    RAPIDAPI_KEY,
    Bed,
    bed,
    play,
    status_json,
)
from aiohttp import web

from hyperbuds_sync import SocialSync
from hyperbuds_sync.metrics import Metrics
from hyperbuds_sync.models import KeyQuota, QuotaStatus
from hyperbuds_sync.service import create_app
from hyperbuds_sync.service._status import Samples
from hyperbuds_sync.service._status._samples import delta


def _provider(facts: dict[str, Any], platform: str, name: str) -> dict[str, Any]:
    chain = next(p["chain"] for p in facts["providers"]["platforms"] if p["platform"] == platform)
    return next(row for row in chain if row["provider"] == name)


@pytest.fixture
async def played(tmp_path: Path) -> Any:
    async with bed(tmp_path) as running:
        statuses = await play(running)
        yield running, statuses


async def test_the_sequence_went_as_planned(played: tuple[Bed, dict[str, Any]]) -> None:
    _, statuses = played
    assert statuses == {
        "twitch": 200,
        "twitch refresh": 200,  # the last value, stale
        "benched": 429,
        "tiktok": [200, 200, 200],
        "missing": 404,
        "roster refresh": "failed",
    }


async def test_providers_show_the_bench_the_quota_and_the_spending(
    played: tuple[Bed, dict[str, Any]],
) -> None:
    running, _ = played
    status, facts = await status_json(running)
    assert status == 200
    twitch = _provider(facts, "twitch", "twitch-scraper2")
    assert twitch["available"] is False
    benched = datetime.fromisoformat(twitch["benchedUntil"])
    reset = datetime.fromisoformat(twitch["quota"]["resetAt"])
    assert benched == reset
    assert timedelta(minutes=55) < benched - datetime.now(UTC) <= timedelta(hours=1, seconds=5)
    assert "quota" in twitch["reason"].lower()
    tiktok = _provider(facts, "tiktok", "tiktok-api23")
    assert tiktok["available"] is True
    assert tiktok["quota"]["limit"] == 1
    assert tiktok["quota"]["remaining"] == 0
    assert [k["key"] for k in tiktok["keys"]] == ["…" + RAPIDAPI_KEY[-4:]]
    assert tiktok["spent"] | {"burnDown": None, "todaySince": None} == {
        "today": 1,
        "todaySince": None,
        "period": 1,
        "budget": 3000,
        "budgetFrom": "roster",
        "periodDays": 30,
        "burnDown": None,
    }
    assert tiktok["spent"]["burnDown"]["points"][-1]["spent"] == 1
    assert twitch["spent"]["today"] == 2  # the fetch, then the refresh that got the 429


async def test_traffic_counts_requests_upstream_calls_hits_and_errors(
    played: tuple[Bed, dict[str, Any]],
) -> None:
    running, _ = played
    _, facts = await status_json(running)
    traffic = facts["traffic"]
    rows = {row["platform"]: row for row in traffic["platforms"]}
    assert rows["tiktok"]["requestsHour"] == 3
    assert rows["tiktok"]["upstreamHour"] == 1
    assert rows["tiktok"]["cache"]["text"] == "2/3"
    assert rows["twitch"]["requestsDay"] == 3
    assert rows["twitch"]["upstreamDay"] == 2
    assert rows["twitch"]["cache"]["text"] == "1/2"  # the stale answer counts as a hit
    assert rows["instagram"]["requestsHour"] == 1
    outcomes = {o["outcome"]: o["count"] for o in traffic["outcomes"]}
    assert outcomes == {"ok": 5, "QuotaExceeded": 1, "UsernameNotFound": 1}
    errors = [(e["platform"], e["username"], e["error"]) for e in traffic["errors"]]
    assert errors == [
        ("instagram", MISSING, "UsernameNotFound"),
        ("twitch", BENCHED, "QuotaExceeded"),
    ]


async def test_roster_shows_plan_staleness_failures_and_kept_deliveries(
    played: tuple[Bed, dict[str, Any]],
) -> None:
    running, _ = played
    _, facts = await status_json(running)
    roster = facts["roster"]
    assert (roster["creators"], roster["creatorPlatforms"]) == (2, 3)
    histogram = {b["bin"]: b["count"] for b in roster["histogram"]}
    assert histogram == {
        "up to 1/2": 1,  # tiktok @mayacooks, refreshed just now
        "1/2 to 1": 0,
        "1 to 2": 0,
        "2 to 4": 0,
        "over 4": 0,
        "never fetched": 2,
    }
    assert {r["creatorId"] for r in roster["nextDue"]} <= {"maya", "duo"}
    failed = roster["failed"]
    assert [(r["creatorId"], r["platform"], r["failures"]) for r in failed] == [
        ("maya", "twitch", 1)
    ]
    minimum = roster["plan"]["minimumIntervalSeconds"]["tiktok-api23"]
    assert minimum == pytest.approx(30 * 86_400 * 2 / 3000)
    [delivery] = roster["deliveries"]
    assert delivery["to"] == "https://hooks.example.test"  # no path, no query: no token
    assert (delivery["tries"], delivery["creatorId"]) == (3, "maya")


async def test_a_creator_has_every_snapshot_growth_and_providers(
    played: tuple[Bed, dict[str, Any]],
) -> None:
    running, _ = played
    _, facts = await status_json(running, "?platform=tiktok&username=mayacooks")
    creator = facts["creator"]
    assert creator["error"] is None
    assert len(creator["snapshots"]) == BACKFILL + 1
    answered = {p["provider"]: p["snapshots"] for p in creator["providers"]}
    assert answered == {"tiktok-api45": BACKFILL, "tiktok-api23": 1}
    assert [w["days"] for w in creator["growth"]] == [1, 7, 30, 90]
    assert creator["growth"][0]["followersChange"] is not None
    _, facts = await status_json(running, "?platform=myspace&username=tom")
    assert "myspace" in facts["creator"]["error"]


async def test_no_secret_in_the_answer(played: tuple[Bed, dict[str, Any]]) -> None:
    running, _ = played
    _, facts = await status_json(running, "?platform=tiktok&username=mayacooks")
    text = json.dumps(facts)
    for secret in (RAPIDAPI_KEY, RAPIDAPI_KEY[:-4], CALLER_KEY, "secret-path", "not-shown"):
        assert secret not in text


async def test_samples_age_into_hourly_and_count_from_a_reset() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    samples = Samples(Metrics(), clock=lambda: now[0])
    for minute in range(0, 3 * 24 * 60, 10):  # three days, a sample every 10 minutes
        now[0] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
        calls = KeyQuota("fp", calls=minute // 10)
        samples.take({"h": QuotaStatus("h", 100, 50, None, (calls,))})
    kept = samples.all()
    recent = [s for s in kept if now[0] - s.at <= timedelta(days=1)]
    assert len(recent) == 24 * 6 + 1  # every sample of the last day, both ends included
    older = kept[: len(kept) - len(recent)]
    assert len(older) == 48  # then one an hour for the two days before
    assert all(b.at - a.at == timedelta(hours=1) for a, b in itertools.pairwise(older))
    last = kept[-1]
    assert (
        delta(samples.since(now[0] - timedelta(hours=1)), last, lambda s: s.hosts["h"].calls) == 6
    )
    assert delta([last], last, lambda s: None) == 0


async def test_without_roster_or_history_the_page_says_so() -> None:
    async with (
        SocialSync(rapidapi_key=RAPIDAPI_KEY, redis_url="", history_url="") as sync,
        aiohttp.ClientSession() as http,
    ):
        app = create_app(sync, keys={})
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/status?platform=tiktok&username=mayacooks"
            async with http.get(url) as answer:
                html = await answer.text()
            async with http.get(url, headers={"Accept": "application/json"}) as answer:
                facts = await answer.json()
        finally:
            await runner.cleanup()
    assert "No roster is configured on this service." in html
    assert "no history is configured" in html
    assert facts["roster"] is None
    assert "no history is configured" in facts["creator"]["error"]
    assert "No request yet." in html


def test_reads_closer_than_the_gap_do_not_grow_the_log() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    samples = Samples(Metrics(), clock=lambda: now[0])
    for second in range(0, 120):  # a read a second for two minutes
        now[0] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=second)
        latest = samples.take({})
        assert latest.at == now[0]  # every read sees the totals now
    assert [s.at.second for s in samples.all()] == [0, 30, 0, 30]
