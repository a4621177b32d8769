"""The one table from the SDK's exceptions to HTTP status and JSON: as a table, then through the
running service against the emulators' faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _app_fixtures import running

from hyperbuds_sync import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
    ConfigError,
    HyperbudsSyncError,
    InvalidStats,
    InvalidUsername,
    MalformedPayload,
    ProviderAuthError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    SuspiciousDrop,
    UnknownFormula,
    UnknownPlatform,
    UsernameNotFound,
)
from hyperbuds_sync.service._errors import answer_for
from hyperbuds_sync.testing import Fault

PLATFORMS = ["twitch", "tiktok", "youtube", "instagram", "twitter"]
SOON = datetime.now(UTC) + timedelta(seconds=90)
FETCH = "/api/v1/social/fetch"

TABLE = [
    (
        UnknownPlatform("myspace", PLATFORMS),
        400,
        "Invalid platform. Supported platforms: tiktok, instagram, youtube, twitter, twitch",
    ),
    (InvalidUsername("tiktok", "a b", "has a space"), 400, "Invalid username"),
    (UnknownFormula("nope", ["legacy", "rate"]), 400, "Unknown formula"),
    (InvalidStats("followers must be >= 0"), 400, "Invalid stats"),
    (UsernameNotFound("no such user"), 404, "Username not found on platform"),
    (QuotaExceeded("spent", reset_at=SOON), 429, "API quota exceeded. Please try again later."),
    (
        RateLimited("slow down", retry_after=3.2),
        429,
        "Rate limit exceeded. Please try again later.",
    ),
    (ProviderUnavailable("down"), 503, "Every provider is unavailable. Please try again later."),
    (ProviderAuthError("refused"), 500, "Failed to fetch social media data"),
    (MalformedPayload("shape"), 500, "Failed to fetch social media data"),
    (SuspiciousDrop("drop", previous=10, current=0), 409, "Suspicious drop in followers"),
    (AuthenticationError("401", status=401), 401, "HyperBuds rejected the Authorization token"),
    (BackendValidationError("bad", status=400), 400, "HyperBuds refused the stats"),
    (BackendUnavailable("down", status=503), 503, "HyperBuds backend unavailable"),
    (ApiConfigError("no RapidAPI key: set RAPIDAPI_KEY"), 500, "Service configuration error"),
    (BackendConfigError("no token: set HYPERBUDS_TOKEN"), 500, "Service configuration error"),
    (ConfigError("missing"), 500, "Service configuration error"),
    (BackendError("teapot", status=418), 502, "HyperBuds backend error"),
    (HyperbudsSyncError("odd"), 500, "Failed to fetch social media data"),
    (KeyError("secret-looking detail"), 500, "Internal server error"),
]


@pytest.mark.parametrize(("exc", "status", "error"), TABLE, ids=lambda v: type(v).__name__)
def test_the_error_table(exc: BaseException, status: int, error: str) -> None:
    answer = answer_for(exc, PLATFORMS)
    assert (answer.status, answer.error) == (status, error)
    body = answer.body()
    assert body["success"] is False
    assert body["error"] == error
    if not isinstance(exc, HyperbudsSyncError):
        assert "message" not in body  # no detail of a fault of ours reaches the caller


def soon() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=90)


def test_quota_and_rate_limit_answers_say_when_to_come_back() -> None:
    quota = answer_for(QuotaExceeded("spent", reset_at=soon()))
    rate = answer_for(RateLimited("slow", retry_after=3.2))
    unknown = answer_for(RateLimited("slow"))
    assert 85 <= int(quota.headers["Retry-After"]) <= 90
    assert "quota" in quota.error.lower()  # their frontend's quota check reads the text
    assert rate.headers == {"Retry-After": "4"}
    assert unknown.headers == {}


def test_an_outage_says_when_a_provider_of_the_chain_comes_back() -> None:
    outage = ProviderUnavailable("down")
    outage.attempts = (
        ("tiktok-api23", outage),
        ("tiktok-api45", QuotaExceeded("spent", reset_at=soon())),
    )
    answer = answer_for(outage)
    assert answer.status == 503
    assert 85 <= int(answer.headers["Retry-After"]) <= 90


def test_a_suspicious_drop_carries_its_facts() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    exc = SuspiciousDrop("drop", platform="tiktok", username="a", previous=10, previous_at=at)
    assert answer_for(exc).body()["drop"] == {
        "platform": "tiktok",
        "username": "a",
        "previous": 10,
        "previousAt": "2026-01-02T00:00:00+00:00",
        "current": None,
        "currentAt": None,
    }


async def test_upstream_faults_through_the_running_service() -> None:
    async with running(rapidapi={"reset_after": 120}) as svc:
        svc.rapidapi.fail("outage_user", Fault.status(503))
        svc.rapidapi.fail("slow_user", Fault.status(429, retry_after=7))
        outage = await svc.call(
            "POST", FETCH, json_body={"platform": "twitch", "username": "outage_user"}
        )
        slow = await svc.call(
            "POST", FETCH, json_body={"platform": "twitch", "username": "slow_user"}
        )
        svc.rapidapi.set_quota(0)
        quota = await svc.call(
            "POST", FETCH, json_body={"platform": "tiktok", "username": "mayacooks"}
        )
        nextjs = await svc.call("GET", "/api/platform/tiktok?username=mayacooks")
    assert outage[0] == 503
    assert outage[2]["error"] == "Every provider is unavailable. Please try again later."
    assert slow[0] == 429
    assert slow[1]["Retry-After"] == "7"
    assert quota[0] == 429
    assert "quota" in quota[2]["error"].lower()
    assert 1 <= int(quota[1]["Retry-After"]) <= 120
    assert nextjs[0] == 200  # the Next.js route's quirk, with the same text
    assert nextjs[2] == {"success": False, "error": quota[2]["error"]}


async def test_a_missing_rapidapi_key_is_a_500_naming_it() -> None:
    async with running(rapidapi_key=None) as svc:
        fetch = await svc.call(
            "POST", FETCH, json_body={"platform": "tiktok", "username": "mayacooks"}
        )
        nextjs = await svc.call("GET", "/api/platform/tiktok?username=mayacooks")
        batch = await svc.call(
            "POST",
            "/api/platform/batch",
            json_body={"platforms": [{"type": "tiktok", "username": "mayacooks"}]},
        )
    assert fetch[0] == 500
    assert fetch[2]["error"] == "Service configuration error"
    assert "RAPIDAPI_KEY" in fetch[2]["message"]
    assert nextjs[0] == 500
    assert nextjs[2]["error"] == "Internal server error"
    assert "RAPIDAPI_KEY" in nextjs[2]["message"]
    assert batch[0] == 500
