"""The Roster: its store (SQLite and PostgreSQL), planning, the one-process runner against the
emulators, stopping, and sync_many."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from _waiting import until

from hyperbuds_sync import (
    ConfigError,
    InvalidInput,
    InvalidUsername,
    ManualEntry,
    Roster,
    SocialSync,
    UnknownPlatform,
)
from hyperbuds_sync.history import open_store
from hyperbuds_sync.history._schema import SCHEMA_VERSION
from hyperbuds_sync.roster import Budget, RefreshOutcome
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, Fault, RapidAPIEmulator

TOKENS = {"user-1": "tok-1", "user-2": "tok-2"}
FAST = Budget(230_000, "daily")  # about one call a second per entry for two entries: 1 s intervals


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    async with (
        RapidAPIEmulator(autogenerate=True) as rapidapi,
        BackendEmulator(tokens=tuple(TOKENS.values())) as backend,
    ):
        yield rapidapi, backend


def client(emulators: tuple[RapidAPIEmulator, BackendEmulator], url: str) -> SocialSync:
    rapidapi, backend = emulators
    return SocialSync(
        rapidapi_key=TEST_KEY,
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        redis_url="",
        history_url=url,
        max_tries=1,  # one refresh, one upstream call: the ledger counts what is sent
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'roster.db'}"


# --- the store ------------------------------------------------------------------------------------


async def test_add_get_list_remove_on_sqlite_and_postgres(store_url: str) -> None:
    async with SocialSync(redis_url="", history_url=store_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": 1000})
        added = await roster.add(
            "user-42", {"tiktok": "@MayaCooks", "twitch": "pixelmaya"}, priority=2
        )
        assert added.priority == 2
        assert {p: s.username for p, s in added.platforms.items()} == {
            "tiktok": "mayacooks",
            "twitch": "pixelmaya",
        }
        await roster.add("user-7", {"tiktok": "other"})
        assert [c.creator_id for c in await roster.list()] == ["user-42", "user-7"]
        await roster.store.update("user-42", "tiktok", failures=3)
        again = await roster.add("user-42", {"tiktok": "mayacooks"}, priority=1)
        assert list(again.platforms) == ["tiktok"]  # twitch dropped
        assert again.platforms["tiktok"].failures == 3  # same username: its state kept
        assert again.priority == 1
        assert await roster.remove("user-42") is True
        assert await roster.remove("user-42") is False
        assert await roster.get("user-42") is None
        assert [c.creator_id for c in await roster.list()] == ["user-7"]


async def test_bad_input_writes_nothing(sqlite_url: str) -> None:
    async with SocialSync(redis_url="", history_url=sqlite_url) as sync:
        roster = Roster(sync)
        with pytest.raises(InvalidUsername):
            await roster.add("user-1", {"tiktok": "good", "twitch": "not a name!"})
        with pytest.raises(UnknownPlatform):
            await roster.add("user-1", {"myspace": "tom"})
        with pytest.raises(InvalidInput, match="priority"):
            await roster.add("user-1", {"tiktok": "good"}, priority=0)
        with pytest.raises(InvalidInput, match="creator id"):
            await roster.add("", {"tiktok": "good"})
        assert await roster.list() == []


async def test_a_roster_needs_a_history() -> None:
    async with SocialSync(redis_url="", history_url="") as sync:
        with pytest.raises(ConfigError, match="history_url"):
            Roster(sync)


async def test_a_version_2_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    store = open_store(str(path))
    await store.setup()
    await store.aclose()
    with sqlite3.connect(path) as conn:  # what a version 2 file is: no roster tables
        for table in ("creator_platforms", "creators", "webhook_deliveries"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP INDEX ix_syncs_creator_time")  # nor the syncs' creator (version 4)
        conn.execute("ALTER TABLE syncs DROP COLUMN creator")
        conn.execute("UPDATE hyperbuds_schema SET version = 2")
    async with SocialSync(redis_url="", history_url=str(path)) as sync:
        assert await sync.history_store.setup() == 2  # type: ignore[attr-defined]
        roster = Roster(sync)
        await roster.add("user-1", {"tiktok": "mayacooks"})
        assert [c.creator_id for c in await roster.list()] == ["user-1"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM hyperbuds_schema").fetchall() == [
            (SCHEMA_VERSION,)
        ]


# --- planning -------------------------------------------------------------------------------------


async def test_plan_spreads_the_budget_by_priority(sqlite_url: str) -> None:
    async with SocialSync(redis_url="", history_url=sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": 3000, "twitch-scraper2": 100}, reserve=0.2)
        await roster.add("user-1", {"tiktok": "aaa", "twitch": "bbbb"}, priority=2)
        await roster.add("user-2", {"tiktok": "ccc"})
        plan = await roster.plan()
    rows = {(e.creator_id, e.platform): e for e in plan.entries}
    assert set(rows) == {("user-1", "tiktok"), ("user-1", "twitch"), ("user-2", "tiktok")}
    assert rows[("user-1", "twitch")].provider == "twitch-scraper2"
    low, high = rows[("user-2", "tiktok")].interval, rows[("user-1", "tiktok")].interval
    assert abs(low.total_seconds() - 2 * high.total_seconds()) <= 1  # whole seconds, rounded up
    assert plan.calls_per_period["tiktok-api23"] <= 3000 * 0.8
    assert all(e.next_at.tzinfo is not None for e in plan.entries)


async def test_a_budget_is_learned_from_the_providers_limit(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    emulators[0].set_quota(500)
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(sync)
        await roster.add("user-1", {"tiktok": "mayacooks"})
        with pytest.raises(InvalidInput, match="no budget"):
            await roster.plan()
        await sync.fetch("tiktok", "mayacooks")  # the answer carries x-ratelimit-requests-limit
        plan = await roster.plan()
    assert plan.paces["tiktok-api23"].budget.calls == 500
    assert plan.calls_per_period["tiktok-api23"] <= 400


# --- running --------------------------------------------------------------------------------------


async def test_run_refreshes_within_the_plan_and_syncs_with_each_token(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    rapidapi, backend = emulators
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": FAST}, token_for=TOKENS.get)
        await roster.add("user-1", {"tiktok": "mayacooks"})
        await roster.add("user-2", {"tiktok": "otheruser"})
        await roster.add("user-3", {"tiktok": "notoken"})  # no token: fetched, not synced
        plan = await roster.plan()
        interval = plan.entries[0].interval.total_seconds()
        status = await roster.run(until=2.5)
        history = await sync.history("tiktok", "notoken")
        user3 = await roster.get("user-3")
    spent = status.spent["tiktok-api23"]
    assert spent == rapidapi.calls  # every upstream call went through the ledger
    assert 3 * 2 <= spent <= 3 * (2.5 // interval + 1)
    assert status.synced == 2 * status.fetched > 0
    assert backend.profile("tok-1")["stats"]["platformBreakdown"]["tiktok"]["followers"] > 0
    assert backend.profile("tok-2")["stats"]["platformBreakdown"]["tiktok"]["followers"] > 0
    assert history, "a creator without a token is fetched and recorded"
    assert user3 is not None
    state = user3.platforms["tiktok"]
    assert state.last_synced_at is None
    assert "no token" in (state.last_error or "")


async def test_a_small_budget_holds_the_runner_back(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    rapidapi, _ = emulators
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": Budget(100, "daily")}, token_for=TOKENS.get)
        for n in range(3):
            await roster.add(f"user-{n}", {"tiktok": f"creator{n}"})
        status = await roster.run(until=1.2)
    assert rapidapi.calls == status.spent["tiktok-api23"] == 1  # a burst of 1, then 1 per 18 min
    assert status.never_fetched == 2  # the others wait their turn, spread over the period


async def test_a_failing_refresh_is_retried_with_backoff_within_the_budget(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    rapidapi, _ = emulators
    rapidapi.fail("brokenuser", Fault.wrong_shape(), times=2)
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(
            sync,
            budgets={"tiktok-api23": Budget(50_000, "daily")},  # one entry: ~2 s intervals
            token_for=TOKENS.get,
            retry_base=0.2,
        )
        await roster.add("user-1", {"tiktok": "brokenuser"})
        status = await roster.run(until=1.5)
        state = (await roster.get("user-1")).platforms["tiktok"]  # type: ignore[union-attr]
    assert status.failed == 2
    assert status.synced == 1
    assert rapidapi.calls == status.spent["tiktok-api23"] == 3
    assert state.failures == 0
    assert state.last_synced_at is not None


async def test_cancelling_lets_the_refresh_under_way_finish(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    rapidapi, _ = emulators
    rapidapi.fail("slowuser", Fault.delay(0.6), times=1)
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": FAST}, token_for=TOKENS.get)
        await roster.add("user-1", {"tiktok": "slowuser"})
        task = asyncio.create_task(roster.run())
        await until(lambda: rapidapi.calls == 1)  # the slow fetch is under way
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        state = (await roster.get("user-1")).platforms["tiktok"]  # type: ignore[union-attr]
    assert state.last_synced_at is not None
    assert state.failures == 0
    assert roster.counters.synced == 1
    assert roster.counters.interrupted == 0


async def test_refresh_of_a_creator_not_on_the_roster_is_refused(sqlite_url: str) -> None:
    async with SocialSync(redis_url="", history_url=sqlite_url) as sync:
        roster = Roster(sync)
        with pytest.raises(InvalidInput, match="not on the roster"):
            await roster.refresh("nobody", "tiktok")


# --- sync_many ------------------------------------------------------------------------------------


def _items() -> Iterator[tuple[str, str, Any]]:
    for n in range(10):
        yield (f"user-{1 + n % 2}", "tiktok", f"creator{n}")
    yield ("user-3", "tiktok", "notoken")
    yield ("user-1", "twitch", ManualEntry(followers=5))
    yield ("user-1", "tiktok", 42)


async def test_sync_many_streams_an_outcome_per_item(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    seen: list[RefreshOutcome] = []

    async def progress(outcome: RefreshOutcome) -> None:
        seen.append(outcome)

    async with client(emulators, sqlite_url) as sync:
        report = await sync.sync_many(
            _items(), concurrency=4, token_for=TOKENS.get, on_progress=progress
        )
    assert (report.total, report.synced, report.fetched, report.failed) == (13, 11, 1, 1)
    assert len(seen) == 13
    failed = [o for o in seen if not o.ok]
    assert isinstance(failed[0].error, InvalidInput)
    assert emulators[1].profile("tok-1")["stats"]["platformBreakdown"]["twitch"]["followers"] == 5


def test_sync_many_on_the_blocking_client_returns_the_counts() -> None:
    from contextlib import ExitStack

    from anyio.from_thread import start_blocking_portal

    from hyperbuds_sync import BlockingSocialSync

    seen: list[str] = []
    with start_blocking_portal() as portal, ExitStack() as stack:
        rapidapi = stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))
        backend = stack.enter_context(
            portal.wrap_async_context_manager(BackendEmulator(tokens=("tok-1",)))
        )
        with BlockingSocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
            redis_url="",
        ) as sync:
            report = sync.sync_many(
                [("user-1", "tiktok", "mayacooks"), ("user-1", "twitch", "pixelmaya")],
                token_for=lambda _: "tok-1",
                on_progress=lambda outcome: seen.append(outcome.status),
            )
    assert (report.total, report.synced) == (2, 2)
    assert seen == ["synced", "synced"]


async def test_status_counts_due_and_freshness(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], sqlite_url: str
) -> None:
    async with client(emulators, sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": 10_000}, token_for=TOKENS.get)
        await roster.add("user-1", {"tiktok": "mayacooks"})
        await roster.add("user-2", {"tiktok": "otheruser"})
        before = await roster.status()
        await roster.refresh("user-1", "tiktok")
        after = await roster.status()
    assert (before.due, before.never_fetched) == (2, 2)
    assert (after.due, after.never_fetched, after.synced) == (1, 1, 1)
    assert 0 <= after.freshness["p50"] == after.freshness["max"] < 5
    assert after.planned["tiktok-api23"] <= 8000


async def test_concurrent_budget_checks_share_one_plan(sqlite_url: str) -> None:
    """A fleet worker's refreshes asking together for a plan read the roster once."""
    async with SocialSync(redis_url="", history_url=sqlite_url) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": Budget(100_000, "daily")})
        for n in range(8):
            await roster.add(f"user-{n}", {"tiktok": f"creator{n}"})
        planned = 0
        plan = roster.plan

        async def counted() -> Any:
            nonlocal planned
            planned += 1
            await asyncio.sleep(0.01)  # a read of the roster takes a moment
            return await plan()

        roster.plan = counted  # type: ignore[method-assign]
        await asyncio.gather(*(roster.take_budget(f"user-{n}", "tiktok") for n in range(8)))
        await roster.aclose()
    assert planned == 1
