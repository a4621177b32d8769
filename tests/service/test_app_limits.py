"""The per-caller token buckets on a fake clock: burst, refill, a bucket per caller, bounded."""

from __future__ import annotations

from hyperbuds_sync.service import RateLimit
from hyperbuds_sync.service._limits import MAX_CALLERS, CallerLimits


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate() -> None:
    clock = Clock()
    limits = CallerLimits(RateLimit(2.0, 3), clock)
    assert [limits.take("a") for _ in range(3)] == [None, None, None]
    wait = limits.take("a")
    assert wait == 0.5
    assert CallerLimits.header(wait) == "1"
    assert limits.take("b") is None  # a bucket per caller
    clock.now += 0.5
    assert limits.take("a") is None
    assert limits.take("a") is not None
    clock.now += 60  # refills to the burst, no more
    assert [limits.take("a") for _ in range(4)][-1] is not None


def test_callers_kept_are_bounded() -> None:
    limits = CallerLimits(RateLimit(1.0, 1), Clock())
    for i in range(MAX_CALLERS + 10):
        limits.take(f"addr:{i}")
    assert len(limits._buckets) == MAX_CALLERS
    assert limits.take("addr:0") is None  # dropped first: starts again with a full bucket
