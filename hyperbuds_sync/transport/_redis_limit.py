"""The per-host rate limit shared by every process through Redis.

:class:`RedisRateLimiter` satisfies the transport's ``RateLimiter`` protocol; while the shared
Redis link is down it spaces this process's calls with the
in-memory limiter, and never fails a call because of Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Final

from redis.commands.core import AsyncScript

from .._redis import RedisLink
from ._ratelimit import MemoryRateLimiter

__all__ = ["RedisRateLimiter"]

# Reserve the next free slot at ARGV[1] microseconds spacing, on Redis's clock.
# KEYS: the host's next-slot key. Returns the wait in microseconds.
_SLOT: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
local after = start + tonumber(ARGV[1])
local ms = math.ceil((after - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', ms)
return start - now
"""


class RedisRateLimiter:
    """Per-host requests per second, shared by every process using the same Redis.

    Each host has a "next free slot" time in Redis, on Redis's own clock (``TIME``), so the
    fleet needs no synchronized clocks. :meth:`acquire` reserves ``max(now, next)`` and moves
    ``next`` on by ``1 / rate`` in one Lua script, then sleeps until its slot: calls from every
    process queue instead of drawing 429s. While Redis is down a :class:`MemoryRateLimiter`
    spaces this process's calls.

    Args:
        link: the shared Redis link.
        rate: requests per second for every host, or ``{host: rate}``.
        default: the rate for hosts missing from a ``rate`` mapping (else they are not limited).
        namespace: the prefix of every Redis key.
    """

    def __init__(
        self,
        link: RedisLink,
        rate: float | Mapping[str, float],
        *,
        default: float | None = None,
        namespace: str = "hyperbuds_sync",
    ) -> None:
        self.memory = MemoryRateLimiter(rate, default=default)  # validates the rates
        self._link = link
        self._ns = namespace
        self._slot: AsyncScript = link.client.register_script(_SLOT)

    @property
    def link(self) -> RedisLink:
        """The Redis connection and its degrade-to-memory switch."""
        return self._link

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self._link.display_url!r}, {self.memory!r})"

    def rate_for(self, host: str) -> float | None:
        """Requests per second allowed to ``host``, or ``None`` for no limit."""
        return self.memory.rate_for(host)

    async def acquire(self, host: str) -> None:
        """Wait for the fleet's next free slot on ``host``; at once when it is not limited."""
        rate = self.rate_for(host)
        if rate is None:
            return
        spacing_us = max(1, round(1_000_000 / rate))

        async def shared() -> float:
            wait_us = await self._slot(keys=[f"{self._ns}:rate:{host}"], args=[spacing_us])
            return int(wait_us) / 1_000_000

        async def local() -> float:
            await self.memory.acquire(host)
            return 0.0

        wait = await self._link.call(shared, local)
        if wait > 0:
            await asyncio.sleep(wait)
