"""Shared state in a real Redis: cache and fleet-wide single flight, key state, rate limit,
and the fall back to memory when Redis goes away.

Every test runs against a ``redis-server`` started for the session on a free loopback port (see
``tests/redis_server.py``); without the binary the tests skip, or fail when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from _waiting import until
from redis_server import RedisServer, free_port, redis_or_skip

from hyperbuds_sync import metrics as m
from hyperbuds_sync._redis import NO_REDIS_MESSAGE, RedisLink, safe_url
from hyperbuds_sync.cache import Cache, RedisCache
from hyperbuds_sync.cache._redis import decode, encode  # the wire format: no public seam
from hyperbuds_sync.client import SocialSync
from hyperbuds_sync.client._shared import build_shared_state
from hyperbuds_sync.errors import ConfigError, ProviderUnavailable, QuotaExceeded
from hyperbuds_sync.models import PlatformData, QuotaStatus
from hyperbuds_sync.quota import KeyState, RedisKeyState, fingerprint
from hyperbuds_sync.testing import RapidAPIEmulator
from hyperbuds_sync.transport import RateLimiter, RedisRateLimiter

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "fleet_worker.py"
KEY = "test-key-aaaaaaaaaaaaaaaaaaaa"
KEY_2 = "test-key-bbbbbbbbbbbbbbbbbbbb"
TWITCH = "twitch-scraper2.p.rapidapi.com"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which the test may kill."""
    with RedisServer(redis_or_skip()) as server:
        yield server


@pytest.fixture
async def emulator() -> AsyncIterator[RapidAPIEmulator]:
    """A RapidAPI emulator inventing a creator for any plain username."""
    async with RapidAPIEmulator(autogenerate=True) as emu:
        yield emu


class Loader:
    """A loader that counts calls (shared by several caches) and can wait or fail."""

    def __init__(self, *, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail

    async def __call__(self) -> PlatformData:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ProviderUnavailable("down", platform="twitch")
        return PlatformData("twitch", "someone", followers=100 + self.calls, raw={"n": self.calls})


def sync_for(emu: RapidAPIEmulator, redis_url: str, **kwargs: Any) -> SocialSync:
    """A SocialSync on the emulator sharing state through ``redis_url``."""
    kwargs.setdefault("rapidapi_key", KEY)
    return SocialSync(rapidapi_endpoint=emu.url, redis_url=redis_url, token="t", **kwargs)


# --- RedisCache alone ----------------------------------------------------------------------------


async def test_parts_satisfy_their_protocols(redis_url: str) -> None:
    shared = build_shared_state(
        redis_url, cache_ttl=60, stale_window=600, rate_limit=5, metrics=m.Metrics()
    )
    cache, key_state, limiter = shared["cache"], shared["key_state"], shared["limiter"]
    assert isinstance(cache, Cache)
    assert isinstance(key_state, KeyState)
    assert isinstance(limiter, RateLimiter)
    assert isinstance(cache, RedisCache)
    assert isinstance(key_state, RedisKeyState)
    assert isinstance(limiter, RedisRateLimiter)
    assert cache.link is key_state.link is limiter.link
    await cache.aclose()
    await shared["close"]()  # idempotent
    none = build_shared_state(
        redis_url, cache_ttl=60, stale_window=600, rate_limit=None, metrics=m.Metrics()
    )
    assert "limiter" not in none
    await none["close"]()


async def test_single_flight_spans_two_processes(redis_url: str) -> None:
    one, two = RedisCache(redis_url), RedisCache(redis_url)
    loader = Loader(delay=0.05)
    results = await asyncio.gather(
        *(cache.get_or_load("twitch:someone", loader) for cache in (one, two) for _ in range(50))
    )
    assert loader.calls == 1
    assert {r.followers for r in results} == {101}
    misses = one.metrics.get(m.CACHE_MISSES) + two.metrics.get(m.CACHE_MISSES)
    coalesced = one.metrics.get(m.COALESCED) + two.metrics.get(m.COALESCED)
    assert (misses, coalesced) == (1, 99)
    assert await two.get_or_load("twitch:someone", loader) == results[0]
    assert two.metrics.get(m.CACHE_HITS, "twitch") == 1
    await one.aclose()
    await two.aclose()


async def test_entries_expire_after_ttl(redis_url: str) -> None:
    cache = RedisCache(redis_url, ttl=0.15)
    loader = Loader()
    await cache.get_or_load("twitch:someone", loader)
    await cache.get_or_load("twitch:someone", loader)
    assert loader.calls == 1
    await asyncio.sleep(0.25)
    again = await cache.get_or_load("twitch:someone", loader)
    assert (loader.calls, again.followers) == (2, 102)
    await cache.aclose()


async def test_refresh_replaces_the_entry_for_everyone_with_one_load(redis_url: str) -> None:
    one, two = RedisCache(redis_url), RedisCache(redis_url)
    loader = Loader(delay=0.05)
    await one.get_or_load("twitch:someone", loader)
    refreshed = await asyncio.gather(
        *(
            cache.get_or_load("twitch:someone", loader, refresh=True)
            for cache in (one, two)
            for _ in range(10)
        )
    )
    assert loader.calls == 2
    assert {r.followers for r in refreshed} == {102}
    assert (await two.get_or_load("twitch:someone", loader)).followers == 102
    await one.aclose()
    await two.aclose()


async def test_errors_are_not_cached(redis_url: str) -> None:
    cache = RedisCache(redis_url)
    failing = Loader(fail=True, delay=0.02)
    results = await asyncio.gather(
        *(cache.get_or_load("twitch:someone", failing) for _ in range(10)), return_exceptions=True
    )
    assert failing.calls == 1
    assert all(isinstance(r, ProviderUnavailable) for r in results)
    good = Loader()
    assert (await cache.get_or_load("twitch:someone", good)).followers == 101
    await cache.aclose()


async def test_a_waiter_takes_over_when_the_holder_fails(redis_url: str) -> None:
    one, two = RedisCache(redis_url), RedisCache(redis_url)
    failing, good = Loader(fail=True, delay=0.1), Loader()
    first = asyncio.ensure_future(one.get_or_load("twitch:someone", failing))
    await until(lambda: failing.calls == 1)  # one holds the lock and is loading
    value = await two.get_or_load("twitch:someone", good)
    with pytest.raises(ProviderUnavailable):
        await first
    assert (failing.calls, good.calls, value.followers) == (1, 1, 101)
    await one.aclose()
    await two.aclose()


async def test_a_waiter_takes_over_the_lock_of_a_holder_that_died(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    await client.set("hyperbuds_sync:lock:twitch:someone", "gone", px=200)  # nobody renews it
    await client.aclose()
    two, good = RedisCache(redis_url, lock_ttl=0.2), Loader()
    started = time.monotonic()
    value = await two.get_or_load("twitch:someone", good)
    # after the 0.2 s lock expired, not at some long wait's end (the safety net is generous)
    assert 0.1 < time.monotonic() - started < 10
    assert (good.calls, value.followers) == (1, 101)
    await two.aclose()


async def test_stale_copy_outlives_the_fresh_entry(redis_url: str) -> None:
    one, two = RedisCache(redis_url, ttl=0.1, stale_window=60), RedisCache(redis_url)
    loaded = await one.get_or_load("twitch:someone", Loader())
    await asyncio.sleep(0.2)
    stale = await two.get_stale("twitch:someone")
    assert stale == loaded
    assert stale is not None
    assert not stale.stale
    assert await two.get_stale("twitch:nobody") is None
    await one.aclose()
    await two.aclose()


async def test_records_round_trip_with_raw_and_timezone(redis_url: str) -> None:
    fetched = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=2)))
    raw = {"data": {"user": {"login": "someone", "followers": {"totalCount": 7}}}, "x": [1.5, None]}
    record = PlatformData(
        "twitch", "someone", display_name="Some One ✓", followers=7, last_fetched=fetched, raw=raw
    )

    async def load() -> PlatformData:
        return record

    one, two = RedisCache(redis_url), RedisCache(redis_url)
    await one.get_or_load("twitch:someone", load)
    back = await two.get_or_load("twitch:someone", load)
    assert back == record
    assert back.raw == raw
    assert back.last_fetched == fetched
    assert back.last_fetched.utcoffset() is not None
    assert decode(encode(record.as_stale())) == record  # ``stale`` is never stored
    assert decode(b"garbage") is None
    assert decode(b"hb1:0123456789abcdef:{") is None
    await one.aclose()
    await two.aclose()


async def test_unreachable_redis_serves_from_memory_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    url = f"redis://user:s3cret-pa55word@127.0.0.1:{free_port()}/0"
    cache = RedisCache(url)
    loader = Loader()
    for _ in range(3):
        assert (await cache.get_or_load("twitch:someone", loader)).followers == 101
    assert loader.calls == 1
    assert (await cache.get_stale("twitch:someone")) is not None
    await cache.aclose()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Redis unavailable at redis://user:***@127.0.0.1" in warnings[0].getMessage()
    assert "s3cret-pa55word" not in caplog.text


async def test_redis_is_tried_again_after_the_cooldown(
    private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hyperbuds_sync")
    cache = RedisCache(RedisLink.from_url(private_redis.url, cooldown=0.2))
    loader = Loader()
    private_redis.stop()
    await cache.get_or_load("twitch:someone", loader)  # from memory
    assert not cache.link.up
    private_redis.start()  # same port, empty
    await asyncio.sleep(0.25)
    await cache.get_or_load("twitch:other", loader)  # through Redis again
    client = aioredis.Redis.from_url(private_redis.url)
    assert await client.exists("hyperbuds_sync:cache:twitch:other") == 1
    await client.aclose()
    await cache.aclose()
    messages = [r.getMessage() for r in caplog.records]
    assert [msg.split(" at ")[0] for msg in messages] == ["Redis unavailable", "Redis is back"]


def test_safe_url_hides_the_password() -> None:
    assert safe_url("redis://:pw123456@h:6379/0") == "redis://:***@h:6379/0"
    assert safe_url("rediss://u:pw123456@[::1]:6380") == "rediss://u:***@[::1]:6380"
    assert safe_url("redis://h:6379/1") == "redis://h:6379/1"


def test_missing_redis_extra_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ConfigError, match='pip install "hyperbuds-sync\\[redis\\]"') as info:
        SocialSync(rapidapi_key=KEY, redis_url="redis://127.0.0.1:1/0")
    assert str(info.value) == NO_REDIS_MESSAGE


# --- the key state and the limiter alone ---------------------------------------------------------


async def test_key_state_is_shared_and_mirrored(redis_url: str) -> None:
    link_a = RedisLink.from_url(redis_url)
    link_b = RedisLink.from_url(redis_url)
    one, two = RedisKeyState(link_a), RedisKeyState(link_b)
    until = time.time() + 60
    await one.bench("h", "fp1", until)
    await one.bench("h", "fp1", until - 30)  # the later bench wins
    await one.record("h", "fp1", 100, 3, until)
    await one.record("h", "fp1", None, 2, None)
    assert await one.incr_calls("h", "fp1") == 1
    assert await two.incr_calls("h", "fp1") == 2
    assert await two.benched("h") == {"fp1": pytest.approx(until)}
    record = (await two.known())["h"]["fp1"]
    assert (record.limit, record.remaining, record.calls) == (100, 2, 2)
    assert record.reset_epoch == pytest.approx(until)
    assert await two.memory.benched("h") == {"fp1": pytest.approx(until)}  # mirrored
    await link_a.aclose()
    await link_b.aclose()


async def test_rate_limiter_spaces_two_processes(redis_url: str) -> None:
    link_a, link_b = RedisLink.from_url(redis_url), RedisLink.from_url(redis_url)
    one, two = RedisRateLimiter(link_a, 50), RedisRateLimiter(link_b, {"other": 50})
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire("h") for limiter in (one, one) * 5))
    await two.acquire("h")  # not limited there
    assert time.monotonic() - started >= 9 / 50 * 0.9
    await link_a.aclose()
    await link_b.aclose()


# --- end to end through the RapidAPI emulator ----------------------------------------------------


async def _spawn(emu: RapidAPIEmulator, redis_url: str, barrier: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERBUDS_", "RAPIDAPI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-W",
        "error",
        str(WORKER),
        "--endpoint",
        emu.url,
        "--redis",
        redis_url,
        "--barrier",
        f"{barrier}@{redis_url}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


async def test_four_processes_make_one_upstream_call_per_creator(
    emulator: RapidAPIEmulator, redis_url: str
) -> None:
    procs = [await _spawn(emulator, redis_url, "fleet") for _ in range(4)]
    client = aioredis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 60
        while int(await client.get("fleet:ready") or 0) < 4:
            assert time.monotonic() < deadline, "the workers never got ready"
            assert all(p.returncode is None for p in procs), "a worker died early"
            await asyncio.sleep(0.01)
        await client.set("fleet:go", 1)
        outputs = [await p.communicate() for p in procs]
    finally:
        await client.aclose()
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert json.loads(out) == {"ok": 100, "errors": [], "seconds": pytest.approx(0, abs=30)}
    assert emulator.calls == 10
    assert all(emulator.calls_for(TWITCH, f"fleet{i}") == 1 for i in range(10))


async def test_a_spent_key_is_not_called_again_by_any_process(redis_url: str) -> None:
    async with RapidAPIEmulator(autogenerate=True, quota=0, reset_after=1.0) as emu:
        one, two = sync_for(emu, redis_url), sync_for(emu, redis_url)
        with pytest.raises(QuotaExceeded):
            await one.fetch("twitch", "first")
        assert emu.calls == 1
        for sync, name in ((one, "second"), (two, "third"), (two, "first")):
            with pytest.raises(QuotaExceeded) as info:
                await sync.fetch("twitch", name)
            assert info.value.reset_at is not None
        assert emu.calls == 1  # no request at all until the reset
        await asyncio.sleep(1.3)  # the reset passes; the plan is upgraded
        emu.set_quota(100)
        assert (await two.fetch("twitch", "third")).username == "third"
        assert emu.calls == 2
        await one.aclose()
        await two.aclose()


async def test_with_two_keys_the_spent_one_is_left_alone(redis_url: str) -> None:
    async with RapidAPIEmulator(autogenerate=True, quota=3) as emu:
        async with SocialSync(rapidapi_key=KEY, rapidapi_endpoint=emu.url) as spender:
            for i in range(3):  # someone else spends the first key's quota
                await spender.fetch("twitch", f"spend{i}")
        assert emu.calls_for(key=KEY) == 3
        one = sync_for(emu, redis_url, rapidapi_key=None, rapidapi_keys=[KEY, KEY_2])
        two = sync_for(emu, redis_url, rapidapi_key=None, rapidapi_keys=[KEY, KEY_2])
        await one.fetch("twitch", "c1")  # KEY answers with the quota 429, KEY_2 serves
        assert (emu.calls_for(key=KEY), emu.calls_for(key=KEY_2)) == (4, 1)
        await asyncio.gather(two.fetch("twitch", "c2"), one.fetch("twitch", "c3"))
        assert (emu.calls_for(key=KEY), emu.calls_for(key=KEY_2)) == (4, 3)
        fleet = await two._key_pool.shared_status()
        keys = {k.fingerprint: k for k in fleet[TWITCH].keys}
        assert keys[fingerprint(KEY)].benched_until is not None
        assert keys[fingerprint(KEY_2)].calls == 3
        await one.aclose()
        await two.aclose()


async def test_quota_low_alert_fires_once_with_redis_state(redis_url: str) -> None:
    seen: list[QuotaStatus] = []
    async with RapidAPIEmulator(autogenerate=True, quota=6) as emu:
        sync = sync_for(emu, redis_url, quota_low_threshold=3, on_quota_low=seen.append)
        for i in range(5):
            await sync.fetch("twitch", f"low{i}")
        await sync.aclose()
    assert len(seen) == 1
    assert (seen[0].host, seen[0].remaining) == (TWITCH, 2)


async def test_rate_limit_is_shared_by_two_clients(
    emulator: RapidAPIEmulator, redis_url: str
) -> None:
    one = sync_for(emulator, redis_url, rate_limit=20)
    two = sync_for(emulator, redis_url, rate_limit=20)
    started = time.monotonic()
    await asyncio.gather(*(s.fetch("twitch", f"rate{i}") for i, s in enumerate([one, two] * 5)))
    elapsed = time.monotonic() - started
    assert emulator.calls == 10
    assert elapsed >= 9 / 20 * 0.9  # one queue for both; apart they would take 4/20 s
    await one.aclose()
    await two.aclose()


async def test_killing_redis_mid_run_keeps_fetches_working(
    emulator: RapidAPIEmulator, private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    sync = sync_for(emulator, private_redis.url, rate_limit=1000)
    await asyncio.gather(*(sync.fetch("twitch", f"kill{i}") for i in range(5)))
    private_redis.stop()
    results = await asyncio.gather(*(sync.fetch("twitch", f"kill{i % 8}") for i in range(40)))
    assert {r.username for r in results} == {f"kill{i}" for i in range(8)}
    assert emulator.calls == 5 + 8  # the old entries were in Redis; each name loads once more
    assert (await sync.fetch("twitch", "kill7")).username == "kill7"
    assert sync.quota()[TWITCH].keys[0].calls == 13
    await sync.aclose()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(";")[0] for r in warnings] == [
        f"Redis unavailable at {private_redis.url}"
    ]


async def test_more_fetches_in_flight_than_pooled_connections_wait_for_one(
    emulator: RapidAPIEmulator, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A burst is load, not an outage: with 4 connections and 240 fetches in flight (40 creators)
    the commands queue for the pool, Redis stays in use, and each creator is loaded once."""
    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    sync = sync_for(emulator, f"{redis_url}?max_connections=4", rate_limit=10_000)
    names = [f"burst{i}" for i in range(40)]
    results = await asyncio.gather(*(sync.fetch("twitch", name) for name in names * 6))
    await sync.aclose()
    assert [r.username for r in results] == names * 6
    assert emulator.calls == 40
    assert all(emulator.calls_for(TWITCH, name) == 1 for name in names)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_a_wait_for_a_pooled_connection_is_bounded(redis_url: str) -> None:
    """The pool's one connection busy past ``pool_timeout``: the command gives up and the link
    falls back to memory, as for any Redis fault, instead of waiting without end."""
    link = RedisLink.from_url(redis_url, max_connections=1, pool_timeout=0.1)
    assert link.client.connection_pool.max_connections == 1
    busy = asyncio.create_task(link.client.blpop(["nothing"], timeout=0.5))
    await asyncio.sleep(0.05)  # the BLPOP holds the only connection
    started = time.monotonic()
    answer = await link.call(lambda: link.client.get("key"), fallback=_fallback)
    assert answer == b"memory"
    assert time.monotonic() - started < 0.4
    assert link.degraded
    assert await busy is None  # the BLPOP itself ran out on the server, unharmed
    await link.aclose()


async def _fallback() -> bytes:
    return b"memory"


async def test_stale_value_is_served_from_redis_when_the_quota_is_gone(redis_url: str) -> None:
    async with RapidAPIEmulator(autogenerate=True, quota=1) as emu:
        one = sync_for(emu, redis_url, cache_ttl=0.1)
        two = sync_for(emu, redis_url, cache_ttl=0.1)
        fresh = await one.fetch("twitch", "stale_one")
        await asyncio.sleep(0.2)
        for sync in (one, two):
            old = await sync.fetch("twitch", "stale_one", allow_stale=True)
            assert old.stale
            assert old.followers == fresh.followers
            assert sync.metrics.get(m.STALE_SERVED, "twitch") == 1
        with pytest.raises(QuotaExceeded):
            await two.fetch("twitch", "stale_one")
        assert emu.calls == 1
        await one.aclose()
        await two.aclose()


async def test_a_load_outlasting_the_lock_ttl_is_not_started_twice(redis_url: str) -> None:
    """The holder renews its lock while it loads: another process never takes it over."""
    loader = Loader(delay=1.0)  # more than three lock TTLs
    one = RedisCache(redis_url, lock_ttl=0.25, namespace="renew")
    two = RedisCache(redis_url, lock_ttl=0.25, namespace="renew")
    first = asyncio.create_task(one.get_or_load("twitch:someone", loader))
    await until(lambda: loader.calls == 1)  # one holds the lock and is loading
    second = await two.get_or_load("twitch:someone", loader)
    assert (await first).followers == second.followers == 101
    assert loader.calls == 1
    client = aioredis.Redis.from_url(redis_url)
    assert await client.exists("renew:lock:twitch:someone") == 0  # released when it ended
    await client.aclose()
    await one.aclose()
    await two.aclose()


async def test_a_cancelled_load_gives_its_lock_back_at_once(redis_url: str) -> None:
    cache = RedisCache(redis_url, lock_ttl=30, namespace="cancel")
    loader = Loader(delay=30)
    task = asyncio.create_task(cache.get_or_load("twitch:someone", loader))
    client = aioredis.Redis.from_url(redis_url)
    await until(lambda: client.exists("cancel:lock:twitch:someone"))
    await cache.aclose()  # cancels the load
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await client.exists("cancel:lock:twitch:someone") == 0
    await client.aclose()
