"""One contract for every budget ledger: in memory (tests), in Redis (a fleet) and in the
roster's history database (SQLite and PostgreSQL: kept across restarts).

The Redis ledger runs against a real ``redis-server`` (``tests/redis_server.py``: skipped without
the binary, failed in CI), the store's on SQLite and a real PostgreSQL. Times are real: a daily
budget of 288,000 calls emits one call every 0.3 s, so a wait is short enough to sit through and
long enough that a loaded machine does not refill the bucket between two asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from _history import fresh_database
from postgres_server import PostgresServer
from redis_server import RedisServer, free_port, redis_or_skip

from hyperbuds_sync.errors import InvalidInput
from hyperbuds_sync.history import ledger_books, open_store
from hyperbuds_sync.roster import (
    Budget,
    Ledger,
    MemoryLedger,
    Pace,
    Plan,
    RedisBudgetLedger,
    StoreLedger,
)

FAST = Budget(288_000 + 2, "daily")  # (available - burst) calls a day: one per 0.3 s


def plan_of(*paces: Pace) -> Plan:
    return Plan(
        entries=(),
        calls_per_period={p.provider: p.available for p in paces},
        paces={p.provider: p for p in paces},
        made_at=datetime.now(UTC),
        basis=0,
    )


def fast(provider: str = "tiktok-api23", *, burst: int = 2, rate: float | None = None) -> Pace:
    return Pace(provider, FAST, available=288_000 + burst, burst=burst, rate_limit=rate)


def steady(provider: str = "tiktok-api23", *, burst: int = 2) -> Pace:
    """A pace emitting one call a minute: for a test about the burst alone, where a slow ask on
    a loaded machine (three xdist workers on two cores) must not meet a refill."""
    return Pace(provider, Budget(1440 + burst, "daily"), available=1440 + burst, burst=burst)


@pytest.fixture(params=["memory", "redis", "sqlite", "postgres"])
async def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Ledger]:
    if request.param == "memory":
        yield MemoryLedger()
        return
    if request.param in ("sqlite", "postgres"):
        if request.param == "sqlite":
            url = str(tmp_path / "ledger.db")
        else:
            url = await fresh_database(request.getfixturevalue("pg_server"))
        store = open_store(url)
        yield StoreLedger(ledger_books(store))
        await store.aclose()
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = aioredis.Redis.from_url(server.url)
    await client.flushall()
    await client.aclose()
    found = RedisBudgetLedger.from_url(server.url)
    yield found
    await found.aclose()


async def test_the_burst_goes_at_once_then_one_call_per_emission(ledger: Ledger) -> None:
    await ledger.apply(plan_of(fast(burst=2)))
    assert [await ledger.try_spend("tiktok-api23") for _ in range(3)] == [True, True, False]
    allowed = await ledger.next_allowed("tiktok-api23")
    assert allowed is not None
    wait = (allowed - datetime.now(UTC)).total_seconds()
    assert 0 < wait <= 0.35
    await asyncio.sleep(wait + 0.02)
    assert await ledger.try_spend("tiktok-api23")
    assert not await ledger.try_spend("tiktok-api23")
    assert await ledger.spent("tiktok-api23") == 3


async def test_a_rate_limit_caps_calls_per_second(ledger: Ledger) -> None:
    big = Pace("p", Budget(10**9, "daily"), available=10**9, burst=10**6, rate_limit=2.0)
    await ledger.apply(plan_of(big))
    assert [await ledger.try_spend("p") for _ in range(3)] == [True, True, False]


async def test_charged_retries_delay_the_next_call(ledger: Ledger) -> None:
    await ledger.apply(plan_of(fast(burst=2)))
    assert await ledger.try_spend("tiktok-api23")
    await ledger.charge("tiktok-api23", 3)  # the transport retried three times
    assert not await ledger.try_spend("tiktok-api23")
    allowed = await ledger.next_allowed("tiktok-api23")
    assert allowed is not None
    assert (allowed - datetime.now(UTC)).total_seconds() > 0.45  # 4 calls, burst 2: ~0.9 s
    assert await ledger.spent("tiktok-api23") == 4


async def test_a_new_plan_keeps_the_debt(ledger: Ledger) -> None:
    await ledger.apply(plan_of(steady(burst=2)))
    assert await ledger.try_spend("tiktok-api23")
    assert await ledger.try_spend("tiktok-api23")
    await ledger.apply(plan_of(steady(burst=3)))  # a re-plan never refills the bucket
    assert await ledger.try_spend("tiktok-api23")  # the larger burst allows one more
    assert not await ledger.try_spend("tiktok-api23")
    await ledger.apply(plan_of(steady(burst=3)))  # the same pace again changes nothing
    assert not await ledger.try_spend("tiktok-api23")


async def test_a_provider_with_no_calls_left_is_paused(ledger: Ledger) -> None:
    paused = Pace("spent-api", Budget(100), available=0, burst=0)
    await ledger.apply(plan_of(paused))
    assert not await ledger.try_spend("spent-api")
    assert await ledger.next_allowed("spent-api") is None


async def test_a_provider_without_a_budget_is_invalid_input(ledger: Ledger) -> None:
    await ledger.apply(plan_of(fast()))
    with pytest.raises(InvalidInput, match="no budget for provider 'other'"):
        await ledger.try_spend("other")


async def test_concurrent_spenders_never_exceed_the_burst(ledger: Ledger) -> None:
    slow = Pace("slow", Budget(1000, "daily"), available=1000, burst=10)
    await ledger.apply(plan_of(slow))
    spent = await asyncio.gather(*(ledger.try_spend("slow") for _ in range(50)))
    assert sum(spent) == 10
    assert await ledger.spent("slow") == 10


async def test_two_redis_ledgers_share_one_budget(redis_server: RedisServer) -> None:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    first, second = (RedisBudgetLedger.from_url(redis_server.url) for _ in range(2))
    slow = plan_of(Pace("slow", Budget(1000, "daily"), available=1000, burst=4))
    try:
        await first.apply(slow)
        await second.apply(slow)
        spent = [await ledger.try_spend("slow") for ledger in (first, second) * 4]
        assert sum(spent) == 4
        assert await first.spent("slow") == await second.spent("slow") == 4
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_redis_ledger_spends_nothing_while_redis_is_down() -> None:
    redis_or_skip()
    ledger = RedisBudgetLedger.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nobody there
    try:
        await ledger.apply(plan_of(fast()))
        assert not await ledger.try_spend("tiktok-api23")  # a budget is a promise
        allowed = await ledger.next_allowed("tiktok-api23")
        assert allowed is not None
        assert allowed > datetime.now(UTC) + timedelta(seconds=1)  # after the cool-down
    finally:
        await ledger.aclose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_restarted_store_ledger_finds_what_was_spent(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        url = str(tmp_path / "restart.db")
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = await fresh_database(server)
    slow = plan_of(Pace("slow", Budget(1000, "daily"), available=1000, burst=3))
    spent = []
    for _ in range(3):  # three processes' lives, one after the other, and two at once
        stores = [open_store(url), open_store(url)]
        try:
            ledgers = [StoreLedger(ledger_books(store)) for store in stores]
            for found in ledgers:
                await found.apply(slow)
            spent += await asyncio.gather(*(found.try_spend("slow") for found in ledgers * 2))
        finally:
            for store in stores:
                await store.aclose()
    assert sum(spent) == 3  # the burst, once: a restart never refills the bucket
    store = open_store(url)
    try:
        found = StoreLedger(ledger_books(store))
        await found.apply(slow)
        assert await found.spent("slow") == 3
    finally:
        await store.aclose()


async def test_the_store_ledger_spends_nothing_while_its_database_is_down() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"  # nobody there
    store = open_store(url)
    ledger = StoreLedger(ledger_books(store))
    try:
        await ledger.apply(plan_of(fast()))
        assert not await ledger.try_spend("tiktok-api23")
        await ledger.charge("tiktok-api23", 2)  # owed, for the next change that commits
        allowed = await ledger.next_allowed("tiktok-api23")
        assert allowed is not None
        assert allowed > datetime.now(UTC) + timedelta(seconds=1)
    finally:
        await store.aclose()
