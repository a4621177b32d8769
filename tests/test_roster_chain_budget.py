"""Budgets charged truly across a chain: the ledger charges the provider that answered (and each
one asked that spent a call, never one skipped), no provider is asked past its budget, and the
planner plans each platform's chain as a whole, in chain order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio

from hyperbuds_sync import Roster, SocialSync
from hyperbuds_sync.roster import Budget, MemoryLedger, Planner, RosterEntry
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, Fault, RapidAPIEmulator

MONTHLY = {"message": "You have exceeded the MONTHLY quota for Requests on your current plan"}
API23 = "tiktok-api23.p.rapidapi.com"
API45 = "tiktok-api45.p.rapidapi.com"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    async with RapidAPIEmulator(autogenerate=True) as rapid, BackendEmulator() as backend:
        yield rapid, backend


def client(emulators: tuple[RapidAPIEmulator, BackendEmulator], path: Path) -> SocialSync:
    rapid, backend = emulators
    return SocialSync(
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        rapidapi_endpoint=rapid.url,
        api_url=backend.url,
        redis_url="",
        history_url=str(path / "chain.db"),
        providers={"tiktok": ["tiktok-api23", "tiktok-api45"]},
        max_tries=1,  # one ask, one call: the books count exactly what was sent
    )


def roster_of(sync: SocialSync, second: int) -> Roster:
    """A roster whose first provider has plenty and whose second allows one call at once."""
    budgets = {"tiktok-api23": Budget(100_000, "daily"), "tiktok-api45": Budget(second, "daily")}
    return Roster(
        sync,
        budgets=budgets,
        reserve=0.0,
        ledger=MemoryLedger(clock=lambda: NOW),
        clock=lambda: NOW,
    )


async def test_a_refresh_answered_by_the_second_provider_is_charged_to_it(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapid, _ = emulators
    rapid.fail("mayacooks", Fault.status(429, MONTHLY), provider="tiktok-api23")
    async with client(emulators, tmp_path) as sync:
        roster = roster_of(sync, 10_000)
        await roster.add("maya", {"tiktok": "mayacooks"})
        assert await roster.take_budget("maya", "tiktok") is None
        outcome = await roster.refresh_within_budget("maya", "tiktok")
        spent = {p: await roster.ledger.spent(p) for p in ("tiktok-api23", "tiktok-api45")}
        await roster.aclose()
    assert outcome.status == "synced"
    assert outcome.data is not None
    assert outcome.data.provider == "tiktok-api45"
    assert outcome.calls == {"tiktok-api23": 1, "tiktok-api45": 1}
    # each provider is charged the call it really received, no more, no less
    assert spent == {"tiktok-api23": rapid.calls_for(API23), "tiktok-api45": 1}
    assert rapid.calls_for(API45) == 1


async def test_the_second_providers_budget_is_never_overspent(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapid, _ = emulators
    rapid.fail("c0", Fault.status(429, MONTHLY), provider="tiktok-api23")
    async with client(emulators, tmp_path) as sync:
        roster = roster_of(sync, 100)  # burst 1: one call now, the next in 864 s
        for n in range(6):
            await roster.add(f"creator-{n}", {"tiktok": f"c{n}"})
        deferred = []
        for n in range(6):
            later = await roster.take_budget(f"creator-{n}", "tiktok")
            if later is None:
                await roster.refresh_within_budget(f"creator-{n}", "tiktok")
            else:
                deferred.append(later)
        spent45 = await roster.ledger.spent("tiktok-api45")
        await roster.aclose()
    # creator-0's refresh failed over to api45 and benched api23; api45 then had no room:
    # every other refresh waits for it instead of reaching the provider
    assert rapid.calls_for(API45) == spent45 == 1
    assert len(deferred) == 5
    assert all(later > NOW for later in deferred)


async def test_a_benched_provider_skipped_is_not_charged(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapid, _ = emulators
    rapid.fail("first", Fault.status(429, MONTHLY), provider="tiktok-api23")
    async with client(emulators, tmp_path) as sync:
        await sync.fetch("tiktok", "first")  # benches api23 (its quota is spent)
        roster = roster_of(sync, 10_000)
        await roster.add("maya", {"tiktok": "mayacooks"})
        asked23 = rapid.calls_for(API23)
        assert await roster.take_budget("maya", "tiktok") is None
        outcome = await roster.refresh_within_budget("maya", "tiktok")
        spent23 = await roster.ledger.spent("tiktok-api23")
        await roster.aclose()
    assert outcome.calls == {"tiktok-api45": 1}
    assert rapid.calls_for(API23) == asked23  # not asked
    assert spent23 == 0


def test_the_planner_plans_a_chain_as_a_whole_in_chain_order() -> None:
    planner = Planner(reserve=0.0, clock=lambda: NOW)
    chain = ("tiktok-api23", "tiktok-api45")
    entries = [
        RosterEntry(f"c{i}", "tiktok", chain[0], last_fetch=NOW, chain=chain) for i in range(20)
    ]
    budgets = {"tiktok-api23": 1_000, "tiktok-api45": 3_000}
    plan = planner.plan(entries, budgets)
    alone = planner.plan([RosterEntry(e.creator_id, "tiktok", chain[0]) for e in entries], budgets)
    first, second = (plan.paces[p] for p in chain)
    calls = plan.calls_per_period
    assert calls["tiktok-api23"] == first.scheduled  # the first is filled first
    assert 0 < calls["tiktok-api45"] <= second.scheduled  # the rest to the second, within it
    # the chain's refresh rate is what both budgets allow together, not the first's alone
    assert sum(calls.values()) > 3 * alone.calls_per_period["tiktok-api23"]
    assert plan.entries[0].interval < alone.entries[0].interval / 3
    assert all(e.providers == chain for e in plan.entries)


def test_a_chain_provider_without_a_budget_is_never_planned_for() -> None:
    planner = Planner(reserve=0.0, clock=lambda: NOW)
    chain = ("tiktok-api23", "tiktok-api45")
    plan = planner.plan([RosterEntry("c", "tiktok", chain[0], chain=chain)], {"tiktok-api23": 900})
    assert set(plan.paces) == {"tiktok-api23"}
    assert plan.entries[0].providers == ("tiktok-api23",)


def test_chains_sharing_a_provider_split_it_by_priority() -> None:
    planner = Planner(reserve=0.0, clock=lambda: NOW)
    one = [RosterEntry("a", "x", "shared", priority=3, chain=("shared", "own-a"))]
    two = [RosterEntry("b", "y", "shared", priority=1, chain=("shared",))]
    budgets = {"shared": 4_000, "own-a": 1}
    plan = planner.plan([*one, *two], budgets)
    per = {e.creator_id: e.interval for e in plan.entries}
    assert sum(plan.calls_per_period.values()) <= 4_000 + 1
    assert per["a"] < per["b"]  # three quarters of the shared pace, and a little of its own
    assert plan.calls_per_period["shared"] <= plan.paces["shared"].available
    assert timedelta(0) < per["b"]
