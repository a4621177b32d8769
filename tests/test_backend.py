"""Unit tests of SyncClient: request shape, answer parsing, error mapping, retries and batching.

aioresponses replaces the session's request method, so these tests cover what the client sends and
how it reads answers; real-socket behaviour (timeouts, connection limits) belongs to the emulator
tests.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from _payloads import load_payload
from aioresponses import aioresponses
from yarl import URL

from hyperbuds_sync.backend import DEFAULT_API_URL, SyncClient
from hyperbuds_sync.errors import (
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
    InvalidStats,
)
from hyperbuds_sync.metrics import RETRIES
from hyperbuds_sync.models import PlatformStats, SyncPayload, SyncResult

BASE = "https://api.test/api/v1"
TOKEN = "tok-SECRET-123"
TIKTOK = f"{BASE}/profiles/social-sync/tiktok"
TWITCH = f"{BASE}/profiles/social-sync/twitch"
BATCH = f"{BASE}/profiles/social-sync/batch"
PAYLOAD = SyncPayload(followers=1200, engagement=4.5)

ANSWER: dict[str, Any] = {
    "success": True,
    "message": "Synced",
    "profile": {
        "stats": {
            "platformBreakdown": {
                "tiktok": {"followers": 1200, "engagement": 4.5},
                "twitch": {"followers": 300, "engagement": 2.0},
            },
            "totalFollowers": 1500,
            "avgEngagement": 3.25,
        }
    },
}


@pytest.fixture
def mock() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def sent(m: aioresponses, url: str) -> list[Any]:
    """The calls made to ``url`` (an empty list when none)."""
    return list(m.requests.get(("POST", URL(url)), []))


def batch_answer(results: dict[str, Any], success: bool = True) -> dict[str, Any]:
    return {**ANSWER, "success": success, "results": results}


# --- request shape -------------------------------------------------------------------------------


async def test_sends_exact_body_and_headers(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, TOKEN) as client:
        await client.post("tiktok", PAYLOAD)
    (call,) = sent(mock, TIKTOK)
    assert call.kwargs["json"] == {"followers": 1200, "engagement": 4.5}
    assert call.kwargs["headers"] == {
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


async def test_none_field_left_out(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, TOKEN) as client:
        await client.post("tiktok", SyncPayload(followers=7))
    assert sent(mock, TIKTOK)[0].kwargs["json"] == {"followers": 7}


async def test_platform_is_path_quoted(mock: aioresponses) -> None:
    url = f"{BASE}/profiles/social-sync/a%20b%2Fc"
    mock.post(url, payload=ANSWER)
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("a b/c", PAYLOAD)
    assert result.platform == "a b/c"
    assert len(sent(mock, url)) == 1


def test_nan_engagement_refused_before_any_request() -> None:
    with pytest.raises(InvalidStats):
        SyncPayload(followers=1, engagement=float("nan"))


# --- tokens --------------------------------------------------------------------------------------


async def test_sync_callable_token_reread_per_attempt(mock: aioresponses) -> None:
    tokens = iter(["old-token", "new-token"])
    mock.post(TIKTOK, status=503)
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, lambda: next(tokens)) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.success
    seen = [c.kwargs["headers"]["Authorization"] for c in sent(mock, TIKTOK)]
    assert seen == ["Bearer old-token", "Bearer new-token"]


async def test_async_callable_token_reread_per_attempt(mock: aioresponses) -> None:
    tokens = iter(["first", "second"])

    async def token() -> str:
        return next(tokens)

    mock.post(TIKTOK, status=503)
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, token) as client:
        await client.post("tiktok", PAYLOAD)
    seen = [c.kwargs["headers"]["Authorization"] for c in sent(mock, TIKTOK)]
    assert seen == ["Bearer first", "Bearer second"]


@pytest.mark.parametrize("token", [None, "", "   ", lambda: ""])
async def test_missing_token_raises_before_any_request(mock: aioresponses, token: Any) -> None:
    async with SyncClient(BASE, token) as client:
        with pytest.raises(BackendConfigError, match="HYPERBUDS_TOKEN"):
            await client.post("tiktok", PAYLOAD)
        with pytest.raises(BackendConfigError):
            await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    assert mock.requests == {}


async def test_token_never_in_repr_errors_or_logs(
    mock: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hyperbuds_sync")
    mock.post(TIKTOK, status=401, payload={"message": "Token expired"})
    mock.post(TWITCH, status=500, repeat=True)
    client = SyncClient(BASE, TOKEN)
    async with client:
        with pytest.raises(AuthenticationError) as auth:
            await client.post("tiktok", PAYLOAD)
        with pytest.raises(BackendUnavailable) as down:
            await client.post("twitch", PAYLOAD)
    assert repr(client) == f"SyncClient(base_url={BASE!r})"
    texts = [repr(client), str(client), *(f"{e.value!s} {e.value!r}" for e in (auth, down))]
    texts += [r.getMessage() for r in caplog.records]
    assert caplog.records, "expected DEBUG request logs"
    assert all(TOKEN not in text for text in texts)


# --- answers -------------------------------------------------------------------------------------


async def test_answer_parsed_into_sync_result(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.platform == "tiktok"
    assert result.success is True
    assert result.message == "Synced"
    assert result.stats.total_followers == 1500
    assert result.stats.avg_engagement == 3.25
    assert result.stats.platform_breakdown["tiktok"] == PlatformStats(1200, 4.5)
    assert result.raw == ANSWER


async def test_unknown_fields_tolerated_and_kept_as_extra(mock: aioresponses) -> None:
    answer = {
        "success": True,
        "message": "ok",
        "requestId": "r-1",
        "profile": {
            "id": "p-1",
            "stats": {
                "platformBreakdown": {
                    "tiktok": {"followers": 5, "engagement": 1.5, "lastSynced": "2025-01-01"}
                },
                "totalFollowers": 5,
                "avgEngagement": 1.5,
                "rank": 3,
            },
        },
    }
    mock.post(TIKTOK, payload=answer)
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    tiktok = result.stats.platform_breakdown["tiktok"]
    assert (tiktok.followers, tiktok.engagement) == (5, 1.5)
    assert tiktok.extra == {"lastSynced": "2025-01-01"}


async def test_numbers_as_strings_tolerated(mock: aioresponses) -> None:
    stats = {
        "platformBreakdown": {"tiktok": {"followers": "1200", "engagement": "4.5"}},
        "totalFollowers": "1200.0",
        "avgEngagement": "4.5",
    }
    mock.post(TIKTOK, payload={"success": True, "message": "ok", "profile": {"stats": stats}})
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.stats.platform_breakdown["tiktok"] == PlatformStats(1200, 4.5)
    assert result.stats.total_followers == 1200
    assert isinstance(result.stats.total_followers, int)
    assert result.stats.avg_engagement == 4.5


async def test_missing_profile_gives_neutral_defaults(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload={"success": True})
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.message == ""
    assert result.stats.platform_breakdown == {}
    assert (result.stats.total_followers, result.stats.avg_engagement) == (0, 0.0)


@pytest.mark.parametrize(
    "answer",
    [
        {"success": True, "profile": "nope"},
        {"success": True, "profile": {"stats": {"totalFollowers": "many"}}},
        {"success": True, "profile": {"stats": {"platformBreakdown": {"tiktok": [1, 2]}}}},
        {"success": True, "profile": {"stats": {"avgEngagement": {"x": 1}}}},
    ],
)
async def test_wrong_shaped_stats_become_backend_error(
    mock: aioresponses, answer: dict[str, Any]
) -> None:
    mock.post(TIKTOK, payload=answer)
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendError) as err:
            await client.post("tiktok", PAYLOAD)
    assert (err.value.status, err.value.platform) == (200, "tiktok")


@pytest.mark.parametrize("body", ["<html>oops</html>", "[1, 2]", "", "null"])
async def test_non_json_2xx_is_backend_error(mock: aioresponses, body: str) -> None:
    mock.post(TIKTOK, status=200, body=body)
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendError) as err:
            await client.post("tiktok", PAYLOAD)
    assert type(err.value) is BackendError
    assert (err.value.status, err.value.platform) == (200, "tiktok")


async def test_success_false_is_validation_error(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload={"success": False, "message": "Followers too low"})
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendValidationError, match="Followers too low") as err:
            await client.post("tiktok", PAYLOAD)
    assert (err.value.status, err.value.platform) == (200, "tiktok")


# --- error mapping and retries -------------------------------------------------------------------


async def test_401_is_authentication_error_not_retried(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=401, payload={"message": "Invalid token"})
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(AuthenticationError) as err:
            await client.post("tiktok", PAYLOAD)
    assert (err.value.status, err.value.platform) == (401, "tiktok")
    assert len(sent(mock, TIKTOK)) == 1


@pytest.mark.parametrize("status", [400, 422])
@pytest.mark.parametrize("key", ["message", "error"])
async def test_400_422_carry_backend_message(mock: aioresponses, status: int, key: str) -> None:
    mock.post(TIKTOK, status=status, payload={"success": False, key: "engagement must be <= 100"})
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendValidationError) as err:
            await client.post("tiktok", PAYLOAD)
    assert err.value.message == "engagement must be <= 100"
    assert (err.value.status, err.value.platform) == (status, "tiktok")
    assert len(sent(mock, TIKTOK)) == 1


@pytest.mark.parametrize("status", [403, 404, 429])
async def test_other_statuses_are_plain_backend_errors(mock: aioresponses, status: int) -> None:
    mock.post(TIKTOK, status=status, body="not json")
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendError) as err:
            await client.post("tiktok", PAYLOAD)
    assert type(err.value) is BackendError
    assert err.value.status == status
    assert str(status) in err.value.message
    assert len(sent(mock, TIKTOK)) == 1


async def test_500_three_times_is_unavailable_after_three_requests(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=500, repeat=True)
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendUnavailable) as err:
            await client.post("tiktok", PAYLOAD)
        assert client.metrics.get(RETRIES, "tiktok") == 2
    assert (err.value.status, err.value.platform) == (500, "tiktok")
    assert len(sent(mock, TIKTOK)) == 3


async def test_503_then_200_succeeds(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=503)
    mock.post(TIKTOK, payload=ANSWER)
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.success
    assert len(sent(mock, TIKTOK)) == 2


@pytest.mark.parametrize("fault", [aiohttp.ClientConnectionError("refused"), TimeoutError()])
async def test_network_faults_are_unavailable(mock: aioresponses, fault: Exception) -> None:
    mock.post(TIKTOK, exception=fault, repeat=True)
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendUnavailable) as err:
            await client.post("tiktok", PAYLOAD)
    assert (err.value.status, err.value.platform) == (None, "tiktok")
    assert len(sent(mock, TIKTOK)) == 3


# --- base URL ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://api.example.com/api/v1", "http://10.0.0.1/api"])
def test_plain_http_to_remote_host_refused(url: str) -> None:
    with pytest.raises(BackendConfigError, match="allow_insecure_http"):
        SyncClient(url, TOKEN)
    assert SyncClient(url, TOKEN, allow_insecure_http=True).base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/api/v1",
        "http://127.9.9.9",
        "http://localhost:3000",
        "http://[::1]:80",
    ],
)
def test_plain_http_to_loopback_allowed(url: str) -> None:
    assert SyncClient(url, TOKEN).base_url.startswith("http://")


@pytest.mark.parametrize("url", ["", "api.example.com/api", "/api/v1", "ftp://host/x", "https://"])
def test_base_url_without_scheme_or_host_refused(url: str) -> None:
    with pytest.raises(BackendConfigError):
        SyncClient(url, TOKEN)


def test_default_base_url_and_repr() -> None:
    client = SyncClient(token=TOKEN)
    assert client.base_url == DEFAULT_API_URL
    assert repr(client) == f"SyncClient(base_url={DEFAULT_API_URL!r})"


# --- batch ---------------------------------------------------------------------------------------


async def test_batch_happy_path(mock: aioresponses) -> None:
    results = {"tiktok": {"success": True, "message": "tt ok"}, "twitch": {"success": True}}
    mock.post(BATCH, payload=batch_answer(results))
    payloads = {"tiktok": PAYLOAD, "twitch": SyncPayload(engagement=2.0)}
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        out = await client.post_batch(payloads)
    (call,) = sent(mock, BATCH)
    assert call.kwargs["json"] == {
        "tiktok": {"followers": 1200, "engagement": 4.5},
        "twitch": {"engagement": 2.0},
    }
    assert call.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    tiktok, twitch = out["tiktok"], out["twitch"]
    assert isinstance(tiktok, SyncResult)
    assert isinstance(twitch, SyncResult)
    assert (tiktok.platform, tiktok.message, twitch.platform) == ("tiktok", "tt ok", "twitch")
    assert tiktok.stats is twitch.stats
    assert tiktok.stats.total_followers == 1500
    assert list(out) == ["tiktok", "twitch"]


async def test_batch_one_platform_failing_reports_the_others(mock: aioresponses) -> None:
    results = {
        "tiktok": {"success": True, "message": "ok"},
        "twitch": {"success": False, "message": "Twitch not linked", "status": 422},
        "twitter": {"success": False, "message": "Backend store down", "status": 503},
    }
    mock.post(BATCH, payload=batch_answer(results, success=False))
    payloads = {"tiktok": PAYLOAD, "twitch": PAYLOAD, "twitter": PAYLOAD, "instagram": PAYLOAD}
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        out = await client.post_batch(payloads)
    assert isinstance(out["tiktok"], SyncResult)
    twitch, twitter, instagram = out["twitch"], out["twitter"], out["instagram"]
    assert isinstance(twitch, BackendValidationError)
    assert (twitch.message, twitch.status, twitch.platform) == ("Twitch not linked", 422, "twitch")
    assert isinstance(twitter, BackendUnavailable)
    assert twitter.platform == "twitter"
    assert isinstance(instagram, BackendError)
    assert (instagram.status, instagram.platform) == (200, "instagram")


@pytest.mark.parametrize("status", [404, 405])
async def test_batch_missing_falls_back_and_remembers(mock: aioresponses, status: int) -> None:
    mock.post(BATCH, status=status)
    mock.post(TIKTOK, payload=ANSWER, repeat=True)
    mock.post(TWITCH, status=422, payload={"message": "bad twitch"}, repeat=True)
    payloads = {"tiktok": PAYLOAD, "twitch": PAYLOAD}
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        first = await client.post_batch(payloads)
        second = await client.post_batch(payloads)
    assert len(sent(mock, BATCH)) == 1
    assert len(sent(mock, TIKTOK)) == len(sent(mock, TWITCH)) == 2
    for out in (first, second):
        assert isinstance(out["tiktok"], SyncResult)
        twitch = out["twitch"]
        assert isinstance(twitch, BackendValidationError)
        assert (twitch.message, twitch.platform) == ("bad twitch", "twitch")


async def test_concurrent_first_batches_probe_once(mock: aioresponses) -> None:
    mock.post(BATCH, status=404, repeat=True)
    mock.post(TIKTOK, payload=ANSWER, repeat=True)
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        outs = await asyncio.gather(*(client.post_batch({"tiktok": PAYLOAD}) for _ in range(5)))
    assert len(sent(mock, BATCH)) == 1
    assert len(sent(mock, TIKTOK)) == 5
    assert all(isinstance(out["tiktok"], SyncResult) for out in outs)


async def test_use_batch_false_posts_each(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    mock.post(TWITCH, status=500, repeat=True)
    async with SyncClient(BASE, TOKEN, use_batch=False) as client:
        out = await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    assert sent(mock, BATCH) == []
    assert isinstance(out["tiktok"], SyncResult)
    assert isinstance(out["twitch"], BackendUnavailable)
    assert len(sent(mock, TWITCH)) == 3


async def test_batch_401_raises(mock: aioresponses) -> None:
    mock.post(BATCH, status=401, payload={"message": "expired"})
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        with pytest.raises(AuthenticationError, match="expired"):
            await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    assert len(sent(mock, BATCH)) == 1


async def test_batch_5xx_after_retries_given_to_every_platform(mock: aioresponses) -> None:
    mock.post(BATCH, status=502, repeat=True)
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        out = await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    assert len(sent(mock, BATCH)) == 3
    for platform, error in out.items():
        assert isinstance(error, BackendUnavailable)
        assert (error.status, error.platform) == (502, platform)


async def test_batch_unreadable_stats_given_to_successful_platforms(mock: aioresponses) -> None:
    results = {"tiktok": {"success": True}, "twitch": {"success": False, "message": "no"}}
    mock.post(BATCH, payload={"success": True, "results": results, "profile": []})
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        out = await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    tiktok, twitch = out["tiktok"], out["twitch"]
    assert type(tiktok) is BackendError
    assert (tiktok.status, tiktok.platform) == (200, "tiktok")
    assert isinstance(twitch, BackendValidationError)
    assert twitch.message == "no"


async def test_empty_batch_makes_no_request(mock: aioresponses) -> None:
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        assert await client.post_batch({}) == {}
    assert mock.requests == {}


# --- session ownership ---------------------------------------------------------------------------


async def test_borrowed_session_not_closed(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    async with aiohttp.ClientSession() as session:
        async with SyncClient(BASE, TOKEN, session=session) as client:
            await client.post("tiktok", PAYLOAD)
        assert not session.closed


async def test_own_session_closed_by_aclose(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=ANSWER)
    client = SyncClient(BASE, TOKEN)
    await client.post("tiktok", PAYLOAD)
    session = client._http.get()
    assert session is not None
    open_before = not session.closed
    await client.aclose()
    assert open_before
    assert session.closed
    await client.aclose()  # idempotent


# --- the real backend (issue 10): one route per platform, Joi validation errors ------------------

REAL_SUCCESS = load_payload("backend-sync-success")


async def test_default_client_posts_each_platform_never_the_batch(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=REAL_SUCCESS)
    mock.post(TWITCH, payload=REAL_SUCCESS)
    async with SyncClient(BASE, TOKEN) as client:
        out = await client.post_batch({"tiktok": PAYLOAD, "twitch": PAYLOAD})
    assert sent(mock, BATCH) == []
    assert len(sent(mock, TIKTOK)) == len(sent(mock, TWITCH)) == 1
    assert all(isinstance(result, SyncResult) for result in out.values())


async def test_real_success_answer_is_read(mock: aioresponses) -> None:
    mock.post(TIKTOK, payload=REAL_SUCCESS)
    async with SyncClient(BASE, TOKEN) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.message == "Social media Tiktok synced successfully"
    assert (result.stats.total_followers, result.stats.avg_engagement) == (24025, 1.39)
    assert set(result.stats.platform_breakdown) == {"tiktok", "instagram", "youtube", "twitch"}
    assert result.stats.platform_breakdown["instagram"] == PlatformStats(15925, 2.91)


NOT_A_BATCH_ANSWER = [
    pytest.param(400, {"success": False, "message": "Invalid platform type"}, id="400-real"),
    pytest.param(400, load_payload("backend-400-joi"), id="400-joi"),
    pytest.param(403, {"message": "Forbidden"}, id="403"),
    pytest.param(404, None, id="404"),
    pytest.param(405, None, id="405"),
    pytest.param(422, {"message": "nope"}, id="422"),
    pytest.param(200, REAL_SUCCESS, id="2xx-without-results"),
    pytest.param(200, {"success": False, "message": "Invalid platform type"}, id="2xx-false"),
]


@pytest.mark.parametrize(("status", "answer"), NOT_A_BATCH_ANSWER)
async def test_any_non_batch_answer_falls_back_and_is_remembered(
    mock: aioresponses, status: int, answer: dict[str, Any] | None
) -> None:
    if answer is None:
        mock.post(BATCH, status=status, body="<html>Cannot POST</html>")
    else:
        mock.post(BATCH, status=status, payload=answer)
    mock.post(TIKTOK, payload=REAL_SUCCESS, repeat=True)
    mock.post(TWITCH, payload=REAL_SUCCESS, repeat=True)
    payloads = {"tiktok": PAYLOAD, "twitch": PAYLOAD}
    async with SyncClient(BASE, TOKEN, use_batch=True) as client:
        first = await client.post_batch(payloads)
        second = await client.post_batch(payloads)
    assert len(sent(mock, BATCH)) == 1
    assert len(sent(mock, TIKTOK)) == len(sent(mock, TWITCH)) == 2
    for out in (first, second):
        assert all(isinstance(result, SyncResult) for result in out.values()), out


@pytest.mark.parametrize(
    ("name", "details"),
    [
        ("backend-400-joi", ('"followers" is required',)),
        (
            "backend-400-strings",
            (
                '"niche[0]" must be one of [beauty, gaming, music, fitness, food, travel, '
                "fashion, tech, comedy, education, lifestyle, art, dance, sports, business, "
                "health, other]",
                '"niche" must contain less than or equal to 5 items',
            ),
        ),
    ],
)
async def test_joi_validation_errors_carry_their_details(
    mock: aioresponses, name: str, details: tuple[str, ...]
) -> None:
    mock.post(TIKTOK, status=400, payload=load_payload(name))
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendValidationError) as err:
            await client.post("tiktok", PAYLOAD)
    assert err.value.details == details
    assert err.value.message.startswith(f"Validation failed: {details[0]}")
    assert (err.value.status, err.value.platform) == (400, "tiktok")


async def test_joi_message_names_the_rule(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=400, payload=load_payload("backend-400-joi"))
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendValidationError) as err:
            await client.post("tiktok", PAYLOAD)
    assert str(err.value) == 'Validation failed: "followers" is required'


async def test_validation_without_details_has_empty_details(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=400, payload={"success": False, "message": "Invalid platform type"})
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendValidationError) as err:
            await client.post("tiktok", PAYLOAD)
    assert (err.value.message, err.value.details) == ("Invalid platform type", ())


async def test_real_500_answer_is_unavailable_with_its_error(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=500, payload=load_payload("backend-500"), repeat=True)
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(BackendUnavailable, match="Failed to fetch tiktok data"):
            await client.post("tiktok", PAYLOAD)


def test_validation_error_keeps_its_details_through_pickle() -> None:
    error = BackendValidationError(
        "Validation failed: x", status=400, platform="tiktok", details=["x"]
    )
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (type(copy), copy.message, copy.details) == (type(error), error.message, ("x",))
    assert (copy.status, copy.platform) == (400, "tiktok")


def test_the_backend_folder_re_exports_its_public_names() -> None:
    import hyperbuds_sync
    from hyperbuds_sync import backend

    assert backend.SyncClient is hyperbuds_sync.SyncClient
    assert backend.DEFAULT_API_URL == DEFAULT_API_URL
    assert set(backend.__all__) == {
        "DEFAULT_API_URL",
        "SyncClient",
        "TokenSource",
        "acting_for",
        "for_creator",
    }


# --- a refused token (issue 15, point 4) ---------------------------------------------------------


async def test_401_says_the_token_was_refused_and_how_to_fix_it(mock: aioresponses) -> None:
    mock.post(TIKTOK, status=401, payload={"success": False, "message": "jwt expired"})
    async with SyncClient(BASE, TOKEN) as client:
        with pytest.raises(AuthenticationError) as err:
            await client.post("tiktok", PAYLOAD)
    message = err.value.message
    assert "refused the token" in message
    assert "jwt expired" in message
    assert "HYPERBUDS_TOKEN" in message
    assert "token=" in message
    assert TOKEN not in message
    assert len(sent(mock, TIKTOK)) == 1  # a plain token is not retried


async def test_callable_token_is_refreshed_once_after_a_401(mock: aioresponses) -> None:
    tokens = iter(["expired", "refreshed"])
    mock.post(TIKTOK, status=401, payload={"message": "jwt expired"})
    mock.post(TIKTOK, payload=REAL_SUCCESS)
    async with SyncClient(BASE, lambda: next(tokens)) as client:
        result = await client.post("tiktok", PAYLOAD)
    assert result.success
    seen = [c.kwargs["headers"]["Authorization"] for c in sent(mock, TIKTOK)]
    assert seen == ["Bearer expired", "Bearer refreshed"]


async def test_callable_token_refused_twice_raises_after_one_refresh(mock: aioresponses) -> None:
    calls = 0

    async def token() -> str:
        nonlocal calls
        calls += 1
        return f"token-{calls}"

    mock.post(TIKTOK, status=401, payload={"message": "invalid"}, repeat=True)
    async with SyncClient(BASE, token) as client:
        with pytest.raises(AuthenticationError, match="refused the token"):
            await client.post("tiktok", PAYLOAD)
    assert calls == 2
    assert len(sent(mock, TIKTOK)) == 2
