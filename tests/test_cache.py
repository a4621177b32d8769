"""MemoryCache: single flight, TTL, refresh, errors not kept, stale values, metrics."""

from __future__ import annotations

import asyncio

import attrs
import pytest
from _waiting import until

from hyperbuds_sync import metrics as m
from hyperbuds_sync.cache import DEFAULT_MAXSIZE, Cache, MemoryCache
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
    clock = FakeClock()
    cache = MemoryCache(ttl=0.05, clock=clock)
    loader = CountingLoader()
    await cache.get_or_load("twitch:someone", loader)
    clock.now += 0.04
    assert (await cache.get_or_load("twitch:someone", loader)).followers == 11  # still fresh
    clock.now += 0.02
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
    clock = FakeClock()
    cache = MemoryCache(ttl=0.01, stale_window=3600, clock=clock)
    await cache.get_or_load("twitch:someone", CountingLoader())
    clock.now += 0.03
    stale = await cache.get_stale("twitch:someone")
    assert stale is not None
    assert stale.followers == 11
    assert await cache.get_stale("twitch:nobody") is None
    await cache.aclose()


async def test_stale_value_past_the_window_is_gone() -> None:
    clock = FakeClock()
    cache = MemoryCache(ttl=10, stale_window=60, clock=clock)
    await cache.get_or_load("twitch:someone", CountingLoader())
    clock.now += 59
    assert await cache.get_stale("twitch:someone") is not None
    clock.now += 2  # 61 s after the load, on the cache's monotonic clock
    assert await cache.get_stale("twitch:someone") is None
    assert cache.size == 0
    await cache.aclose()


async def test_cancelling_one_waiter_leaves_the_others_their_result() -> None:
    cache = MemoryCache()
    loader = CountingLoader(delay=0.05)
    first = asyncio.create_task(cache.get_or_load("twitch:someone", loader))
    others = [asyncio.create_task(cache.get_or_load("twitch:someone", loader)) for _ in range(5)]
    await until(lambda: loader.calls == 1)  # the one load is under way
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


# --- the entry dict: exact TTL on a fake clock, LRU bound, stale copies, superseded loads ---------


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_an_entry_is_fresh_until_exactly_ttl_after_its_load_finished() -> None:
    clock = FakeClock()
    cache = MemoryCache(ttl=10, clock=clock)

    async def slow() -> PlatformData:
        clock.now += 3  # the TTL counts from the end of the load, not its start
        return PlatformData("twitch", "someone", followers=1)

    first = await cache.get_or_load("twitch:someone", slow)
    clock.now += 9.999
    assert await cache.get_or_load("twitch:someone", slow) is first
    assert cache.peek("twitch:someone") is first
    clock.now += 0.001  # exactly ttl after the load
    assert cache.peek("twitch:someone") is None
    second = await cache.get_or_load("twitch:someone", slow)
    assert second is not first
    assert cache.metrics.get(m.CACHE_HITS, "twitch") == 2
    assert cache.metrics.get(m.CACHE_MISSES, "twitch") == 2
    await cache.aclose()


async def test_an_expired_entry_stays_as_the_stale_value_until_reloaded() -> None:
    clock = FakeClock()
    cache = MemoryCache(ttl=5, clock=clock)
    loader = CountingLoader()
    first = await cache.get_or_load("twitch:someone", loader)
    clock.now += 5
    assert await cache.get_stale("twitch:someone") is first
    second = await cache.get_or_load("twitch:someone", loader)
    assert await cache.get_stale("twitch:someone") is second
    assert cache.size == 1
    await cache.aclose()


async def test_maxsize_evicts_the_least_recently_used_entry() -> None:
    cache = MemoryCache(maxsize=3)
    loaders = {k: CountingLoader() for k in ("twitch:a", "twitch:b", "twitch:c", "twitch:d")}
    for key in ("twitch:a", "twitch:b", "twitch:c"):
        await cache.get_or_load(key, loaders[key])
    await cache.get_or_load("twitch:a", loaders["twitch:a"])  # a hit: "a" is now the newest
    await cache.get_or_load("twitch:d", loaders["twitch:d"])  # evicts "b", the least recent
    assert cache.size == 3
    assert cache.peek("twitch:b") is None
    assert await cache.get_stale("twitch:b") is None  # the stale copy went with it
    for key in ("twitch:a", "twitch:c", "twitch:d"):
        assert cache.peek(key) is not None
    await cache.get_or_load("twitch:b", loaders["twitch:b"])
    assert loaders["twitch:b"].calls == 2
    assert loaders["twitch:a"].calls == 1
    await cache.aclose()


async def test_memory_is_bounded_by_maxsize_fresh_and_stale_together() -> None:
    clock = FakeClock()
    cache = MemoryCache(ttl=1, maxsize=50, clock=clock)
    for i in range(500):
        await cache.get_or_load(f"tiktok:user{i}", CountingLoader())
        clock.now += 0.5  # half of them fresh, half stale at any time
    assert cache.size == 50
    assert len(cache._flight) == 0  # no finished load kept as a task
    await cache.aclose()


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        MemoryCache(maxsize=0)


async def test_peek_counts_only_hits() -> None:
    cache = MemoryCache()
    assert cache.peek("twitch:someone") is None
    value = await cache.get_or_load("twitch:someone", CountingLoader())
    assert cache.peek("twitch:someone") is value
    assert cache.metrics.totals() == {m.CACHE_HITS: {"twitch": 1}, m.CACHE_MISSES: {"twitch": 1}}
    await cache.aclose()


async def test_callers_during_a_refresh_wait_for_it() -> None:
    cache = MemoryCache(ttl=60)
    loader = CountingLoader(delay=0.02)
    await cache.get_or_load("twitch:someone", loader)
    refreshing = asyncio.create_task(cache.get_or_load("twitch:someone", loader, refresh=True))
    await asyncio.sleep(0)
    waiting = await cache.get_or_load("twitch:someone", loader)
    assert waiting is await refreshing
    assert waiting.followers == 12
    assert loader.calls == 2
    assert cache.metrics.get(m.COALESCED, "twitch") == 1
    await cache.aclose()


async def test_a_load_overtaken_by_a_refresh_is_not_kept() -> None:
    cache = MemoryCache(ttl=60)
    release = asyncio.Event()

    async def old() -> PlatformData:
        await release.wait()
        return PlatformData("twitch", "someone", followers=1)

    async def new() -> PlatformData:
        return PlatformData("twitch", "someone", followers=2)

    first = asyncio.create_task(cache.get_or_load("twitch:someone", old))
    await asyncio.sleep(0)
    fresh = await cache.get_or_load("twitch:someone", new, refresh=True)
    release.set()
    assert (await first).followers == 1  # its own callers still get their answer
    assert await cache.get_or_load("twitch:someone", old) is fresh
    await cache.aclose()


async def test_invalidate_keeps_the_stale_copy_and_clear_drops_all() -> None:
    cache = MemoryCache(ttl=60)
    loader = CountingLoader()
    value = await cache.get_or_load("twitch:someone", loader)
    await cache.invalidate("twitch:someone")
    assert cache.peek("twitch:someone") is None
    assert await cache.get_stale("twitch:someone") is value
    await cache.get_or_load("twitch:someone", loader)
    assert loader.calls == 2
    cache.clear()
    assert cache.size == 0
    assert await cache.get_stale("twitch:someone") is None
    await cache.aclose()


async def test_a_failed_load_leaves_nothing_behind() -> None:
    cache = MemoryCache()
    with pytest.raises(ProviderUnavailable):
        await cache.get_or_load("twitch:someone", CountingLoader(fail=True))
    await asyncio.sleep(0)
    assert cache.size == 0
    assert len(cache._flight) == 0
    await cache.aclose()


def test_the_default_maxsize_is_documented() -> None:
    assert MemoryCache().maxsize == DEFAULT_MAXSIZE
    assert f"{DEFAULT_MAXSIZE:,}" in (MemoryCache.__doc__ or "")


def test_a_load_abandoned_by_a_closed_loop_does_not_block_the_next_loop() -> None:
    cache = MemoryCache(ttl=60)
    started = asyncio.Event()

    async def hang() -> PlatformData:
        started.set()
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    async def abandon() -> None:
        asyncio.get_running_loop().create_task(cache.get_or_load("twitch:someone", hang))
        await started.wait()

    async def reuse() -> tuple[PlatformData, PlatformData]:
        loader = CountingLoader()
        first = await cache.get_or_load("twitch:someone", loader)
        return first, await cache.get_or_load("twitch:someone", loader)

    async def kept() -> PlatformData | None:
        return cache.peek("twitch:someone")

    gone = asyncio.new_event_loop()
    gone.run_until_complete(abandon())
    gone.close()  # closed by hand with the load still in flight: it never finishes
    first, second = asyncio.run(reuse())
    assert first is second
    assert first.followers == 11
    assert asyncio.run(kept()) is first  # records outlive the loop that loaded them
    assert cache.metrics.get(m.CACHE_MISSES, "twitch") == 2
