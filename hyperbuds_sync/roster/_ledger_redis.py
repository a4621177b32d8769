"""The budget ledger a fleet shares: one GCRA bucket per provider, kept in Redis.

The same cells as :class:`~hyperbuds_sync.roster.BudgetLedger` (the budget's pace with its
burst, and the per-second rate limit), but each provider's theoretical arrival times live in one
Redis hash and every read-modify-write is one Lua script on the server's clock (``TIME``), so
any number of processes, on hosts whose clocks disagree, spend one budget between them.

Imports ``redis`` (through :mod:`hyperbuds_sync._redis`): build it only when the extra is there.
While Redis cannot be reached the ledger spends nothing (a refresh waits for the link's
cool-down): a process on its own cannot know what the others spent, and a budget is a promise.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Final

from .._redis import RedisLink
from ..errors import InvalidInput
from ._budget import Pace
from ._planner import Plan

__all__ = ["RedisBudgetLedger"]

# Times in integer microseconds on the server's clock; an emission of -1 means paused.
_NOW: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(redis.call('HGET', KEYS[1], 'cells') or '0')
local function num(field) return tonumber(redis.call('HGET', KEYS[1], field)) end
local function put(field, x) redis.call('HSET', KEYS[1], field, string.format('%.0f', x)) end
"""
# ARGV: fingerprint, cell count, then emission and tolerance per cell. Debt carries over.
_APPLY: Final = (
    _NOW
    + """
if redis.call('HGET', KEYS[1], 'pace') == ARGV[1] then return 0 end
local cells = tonumber(ARGV[2])
for i = 0, cells - 1 do
  local e = tonumber(ARGV[3 + 2 * i])
  local tat = now
  if i < n then
    local old_e, old_tat = num('e' .. i), num('tat' .. i)
    if old_e > 0 and e > 0 then tat = now + math.max(0, old_tat - now) / old_e * e end
  end
  put('e' .. i, e)
  put('tol' .. i, tonumber(ARGV[4 + 2 * i]))
  put('tat' .. i, tat)
end
redis.call('HSET', KEYS[1], 'cells', cells, 'pace', ARGV[1])
return 1
"""
)
# ARGV[1]: 1 to spend when every cell conforms, 0 to ask only. Returns {now, wait}; wait -1:
# paused, -2: no pace stored (Redis was emptied), 0: spent (or allowed now).
_SPEND: Final = (
    _NOW
    + """
if n == 0 then return {now, -2} end
local wait = 0
for i = 0, n - 1 do
  local e = num('e' .. i)
  if e < 0 then return {now, -1} end
  wait = math.max(wait, math.max(num('tat' .. i), now) - num('tol' .. i) - now)
end
if wait > 0 or ARGV[1] == '0' then return {now, math.ceil(wait)} end
for i = 0, n - 1 do put('tat' .. i, math.max(num('tat' .. i), now) + num('e' .. i)) end
redis.call('HINCRBY', KEYS[1], 'spent', 1)
return {now, 0}
"""
)
# ARGV[1]: calls made anyway (retries): spent whether or not there was room.
_CHARGE: Final = (
    _NOW
    + """
if n == 0 then return -2 end
local calls = tonumber(ARGV[1])
for i = 0, n - 1 do
  local e = num('e' .. i)
  if e > 0 then put('tat' .. i, math.max(num('tat' .. i), now) + calls * e) end
end
redis.call('HINCRBY', KEYS[1], 'spent', calls)
return 0
"""
)
_NO_PACE, _PAUSED = -2, -1


def _cells(pace: Pace) -> list[tuple[float, float]]:
    """(emission, tolerance) per cell in microseconds, as the memory ledger builds them."""
    if not pace.available:
        return [(-1.0, 0.0)]
    per_call = pace.period.total_seconds() * 1e6 / pace.scheduled
    cells = [(per_call, (pace.burst - 1) * per_call)]
    if pace.rate_limit is not None:
        emission = 1e6 / pace.rate_limit
        cells.append((emission, (max(1, math.floor(pace.rate_limit)) - 1) * emission))
    return cells


def _fingerprint(pace: Pace) -> str:
    return f"{pace.available}/{pace.burst}/{pace.period.total_seconds():.0f}/{pace.rate_limit}"


def _at(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


class RedisBudgetLedger:
    """The :class:`~hyperbuds_sync.roster.Ledger` of a fleet: one budget per provider shared by
    every process on the same Redis (and ``namespace``).

    Args:
        link: the Redis link (its cool-down applies: while Redis is down nothing is spent).
        namespace: the prefix of the ledger's keys (``{namespace}:budget:{provider}``).
        owns_link: whether :meth:`aclose` closes ``link``.
    """

    def __init__(
        self, link: RedisLink, *, namespace: str = "hyperbuds_sync", owns_link: bool = False
    ) -> None:
        self._link = link
        self._ns = namespace
        self._owns_link = owns_link
        self._paces: dict[str, Pace] = {}
        client = link.client
        self._apply = client.register_script(_APPLY)
        self._spend = client.register_script(_SPEND)
        self._charge = client.register_script(_CHARGE)

    @classmethod
    def from_url(cls, url: str, *, namespace: str = "hyperbuds_sync") -> RedisBudgetLedger:
        """A ledger on a link of its own to ``url`` (closed by :meth:`aclose`)."""
        return cls(RedisLink.from_url(url), namespace=namespace, owns_link=True)

    def __repr__(self) -> str:
        return f"RedisBudgetLedger({self._link.display_url!r})"

    def _key(self, provider: str) -> str:
        return f"{self._ns}:budget:{provider}"

    async def apply(self, plan: Plan) -> None:
        """Use ``plan``'s paces; a provider whose pace is already stored keeps its bucket."""
        for provider, pace in plan.paces.items():
            self._paces[provider] = pace
            await self._store(provider, pace)

    async def _store(self, provider: str, pace: Pace) -> None:
        args: list[str | int | float] = [_fingerprint(pace), len(cells := _cells(pace))]
        for emission, tolerance in cells:
            args += [emission, tolerance]

        async def write() -> None:
            await self._apply(keys=[self._key(provider)], args=args)

        await self._link.call(write, _nothing)

    async def _ask(self, provider: str, spend: bool) -> tuple[int, int] | None:
        """``(server now, wait)`` in microseconds; ``None`` while Redis is down."""
        pace = self._pace(provider)

        async def ask() -> tuple[int, int]:
            now, wait = await self._spend(keys=[self._key(provider)], args=[int(spend)])
            return int(now), int(wait)

        found = await self._link.call(ask, _none)
        if found is not None and found[1] == _NO_PACE:  # the hash is gone: store it again
            await self._store(provider, pace)
            found = await self._link.call(ask, _none)
        return found

    async def try_spend(self, provider: str) -> bool:
        """Spend one call on ``provider`` if the fleet's budget allows it now."""
        found = await self._ask(provider, spend=True)
        return found is not None and found[1] == 0

    async def charge(self, provider: str, calls: int) -> None:
        """Count ``calls`` made beyond those :meth:`try_spend` allowed (retries)."""
        self._pace(provider)
        if calls < 1:
            return

        async def charge() -> None:
            await self._charge(keys=[self._key(provider)], args=[calls])

        await self._link.call(charge, _nothing)

    async def next_allowed(self, provider: str) -> datetime | None:
        """When the next call may go (server time); after the cool-down while Redis is down."""
        found = await self._ask(provider, spend=False)
        if found is None:
            return datetime.now(UTC) + timedelta(seconds=max(self._link.cooldown, 1.0))
        now, wait = found
        return None if wait == _PAUSED else _at(now + max(wait, 0))

    async def spent(self, provider: str) -> int:
        """Calls spent on ``provider`` by every process sharing this ledger."""
        self._pace(provider)

        async def read() -> int:
            return int(await self._link.client.hget(self._key(provider), "spent") or 0)

        return await self._link.call(read, _zero)

    async def aclose(self) -> None:
        """Close the link if this ledger opened it."""
        if self._owns_link:
            await self._link.aclose()

    def _pace(self, provider: str) -> Pace:
        try:
            return self._paces[provider]
        except KeyError:
            raise InvalidInput(f"no budget for provider {provider!r} in the ledger") from None


async def _nothing() -> None:
    return None


async def _none() -> tuple[int, int] | None:
    return None


async def _zero() -> int:
    return 0
