"""The activity recorder: counts per hour and day on a fake clock, bounded memory, recent
errors without secrets."""

from __future__ import annotations

from hyperbuds_sync import QuotaExceeded, UsernameNotFound
from hyperbuds_sync.service import ActivityRecorder
from hyperbuds_sync.service._activity import MINUTES_KEPT

HOUR, DAY = 3600.0, 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_counts_per_hour_day_and_since_the_start() -> None:
    clock = Clock()
    recorder = ActivityRecorder(clock=clock)
    recorder.record("tiktok", "a", cached=False)
    clock.now += 2 * HOUR
    recorder.record("tiktok", "a", cached=True)
    recorder.record("tiktok", "b", cached=None, error=UsernameNotFound("no b"))
    clock.now += DAY - HOUR  # the first request is now more than a day old
    recorder.record("twitch", "c", cached=True)
    snap = recorder.snapshot()
    tiktok, twitch = snap.platforms
    assert (tiktok.platform, twitch.platform) == ("tiktok", "twitch")
    assert (tiktok.requests_hour, tiktok.requests_day, tiktok.requests_total) == (0, 2, 3)
    assert (tiktok.cache_hits_day, tiktok.cache_misses_day) == (1, 0)
    assert (tiktok.cache_hits_total, tiktok.cache_misses_total) == (1, 1)
    assert dict(tiktok.outcomes_day) == {"UsernameNotFound": 1, "ok": 1}
    assert dict(tiktok.outcomes_total) == {"UsernameNotFound": 1, "ok": 2}
    assert dict(twitch.outcomes_hour) == {"ok": 1}


def test_memory_is_bounded() -> None:
    clock = Clock()
    recorder = ActivityRecorder(clock=clock, max_errors=50)
    for i in range(3 * MINUTES_KEPT):
        clock.now += 60
        recorder.record("tiktok", f"user{i}", cached=None, error=QuotaExceeded(f"spent {i}"))
    assert len(recorder._platforms["tiktok"].minutes) == MINUTES_KEPT
    errors = recorder.errors()
    assert len(errors) == 50
    assert errors[0].message == f"spent {3 * MINUTES_KEPT - 1}"  # newest first
    assert recorder.snapshot().platforms[0].requests_day == MINUTES_KEPT


def test_errors_keep_the_sdks_message_and_nothing_of_other_exceptions() -> None:
    recorder = ActivityRecorder()
    recorder.record("tiktok", "a", cached=None, error=QuotaExceeded("spent " + "x" * 500))
    recorder.record("tiktok", "b" * 300, cached=None, error=RuntimeError("token=abc123456789"))
    hostile, quota = recorder.errors()
    assert quota.error == "QuotaExceeded"
    assert len(quota.message) == 300
    assert hostile.error == "RuntimeError"
    assert hostile.message == "internal error"
    assert len(hostile.username) == 100
