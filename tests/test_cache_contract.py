"""One contract for every cache: MemoryCache and RedisCache run the same tests.

The Redis half runs against a real ``redis-server`` started for this module (skipped locally
without the binary, failing in CI; see ``tests/redis_server.py``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from hyperbuds_sync import metrics as m
from hyperbuds_sync.cache import Cache, MemoryCache
from hyperbuds_sync.errors import ProviderUnavailable
from hyperbuds_sync.models import PlatformData

KEY = "twitch:someone"
MakeCache = Callable[..., Cache]
_names = itertools.count()


class Loader:
    """Counts its calls; can be slow, fail, or wait for ``release``."""

    def __init__(self, *, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self.started = asyncio.Event()

    async def __call__(self) -> PlatformData:
        self.calls += 1
        self.started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ProviderUnavailable("down", platform="twitch")
        return PlatformData("twitch", "someone", followers=100 + self.calls, raw={"n": self.calls})


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[MakeCache]:
    """A factory of caches of one kind (``ttl=``, ``stale_window=``), closed after the test."""
    made: list[Cache] = []
    url = request.getfixturevalue("redis_server").url if request.param == "redis" else ""
    namespace = f"contract{next(_names)}"

    def build(ttl: float = 60.0, stale_window: float = 600.0) -> Cache:
        cache: Cache
        if url:
            from hyperbuds_sync.cache import RedisCache

            cache = RedisCache(url, ttl=ttl, stale_window=stale_window, namespace=namespace)
        else:
            cache = MemoryCache(ttl, stale_window=stale_window)
        made.append(cache)
        return cache

    yield build
    for cache in made:
        await cache.aclose()


async def test_satisfies_the_protocol(make: MakeCache) -> None:
    assert isinstance(make(), Cache)


async def test_concurrent_loads_of_one_key_make_one_call(make: MakeCache) -> None:
    cache, loader = make(), Loader(delay=0.05)
    results = await asyncio.gather(*(cache.get_or_load(KEY, loader) for _ in range(50)))
    assert loader.calls == 1
    assert {r.followers for r in results} == {101}


async def test_a_second_load_within_ttl_is_a_hit(make: MakeCache) -> None:
    cache, loader = make(), Loader()
    first = await cache.get_or_load(KEY, loader)
    second = await cache.get_or_load(KEY, loader)
    assert loader.calls == 1
    assert second.followers == first.followers


async def test_entries_expire_after_ttl(make: MakeCache) -> None:
    cache, loader = make(ttl=0.2), Loader()
    await cache.get_or_load(KEY, loader)
    await asyncio.sleep(0.3)
    assert (await cache.get_or_load(KEY, loader)).followers == 102


async def test_refresh_bypasses_and_replaces_the_entry(make: MakeCache) -> None:
    cache, loader = make(), Loader()
    await cache.get_or_load(KEY, loader)
    assert (await cache.get_or_load(KEY, loader, refresh=True)).followers == 102
    assert (await cache.get_or_load(KEY, loader)).followers == 102
    assert loader.calls == 2


async def test_a_failed_refresh_keeps_the_fresh_entry(make: MakeCache) -> None:
    """A refresh that fails leaves the record it meant to replace as it was: still fresh, so
    the next plain call is a hit, not another upstream call."""
    cache, loader = make(), Loader()
    kept = await cache.get_or_load(KEY, loader)
    with pytest.raises(ProviderUnavailable):
        await cache.get_or_load(KEY, Loader(fail=True), refresh=True)
    again = await cache.get_or_load(KEY, loader)
    assert again.followers == kept.followers == 101
    assert loader.calls == 1


async def test_errors_are_not_kept(make: MakeCache) -> None:
    cache = make()
    with pytest.raises(ProviderUnavailable):
        await cache.get_or_load(KEY, Loader(fail=True))
    assert (await cache.get_or_load(KEY, Loader())).followers == 101
    assert cache.peek("twitch:nobody") is None


async def test_peek_is_none_or_the_fresh_value_and_never_loads(make: MakeCache) -> None:
    cache, loader = make(), Loader()
    assert cache.peek(KEY) is None
    value = await cache.get_or_load(KEY, loader)
    peeked = cache.peek(KEY)
    assert peeked is None or peeked.followers == value.followers
    await cache.invalidate(KEY)
    assert cache.peek(KEY) is None
    assert loader.calls == 1


async def test_invalidate_drops_the_fresh_value_and_keeps_the_stale(make: MakeCache) -> None:
    cache, loader = make(), Loader()
    await cache.get_or_load(KEY, loader)
    await cache.invalidate(KEY)
    stale = await cache.get_stale(KEY)
    assert stale is not None
    assert stale.followers == 101
    assert (await cache.get_or_load(KEY, loader)).followers == 102
    assert await cache.get_stale("twitch:nobody") is None


async def test_a_load_in_flight_when_invalidated_is_not_kept(make: MakeCache) -> None:
    cache, slow = make(), Loader(delay=0.1)
    first = asyncio.create_task(cache.get_or_load(KEY, slow))
    await slow.started.wait()
    await cache.invalidate(KEY)
    assert (await first).followers == 101  # its own caller still gets its answer
    fresh = Loader()
    assert (await cache.get_or_load(KEY, fresh)).followers == 101
    assert fresh.calls == 1  # the invalidated load did not come back as fresh


async def test_cancelling_one_waiter_leaves_the_others_their_result(make: MakeCache) -> None:
    cache, loader = make(), Loader(delay=0.05)
    first = asyncio.create_task(cache.get_or_load(KEY, loader))
    await loader.started.wait()
    others = [asyncio.create_task(cache.get_or_load(KEY, loader)) for _ in range(5)]
    await asyncio.sleep(0)
    first.cancel()
    assert [r.followers for r in await asyncio.gather(*others)] == [101] * 5
    assert loader.calls == 1


async def test_aclose_cancels_loads_in_flight(make: MakeCache) -> None:
    cache, hang = make(), Loader(delay=30)
    task = asyncio.create_task(cache.get_or_load(KEY, hang))
    await hang.started.wait()
    await cache.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_hits_and_misses_are_counted_per_platform(make: MakeCache) -> None:
    cache = make()
    metrics: m.Metrics = cache.metrics  # type: ignore[attr-defined]
    load: Callable[[], Awaitable[PlatformData]] = Loader()
    await cache.get_or_load(KEY, load)
    if cache.peek(KEY) is None:
        await cache.get_or_load(KEY, load)
    assert metrics.get(m.CACHE_MISSES, "twitch") == 1
    assert metrics.get(m.CACHE_HITS, "twitch") == 1


async def test_a_wall_clock_jump_moves_no_ttl_and_no_stale_window(make: MakeCache) -> None:
    """Ages and windows count on the monotonic clock (or Redis's): a record whose wall-clock
    age says two days (the wall clock jumped, or another host's clock is off) is still fresh
    within its TTL and still served as stale within the window."""
    cache = make(ttl=60, stale_window=600)
    jumped = datetime.now(UTC) - timedelta(days=2)

    async def load() -> PlatformData:
        return PlatformData("twitch", "someone", followers=7, last_fetched=jumped)

    await cache.get_or_load(KEY, load)
    again = Loader()
    assert (await cache.get_or_load(KEY, again)).followers == 7
    assert again.calls == 0
    await cache.invalidate(KEY)
    stale = await cache.get_stale(KEY)
    assert stale is not None
    assert stale.followers == 7
