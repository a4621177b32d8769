"""The key pool: fingerprints, spreading, benches, reserve, the quota guard and the low alert."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from hyperbuds_sync.errors import ApiConfigError, QuotaExceeded
from hyperbuds_sync.models import QuotaStatus
from hyperbuds_sync.quota import (
    KeyPool,
    KeyRecord,
    KeyState,
    MemoryKeyState,
    fingerprint,
    next_midnight,
    next_month_start,
)

A = "aaaa-0123456789-secret-key-number-one-xxxxxxxxxxxx"
B = "bbbb-0123456789-secret-key-number-two-yyyyyyyyyyyy"
C = "cccc-0123456789-secret-key-number-three-zzzzzzzzzz"
HOST = "tiktok-api23.p.rapidapi.com"
OTHER = "twitter241.p.rapidapi.com"
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def pool(*keys: str, clock: Clock, **options: object) -> KeyPool:
    return KeyPool(keys, clock=clock, **options)  # type: ignore[arg-type]


# --- fingerprints --------------------------------------------------------------------------------


def test_fingerprint_is_short_stable_and_safe() -> None:
    fp = fingerprint(A)
    assert fp == fingerprint(A) != fingerprint(B)
    assert fp.startswith("aaaa…")
    assert len(fp) == 13
    assert A not in fp
    assert fingerprint("short-key").startswith("…")  # no prefix for short keys


def test_repr_shows_fingerprints_only(clock: Clock) -> None:
    keys = pool(A, B, clock=clock)
    assert A not in repr(keys)
    assert B not in repr(keys)
    assert fingerprint(A) in repr(keys)


def test_blank_and_duplicate_keys_are_dropped(clock: Clock) -> None:
    keys = pool(A, " ", "", A, f" {B} ", clock=clock)
    assert len(keys) == 2
    assert A in keys
    assert B in keys
    with pytest.raises(TypeError):
        KeyPool(A)


def test_memory_state_is_a_key_state() -> None:
    assert isinstance(MemoryKeyState(), KeyState)


# --- choosing a key ------------------------------------------------------------------------------


async def test_empty_pool_is_a_config_error(clock: Clock) -> None:
    with pytest.raises(ApiConfigError, match="No RapidAPI key configured"):
        await pool(clock=clock).acquire(HOST)


async def test_least_used_key_wins_spreading_calls(clock: Clock) -> None:
    keys = pool(A, B, C, clock=clock)
    chosen = [await keys.acquire(HOST) for _ in range(6)]
    assert chosen == [A, B, C, A, B, C]
    assert [k.calls for k in keys.status()[HOST].keys] == [2, 2, 2]
    assert await keys.acquire(OTHER) == A  # counts are per host


async def test_benched_key_is_skipped_until_its_time(clock: Clock) -> None:
    keys = pool(A, B, clock=clock)
    until = await keys.bench_for_quota(HOST, A, reset_in=60)
    assert until == datetime.fromtimestamp(T0 + 60, UTC)
    assert [await keys.acquire(HOST) for _ in range(3)] == [B, B, B]
    assert await keys.acquire(OTHER) == A  # benched on HOST only
    clock.now += 61
    assert await keys.acquire(HOST) == A


async def test_every_key_benched_raises_with_the_first_return(clock: Clock) -> None:
    keys = pool(A, B, clock=clock)
    await keys.bench_for_quota(HOST, A, reset_in=500)
    await keys.bench_for_quota(HOST, B, reset_in=100)
    with pytest.raises(QuotaExceeded) as info:
        await keys.acquire(HOST)
    assert info.value.reset_at == datetime.fromtimestamp(T0 + 100, UTC)
    assert info.value.host == HOST
    assert "Every RapidAPI key is out of quota" in str(info.value)
    assert "2026-11-24 12:01:40 UTC" in str(info.value)
    assert A not in repr(info.value)


@pytest.mark.parametrize(
    ("reset_in", "daily", "expected"),
    [
        (3600.0, False, T0 + 3600),
        (None, False, datetime(2026, 12, 1, tzinfo=UTC).timestamp()),
        (None, True, datetime(2026, 11, 25, tzinfo=UTC).timestamp()),
        (0.0, False, datetime(2026, 12, 1, tzinfo=UTC).timestamp()),
    ],
)
async def test_bench_for_quota_periods(
    clock: Clock, reset_in: float | None, daily: bool, expected: float
) -> None:
    keys = pool(A, clock=clock)
    until = await keys.bench_for_quota(HOST, A, reset_in=reset_in, daily=daily)
    assert until.timestamp() == expected
    assert keys.status()[HOST].keys[0].benched_until == until


def test_period_boundaries() -> None:
    december = datetime(2026, 12, 31, 23, 59, tzinfo=UTC).timestamp()
    assert next_month_start(december) == datetime(2027, 1, 1, tzinfo=UTC).timestamp()
    assert next_midnight(december) == datetime(2027, 1, 1, tzinfo=UTC).timestamp()


async def test_bad_keys_are_used_last(clock: Clock) -> None:
    keys = pool(A, B, clock=clock)
    keys.mark_bad(HOST, A)
    assert [await keys.acquire(HOST) for _ in range(3)] == [B, B, B]
    keys.mark_bad(HOST, B)
    assert await keys.acquire(HOST) == A  # every key refused: still try, a fix is picked up
    keys.mark_ok(HOST, A)
    keys.mark_ok(HOST, B)
    assert await keys.acquire(HOST) == A


# --- recording, reserve, status ------------------------------------------------------------------


async def test_record_and_status(clock: Clock) -> None:
    keys = pool(A, B, clock=clock)
    await keys.acquire(HOST)
    await keys.record(HOST, A, limit=500, remaining=480, reset_in=1000)
    await keys.record(HOST, B, limit=100, remaining=None, reset_in=50)
    await keys.record(HOST, A, remaining=479)  # None keeps the rest
    status = keys.status()[HOST]
    assert isinstance(status, QuotaStatus)
    assert (status.limit, status.remaining) == (600, 479)
    assert status.reset_at == datetime.fromtimestamp(T0 + 50, UTC)
    a, b = status.keys
    assert (a.fingerprint, a.limit, a.remaining, a.calls) == (fingerprint(A), 500, 479, 1)
    assert a.reset_at == datetime.fromtimestamp(T0 + 1000, UTC)
    assert (b.remaining, b.benched_until) == (None, None)
    assert (await keys.shared_status())[HOST] == status


async def test_reserve_benches_a_key_until_reset(clock: Clock) -> None:
    keys = pool(A, B, clock=clock, quota_reserve=5)
    await keys.record(HOST, A, remaining=6, reset_in=100)
    assert await keys.acquire(HOST) == A
    await keys.record(HOST, A, remaining=5, reset_in=100)
    assert [await keys.acquire(HOST) for _ in range(2)] == [B, B]
    await keys.record(HOST, B, remaining=0)  # no reset given: until next UTC midnight
    with pytest.raises(QuotaExceeded) as info:
        await keys.acquire(HOST)
    assert info.value.reset_at == datetime.fromtimestamp(T0 + 100, UTC)
    clock.now = next_midnight(T0) + 1
    assert await keys.acquire(HOST) == A


async def test_shared_state_sees_another_pools_bench(clock: Clock) -> None:
    state = MemoryKeyState()
    first = KeyPool([A, B], state=state, clock=clock)
    second = KeyPool([A, B], state=state, clock=clock)
    await first.bench_for_quota(HOST, A, reset_in=60)
    assert await second.acquire(HOST) == B
    assert second.status()[HOST].keys[0].benched_until is not None


async def test_memory_state_keeps_the_later_bench() -> None:
    state = MemoryKeyState()
    await state.bench(HOST, "fp", 200.0)
    await state.bench(HOST, "fp", 100.0)
    assert await state.benched(HOST) == {"fp": 200.0}
    assert await state.incr_calls(HOST, "fp") == 1
    await state.record(HOST, "fp", 10, None, None)
    assert (await state.known(HOST))[HOST]["fp"] == KeyRecord(
        limit=10, benched_until=200.0, calls=1
    )
    assert await state.known() == await state.known(HOST)


# --- the low-quota alert -------------------------------------------------------------------------


async def test_low_alert_once_per_crossing(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[QuotaStatus] = []
    keys = pool(A, clock=clock, quota_low_threshold=10, on_quota_low=seen.append)
    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    for remaining in (12, 10, 9, 8, 3, 50, 7):
        await keys.record(HOST, A, limit=100, remaining=remaining)
    await keys.aclose()  # the hook runs off the recording's path: wait for it
    assert [s.remaining for s in seen] == [9, 7]
    assert seen[0].host == HOST
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"RapidAPI quota low on {HOST}: 9 requests left (key {fingerprint(A)})",
        f"RapidAPI quota low on {HOST}: 7 requests left (key {fingerprint(A)})",
    ]


async def test_async_hook_is_awaited_and_failures_are_swallowed(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int | None] = []

    async def hook(status: QuotaStatus) -> None:
        seen.append(status.remaining)

    def broken(status: QuotaStatus) -> None:
        raise RuntimeError("pager down")

    first = pool(A, clock=clock, quota_low_threshold=5, on_quota_low=hook)
    await first.record(HOST, A, remaining=1)
    await first.aclose()
    assert seen == [1]
    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    second = pool(A, clock=clock, quota_low_threshold=5, on_quota_low=broken)
    await second.record(HOST, A, remaining=1)  # does not raise
    await second.aclose()
    assert any("on_quota_low hook failed" in r.getMessage() for r in caplog.records)


async def test_memory_state_keeps_every_fact_apart_and_hands_out_copies() -> None:
    state = MemoryKeyState()
    await state.record(HOST, "fp", 100, 40, T0 + 60)
    assert await state.incr_calls(HOST, "fp") == 1
    await state.bench(HOST, "fp", T0 + 30)
    await state.bench(HOST, "fp", T0 + 10)  # an earlier bench does not shorten it
    assert await state.incr_calls(HOST, "fp") == 2
    await state.record(HOST, "fp", None, 39, None)  # None keeps the stored value
    benched = await state.benched(HOST)
    assert benched == {"fp": T0 + 30}
    benched["fp"] = 0.0
    assert await state.benched(HOST) == {"fp": T0 + 30}
    assert await state.benched(OTHER) == {}
    snap = await state.known()
    assert snap == {HOST: {"fp": KeyRecord(100, 39, T0 + 60, T0 + 30, 2)}}


async def test_calls_spread_and_status_across_hosts(clock: Clock) -> None:
    keys = pool(A, B, C, clock=clock)
    used = [await keys.acquire(HOST) for _ in range(6)] + [await keys.acquire(OTHER)]
    assert used == [A, B, C, A, B, C, A]
    status = keys.status()
    assert [k.calls for k in status[HOST].keys] == [2, 2, 2]
    assert [k.calls for k in status[OTHER].keys] == [1, 0, 0]
