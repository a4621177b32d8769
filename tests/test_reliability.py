"""Reliability on real loopback sockets (the emulators, no aioresponses): injected faults over a
big batch, cancellation, closing with calls in flight, and the body cap through SocialSync."""

from __future__ import annotations

import asyncio
import gc
from collections import Counter

import pytest
from _waiting import until

from hyperbuds_sync import (
    HyperbudsSyncError,
    InvalidInput,
    MalformedPayload,
    PlatformData,
    ProviderUnavailable,
    QuotaExceeded,
    SocialSync,
    SyncReport,
    UsernameNotFound,
)
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, Fault, RapidAPIEmulator

PLATFORMS = ("tiktok", "twitter", "twitch", "instagram")
MAX_TRIES = 3
TIMEOUT = 0.3  # the SDK's per-attempt timeout here; delay faults wait longer
FAULTS = [
    Fault.status(429, retry_after=1),  # per-second limit with a hint (sleeps are off in tests)
    Fault.status(500),
    Fault.status(502),
    Fault.status(503),
    Fault.delay(TIMEOUT + 0.4),  # the SDK times out first
    Fault.disconnect(),
    Fault.truncated(),
    Fault.wrong_shape(),
]
QUOTA_BODY = {
    "message": "You have exceeded the MONTHLY quota for Requests on your current plan, BASIC."
}


def _client(
    rapidapi: RapidAPIEmulator, backend: BackendEmulator | None = None, *, timeout: float = TIMEOUT
) -> SocialSync:
    return SocialSync(
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url if backend is not None else None,
        timeout=timeout,
        max_tries=MAX_TRIES,
    )


# --- faults over a batch -------------------------------------------------------------------------


async def test_every_creator_gets_one_outcome_under_faults() -> None:
    """500 creators x 4 platforms = 2,000 outcomes with 20% of answers faulty.

    Bound on requests per (platform, username): each SDK attempt is one GET, but aiohttp resends
    an idempotent GET once by itself when a kept-alive connection is cut (``ClientOSError`` /
    ``ServerDisconnectedError``), invisibly to the SDK. So the proven bound is
    ``2 * max_tries``; without a disconnect fault it is ``max_tries``.
    """
    names = [f"rel{i:04d}" for i in range(500)]
    gone = [f"gone{i:02d}" for i in range(10)]  # answered 404 on every call
    async with (
        RapidAPIEmulator(autogenerate=True, fault_rate=0.2, faults=FAULTS, seed=1234) as rapidapi,
        BackendEmulator() as backend,
    ):
        for name in gone:
            rapidapi.fail(name, Fault.status(404))
        everyone = names + gone
        reports: dict[str, SyncReport] = {}
        queue = iter(everyone)
        async with _client(rapidapi, backend) as sync:

            async def worker() -> None:
                for name in queue:
                    assert name not in reports
                    reports[name] = await sync.sync_all(dict.fromkeys(PLATFORMS, name))

            # 4 creators x 4 platforms in flight, within the connector's 20 per host: this test
            # is about answers; queueing for a connection has its own tests below.
            await asyncio.gather(*(worker() for _ in range(4)))
        outcomes = Counter[str]()
        assert sorted(reports) == sorted(everyone)
        for name, report in reports.items():
            assert sorted(report.outcomes) == sorted(PLATFORMS)  # none lost, none extra
            for platform, outcome in report.outcomes.items():
                assert (outcome.result is None) != (outcome.error is None)
                if outcome.error is not None:
                    assert isinstance(outcome.error, HyperbudsSyncError)
                    outcomes[type(outcome.error).__name__] += 1
                else:
                    assert isinstance(outcome.data, PlatformData)
                    assert (outcome.data.platform, outcome.data.username) == (platform, name)
                    outcomes["ok"] += 1
                calls = rapidapi.calls_for(platform=platform, username=name)
                assert 1 <= calls <= 2 * MAX_TRIES, (platform, name, calls, repr(outcome.error))
                if name in gone:
                    assert isinstance(outcome.error, UsernameNotFound)
                    assert calls == 1  # a 404 is never retried
        assert sum(outcomes.values()) == len(everyone) * len(PLATFORMS)
        # the faults really happened, and most calls still came through
        assert outcomes["ok"] > 0.75 * len(names) * len(PLATFORMS)
        assert outcomes["MalformedPayload"] > 0
        # wrong-shape answers read as not-found on some platforms (no user object in them)
        assert outcomes["UsernameNotFound"] >= len(gone) * len(PLATFORMS)
        assert rapidapi.calls > len(everyone) * len(PLATFORMS)  # some answers were retried


async def test_quota_and_404_answers_are_requested_exactly_once() -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        rapidapi.fail("spent", Fault.status(429, body=QUOTA_BODY), platform="twitch")
        rapidapi.fail("gone", Fault.status(404), platform="tiktok")
        async with _client(rapidapi) as sync:
            with pytest.raises(UsernameNotFound):
                await sync.fetch("tiktok", "gone")
            with pytest.raises(QuotaExceeded):
                await sync.fetch("twitch", "spent")
        assert rapidapi.calls_for(platform="tiktok", username="gone") == 1
        assert rapidapi.calls_for(platform="twitch", username="spent") == 1


async def test_retryable_faults_stop_at_max_tries() -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        rapidapi.fail("down", Fault.status(503))
        rapidapi.fail("slow", Fault.delay(TIMEOUT + 0.4))
        async with _client(rapidapi) as sync:
            for name in ("down", "slow"):
                with pytest.raises(HyperbudsSyncError):
                    await sync.fetch("twitter", name)
        assert rapidapi.calls_for(platform="twitter", username="down") == MAX_TRIES
        assert rapidapi.calls_for(platform="twitter", username="slow") == MAX_TRIES


# --- cancellation and closing --------------------------------------------------------------------


async def test_cancelling_one_waiter_leaves_the_shared_fetch_alone() -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        rapidapi.fail("shared", Fault.delay(0.2), times=1)
        async with _client(rapidapi, timeout=10) as sync:  # the slow answer never times out
            waiters = [asyncio.create_task(sync.fetch("twitch", "shared")) for _ in range(3)]
            await until(lambda: rapidapi.calls == 1)  # the one request is in flight
            waiters[0].cancel()
            first, second, third = await asyncio.gather(*waiters, return_exceptions=True)
            assert isinstance(first, asyncio.CancelledError)
            assert isinstance(second, PlatformData)
            assert second == third
            again = await sync.fetch("twitch", "shared")  # cached, not poisoned
            assert again == second
        assert rapidapi.calls_for(platform="twitch", username="shared") == 1


async def test_closing_with_calls_in_flight_leaks_nothing() -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi, BackendEmulator() as backend:
        for name in ("slowa", "slowb", "slowc"):
            rapidapi.fail(name, Fault.delay(0.25))
        sync = _client(rapidapi, backend)
        calls = [
            asyncio.create_task(sync.fetch_and_sync(p, name))
            for p in ("tiktok", "instagram")
            for name in ("slowa", "slowb", "slowc")
        ]
        await until(lambda: rapidapi.calls == len(calls))  # every call is in flight
        await sync.aclose()
        results = await asyncio.gather(*calls, return_exceptions=True)
        for result in results:
            assert isinstance(result, asyncio.CancelledError | HyperbudsSyncError | RuntimeError)
    await asyncio.sleep(0)  # the emulators are stopped: only this test's task is left
    assert asyncio.all_tasks() == {asyncio.current_task()}
    gc.collect()  # an unclosed session or connector would warn here (warnings are errors)


# --- the body cap --------------------------------------------------------------------------------


async def test_answers_over_the_cap_are_refused_through_social_sync() -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        sync = SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            max_body_bytes=1_000,  # an Instagram answer is about 6 KB
        )
        async with sync:
            with pytest.raises(MalformedPayload, match="larger than 1000 bytes"):
                await sync.fetch("instagram", "bigpage")
            assert (await sync.fetch("twitch", "smallpage")).followers >= 0
        assert rapidapi.calls_for(platform="instagram", username="bigpage") == 1  # not retried


# --- our own waiting is not the provider's fault -------------------------------------------------


async def test_waiting_for_a_pooled_connection_spends_no_try() -> None:
    """30 answers that take 1.4 s hold the 20 connections per host; 40 fast fetches and the last
    10 slow ones queue behind them for up to 2.8 s, more than the 2 s per-attempt timeout. With
    one try each, every fetch still succeeds, and each is requested once. (The default 10 s
    timeout and 7 s answers make the same case, five times slower.)"""
    slow = [f"slow{i:02d}" for i in range(30)]
    fast = [f"fast{i:02d}" for i in range(40)]
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        for name in slow:
            rapidapi.fail(name, Fault.delay(1.4))
        sync = SocialSync(
            rapidapi_key=TEST_KEY, rapidapi_endpoint=rapidapi.url, max_tries=1, timeout=2.0
        )
        async with sync:
            found = await asyncio.gather(*(sync.fetch("twitch", name) for name in slow + fast))
        assert [data.username for data in found] == slow + fast
        for name in slow + fast:
            assert rapidapi.calls_for(platform="twitch", username=name) == 1, name


async def test_slow_answers_beside_a_full_pool() -> None:
    """The fault suite's case of slow answers beside a full pool: 4 connections per host, held
    by answers slower than the rest (some beyond the timeout). Fetches queued behind them wait
    longer than a per-attempt timeout, yet only the answers that really time out fail, each
    after exactly ``max_tries`` requests; the others are requested once."""
    slow = [f"slow{i}" for i in range(8)]  # 0.3 s: well within the 1 s timeout, even loaded
    stuck = [f"stuck{i}" for i in range(4)]  # 3 s: far beyond it, every try
    fast = [f"fast{i:02d}" for i in range(24)]
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        for name in slow:
            rapidapi.fail(name, Fault.delay(0.3))
        for name in stuck:
            rapidapi.fail(name, Fault.delay(3.0))
        sync = SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            timeout=1.0,
            max_tries=2,
            max_connections_per_host=4,
        )
        async with sync:
            names = stuck + slow + fast
            calls = (sync.fetch("twitter", name) for name in names)
            results = await asyncio.gather(*calls, return_exceptions=True)
        for name, result in zip(names, results, strict=True):
            requests = rapidapi.calls_for(platform="twitter", username=name)
            if name in stuck:
                assert isinstance(result, ProviderUnavailable), (name, result)
                assert requests == 2, name
            else:
                assert isinstance(result, PlatformData), (name, result)
                assert requests == 1, name


async def test_waiting_for_the_rate_limiter_spends_no_try() -> None:
    """At 20 requests per second, the 30th fetch waits about 1.5 s for its slot, far beyond the
    0.3 s per-attempt timeout; with one try each, all succeed, each requested once."""
    names = [f"paced{i:02d}" for i in range(30)]
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        sync = SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapidapi.url,
            max_tries=1,
            timeout=TIMEOUT,
            rate_limit=20,
        )
        async with sync:
            found = await asyncio.gather(*(sync.fetch("tiktok", name) for name in names))
        assert [data.username for data in found] == names
        assert rapidapi.calls_for(platform="tiktok") == len(names)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "20"])
def test_connection_limits_must_be_whole_numbers(bad: object) -> None:
    with pytest.raises(InvalidInput, match="max_connections"):
        SocialSync(rapidapi_key=TEST_KEY, max_connections=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="max_connections_per_host"):
        SocialSync(rapidapi_key=TEST_KEY, max_connections_per_host=bad)  # type: ignore[arg-type]
