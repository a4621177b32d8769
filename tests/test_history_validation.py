"""One validation before both stores: every record SQLite would keep and PostgreSQL refuse (or
keep differently) is refused first, as an ``InvalidInput``, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import logging
import math
import pickle
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import attrs
import pytest
import pytest_asyncio
from _history import T0, snap

from hyperbuds_sync import (
    InvalidInput,
    InvalidStats,
    InvalidUsername,
    PlatformData,
    Roster,
    SocialSync,
)
from hyperbuds_sync.history import (
    PRIORITY_MAX,
    HistoryRecorder,
    HistoryStore,
    SyncRecord,
    check_snapshot,
    open_store,
    roster_store,
)

LONE = "maya\udc80cooks"  # a lone surrogate: no UTF-8 encoding exists


@pytest_asyncio.fixture
async def store(store_url: str) -> AsyncIterator[HistoryStore]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        await opened.aclose()


BAD_USERNAMES = {
    "10 KB": "a" * 10_240,
    "129 characters": "a" * 129,
    "NUL": "maya\x00cooks",
    "lone surrogate": LONE,
    "empty": "",
}


@pytest.mark.parametrize("username", BAD_USERNAMES.values(), ids=BAD_USERNAMES.keys())
async def test_a_bad_username_is_refused_and_nothing_is_stored(
    store: HistoryStore, username: str
) -> None:
    with pytest.raises(InvalidUsername) as caught:
        await store.add([snap(0, 100), snap(1, 200, username=username)])
    assert len(str(caught.value)) < 300  # a 10 KB name is not echoed whole
    assert await store.snapshots("tiktok", "mayacooks") == []  # the whole batch refused


async def test_the_longest_username_the_column_holds_is_stored_alike(
    store: HistoryStore,
) -> None:
    name = "é" * 128  # 128 characters, 256 bytes: the column counts characters on both
    await store.add([snap(0, 100, username=name)])
    assert [s.followers for s in await store.snapshots("tiktok", name)] == [100]


BAD_STATS = {
    "followers -1": {"followers": -1},
    "followers past 64 bits": {"followers": 2**63},
    "following -5": {"following": -5},
    "content a float": {"total_content": 1.5},
    "followers a bool": {"followers": True},
    "NaN engagement": {"average_engagement": math.nan},
    "infinite engagement": {"total_engagement": math.inf},
    "engagement a string": {"average_engagement": "4.2"},
}


@pytest.mark.parametrize("fields", BAD_STATS.values(), ids=BAD_STATS.keys())
async def test_bad_numbers_are_invalid_stats_on_both_stores(
    store: HistoryStore, fields: dict[str, object]
) -> None:
    with pytest.raises(InvalidStats):
        await store.add([attrs.evolve(snap(0, 100), **fields)])
    assert await store.snapshots("tiktok", "mayacooks") == []


async def test_the_edges_of_the_ranges_are_stored_exactly(store: HistoryStore) -> None:
    await store.add([snap(0, 2**63 - 1, following=0, average_engagement=None)])
    (got,) = await store.snapshots("tiktok", "mayacooks")
    assert got.followers == 2**63 - 1
    assert got.average_engagement is None


async def test_sync_records_are_checked_too(store: HistoryStore) -> None:
    now = datetime.now(UTC)
    bad = [
        SyncRecord(platform="tiktok", followers=-1, synced_at=now),
        SyncRecord(platform="tiktok", engagement=math.nan, synced_at=now),
        SyncRecord(platform="tiktok", username="a\x00b", synced_at=now),
        SyncRecord(platform="tiktok", creator=LONE, synced_at=now),
        SyncRecord(platform="t" * 33, synced_at=now),
    ]
    for record in bad:
        with pytest.raises(InvalidInput):
            await store.record_sync([record])
    assert await store.last_sync("tiktok") is None


async def test_reading_with_a_bad_key_is_typed_not_a_driver_error(
    store: HistoryStore,
) -> None:
    with pytest.raises(InvalidUsername):
        await store.snapshots("tiktok", "a\x00b")
    with pytest.raises(InvalidUsername):
        await store.growth("tiktok", LONE)
    with pytest.raises(InvalidInput):
        await store.last_sync("tiktok", creator="c\x00")


@pytest.mark.parametrize(
    ("creator_id", "priority"),
    [
        ("user-1", 2**31),  # past the integer column: OverflowError / DBAPIError before
        ("user-1", PRIORITY_MAX + 1),
        ("user-1", 0),
        ("user-1", True),
        ("user\udc80", 1),  # UnicodeEncodeError before
        ("a" * 129, 1),
        ("user\x00", 1),
    ],
)
async def test_the_roster_refuses_bad_ids_and_priorities_on_both_stores(
    store_url: str, creator_id: str, priority: int
) -> None:
    async with SocialSync(redis_url="", history_url=store_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": 1000})
        with pytest.raises(InvalidInput):
            await roster.add(creator_id, {"tiktok": "mayacooks"}, priority=priority)
        with pytest.raises(InvalidInput):  # the store itself, below the roster, says the same
            await roster_store(sync.history_store).put(creator_id, {"tiktok": "x"}, priority)
        assert await roster.list() == []
        top = await roster.add("user-2", {"tiktok": "mayacooks"}, priority=PRIORITY_MAX)
        assert top.priority == PRIORITY_MAX


async def test_the_recorder_refuses_a_bad_record_at_its_entry_and_keeps_the_rest(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = HistoryRecorder(open_store(store_url))
    now = datetime.now(UTC)
    good = PlatformData(platform="tiktok", username="mayacooks", followers=100, last_fetched=now)
    bad = attrs.evolve(good, username="maya\x00cooks")  # PostgreSQL would refuse the batch
    with caplog.at_level(logging.WARNING, logger="hyperbuds_sync.history"):
        await recorder.snapshot(good, "legacy")
        await recorder.snapshot(bad, "legacy")
        await recorder.flush()
        stored = await recorder.store.snapshots("tiktok", "mayacooks")
    await recorder.aclose()
    assert [s.followers for s in stored] == [100]  # the bad one did not sink its batch
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_the_errors_pickle_and_name_the_rule() -> None:
    with pytest.raises(InvalidUsername) as caught:
        check_snapshot(snap(0, 1, username=LONE))
    again = pickle.loads(pickle.dumps(caught.value))  # noqa: S301  (our own bytes)
    assert type(again) is InvalidUsername
    assert "surrogate" in str(again)
    with pytest.raises(InvalidStats, match="finite"):
        check_snapshot(attrs.evolve(snap(0, 1), average_engagement=math.nan))
    assert check_snapshot(snap(0, 1)).fetched_at == T0
