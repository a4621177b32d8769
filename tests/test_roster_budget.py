"""A roster's spending: every upstream attempt counted (retries too), the Redis ledger when the
client has a ``redis_url``, and the roster's figures exported to Prometheus."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry, generate_latest
from redis_server import RedisServer

from hyperbuds_sync import ConfigError, Roster, SocialSync
from hyperbuds_sync.metrics import UPSTREAM_CALLS, Metrics, PrometheusCollector
from hyperbuds_sync.roster import Budget, RedisBudgetLedger, StoreLedger
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, Fault, RapidAPIEmulator

TOKENS = {"user-1": "tok-1", "user-2": "tok-2"}


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    async with (
        RapidAPIEmulator(autogenerate=True) as rapidapi,
        BackendEmulator(tokens=tuple(TOKENS.values())) as backend,
    ):
        yield rapidapi, backend


def client(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp: Path, redis_url: str = ""
) -> SocialSync:
    rapidapi, backend = emulators
    return SocialSync(
        rapidapi_key=TEST_KEY,
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        redis_url=redis_url,
        history_url=f"sqlite+aiosqlite:///{tmp / 'roster.db'}",
        max_tries=3,  # the transport retries: the ledger counts each attempt
    )


# --- retries count ------------------------------------------------------------------------------


async def test_a_tally_counts_the_work_of_its_block_only() -> None:
    metrics = Metrics()

    async def calls(n: int) -> None:
        for _ in range(n):
            await asyncio.sleep(0)
            metrics.incr(UPSTREAM_CALLS, "tiktok")

    async def tallied(n: int) -> int:
        with metrics.tally() as seen:
            await asyncio.get_running_loop().create_task(calls(n))  # a task it starts counts
        return seen.get(UPSTREAM_CALLS)

    assert await asyncio.gather(tallied(2), tallied(5), calls(7)) == [2, 5, None]
    assert metrics.get(UPSTREAM_CALLS) == 14


def test_a_tally_stops_at_its_blocks_end_and_nests() -> None:
    metrics = Metrics()
    with metrics.tally() as outer:
        metrics.incr(UPSTREAM_CALLS, "tiktok")
        try:
            with metrics.tally() as inner:
                metrics.incr(UPSTREAM_CALLS, "twitch", 2)
                raise LookupError  # an error leaves the block: the tally still closes
        except LookupError:
            pass
        metrics.incr(UPSTREAM_CALLS, "tiktok")
    metrics.incr(UPSTREAM_CALLS, "tiktok")  # after both blocks: counted by neither
    assert (outer.get(UPSTREAM_CALLS), outer.get(UPSTREAM_CALLS, "twitch")) == (4, 2)
    assert (inner.get(UPSTREAM_CALLS), inner.get(UPSTREAM_CALLS, "tiktok")) == (2, 0)
    assert metrics.get(UPSTREAM_CALLS) == 5


async def test_the_runner_spends_every_attempt_retries_included(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapidapi, _ = emulators
    rapidapi.fail("flaky", Fault.status(503), times=2)  # two 503s, then an answer
    async with client(emulators, tmp_path) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": Budget(100, "daily")}, token_for=TOKENS.get)
        await roster.add("user-1", {"tiktok": "flaky"})
        await roster.add("user-2", {"tiktok": "steady"})
        status = await roster.run(until=1.0)
        spent = await roster.ledger.spent("tiktok-api23")
    assert rapidapi.calls == 3  # one refresh: its call and two retries
    assert status.synced == 1
    assert status.spent["tiktok-api23"] == spent == 3  # all three charged to the budget
    assert status.never_fetched == 1  # the charge pushed the next refresh back


# --- the Redis ledger -----------------------------------------------------------------------------


async def test_rosters_on_one_redis_share_one_budget(
    emulators: tuple[RapidAPIEmulator, BackendEmulator],
    tmp_path: Path,
    redis_server: RedisServer,
) -> None:
    flush = aioredis.Redis.from_url(redis_server.url)
    await flush.flushall()
    await flush.aclose()
    budgets = {"tiktok-api23": Budget(100, "daily")}  # a burst of 1
    async with client(emulators, tmp_path, redis_server.url) as sync:
        first, second = (Roster(sync, budgets=budgets, token_for=TOKENS.get) for _ in range(2))
        assert isinstance(first.ledger, RedisBudgetLedger)
        await first.add("user-1", {"tiktok": "mayacooks"})
        assert await first.take_budget("user-1", "tiktok") is None  # spent
        later = await second.take_budget("user-1", "tiktok")  # another process, same Redis
        assert later is not None
        outcome = await first.refresh_within_budget("user-1", "tiktok")
        assert outcome.status == "synced"
        assert outcome.attempts == 1
        assert await second.ledger.spent("tiktok-api23") == 1
        await first.aclose()
        await second.aclose()


async def test_without_redis_the_roster_spends_through_its_history_database(
    tmp_path: Path,
) -> None:
    async with SocialSync(redis_url="", history_url="default") as sync:
        assert sync.redis_url is None
        assert isinstance(Roster(sync, budgets={}).ledger, StoreLedger)


# --- metrics --------------------------------------------------------------------------------------


def scrape(collector: PrometheusCollector) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(collector)
    samples = {}
    for line in generate_latest(registry).decode().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return samples


async def test_the_roster_figures_are_exported_to_prometheus(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    async with client(emulators, tmp_path) as sync:
        roster = Roster(sync, budgets={"tiktok-api23": Budget(100, "daily")}, token_for=TOKENS.get)
        collector = PrometheusCollector(sync.metrics, quota=sync.quota, roster=roster.last_status)
        assert not any(k.startswith("hyperbuds_sync_roster") for k in scrape(collector))
        await roster.add("user-1", {"tiktok": "mayacooks"})
        await roster.add("user-2", {"tiktok": "other"})
        await roster.run(until=0.5)
        samples = scrape(collector)
    assert samples["hyperbuds_sync_roster_entries"] == 2
    assert samples["hyperbuds_sync_roster_never_fetched"] == 1
    assert samples["hyperbuds_sync_roster_due"] == 0  # user-2 is spread over its interval
    assert samples["hyperbuds_sync_roster_overdue"] == 0
    assert samples['hyperbuds_sync_roster_calls_spent_total{provider="tiktok-api23"}'] == 1
    assert 0 < samples['hyperbuds_sync_roster_calls_planned{provider="tiktok-api23"}'] <= 80
    assert samples['hyperbuds_sync_roster_refreshes_total{outcome="synced"}'] == 1
    assert samples['hyperbuds_sync_roster_freshness_seconds{quantile="0.5"}'] >= 0
    assert 'hyperbuds_sync_roster_freshness_seconds{quantile="1"}' in samples
    upstream = [
        v for k, v in samples.items() if k.startswith("hyperbuds_sync_upstream_calls_total")
    ]
    assert upstream == [1.0]  # the SDK's own counters beside the roster's


async def test_the_collector_refuses_the_coroutine_status(tmp_path: Path) -> None:
    async with SocialSync(redis_url="", history_url="default") as sync:
        roster = Roster(sync, budgets={})
        with pytest.raises(ConfigError, match=r"roster\.last_status"):
            PrometheusCollector(sync.metrics, roster=roster.status)  # type: ignore[arg-type]
