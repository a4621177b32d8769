"""Answers read for what they are (issue 20): a suspended Twitter user is not found, Google's
per-minute limits are rate limits, X's monthly cap is a quota, and an auth bench ends.

Unit tables for the readers and the official classifier; end to end on the emulators over
loopback sockets, with a real Redis for the shared benches.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from _payloads import load_payload

from hyperbuds_sync import (
    ConfigError,
    ProviderAuthError,
    QuotaExceeded,
    RateLimited,
    SocialSync,
    UsernameNotFound,
)
from hyperbuds_sync.config import Settings
from hyperbuds_sync.platforms import Twitter241Adapter
from hyperbuds_sync.quota import Bench, MemoryProviderBenches
from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_X_TOKEN,
    TEST_YOUTUBE_KEY,
    Creator,
    Fault,
    OfficialEmulator,
    RapidAPIEmulator,
)
from hyperbuds_sync.transport._official import OfficialQuota, classify_official

TWITTER = Twitter241Adapter()
USAGE_CAP = {  # a real X answer's shape (xdevplatform/xdk#25), values invented
    "account_id": "1234567890",
    "product_name": "standard-basic",
    "title": "UsageCapExceeded",
    "period": "Monthly",
    "scope": "Product",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
}


def google_error(status: int, reason: str) -> dict[str, Any]:
    message = f"The request cannot be completed: {reason}."
    error = {"message": message, "domain": "usageLimits", "reason": reason}
    return {"error": {"code": status, "message": message, "errors": [error]}}


# --- twitter241: UserUnavailable anywhere under data ---------------------------------------------


def _unavailable(**why: str) -> dict[str, Any]:
    return {"__typename": "UserUnavailable", **why}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (load_payload("twitter-suspended"), "Suspended"),
        ({"result": {"data": {"user_result_by_screen_name": {"result": _unavailable(
            reason="Suspended", message="User is suspended")}}}}, "Suspended"),
        ({"result": {"data": {"user_result_by_screen_name": {"result": _unavailable(
            unavailable_reason="Withheld")}}}}, "Withheld"),
        ({"data": {"user_result_by_screen_name": {"result": _unavailable(
            message="User is  suspended")}}}, "User is suspended"),
        ({"result": {"data": {"user": [{"result": _unavailable(reason="Protected")}]}}},
         "Protected"),
        ({"result": {"data": {"user_result_by_screen_name": {"result": _unavailable()}}}}, ""),
    ],
)  # fmt: skip
def test_twitter_user_unavailable_anywhere_under_data_is_not_found_with_its_reason(
    payload: Any, reason: str
) -> None:
    with pytest.raises(UsernameNotFound) as info:
        TWITTER.parse("jack", payload)
    assert info.value.reason == reason
    assert info.value.username == "jack"
    assert str(info.value) == 'Username "jack" not found on twitter. Please check the spelling.'
    if reason:
        assert f"twitter says the user is unavailable: {reason}" in info.value.__notes__


def test_an_available_user_beside_an_unavailable_one_is_read() -> None:
    """An unavailable object elsewhere (a quoted author, say) does not hide the user asked."""
    payload = load_payload("twitter-user")
    payload["result"]["data"]["other"] = {"result": _unavailable(reason="Suspended")}
    assert TWITTER.parse("mayacooks", payload).followers > 0


async def test_a_suspended_twitter_user_does_not_fail_over_to_spend_x_api() -> None:
    body = {"result": {"data": {"user_result_by_screen_name": {"result": _unavailable(
        reason="Suspended")}}}}  # fmt: skip
    async with RapidAPIEmulator() as rapid, OfficialEmulator() as official:
        rapid.fail("jack", Fault.wrong_shape(body))
        async with SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapid.url,
            x_bearer_token=TEST_X_TOKEN,
            endpoints={"api.x.com": official.url},
            providers={"twitter": ["twitter241", "x-api"]},
            redis_url="",
        ) as sync:
            with pytest.raises(UsernameNotFound) as info:
                await sync.fetch("twitter", "jack")
        assert official.calls_for("x") == 0  # a not-found is the answer: no other quota spent
    assert info.value.reason == "Suspended"


# --- the official classifier: Google's limits, X's usage cap -------------------------------------


def _classify(status: int, body: Any, headers: dict[str, str] | None = None, now: float = 0.0):  # type: ignore[no-untyped-def]
    quota = OfficialQuota(clock=lambda: now)
    facts = {"platform": "youtube", "host": "api.example", "username": "x", "status": status}
    return classify_official(status, body, headers or {}, quota=quota, facts=facts), quota


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        (403, "rateLimitExceeded", RateLimited),
        (403, "userRateLimitExceeded", RateLimited),
        (403, "quotaExceeded", QuotaExceeded),
        (403, "dailyLimitExceeded", QuotaExceeded),
        (403, "forbidden", ProviderAuthError),
        (429, "rateLimitExceeded", RateLimited),
    ],
)
def test_google_reasons(status: int, reason: str, kind: type[Exception]) -> None:
    error, _ = _classify(status, google_error(status, reason), now=time.time())
    assert type(error) is kind


def test_google_rate_limit_reads_retry_after() -> None:
    error, _ = _classify(403, google_error(403, "rateLimitExceeded"), {"Retry-After": "7"})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.0


def test_x_usage_cap_is_quota_until_x_reset() -> None:
    now = 1_800_000_000.0
    headers = {"x-rate-limit-limit": "40000", "x-rate-limit-remaining": "39999"}
    headers["x-rate-limit-reset"] = str(int(now + 600))
    error, quota = _classify(429, USAGE_CAP, headers, now=now)
    assert isinstance(error, QuotaExceeded)
    assert error.reset_at == datetime.fromtimestamp(now + 600, UTC)
    assert quota.status()["api.example"].remaining == 0


@pytest.mark.parametrize(
    "body",
    [
        USAGE_CAP,
        {"title": "UsageCapExceeded"},
        {"type": "https://api.twitter.com/2/problems/usage-capped"},
        {"errors": [{"title": "UsageCapExceeded", "detail": "Monthly product cap"}]},
    ],
)
@pytest.mark.parametrize("reset", [None, "garbage", "1"])  # absent, unreadable, in the past
def test_x_usage_cap_without_a_future_reset_is_an_hour(body: Any, reset: str | None) -> None:
    now = 1_800_000_000.0
    headers = {} if reset is None else {"x-rate-limit-reset": reset}
    error, _ = _classify(429, body, headers, now=now)
    assert isinstance(error, QuotaExceeded)
    assert error.reset_at == datetime.fromtimestamp(now + 3600, UTC)


def test_another_x_429_is_still_a_rate_limit() -> None:
    error, _ = _classify(429, {"title": "Too Many Requests", "status": 429})
    assert isinstance(error, RateLimited)


# --- end to end: the YouTube rate limit is retried, the X cap benches x-api ----------------------


@pytest.fixture
async def official() -> AsyncIterator[OfficialEmulator]:
    async with OfficialEmulator() as emulator:
        yield emulator


async def test_a_youtube_rate_limit_403_is_retried_not_benched(official: OfficialEmulator) -> None:
    official.fail("mayacooks", Fault.status(403, google_error(403, "rateLimitExceeded")),
                  times=1, api="youtube")  # fmt: skip
    async with SocialSync(
        youtube_api_key=TEST_YOUTUBE_KEY,
        endpoints={"www.googleapis.com": official.url},
        providers={"youtube": ["youtube-data-api"]},
        redis_url="",
    ) as sync:
        data = await sync.fetch("youtube", "mayacooks")
        states = (await sync.providers())["youtube"]
    assert data.provider == "youtube-data-api"
    assert official.calls_for("youtube") == 2  # the 403 and its retry
    assert states[0].available


async def test_the_x_usage_cap_benches_x_api_and_twitter241_answers(
    official: OfficialEmulator,
) -> None:
    reset = int(time.time()) + 2000  # X's reset header: the bench ends there
    official.fail("mayacooks", Fault.status(429, USAGE_CAP, {"x-rate-limit-reset": str(reset)}),
                  api="x")  # fmt: skip
    async with (
        RapidAPIEmulator() as rapid,
        SocialSync(
            rapidapi_key=TEST_KEY,
            rapidapi_endpoint=rapid.url,
            x_bearer_token=TEST_X_TOKEN,
            endpoints={"api.x.com": official.url},
            providers={"twitter": ["x-api", "twitter241"]},
            redis_url="",
        ) as sync,
    ):
        first = await sync.fetch("twitter", "mayacooks")
        second = await sync.fetch("twitter", "mayacooks", refresh=True)
        states = {s.provider: s for s in (await sync.providers())["twitter"]}
    assert (first.provider, second.provider) == ("twitter241", "twitter241")
    assert official.calls_for("x") == 1  # not retried, then benched
    bench = states["x-api"]
    assert not bench.available
    assert bench.reason == "quota exceeded"
    assert bench.benched_until == datetime.fromtimestamp(reset, UTC)


# --- the auth bench ends -------------------------------------------------------------------------


async def _wait_available(sync: SocialSync, provider: str) -> None:
    """Until ``provider`` is no longer benched (a condition, polled; the bench is short)."""
    async with asyncio.timeout(5):
        while True:
            states = {s.provider: s for s in (await sync.providers())["twitter"]}
            if states[provider].available:
                return
            await asyncio.sleep(0.02)


def _x_client(official: OfficialEmulator, rapid: RapidAPIEmulator, **options: Any) -> SocialSync:
    settings: dict[str, Any] = {
        "rapidapi_key": TEST_KEY,
        "rapidapi_endpoint": rapid.url,
        "x_bearer_token": TEST_X_TOKEN,
        "endpoints": {"api.x.com": official.url},
        "providers": {"twitter": ["x-api", "twitter241"]},
        "redis_url": "",
    }
    return SocialSync(**{**settings, **options})


async def test_an_auth_bench_ends_and_the_provider_is_tried_once_again(
    official: OfficialEmulator,
) -> None:
    official.fail("mayacooks", Fault.status(401), api="x")  # every call refused
    async with (
        RapidAPIEmulator() as rapid,
        _x_client(official, rapid, auth_bench_seconds=0.3) as sync,
    ):
        assert (await sync.fetch("twitter", "mayacooks")).provider == "twitter241"
        assert official.calls_for("x") == 1
        states = {s.provider: s for s in (await sync.providers())["twitter"]}
        assert not states["x-api"].available
        assert states["x-api"].benched_until is not None  # it ends
        await sync.fetch("twitter", "mayacooks", refresh=True)
        assert official.calls_for("x") == 1  # benched: no request
        await _wait_available(sync, "x-api")
        await sync.fetch("twitter", "mayacooks", refresh=True)
        assert official.calls_for("x") == 2  # tried once again, refused, benched again
        await sync.fetch("twitter", "mayacooks", refresh=True)
        assert official.calls_for("x") == 2
        official.clear_faults()  # the credentials work again
        await _wait_available(sync, "x-api")
        data = await sync.fetch("twitter", "mayacooks", refresh=True)
    assert data.provider == "x-api"


async def test_the_default_auth_bench_is_fifteen_minutes(official: OfficialEmulator) -> None:
    official.fail("mayacooks", Fault.status(401), api="x")
    async with RapidAPIEmulator() as rapid, _x_client(official, rapid) as sync:
        await sync.fetch("twitter", "mayacooks")
        until = {s.provider: s for s in (await sync.providers())["twitter"]}["x-api"]
    assert until.benched_until is not None
    left = (until.benched_until - datetime.now(UTC)).total_seconds()
    assert 890 < left <= 900


async def test_an_auth_bench_is_shared_through_redis_and_ends(
    official: OfficialEmulator, redis_url: str
) -> None:
    official.fail("mayacooks", Fault.status(401), api="x")
    async with RapidAPIEmulator() as rapid:
        first = _x_client(official, rapid, redis_url=redis_url, auth_bench_seconds=0.5)
        second = _x_client(official, rapid, redis_url=redis_url, auth_bench_seconds=0.5)
        async with first, second:
            await first.fetch("twitter", "mayacooks")
            assert official.calls_for("x") == 1
            await second.fetch("twitter", "mayacooks")
            assert official.calls_for("x") == 1  # the first client's bench held
            state = {s.provider: s for s in (await second.providers())["twitter"]}["x-api"]
            assert not state.available
            assert "401" in state.reason
            await _wait_available(second, "x-api")
            await second.fetch("twitter", "mayacooks", refresh=True)
            assert official.calls_for("x") == 2  # tried once again, benched again
            await first.fetch("twitter", "mayacooks", refresh=True)
            assert official.calls_for("x") == 2


async def test_memory_benches_keep_the_later_bench_and_drop_ended_ones() -> None:
    now = [100.0]
    benches = MemoryProviderBenches(clock=lambda: now[0])
    await benches.bench("x-api", 110.0, kind="auth", reason="refused")
    await benches.bench("x-api", 105.0)  # ends earlier: the auth bench stays
    assert await benches.benched() == {"x-api": Bench(110.0, "auth", "refused")}
    await benches.bench("x-api", 200.0)  # a quota bench ending later replaces it
    assert (await benches.benched())["x-api"].kind == "quota"
    now[0] = 200.0
    assert await benches.benched() == {}


@pytest.mark.parametrize("seconds", [0, -1, math.nan, math.inf, "soon"])
def test_auth_bench_seconds_must_be_finite_and_positive(seconds: Any) -> None:
    with pytest.raises(ConfigError, match="auth_bench_seconds"):
        SocialSync(auth_bench_seconds=seconds, redis_url="")


def test_auth_bench_seconds_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env({}).auth_bench_seconds == 900.0
    assert Settings.from_env({"HYPERBUDS_AUTH_BENCH_SECONDS": "60"}).auth_bench_seconds == 60.0
    monkeypatch.setenv("HYPERBUDS_AUTH_BENCH_SECONDS", "0")
    with pytest.raises(ConfigError, match="HYPERBUDS_AUTH_BENCH_SECONDS"):
        SocialSync(redis_url="")


async def test_when_an_auth_bench_ends_one_fetch_tries_the_provider_the_others_skip_it(
    official: OfficialEmulator,
) -> None:
    names = [f"probe{i}" for i in range(5)]
    for name in ["mayacooks", *names]:
        official.fail(name, Fault.status(401), api="x")
    async with (
        RapidAPIEmulator() as rapid,
        _x_client(official, rapid, auth_bench_seconds=0.3) as sync,
    ):
        for name in names:
            rapid.add_creator("twitter", Creator(name, followers=100))
        await sync.fetch("twitter", "mayacooks")
        assert official.calls_for("x") == 1
        await _wait_available(sync, "x-api")
        answers = await asyncio.gather(*(sync.fetch("twitter", n) for n in names))
        assert official.calls_for("x") == 2  # one probe among five fetches at once
        assert {a.provider for a in answers} == {"twitter241"}
        states = {s.provider: s for s in (await sync.providers())["twitter"]}
        assert not states["x-api"].available  # refused again: benched again
