"""The client-side per-host rate limiter."""

from __future__ import annotations

import asyncio
import time

import pytest

from hyperbuds_sync.transport import MemoryRateLimiter, RateLimiter

HOST = "tiktok-api23.p.rapidapi.com"
OTHER = "twitter241.p.rapidapi.com"


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay  # this waiter's own wake-up time; others were reserved earlier
        await asyncio.sleep(0)


def fake_limiter(
    rate: float | dict[str, float], **options: float
) -> tuple[MemoryRateLimiter, FakeTime]:
    fake = FakeTime()
    return MemoryRateLimiter(rate, clock=fake.clock, sleep=fake.sleep, **options), fake


def test_is_a_rate_limiter() -> None:
    assert isinstance(MemoryRateLimiter(5), RateLimiter)


async def test_sequential_calls_are_spaced() -> None:
    limiter, fake = fake_limiter(10)
    stamps = []
    for _ in range(5):
        await limiter.acquire(HOST)
        stamps.append(fake.now)
    assert stamps == pytest.approx([100.0, 100.1, 100.2, 100.3, 100.4])


async def test_a_burst_queues_in_slots() -> None:
    limiter = MemoryRateLimiter(4, clock=lambda: 0.0, sleep=_record_sleep)
    _delays.clear()
    await asyncio.gather(*(limiter.acquire(HOST) for _ in range(4)))
    assert sorted(_delays) == pytest.approx([0.25, 0.5, 0.75])  # the first goes at once


_delays: list[float] = []


async def _record_sleep(delay: float) -> None:
    _delays.append(delay)


async def test_hosts_are_independent_and_unlisted_hosts_unlimited() -> None:
    limiter, fake = fake_limiter({HOST: 2})
    await limiter.acquire(HOST)
    await limiter.acquire(OTHER)
    await limiter.acquire(OTHER)
    assert fake.now == 100.0
    await limiter.acquire(HOST)
    assert fake.now == pytest.approx(100.5)
    assert limiter.rate_for(OTHER) is None


async def test_mapping_with_default() -> None:
    limiter, _ = fake_limiter({HOST: 2}, default=1)
    assert (limiter.rate_for(HOST), limiter.rate_for(OTHER)) == (2.0, 1.0)
    assert "default=1/s" in repr(limiter)


async def test_idle_time_is_not_banked() -> None:
    limiter, fake = fake_limiter(10)
    await limiter.acquire(HOST)
    fake.now += 5  # idle: no burst credit builds up (burst 1)
    await limiter.acquire(HOST)
    before = fake.now
    await limiter.acquire(HOST)
    assert fake.now - before == pytest.approx(0.1)


@pytest.mark.parametrize("rate", [0, -1, float("nan"), float("inf")])
def test_bad_rates_are_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="> 0"):
        MemoryRateLimiter(rate)
    with pytest.raises(ValueError, match="> 0"):
        MemoryRateLimiter({HOST: rate})


def test_non_numbers_are_refused() -> None:
    with pytest.raises(TypeError):
        MemoryRateLimiter(True)
    with pytest.raises(TypeError):
        MemoryRateLimiter({HOST: "5"})  # type: ignore[dict-item]


async def test_real_clock_spacing_loose_bound() -> None:
    limiter = MemoryRateLimiter(50)
    start = time.monotonic()
    await asyncio.gather(*(limiter.acquire(HOST) for _ in range(6)))
    assert time.monotonic() - start >= 5 / 50 * 0.9
