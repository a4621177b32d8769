"""A :class:`~hyperbuds_sync.roster.Refresher` for the fleet tests and bench, its due list in Redis.

``hyperbuds-sync worker --refresher fleet_refresher:make`` (with ``tests/`` on ``PYTHONPATH``)
reads ``FLEET_PREFIX`` and the SDK's environment (``HYPERBUDS_REDIS_URL``,
``HYPERBUDS_RAPIDAPI_ENDPOINT``, ``RAPIDAPI_KEY``). Its keys in Redis:

* ``{prefix}:due``, a set of ``creator|platform``: what is due (the parent fills it, a refresh
  takes its member out);
* ``{prefix}:runs``, a hash ``creator|platform -> refreshes run``: 1 each, or a refresh ran twice.

A refresh fetches with ``refresh=True``, through the shared single flight, benches and key state,
so a refresh run twice also shows as a second upstream call at the emulator. ``FLEET_DELAY``
(seconds) holds each refresh between its fetch and its record, so that jobs stay queued and
running across several planner rounds, where a planner without the job key would queue them again.
``FLEET_BUDGET=N`` gives the refresher ``take_budget`` on the fleet's Redis budget ledger: a
burst of N calls, then one a day's 1/1000th (86 s), shared by every worker.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import redis.asyncio as aioredis

from hyperbuds_sync.client import SocialSync
from hyperbuds_sync.roster import Budget, Pace, Plan, RedisBudgetLedger

PLATFORMS = ("tiktok", "twitter", "twitch", "instagram")


def pairs(count: int, prefix: str = "fleet") -> list[tuple[str, str]]:
    """``count`` creator-platforms: creators ``{prefix}{n}`` on the four platforms in turn."""
    return [(f"{prefix}{i // len(PLATFORMS)}", PLATFORMS[i % len(PLATFORMS)]) for i in range(count)]


def member(creator_id: str, platform: str) -> str:
    """The Redis set member of one creator-platform."""
    return f"{creator_id}|{platform}"


async def seed(client: aioredis.Redis, prefix: str, items: Iterable[tuple[str, str]]) -> None:
    """Make ``items`` due."""
    await client.sadd(f"{prefix}:due", *(member(c, p) for c, p in items))


async def runs(client: aioredis.Redis, prefix: str) -> dict[str, int]:
    """Refreshes run per ``creator|platform``."""
    found = await client.hgetall(f"{prefix}:runs")
    return {k.decode(): int(v) for k, v in found.items()}


class RedisDue:
    """Due: the members of ``{prefix}:due``; a refresh fetches, then records its run atomically."""

    def __init__(
        self, sync: SocialSync, client: aioredis.Redis, prefix: str, delay: float = 0.0
    ) -> None:
        self.sync, self.client, self.prefix, self.delay = sync, client, prefix, delay

    async def due(self, now: datetime) -> Sequence[tuple[str, str]]:
        found = await self.client.smembers(f"{self.prefix}:due")
        return [tuple(m.decode().split("|", 1)) for m in sorted(found)]  # type: ignore[misc]

    async def refresh(self, creator_id: str, platform: str) -> int:
        data = await self.sync.fetch(platform, creator_id, refresh=True)
        await asyncio.sleep(self.delay)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(f"{self.prefix}:runs", member(creator_id, platform), 1)
            pipe.srem(f"{self.prefix}:due", member(creator_id, platform))
            await pipe.execute()
        return data.followers


class BudgetedDue(RedisDue):
    """:class:`RedisDue` spending through the fleet's Redis budget ledger before each refresh."""

    def __init__(self, ledger: RedisBudgetLedger, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.ledger = ledger

    async def take_budget(self, creator_id: str, platform: str) -> datetime | None:
        if await self.ledger.try_spend(BUDGETED):
            return None
        return await self.ledger.next_allowed(BUDGETED)


BUDGETED = "fleet-api"


def budget_plan(burst: int) -> Plan:
    """A plan whose one provider allows ``burst`` calls at once, then one per 86.4 s."""
    pace = Pace(BUDGETED, Budget(1000 + burst, "daily"), available=1000 + burst, burst=burst)
    return Plan((), {BUDGETED: pace.available}, {BUDGETED: pace}, datetime.now(UTC), 0)


@asynccontextmanager
async def make() -> AsyncIterator[RedisDue]:
    """The refresher of one worker process, from the environment."""
    url = os.environ["HYPERBUDS_REDIS_URL"]
    async with SocialSync.from_env() as sync:
        client = aioredis.Redis.from_url(url)
        try:
            delay = float(os.environ.get("FLEET_DELAY") or 0)
            prefix = os.environ["FLEET_PREFIX"]
            budget = os.environ.get("FLEET_BUDGET")
            if not budget:
                yield RedisDue(sync, client, prefix, delay)
                return
            ledger = RedisBudgetLedger.from_url(url)
            await ledger.apply(budget_plan(int(budget)))
            try:
                yield BudgetedDue(ledger, sync, client, prefix, delay)
            finally:
                await ledger.aclose()
        finally:
            await client.aclose()
