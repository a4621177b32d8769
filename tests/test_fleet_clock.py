"""State a fleet shares through Redis (benches, quota resets) is on the Redis server's clock, so
processes whose wall clocks disagree agree on when a bench ends (issue 10 point 13)."""

from __future__ import annotations

import asyncio
import time

import pytest

from hyperbuds_sync._redis import RedisLink, ServerClock
from hyperbuds_sync.errors import QuotaExceeded
from hyperbuds_sync.quota import KeyPool, RedisKeyState

KEY = "KEYA-5ecret-0123456789abcdefghijklmnopqrstuvwxyz0123"
HOST = "h.example"
HOUR = 3600.0


def skewed(seconds: float) -> float:
    """This process's wall clock, wrong by ``seconds``."""
    return time.time() + seconds


async def test_a_bench_set_by_a_fast_clock_ends_on_time_for_everyone(redis_url: str) -> None:
    """A's wall clock runs an hour ahead; it benches the key for 0.3 s. B (right clock) may use
    the key again a moment later, not an hour later; and A too."""
    link_a, link_b = RedisLink.from_url(redis_url), RedisLink.from_url(redis_url)
    ahead = KeyPool([KEY], state=RedisKeyState(link_a), clock=lambda: skewed(HOUR))
    right = KeyPool([KEY], state=RedisKeyState(link_b))
    try:
        until = await ahead.bench_for_quota(HOST, KEY, reset_in=0.3)
        assert abs(until.timestamp() - (time.time() + 0.3)) < 5  # the server's time, not A's
        with pytest.raises(QuotaExceeded):
            await right.acquire(HOST)
        async with asyncio.timeout(5):  # the bench's end, on the server's clock
            while True:
                try:
                    assert await right.acquire(HOST) == KEY
                    break
                except QuotaExceeded:
                    await asyncio.sleep(0.02)
        assert await ahead.acquire(HOST) == KEY
    finally:
        await link_a.aclose()
        await link_b.aclose()


async def test_a_slow_clock_does_not_lift_a_bench_early(redis_url: str) -> None:
    """B's wall clock runs an hour behind: a 60 s bench set by A ends for B 60 s from now on
    the server's clock (before, B read it as ending an hour and a minute away)."""
    link_a, link_b = RedisLink.from_url(redis_url), RedisLink.from_url(redis_url)
    setter = KeyPool([KEY], state=RedisKeyState(link_a))
    behind = KeyPool([KEY], state=RedisKeyState(link_b), clock=lambda: skewed(-HOUR))
    try:
        await setter.bench_for_quota(HOST, KEY, reset_in=60.0)
        with pytest.raises(QuotaExceeded) as info:
            await behind.acquire(HOST)
        assert info.value.reset_at is not None
        assert abs(info.value.reset_at.timestamp() - (time.time() + 60.0)) < 5
        shown = behind.status()[HOST]
        assert shown.remaining is None or shown.remaining >= 0
    finally:
        await link_a.aclose()
        await link_b.aclose()


async def test_the_server_clock_is_none_while_redis_is_down() -> None:
    link = RedisLink.from_url("redis://127.0.0.1:1/0")
    try:
        assert await ServerClock(link).now() is None
    finally:
        await link.aclose()
