"""MemoryCache: single flight, TTL, refresh, errors not kept, stale values, metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from hyperbuds_sync import metrics as m
from hyperbuds_sync.cache import Cache, MemoryCache
from hyperbuds_sync.errors import ProviderUnavailable
from hyperbuds_sync.models import PlatformData


class CountingLoader:
    """A loader that counts its calls and can be held open or made to fail."""

    def __init__(self, followers: int = 10, *, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.followers = followers
        self.delay = delay
        self.fail = fail

    async def __call__(self) -> PlatformData:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ProviderUnavailable("down", platform="twitch")
        return PlatformData("twitch", "someone", followers=self.followers + self.calls)


async def test_memory_cache_satisfies_the_protocol() -> None:
    cache = MemoryCache()
    assert isinstance(cache, Cache)
    await cache.aclose()


async def test_hundred_concurrent_loads_of_one_key_make_one_call() -> None:
    cache = MemoryCache()
    loader = CountingLoader(delay=0.02)
    results = await asyncio.gather(
        *(cache.get_or_load("twitch:someone", loader) for _ in range(100))
    )
    assert loader.calls == 1
    assert {r.followers for r in results} == {11}
    assert cache.metrics.get(m.CACHE_MISSES) == 1
    assert cache.metrics.get(m.COALESCED) == 99
    await cache.aclose()


async def test_a_second_load_within_ttl_is_a_hit() -> None:
    cache = MemoryCache(ttl=60)
    loader = CountingLoader()
    first = await cache.get_or_load("twitch:someone", loader)
    second = await cache.get_or_load("twitch:someone", loader)
    assert first is second
    assert loader.calls == 1
    assert cache.metrics.get(m.CACHE_HITS, "twitch") == 1
    await cache.aclose()


async def test_entries_expire_after_ttl() -> None:
    cache = MemoryCache(ttl=0.05)
    loader = CountingLoader()
    await cache.get_or_load("twitch:someone", loader)
    await asyncio.sleep(0.12)
    again = await cache.get_or_load("twitch:someone", loader)
    assert loader.calls == 2
    assert again.followers == 12
    await cache.aclose()


async def test_refresh_bypasses_and_replaces_the_entry() -> None:
    cache = MemoryCache(ttl=60)
    loader = CountingLoader()
    await cache.get_or_load("twitch:someone", loader)
    fresh = await cache.get_or_load("twitch:someone", loader, refresh=True)
    after = await cache.get_or_load("twitch:someone", loader)
    assert loader.calls == 2
    assert fresh.followers == after.followers == 12
    await cache.aclose()


async def test_errors_are_not_cached() -> None:
    cache = MemoryCache()
    loader = CountingLoader(fail=True)
    with pytest.raises(ProviderUnavailable):
        await cache.get_or_load("twitch:someone", loader)
    loader.fail = False
    value = await cache.get_or_load("twitch:someone", loader)
    assert loader.calls == 2
    assert value.followers == 12
    await cache.aclose()


async def test_stale_value_outlives_the_fresh_entry_within_the_window() -> None:
    cache = MemoryCache(ttl=0.01, stale_window=3600)
    await cache.get_or_load("twitch:someone", CountingLoader())
    await asyncio.sleep(0.03)
    stale = await cache.get_stale("twitch:someone")
    assert stale is not None
    assert stale.followers == 11
    assert await cache.get_stale("twitch:nobody") is None
    await cache.aclose()


async def test_stale_value_past_the_window_is_gone() -> None:
    cache = MemoryCache(stale_window=60)
    old = PlatformData("twitch", "someone", last_fetched=datetime.now(UTC) - timedelta(hours=2))

    async def load_old() -> PlatformData:
        return old

    await cache.get_or_load("twitch:someone", load_old)
    assert await cache.get_stale("twitch:someone") is None
    await cache.aclose()


async def test_cancelling_one_waiter_leaves_the_others_their_result() -> None:
    cache = MemoryCache()
    loader = CountingLoader(delay=0.05)
    first = asyncio.create_task(cache.get_or_load("twitch:someone", loader))
    others = [asyncio.create_task(cache.get_or_load("twitch:someone", loader)) for _ in range(5)]
    await asyncio.sleep(0.01)
    first.cancel()
    results = await asyncio.gather(*others)
    assert [r.followers for r in results] == [11] * 5
    assert first.cancelled()
    assert loader.calls == 1
    await cache.aclose()


async def test_aclose_cancels_loads_in_flight() -> None:
    cache = MemoryCache()
    started = asyncio.Event()

    async def hang() -> PlatformData:
        started.set()
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    task = asyncio.create_task(cache.get_or_load("twitch:someone", hang))
    await started.wait()
    await cache.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError, match="ttl"):
        MemoryCache(ttl=0)


def test_stale_marking_keeps_the_values() -> None:
    data = PlatformData("tiktok", "a", followers=3)
    stale = data.as_stale()
    assert stale.stale
    assert attrs.evolve(stale, stale=False) == data
