"""SocialSync with a history: what is recorded, reading it back, the drop guard, and many
writers (two clients, two processes) on one PostgreSQL store."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_asyncio
from _history import fresh_database
from postgres_server import PostgresServer

from hyperbuds_sync import (
    BlockingSocialSync,
    ConfigError,
    ManualEntry,
    Snapshot,
    SocialSync,
    SuspiciousDrop,
)
from hyperbuds_sync.backend import for_creator
from hyperbuds_sync.history import SyncRecord, open_store
from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_TOKEN,
    BackendEmulator,
    Creator,
    Fault,
    RapidAPIEmulator,
    quick_loop,
)

TESTS = Path(__file__).parent


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi, BackendEmulator() as backend:
        yield rapidapi, backend


def client(emulators: tuple[RapidAPIEmulator, BackendEmulator], **options: Any) -> SocialSync:
    rapidapi, backend = emulators
    return SocialSync(
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        redis_url="",
        **options,
    )


def _posts(backend: BackendEmulator) -> int:
    return sum(1 for r in backend.requests if r.method == "POST")


# --- without a history ----------------------------------------------------------------------------


async def test_without_a_history_nothing_is_recorded_and_reading_says_how(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    async with client(emulators) as sync:
        data = await sync.fetch("tiktok", "mayacooks")
        await sync.sync("tiktok", ManualEntry(followers=0))  # no history: the guard lets it by
        for read in (sync.history("tiktok", "mayacooks"), sync.growth("tiktok", "mayacooks")):
            with pytest.raises(ConfigError, match="history_url") as caught:
                await read
            assert "HYPERBUDS_HISTORY_URL" in str(caught.value)
        with pytest.raises(ConfigError, match="history_url"):
            _ = sync.history_store
    assert data.followers > 0


async def test_the_environment_turns_it_on(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HYPERBUDS_HISTORY_URL", str(tmp_path / "env.db"))
    async with client(emulators) as sync:
        await sync.fetch("tiktok", "mayacooks")
        assert len(await sync.history("tiktok", "@MayaCooks")) == 1
    async with client(emulators, history_url="") as off:  # "" wins over the environment
        with pytest.raises(ConfigError):
            await off.history("tiktok", "mayacooks")


# --- what is recorded -----------------------------------------------------------------------------


async def test_fresh_answers_are_recorded_never_hits_or_stale_serves(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    rapidapi, _ = emulators
    async with client(emulators, history_url=":memory:") as sync:
        first = await sync.fetch("tiktok", "mayacooks")
        await sync.fetch("tiktok", "mayacooks")  # a cache hit
        await sync.fetch("tiktok", "mayacooks", refresh=True)  # fresh again
        rapidapi.fail("mayacooks", Fault.status(503))
        stale = await sync.fetch("tiktok", "mayacooks", refresh=True, allow_stale=True)
        history = await sync.history("tiktok", "mayacooks")
    assert stale.stale
    assert len(history) == 2
    assert history[0].fetched_at < history[1].fetched_at
    snapshot = history[0]
    assert (snapshot.followers, snapshot.following, snapshot.total_content) == (
        first.followers,
        first.following,
        first.total_content,
    )
    assert snapshot.average_engagement == pytest.approx(first.average_engagement)
    assert snapshot.formula == sync.formula
    assert (snapshot.provider, snapshot.rounded) == ("tiktok-api23", False)  # the record's
    assert snapshot.raw is None


async def test_raw_is_kept_only_when_asked(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    async with client(emulators, history_url=":memory:", history_keep_raw=True) as sync:
        data = await sync.fetch("twitch", "pixelmaya")
        (snapshot,) = await sync.history("twitch", "pixelmaya")
    assert snapshot.raw == data.raw


async def test_successful_syncs_are_recorded_with_the_backend_totals(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    async with client(emulators, history_url=":memory:") as sync:
        data = await sync.fetch("twitch", "pixelmaya")
        result = await sync.sync("twitch", data)
        await sync.sync_all({"instagram": ManualEntry(followers=5, engagement=1.0)})
        await sync._history.flush()  # type: ignore[union-attr]
        store = sync.history_store
        twitch = await store.last_sync("twitch")
        instagram = await store.last_sync("instagram")
    assert twitch is not None
    assert (twitch.username, twitch.followers) == ("pixelmaya", data.followers)
    assert twitch.engagement == pytest.approx(data.average_engagement)
    assert twitch.total_followers == result.stats.total_followers
    assert instagram is not None
    assert (instagram.username, instagram.followers, instagram.engagement) == (None, 5, 1.0)


class BrokenStore:
    """A store whose every call fails."""

    def __init__(self) -> None:
        self.calls = 0

    async def add(self, snapshots: Iterable[Snapshot]) -> None:
        self.calls += 1
        raise OSError("disk on fire")

    async def record_sync(self, records: Iterable[SyncRecord]) -> None:
        raise OSError("disk on fire")

    async def last_sync(self, *args: object, **kwargs: object) -> SyncRecord | None:
        raise OSError("disk on fire")

    async def aclose(self) -> None:
        raise AssertionError("a store passed in is not closed by SocialSync")


async def test_a_failing_store_logs_one_warning_and_never_fails_a_fetch(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], caplog: pytest.LogCaptureFixture
) -> None:
    broken = BrokenStore()
    with caplog.at_level(logging.WARNING, logger="hyperbuds_sync.history"):
        async with client(emulators, history_store=broken) as sync:  # type: ignore[arg-type]
            sync._history.close_wait = 0.2  # type: ignore[union-attr]
            data = await sync.fetch("tiktok", "mayacooks")
            more = await asyncio.gather(*(sync.fetch("twitch", f"c{i}") for i in range(5)))
            result = await sync.sync("tiktok", data)  # the guard's read of its last sync fails too
            assert sync.metrics.gauge("history_pending") == 7  # 6 snapshots, a sync: kept
    assert data.followers > 0
    assert all(d.followers > 0 for d in more)
    assert result.success
    assert broken.calls >= 1
    messages = [r.getMessage() for r in caplog.records]
    assert sum("history store unreachable (OSError)" in m for m in messages) == 1  # one outage
    assert any("drop guard skipped" in m for m in messages)
    assert any("at close: 7 records not written" in m for m in messages)  # 6 snapshots, a sync
    assert sync.metrics.get("history_dropped") == 7


async def test_nothing_queued_is_lost_on_aclose(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    path = tmp_path / "close.db"
    async with client(emulators, history_url=str(path)) as sync:
        await asyncio.gather(*(sync.fetch("twitch", f"c{i}") for i in range(300)))
    store = open_store(str(path))
    try:
        counts = [len(await store.snapshots("twitch", f"c{i}")) for i in range(300)]
    finally:
        await store.aclose()
    assert counts == [1] * 300


# --- the drop guard -------------------------------------------------------------------------------


async def test_the_guard_stops_a_zero_over_a_good_value_and_sends_nothing(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    rapidapi, backend = emulators
    async with client(emulators, history_url=":memory:") as sync:
        good = await sync.fetch("twitter", "mayacooks")
        await sync.sync("twitter", good)
        rapidapi.add_creator("twitter", Creator("mayacooks", followers=0))
        zero = await sync.fetch("twitter", "mayacooks", refresh=True)
        sent = _posts(backend)
        with pytest.raises(SuspiciousDrop) as caught:
            await sync.sync("twitter", zero)
        assert _posts(backend) == sent
        drop = caught.value
        assert (drop.platform, drop.username) == ("twitter", "mayacooks")
        assert (drop.previous, drop.current) == (good.followers, 0)
        assert drop.previous_at is not None
        assert drop.current_at == zero.last_fetched
        assert "force=True" in str(drop)
        forced = await sync.sync("twitter", zero, force=True)
        assert forced.success
        assert _posts(backend) == sent + 1
        with pytest.raises(SuspiciousDrop):  # still compared with the last good value
            await sync.sync("twitter", zero)


async def test_fetch_and_sync_passes_force_to_the_guard(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    rapidapi, backend = emulators
    async with client(emulators, history_url=":memory:") as sync:
        await sync.fetch_and_sync("twitter", "mayacooks")
        rapidapi.add_creator("twitter", Creator("mayacooks", followers=0))
        with pytest.raises(SuspiciousDrop):
            await sync.fetch_and_sync("twitter", "mayacooks", refresh=True)
        sent = _posts(backend)
        forced = await sync.fetch_and_sync("twitter", "mayacooks", force=True)
        assert forced.success
        assert _posts(backend) == sent + 1


async def test_blocking_fetch_and_sync_passes_force_too(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    rapidapi, backend = emulators
    options = {"rapidapi_endpoint": rapidapi.url, "api_url": backend.url, "redis_url": ""}

    def run() -> None:
        with BlockingSocialSync(
            rapidapi_key=TEST_KEY, token=TEST_TOKEN, history_url=":memory:", **options
        ) as sync:
            sync.fetch_and_sync("tiktok", "mayacooks")
            rapidapi.add_creator("tiktok", Creator("mayacooks", followers=0))
            with pytest.raises(SuspiciousDrop):
                sync.fetch_and_sync("tiktok", "mayacooks", refresh=True)
            assert sync.fetch_and_sync("tiktok", "mayacooks", force=True).success

    await asyncio.to_thread(run)  # the emulators serve on this loop meanwhile


async def test_the_guard_thresholds(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    async with client(emulators, history_url=":memory:", drop_guard_ratio=0.5) as sync:
        store = sync.history_store
        now = datetime.now(UTC)
        ago = {"creator": "maya", "synced_at": now - timedelta(days=2)}
        await store.record_sync([SyncRecord(platform="twitch", followers=1000, **ago)])
        with for_creator("maya"):
            await sync.sync("twitch", ManualEntry(followers=600))  # -40%: fine
            with pytest.raises(SuspiciousDrop, match="fell 70%"):
                await sync.sync("twitch", ManualEntry(followers=180))  # -70% from 600
            old = {"creator": "maya", "synced_at": now - timedelta(days=40)}
            await store.record_sync([SyncRecord(platform="tiktok", followers=1000, **old)])
            await sync.sync("tiktok", ManualEntry(followers=10))  # the good value is 40 days old
            await sync.sync("instagram", ManualEntry(followers=0))  # nothing to compare with


async def test_the_guard_is_that_platforms_outcome_in_sync_all(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    async with client(emulators, history_url=":memory:") as sync:
        await sync.sync("tiktok", ManualEntry(followers=250_000))
        report = await sync.sync_all(
            {"tiktok": ManualEntry(followers=0), "twitch": ManualEntry(followers=10)}
        )
        assert isinstance(report.outcomes["tiktok"].error, SuspiciousDrop)
        assert report.outcomes["twitch"].result is not None
        forced = await sync.sync_all({"tiktok": ManualEntry(followers=0)}, force=True)
        assert forced.outcomes["tiktok"].result is not None


def test_bad_thresholds_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="drop_guard_ratio"):
        SocialSync(drop_guard_ratio=1.5)
    monkeypatch.setenv("HYPERBUDS_DROP_GUARD_DAYS", "soon")
    with pytest.raises(ConfigError, match="HYPERBUDS_DROP_GUARD_DAYS"):
        SocialSync()


def test_suspicious_drop_pickles_with_its_facts() -> None:
    import pickle

    at = datetime(2025, 1, 1, tzinfo=UTC)
    drop = SuspiciousDrop("x", platform="tiktok", previous=5, previous_at=at, current=0)
    again = pickle.loads(pickle.dumps(drop))  # noqa: S301  (our own bytes)
    assert (again.platform, again.previous, again.previous_at, again.current) == (
        "tiktok",
        5,
        at,
        0,
    )


# --- a notebook -----------------------------------------------------------------------------------


async def test_a_week_of_fetches_then_growth(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
    tmp_path: Path,
) -> None:
    rapidapi, _ = emulators
    clock = [datetime(2025, 6, 1, 9, 0, tzinfo=UTC)]
    requests = quick_loop(clock=lambda: clock[0])  # fresh records are stamped with its clock
    async with client(emulators, history_url=str(tmp_path / "week.db"), session=requests) as sync:
        for day in range(8):
            clock[0] = datetime(2025, 6, 1, 9, 0, tzinfo=UTC) + timedelta(days=day)
            creator = Creator("mayacooks", followers=10_000 + 500 * day, posts=10, likes=1000)
            rapidapi.add_creator("tiktok", creator)
            await sync.fetch("tiktok", "mayacooks", refresh=True)
        growth = await sync.growth("tiktok", "mayacooks")
        week = await sync.history("tiktok", "mayacooks", limit=3)
    await requests.aclose()
    assert [s.followers for s in week] == [12_500, 13_000, 13_500]
    assert growth.end is not None
    assert growth.end.followers == 13_500
    assert growth.windows[1].followers_change == 500
    assert growth.windows[1].followers_change_pct == pytest.approx(500 / 13_000 * 100)
    assert growth.windows[7].followers_change == 3_500
    assert growth.windows[7].followers_change_pct == pytest.approx(35.0)
    assert growth.windows[7].engagement_change is not None
    assert growth.windows[30].start is None
    assert growth.windows[90].followers_change is None


# --- many writers, one PostgreSQL store -----------------------------------------------------------


async def test_two_clients_on_one_postgres_store_lose_and_duplicate_nothing(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
    pg_server: PostgresServer,
) -> None:
    rapidapi, _ = emulators
    url = await fresh_database(pg_server)
    backfill = [
        Snapshot(
            platform="twitch",
            username="old",
            fetched_at=datetime(2025, 1, d, tzinfo=UTC),
            followers=d,
        )
        for d in range(1, 11)
    ]
    async with client(emulators, history_url=url) as one, client(emulators, history_url=url) as two:
        names = [f"pair{i}" for i in range(40)]
        await asyncio.gather(
            *(c.fetch("twitch", n, refresh=True) for n in names for c in (one, two)),
            one.history_store.add(backfill),
            two.history_store.add(backfill),
        )
    calls = rapidapi.calls
    store = open_store(url)
    try:
        counts = [len(await store.snapshots("twitch", n)) for n in names]
        old = await store.snapshots("twitch", "old")
    finally:
        await store.aclose()
    assert counts == [2] * 40
    assert sum(counts) == calls
    assert [s.followers for s in old] == list(range(1, 11))


async def test_two_processes_on_one_postgres_store(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
    pg_server: PostgresServer,
) -> None:
    rapidapi, _ = emulators
    url = await fresh_database(pg_server)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(TESTS / "history_worker.py"),
            rapidapi.url,
            url,
            "30",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert json.loads(out) == {"fetched": 30}
        assert "history store write failed" not in err.decode(), err.decode()  # a lost batch
    store = open_store(url)
    try:
        counts = [len(await store.snapshots("twitch", f"shared{i}")) for i in range(30)]
        backfilled = await store.snapshots("twitch", "backfilled")
    finally:
        await store.aclose()
    assert counts == [2] * 30
    assert rapidapi.calls == 60
    assert len(backfilled) == 3


def test_snapshot_of_takes_the_provenance_when_records_carry_it() -> None:
    from hyperbuds_sync import PlatformData
    from hyperbuds_sync.history import snapshot_of

    @attrs.frozen
    class Later(PlatformData):  # what issue 12 adds to the record
        provider: str = "tiktok-api45"
        rounded: bool = True

    snapshot = snapshot_of(Later("tiktok", "a", followers=3), "rate")
    assert (snapshot.provider, snapshot.rounded, snapshot.formula) == ("tiktok-api45", True, "rate")
