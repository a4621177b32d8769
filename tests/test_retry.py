"""Retry policy: Retry-After parsing (garbage tolerated), the waits, and the one retry loop."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from hyperbuds_sync.errors import ProviderUnavailable, RateLimited, UsernameNotFound
from hyperbuds_sync.metrics import RETRIES, Metrics
from hyperbuds_sync.testing import no_wait
from hyperbuds_sync.transport import (
    RetryDetails,
    RetryPolicy,
    call_with_retries,
    parse_retry_after,
    retry_logger,
)

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("5", 5.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("120", 120.0),
        ("-1", None),
        ("-0.5", None),
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("1e400", None),  # overflows to inf
        ("abc", None),
        ("5 seconds", None),
        ("0x10", None),
        ("Wed, 24 Nov 2026 12:00:30 GMT", 30.0),
        ("Tue, 24 Nov 2026 12:01:00 GMT", 60.0),  # wrong weekday: the date still counts
        ("Tue, 24 Nov 2026 11:00:00 GMT", 0.0),  # in the past
        ("Tue, 24 Nov 2026 12:00:10", 10.0),  # no zone: UTC
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
        ("Tue, 24 Nov", None),
        ("\x00\xff", None),
        ("2026-11-24T12:00:30Z", None),  # ISO 8601 is not an HTTP date
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_wait_honours_server_hint() -> None:
    policy = RetryPolicy()
    assert policy.wait_before(1, RateLimited("slow down", retry_after=2.5)) == 2.5
    assert policy.wait_before(2, RateLimited("slow down", retry_after=0)) == 0.0
    assert policy.wait_before(1, RateLimited("long", retry_after=30.5)) is None  # above the cap


def test_wait_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=2.0)
    for retry in range(1, 9):
        for _ in range(20):
            delay = policy.wait_before(retry, ProviderUnavailable("down"))
            assert delay is not None
            assert 0.0 <= delay <= min(2.0, 0.5 * 2 ** (retry - 1))


def test_wait_no_hint_rate_limited_backs_off() -> None:
    delay = RetryPolicy(base_delay=1.0).wait_before(1, RateLimited("no header", retry_after=None))
    assert delay is not None
    assert 0.0 <= delay <= 1.0


def test_fixed_waits_are_waited_as_given_and_a_long_hint_still_gives_up() -> None:
    policy = RetryPolicy.fixed((10.0, 30.0))
    assert policy.max_tries == 3
    assert policy.wait_before(1, ProviderUnavailable("x")) == 10.0
    assert policy.wait_before(2, ProviderUnavailable("x")) == 30.0
    assert policy.wait_before(1, RateLimited("x", retry_after=99.0)) is None
    with pytest.raises(ValueError, match="waits"):
        RetryPolicy(max_tries=3, waits=(1.0,))


def test_policy_refuses_zero_tries() -> None:
    with pytest.raises(ValueError, match="max_tries"):
        RetryPolicy(max_tries=0)


async def _count(policy: RetryPolicy, errors: list[Exception]) -> tuple[int, list[int]]:
    tries = 0
    seen: list[int] = []

    async def attempt() -> int:
        nonlocal tries
        tries += 1
        if errors:
            raise errors.pop(0)
        return tries

    retry_on = (RateLimited, ProviderUnavailable)
    try:
        answer = await call_with_retries(
            policy, retry_on, attempt, on_retry=lambda d: seen.append(d["tries"]), sleep=no_wait
        )
        return answer, seen
    except Exception:
        return tries, seen


async def test_retrying_counts() -> None:
    policy = RetryPolicy(max_tries=3)
    assert await _count(policy, [ProviderUnavailable("a"), ProviderUnavailable("b")]) == (3, [1, 2])
    assert await _count(policy, [ProviderUnavailable("a")] * 5) == (3, [1, 2])
    assert await _count(policy, [UsernameNotFound("gone")]) == (1, [])
    assert await _count(policy, [RateLimited("long", retry_after=31.0)]) == (1, [])
    assert await _count(policy, [RateLimited("short", retry_after=30.0)]) == (2, [1])
    assert await _count(RetryPolicy(max_tries=1), [ProviderUnavailable("a")]) == (1, [])


async def test_the_loop_waits_what_it_reports_and_logs_through_the_hook(
    caplog: pytest.LogCaptureFixture,
) -> None:
    errors: list[Exception] = [
        RateLimited("slow", retry_after=0.05, platform="tiktok", host="h", status=429),
        ProviderUnavailable("down", platform="tiktok", host="h", status=503),
    ]

    async def attempt(value: int) -> int:
        if errors:
            raise errors.pop(0)
        return value

    metrics = Metrics()
    hook = retry_logger(metrics, logging.getLogger("hyperbuds_sync"), "test call")
    seen: list[RetryDetails] = []

    def on_retry(details: RetryDetails) -> None:
        seen.append(details)
        hook(details)

    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    policy = RetryPolicy(max_tries=3, base_delay=0.01, max_delay=0.01)
    with caplog.at_level(logging.DEBUG, logger="hyperbuds_sync"):
        assert (
            await call_with_retries(
                policy,
                (RateLimited, ProviderUnavailable),
                attempt,
                7,
                on_retry=on_retry,
                sleep=sleep,
            )
            == 7
        )
    assert [d["tries"] for d in seen] == [1, 2]
    assert seen[0]["wait"] == 0.05
    assert 0.0 <= seen[1]["wait"] <= 0.01
    assert waited == [d["wait"] for d in seen]  # the loop waits what it reports, with its sleep
    assert metrics.get(RETRIES, "tiktok") == 2
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == (
        "Retrying test call for tiktok on h after RateLimited (status 429), try 1, waiting 0.05s"
    )


def test_ceilings_double_from_base_delay_up_to_max_delay() -> None:
    ceilings = RetryPolicy(base_delay=0.5, max_delay=2.0).ceilings()
    assert [next(ceilings) for _ in range(5)] == [0.5, 1.0, 2.0, 2.0, 2.0]
