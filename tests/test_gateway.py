"""The RapidAPI transport: classification, headers, body cap, retries, key failover, redaction.

aioresponses (which patches the session's request method) covers parsing and error mapping;
a real aiohttp server on 127.0.0.1 covers timeouts, chunked bodies, routing and sessions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses
from yarl import URL

from hyperbuds_sync import _logging
from hyperbuds_sync.errors import (
    ApiConfigError,
    MalformedPayload,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    UsernameNotFound,
)
from hyperbuds_sync.metrics import RETRIES, UPSTREAM_CALLS, Metrics
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.quota import KeyPool, next_midnight, next_month_start
from hyperbuds_sync.transport import Gateway
from hyperbuds_sync.transport._classify import (
    classify,
    is_unknown_endpoint,
    network_error,
)
from hyperbuds_sync.transport._headers import parse_quota_headers

KEY = "KEYA-5ecret-0123456789abcdefghijklmnopqrstuvwxyz0123"
KEY_B = "KEYB-5ecret-zyxwvutsrqponmlkjihgfedcba9876543210zz"
HOST = "tiktok-api23.p.rapidapi.com"
PATH = "/api/user/info"
ANY_URL = re.compile(r"^https://tiktok-api23\.p\.rapidapi\.com/api/user/info(\?.*)?$")
REQUEST = ProviderRequest(HOST, PATH, {"uniqueId": "some_user"})
GATEWAY_ERRORS = json.loads(
    (Path(__file__).parent / "payloads" / "rapidapi-gateway-errors.json").read_text("utf-8")
)
QUOTA_BODY = GATEWAY_ERRORS["quota_exhausted"]["body"]
QUOTA_HEADERS = GATEWAY_ERRORS["quota_exhausted"]["headers"]
OK_HEADERS = {
    k: v
    for k, v in GATEWAY_ERRORS["success_headers_example"]["headers"].items()
    if k != "content-type"
}
PROFILE = {"userInfo": {"user": {"uniqueId": "some_user"}}}


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    gw = Gateway(keys=[KEY], metrics=Metrics())
    yield gw
    await gw.aclose()


@pytest.fixture
async def two_keys() -> AsyncIterator[Gateway]:
    gw = Gateway(keys=[KEY, KEY_B], metrics=Metrics())
    yield gw
    await gw.aclose()


def calls(m: aioresponses) -> list[Any]:
    """Every request aioresponses saw, in order."""
    return [call for per_url in m.requests.values() for call in per_url]


def keys_used(m: aioresponses) -> list[str]:
    return [call.kwargs["headers"]["x-rapidapi-key"] for call in calls(m)]


async def fetch(gw: Gateway, request: ProviderRequest = REQUEST) -> Any:
    return (await gw.get(request, platform="tiktok", username="some_user")).value


# --- classify: one function, table-driven --------------------------------------------------------

GATEWAY_CASES = [
    ("quota_exhausted", QuotaExceeded),
    ("per_second_limit", RateLimited),
    ("too_many_requests", RateLimited),
    ("invalid_key_header", ProviderAuthError),
    ("not_subscribed", ProviderAuthError),
    ("unknown_endpoint", UsernameNotFound),
    ("provider_unreachable", ProviderUnavailable),
    ("provider_timeout", ProviderUnavailable),
]


@pytest.mark.parametrize(("case", "expected"), GATEWAY_CASES)
def test_classify_gateway_payloads(case: str, expected: type[ProviderError]) -> None:
    sample = GATEWAY_ERRORS[case]
    error = classify(
        sample["status"], sample["body"], sample["headers"], host=HOST, platform="tiktok"
    )
    assert type(error) is expected
    assert error.status == sample["status"]
    assert error.host == HOST
    assert error.platform == "tiktok"


DAILY = {"message": "You have exceeded the DAILY quota for Requests on your current plan, PRO."}
INFO = {"messages": "The API is unreachable", "info": "Your Client (working) ---> ..."}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (
            429,
            {"message": "Too many requests"},
            {"x-ratelimit-requests-remaining": "0"},
            QuotaExceeded,
        ),
        (
            429,
            {"message": "Too many requests"},
            {"X-RateLimit-Requests-Remaining": "0"},
            QuotaExceeded,
        ),
        (
            429,
            {"message": "Too many requests"},
            {"x-ratelimit-requests-remaining": "3"},
            RateLimited,
        ),
        (429, "Quota exceeded for this month", {}, QuotaExceeded),
        (403, DAILY, {}, QuotaExceeded),
        (200, DAILY, {}, QuotaExceeded),
        (200, {"messages": "quota was exceeded"}, {}, QuotaExceeded),
        (200, INFO, {}, ProviderUnavailable),
        (200, PROFILE, {}, type(None)),
        (200, "the quota was exceeded in my bio", {}, type(None)),  # 2xx raw text: not classified
        (204, "", {}, type(None)),
        (500, "<html>oops</html>", {}, ProviderUnavailable),
        (503, "", {}, ProviderUnavailable),
        (504, None, {}, ProviderUnavailable),
        (408, "", {}, ProviderUnavailable),
        (404, {}, {}, UsernameNotFound),
        (401, "", {}, ProviderAuthError),
        (400, {"message": "bad request"}, {}, ProviderError),
        (418, "teapot", {}, ProviderError),
        (302, "", {}, ProviderError),
    ],
)
def test_classify_table(status: int, body: object, headers: dict[str, str], expected: type) -> None:
    error = classify(status, body, headers, host=HOST, platform="tiktok", username="u")
    assert type(error) is expected


def test_classify_carries_facts_and_retry_after() -> None:
    headers = {"Retry-After": "2", "x-rapidapi-request-id": "req-1"}
    error = classify(429, {"message": "Too many requests"}, headers, host=HOST, platform="tiktok")
    assert isinstance(error, RateLimited)
    assert (error.retry_after, error.request_id, error.status) == (2.0, "req-1", 429)
    bare = classify(429, {"message": "Too many requests"}, {}, host=HOST)
    assert isinstance(bare, RateLimited)
    assert bare.retry_after is None
    missing = classify(
        404, {}, {"x-rapidapi-request-id": "r"}, host=HOST, platform="tiktok", username="bob"
    )
    assert isinstance(missing, UsernameNotFound)
    assert (missing.platform, missing.username, missing.request_id) == ("tiktok", "bob", "r")
    assert "bob" in str(missing)


def test_unknown_endpoint_is_told_apart() -> None:
    assert is_unknown_endpoint(GATEWAY_ERRORS["unknown_endpoint"]["body"])
    assert not is_unknown_endpoint({"message": "User not found"})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (OK_HEADERS, (500, 487, 2163603.0)),
        ({}, (None, None, None)),
        (
            {
                "x-ratelimit-requests-limit": "x",
                "x-ratelimit-requests-remaining": "-1",
                "x-ratelimit-requests-reset": "nan",
            },
            (None, None, None),
        ),
        (
            {"X-RateLimit-Requests-Remaining": " 7 ", "x-ratelimit-requests-reset": "inf"},
            (None, 7, None),
        ),
    ],
)
def test_parse_quota_headers(headers: dict[str, str], expected: tuple[object, ...]) -> None:
    quota = parse_quota_headers(headers)
    assert (quota.limit, quota.remaining, quota.reset_in) == expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiohttp.ServerDisconnectedError(), ProviderUnavailable),
        (aiohttp.ClientPayloadError("cut"), ProviderUnavailable),
        (ConnectionResetError("reset"), ProviderUnavailable),
        (TimeoutError(), ProviderUnavailable),
        (aiohttp.ClientConnectionError("refused"), ProviderUnavailable),
        (aiohttp.InvalidURL("nope://"), ProviderError),
    ],
)
def test_network_errors(exc: BaseException, expected: type) -> None:
    error = network_error(exc, host=HOST, platform="tiktok", username="u")
    assert type(error) is expected
    assert error.status is None
    assert error.host == HOST


# --- requests: URL, headers, params --------------------------------------------------------------


async def test_no_key_fails_at_first_call_not_construction() -> None:
    gw = Gateway()
    with aioresponses() as m:
        with pytest.raises(ApiConfigError) as info:
            await fetch(gw)
        assert calls(m) == []
    assert str(info.value) == (
        "No RapidAPI key configured: set RAPIDAPI_KEY (or RAPIDAPI_KEYS) or pass rapidapi_key="
    )
    await gw.aclose()


async def test_headers_params_and_quota(gateway: Gateway) -> None:
    request = ProviderRequest(HOST, PATH, {"uniqueId": "a b&c=d"})
    with aioresponses() as m:
        m.get(ANY_URL, payload=PROFILE, headers=OK_HEADERS)
        assert await fetch(gateway, request) == PROFILE
    ((url, call),) = [(u, c) for (_, u), cs in m.requests.items() for c in cs]
    assert call.kwargs["headers"]["x-rapidapi-key"] == KEY
    assert call.kwargs["headers"]["x-rapidapi-host"] == HOST
    assert dict(url.query) == {"uniqueId": "a b&c=d"}  # built into the URL, not params=
    assert call.kwargs["allow_redirects"] is False
    assert url.query["uniqueId"] == "a b&c=d"
    assert "%26" in url.raw_query_string
    assert KEY not in str(url)
    status = gateway.quota()[HOST]
    assert (status.limit, status.remaining) == (500, 487)
    assert status.reset_at is not None
    expected = datetime.now(UTC) + timedelta(seconds=2163603)
    assert abs((status.reset_at - expected).total_seconds()) < 5
    assert status.keys[0].calls == 1
    assert KEY not in repr(status)


async def test_endpoint_keeps_host_header() -> None:
    gw = Gateway(keys=[KEY], endpoint="http://127.0.0.1:1234/prefix/")
    with aioresponses() as m:
        m.get(re.compile(r"^http://127\.0\.0\.1:1234/prefix/api/user/info\?.*$"), payload={})
        await fetch(gw)
    ((_, url),) = m.requests
    assert str(url).startswith("http://127.0.0.1:1234/prefix/api/user/info?")
    assert calls(m)[0].kwargs["headers"]["x-rapidapi-host"] == HOST
    await gw.aclose()


async def test_quota_headers_recorded_on_errors_too(gateway: Gateway) -> None:
    sample = GATEWAY_ERRORS["per_second_limit"]
    with aioresponses() as m:
        m.get(ANY_URL, status=429, payload=sample["body"], headers=sample["headers"])
        m.get(ANY_URL, status=404, payload={})
        with pytest.raises(UsernameNotFound):
            await fetch(gateway)
    assert gateway.quota()[HOST].remaining == 213


# --- body: JSON and the size cap -----------------------------------------------------------------


@pytest.mark.parametrize("body", ["<html>hi</html>", '{"userInfo": ', "", "\xff\xfe"])
async def test_unparseable_200_is_malformed_and_not_retried(gateway: Gateway, body: str) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, body=body, repeat=True)
        with pytest.raises(MalformedPayload) as info:
            await fetch(gateway)
    assert len(calls(m)) == 1
    assert info.value.status == 200


async def test_content_length_over_cap_is_refused() -> None:
    gw = Gateway(keys=[KEY], max_body_bytes=1000)
    with aioresponses() as m:
        m.get(ANY_URL, body=b"{}", headers={"Content-Length": "5000000"})
        with pytest.raises(MalformedPayload, match="larger than 1000 bytes"):
            await fetch(gw)
    await gw.aclose()


async def test_body_over_cap_without_length_is_refused() -> None:
    gw = Gateway(keys=[KEY], max_body_bytes=1000)
    with aioresponses() as m:
        m.get(ANY_URL, body=json.dumps({"pad": "x" * 5000}))
        with pytest.raises(MalformedPayload, match="larger than"):
            await fetch(gw)
    await gw.aclose()


# --- retries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (404, {"message": "User not found"}, {}, UsernameNotFound),
        (429, QUOTA_BODY, QUOTA_HEADERS, QuotaExceeded),
        (401, GATEWAY_ERRORS["invalid_key_header"]["body"], {}, ProviderAuthError),
        (403, GATEWAY_ERRORS["not_subscribed"]["body"], {}, ProviderAuthError),
        (400, {"message": "bad"}, {}, ProviderError),
    ],
)
async def test_never_retried(
    gateway: Gateway, status: int, body: Any, headers: dict[str, str], expected: type
) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, status=status, payload=body, headers=headers, repeat=True)
        with pytest.raises(expected) as info:
            await fetch(gateway)
    assert len(calls(m)) == 1
    assert type(info.value) is expected
    assert gateway.metrics.get(RETRIES) == 0
    assert gateway.metrics.get(f"errors.{expected.__name__}", "tiktok") == 1


async def test_503_three_times_then_unavailable(gateway: Gateway) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, status=503, body="down", repeat=True)
        with pytest.raises(ProviderUnavailable) as info:
            await fetch(gateway)
    assert len(calls(m)) == 3
    assert info.value.status == 503
    assert info.value.platform == "tiktok"
    metrics = gateway.metrics
    assert metrics.get(UPSTREAM_CALLS, "tiktok") == 3
    assert metrics.get(RETRIES, "tiktok") == 2
    assert metrics.get("errors.ProviderUnavailable", "tiktok") == 1


async def test_503_503_200_succeeds(gateway: Gateway) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, status=503)
        m.get(ANY_URL, status=502, payload=GATEWAY_ERRORS["provider_unreachable"]["body"])
        m.get(ANY_URL, payload=PROFILE)
        assert await fetch(gateway) == PROFILE
    assert len(calls(m)) == 3
    assert gateway.metrics.get("errors.ProviderUnavailable") == 0


async def test_retry_after_above_cap_gives_up_at_once(gateway: Gateway) -> None:
    with aioresponses() as m:
        m.get(
            ANY_URL,
            status=429,
            payload={"message": "Too many requests"},
            headers={"Retry-After": "120"},
            repeat=True,
        )
        with pytest.raises(RateLimited) as info:
            await fetch(gateway)
    assert len(calls(m)) == 1
    assert info.value.retry_after == 120.0


async def test_rate_limited_is_retried(gateway: Gateway) -> None:
    with aioresponses() as m:
        m.get(
            ANY_URL,
            status=429,
            payload={"message": "Too many requests"},
            headers={"Retry-After": "0"},
        )
        m.get(ANY_URL, status=429, payload=GATEWAY_ERRORS["per_second_limit"]["body"])
        m.get(ANY_URL, payload=PROFILE)
        assert await fetch(gateway) == PROFILE
    assert len(calls(m)) == 3
    assert gateway.metrics.get(RETRIES, "tiktok") == 2


@pytest.mark.parametrize(
    "exc",
    [
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
        aiohttp.ClientPayloadError("x"),
        ConnectionResetError(),
    ],
)
async def test_network_faults_are_retried(gateway: Gateway, exc: BaseException) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, exception=exc, repeat=True)
        with pytest.raises(ProviderUnavailable):
            await fetch(gateway)
    assert len(calls(m)) == 3
    assert gateway.metrics.get(UPSTREAM_CALLS, "tiktok") == 3


async def test_limiter_is_asked_before_every_attempt() -> None:
    hosts: list[str] = []

    class Recorder:
        async def acquire(self, host: str) -> None:
            hosts.append(host)

    gw = Gateway(keys=[KEY], limiter=Recorder())
    with aioresponses() as m:
        m.get(ANY_URL, status=503)
        m.get(ANY_URL, payload={})
        await fetch(gw)
    assert hosts == [HOST, HOST]
    await gw.aclose()


# --- quota: failover between keys and the guard --------------------------------------------------


def quota_answer(m: aioresponses, reset: str | None = "3600", body: Any = QUOTA_BODY) -> None:
    headers = {"x-ratelimit-requests-limit": "500", "x-ratelimit-requests-remaining": "0"}
    if reset is not None:
        headers["x-ratelimit-requests-reset"] = reset
    m.get(ANY_URL, status=429, payload=body, headers=headers)


async def test_quota_moves_the_same_call_to_the_next_key(two_keys: Gateway) -> None:
    with aioresponses() as m:
        quota_answer(m)
        m.get(ANY_URL, payload=PROFILE, repeat=True)
        assert await fetch(two_keys) == PROFILE
        assert await fetch(two_keys) == PROFILE
        assert await fetch(two_keys) == PROFILE
    assert keys_used(m) == [KEY, KEY_B, KEY_B, KEY_B]
    assert two_keys.metrics.get(RETRIES) == 0
    assert two_keys.metrics.get(UPSTREAM_CALLS, "tiktok") == 4
    benched = two_keys.quota()[HOST].keys[0].benched_until
    assert benched is not None
    assert abs((benched - datetime.now(UTC)).total_seconds() - 3600) < 5


async def test_one_key_spent_then_guarded_without_requests(gateway: Gateway) -> None:
    with aioresponses() as m:
        quota_answer(m, reset="604812")
        with pytest.raises(QuotaExceeded) as first:
            await fetch(gateway)
        with pytest.raises(QuotaExceeded) as second:
            await fetch(gateway)
    assert len(calls(m)) == 1
    assert first.value.status == 429
    assert "MONTHLY" in str(first.value)
    assert first.value.reset_at is not None
    assert second.value.reset_at == first.value.reset_at
    assert abs((first.value.reset_at - datetime.now(UTC)).total_seconds() - 604812) < 5
    assert second.value.status is None
    assert (second.value.platform, second.value.username) == ("tiktok", "some_user")
    assert "Every RapidAPI key is out of quota" in str(second.value)
    assert gateway.metrics.get("errors.QuotaExceeded", "tiktok") == 2


async def test_all_keys_spent_in_one_call(two_keys: Gateway) -> None:
    with aioresponses() as m:
        quota_answer(m, reset="7200")
        quota_answer(m, reset="60")
        with pytest.raises(QuotaExceeded) as info:
            await fetch(two_keys)
    assert keys_used(m) == [KEY, KEY_B]
    assert info.value.reset_at is not None
    assert abs((info.value.reset_at - datetime.now(UTC)).total_seconds() - 60) < 5


@pytest.mark.parametrize(
    ("body", "until"),
    [(QUOTA_BODY, next_month_start), (DAILY, next_midnight)],
)
async def test_quota_without_reset_header(gateway: Gateway, body: Any, until: Any) -> None:
    with aioresponses() as m:
        quota_answer(m, reset=None, body=body)
        with pytest.raises(QuotaExceeded) as info:
            await fetch(gateway)
    assert info.value.reset_at is not None
    assert abs(info.value.reset_at.timestamp() - until(time.time())) < 5


async def test_reserve_stops_a_key_before_it_is_spent() -> None:
    gw = Gateway(key_pool=KeyPool([KEY], quota_reserve=10))
    with aioresponses() as m:
        m.get(
            ANY_URL,
            payload={},
            headers={"x-ratelimit-requests-remaining": "10", "x-ratelimit-requests-reset": "100"},
            repeat=True,
        )
        await fetch(gw)
        with pytest.raises(QuotaExceeded):
            await fetch(gw)
    assert len(calls(m)) == 1
    await gw.aclose()


async def test_auth_error_prefers_the_other_key_next_time(two_keys: Gateway) -> None:
    with aioresponses() as m:
        m.get(ANY_URL, status=403, payload=GATEWAY_ERRORS["not_subscribed"]["body"])
        m.get(ANY_URL, payload=PROFILE, repeat=True)
        with pytest.raises(ProviderAuthError):
            await fetch(two_keys)
        await fetch(two_keys)
        await fetch(two_keys)
    assert keys_used(m) == [KEY, KEY_B, KEY_B]


def test_keys_and_a_different_pool_are_refused() -> None:
    Gateway(keys=[KEY], key_pool=KeyPool([KEY, KEY_B]))  # the same keys: fine
    with pytest.raises(ValueError, match="not both"):
        Gateway(keys=[KEY_B], key_pool=KeyPool([KEY]))


# --- secrets never logged nor shown --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x-rapidapi-key: abc123", "x-rapidapi-key: ***"),
        ("X-RapidAPI-Key=abc123", "X-RapidAPI-Key=***"),
        (
            "{'x-rapidapi-key': 'abc123', 'x-rapidapi-host': 'h'}",
            "{'x-rapidapi-key': '***', 'x-rapidapi-host': 'h'}",
        ),
        ('{"Authorization": "Bearer tok.en-1"}', '{"Authorization": "***"}'),
        ("authorization=Basic dXNlcjpwYXNz", "authorization=***"),
        ("sent Bearer abc.def-ghi", "sent Bearer ***"),
        ("?api_key=zzz&x=1", "?api_key=***&x=1"),
        (f"key {KEY} leaked", "key *** leaked"),
        ("the key is not subscribed", "the key is not subscribed"),
        (
            "No RapidAPI key configured: set RAPIDAPI_KEY (or RAPIDAPI_KEYS) or pass rapidapi_key=",
            "No RapidAPI key configured: set RAPIDAPI_KEY (or RAPIDAPI_KEYS) or pass rapidapi_key=",
        ),
    ],
)
def test_redact(text: str, expected: str) -> None:
    _logging.register_secret(KEY)
    _logging.register_secret("tiny")  # too short to register: would mask ordinary words
    assert _logging.redact(text) == expected
    assert _logging.redact("a tiny word") == "a tiny word"


def test_filter_is_installed_once() -> None:
    Gateway(keys=[KEY])
    Gateway(keys=[KEY_B])
    sdk_logger = logging.getLogger("hyperbuds_sync")
    assert sum(isinstance(f, _logging.RedactingFilter) for f in sdk_logger.filters) == 1


async def test_key_never_reaches_logs_or_errors(
    two_keys: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hyperbuds_sync")
    errors: list[BaseException] = []
    with aioresponses() as m:
        m.get(ANY_URL, status=503)
        m.get(ANY_URL, status=503)
        m.get(ANY_URL, payload=PROFILE, headers=OK_HEADERS)
        m.get(ANY_URL, status=401, payload={"message": f"Invalid API key {KEY}"})
        quota_answer(m)
        m.get(ANY_URL, exception=aiohttp.ServerDisconnectedError(), repeat=True)
        await fetch(two_keys)
        for _ in range(2):
            try:
                await fetch(two_keys)
            except ProviderError as exc:
                errors.append(exc)
    logging.getLogger("hyperbuds_sync").debug("headers %s", {"x-rapidapi-key": KEY_B})
    logging.getLogger("hyperbuds_sync").debug("raw x-rapidapi-key: %s", "not-registered-1234")
    assert len(errors) == 2
    messages = [record.getMessage() for record in caplog.records]
    assert any("Retrying" in text for text in messages)
    assert any("***" in text for text in messages)
    for text in [*messages, *map(str, errors), *map(repr, errors), repr(two_keys)]:
        assert KEY not in text
        assert KEY_B not in text
        assert "not-registered-1234" not in text


# --- real sockets --------------------------------------------------------------------------------


async def test_timeouts_on_a_real_socket_are_retried_then_unavailable() -> None:
    release = asyncio.Event()
    hits = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal hits
        hits += 1
        await release.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_get(PATH, slow)
    async with TestServer(app) as server:
        gw = Gateway(keys=[KEY], endpoint=str(server.make_url("")), timeout=0.2)
        try:
            with pytest.raises(ProviderUnavailable, match="did not answer in time"):
                await fetch(gw)
        finally:
            release.set()
            await gw.aclose()
    assert hits == 3


async def test_huge_chunked_body_is_not_read_whole() -> None:
    total, sent = 64 * 1024 * 1024, 0
    done = asyncio.Event()

    async def huge(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        try:
            while sent < total:
                await resp.write(b"[" + b"1," * 32767 + b"1")
                sent += 65536
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass
        finally:
            done.set()
        return resp

    app = web.Application()
    app.router.add_get(PATH, huge)
    async with TestServer(app) as server:
        gw = Gateway(keys=[KEY], endpoint=str(server.make_url("")), max_body_bytes=256 * 1024)
        with pytest.raises(MalformedPayload, match="larger than"):
            await fetch(gw)
        await asyncio.wait_for(done.wait(), 10)
        await gw.aclose()
    assert sent < total


@pytest.fixture
async def echo_server() -> AsyncIterator[TestServer]:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "path": request.path,
                "query": dict(request.query),
                "host": request.headers.get("x-rapidapi-host"),
                "key": request.headers.get("x-rapidapi-key") == KEY,
            }
        )

    app = web.Application()
    app.router.add_get("/prefix" + PATH, echo)
    server = TestServer(app)
    await server.start_server()
    yield server
    await server.close()


async def test_endpoint_routing_on_a_real_socket(echo_server: TestServer) -> None:
    endpoint = str(echo_server.make_url("/prefix"))
    request = ProviderRequest(HOST, PATH, {"uniqueId": "a b&c=d/é?"})
    async with Gateway(keys=[KEY], endpoint=endpoint) as gw:
        answer = await fetch(gw, request)
        session = gw._loop.http.get()
    assert answer == {
        "path": "/prefix" + PATH,
        "query": {"uniqueId": "a b&c=d/é?"},
        "host": HOST,
        "key": True,
    }
    assert session is not None
    assert session.closed


async def test_borrowed_session_is_not_closed(echo_server: TestServer) -> None:
    async with aiohttp.ClientSession() as session:
        gw = Gateway(keys=[KEY], endpoint=str(echo_server.make_url("/prefix")), session=session)
        assert (await fetch(gw))["key"] is True
        await gw.aclose()
        assert not session.closed
    with pytest.raises(RuntimeError, match="closed"):
        await fetch(gw)


async def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Gateway(keys=[KEY], endpoint=f"http://127.0.0.1:{port}") as gw:
        with pytest.raises(ProviderUnavailable, match="could not be reached"):
            await fetch(gw)
        assert gw.metrics.get(UPSTREAM_CALLS, "tiktok") == 3


async def test_aclose_without_use_is_fine() -> None:
    gw = Gateway(keys=[KEY])
    await gw.aclose()
    await gw.aclose()
    assert URL("https://x")  # nothing was opened
