"""The one request loop: one capped send, the retry loop with a caller's policy and the loop's
injected sleep and clock, one session lent to every caller, and errors built with all their
facts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync import webhooks
from hyperbuds_sync.errors import ProviderUnavailable, QuotaExceeded
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.testing import no_wait
from hyperbuds_sync.transport import (
    ERROR_BODY_CAP,
    Gateway,
    RequestLoop,
    RetryPolicy,
    attempt_timeout,
    default_sleep,
)

TIMEOUT = attempt_timeout(5.0)
SEEN = web.AppKey("seen", list)


async def _big(request: web.Request) -> web.Response:
    status = int(request.query.get("status", "200"))
    return web.Response(status=status, body=b"x" * (ERROR_BODY_CAP + 10))


async def _small(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _flaky(request: web.Request) -> web.Response:
    seen = request.app[SEEN]
    seen.append(request.headers.get("X-HyperBuds-Event-Id"))
    return web.Response(status=503 if len(seen) < 3 else 200)


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app[SEEN] = []
    app.router.add_get("/big", _big)
    app.router.add_get("/small", _small)
    app.router.add_post("/hook", _flaky)
    test_server = TestServer(app)
    await test_server.start_server()
    yield test_server
    await test_server.close()


async def test_one_send_caps_a_2xx_at_its_cap_and_an_error_at_the_error_cap(
    server: TestServer,
) -> None:
    loop = RequestLoop()
    try:
        big = str(server.make_url("/big"))
        over = await loop.send("GET", big, cap=ERROR_BODY_CAP, timeout=TIMEOUT)
        assert (over.status, over.body, over.ok) == (200, None, True)
        roomy = await loop.send("GET", big, cap=10 * ERROR_BODY_CAP, timeout=TIMEOUT)
        assert roomy.body is not None
        assert len(roomy.body) == ERROR_BODY_CAP + 10
        error = await loop.send(
            "GET", big, params={"status": "500"}, cap=10 * ERROR_BODY_CAP, timeout=TIMEOUT
        )
        assert (error.status, error.body, error.ok) == (500, None, False)
    finally:
        await loop.aclose()


async def test_the_retry_loop_waits_with_the_injected_sleep() -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    loop = RequestLoop(sleep=sleep)
    tries: list[int] = []

    async def attempt() -> int:
        tries.append(1)
        if len(tries) < 3:
            raise ProviderUnavailable("down")
        return len(tries)

    assert await loop.call(RetryPolicy.fixed((1.5, 4.0)), (ProviderUnavailable,), attempt) == 3
    assert waited == [1.5, 4.0]


async def test_a_default_sleep_block_gives_its_sleep_to_the_loops_built_in_it_only() -> None:
    async def mine(seconds: float) -> None:
        pass

    async def theirs(seconds: float) -> None:
        pass

    outside = RequestLoop()  # the suite's own block (conftest: no_backoff) is around this test
    with default_sleep(mine):
        inside = RequestLoop()
        own = RequestLoop(sleep=theirs)  # a loop's own sleep wins
        borrower = RequestLoop(outside)  # a borrower keeps its lender's sleep
        in_task = await asyncio.create_task(_built())  # the block holds in its tasks too
    after = RequestLoop()
    assert (inside.sleep, own.sleep, in_task.sleep) == (mine, theirs, mine)
    assert outside.sleep is borrower.sleep is after.sleep is no_wait  # the block undone


async def _built() -> RequestLoop:
    return RequestLoop()


def test_the_loop_tells_the_time_with_its_injected_clock_and_a_borrower_keeps_it() -> None:
    at = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    owner = RequestLoop(clock=lambda: at)
    assert owner.clock() == at
    assert RequestLoop(owner).clock() == at  # borrowed, as its sleep is
    later = at + timedelta(days=1)
    assert RequestLoop(owner, clock=lambda: later).clock() == later
    assert RequestLoop().clock().tzinfo is UTC  # the wall clock, in UTC, by default


async def test_a_borrowed_loop_shares_its_session_and_is_never_closed_by_the_borrower(
    server: TestServer,
) -> None:
    owner = RequestLoop()
    try:
        borrower = RequestLoop(owner)
        answer = await borrower.send(
            "GET", str(server.make_url("/small")), cap=1024, timeout=TIMEOUT
        )
        assert answer.status == 200
        assert borrower.http.get() is owner.http.get()
        await borrower.aclose()
        assert not owner.http.get().closed
    finally:
        await owner.aclose()


async def test_webhooks_retry_through_the_loop_with_its_sleep(server: TestServer) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    loop = RequestLoop(sleep=sleep)
    try:
        url = str(server.make_url("/hook"))
        outcome = await webhooks.send(loop, url, {"id": "e1"}, "s3cret", waits=(2.0, 3.0))
    finally:
        await loop.aclose()
    assert outcome == "delivered"
    assert server.app[SEEN] == ["e1", "e1", "e1"]
    assert waited == [2.0, 3.0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_network_fault_is_raised_with_every_fact_at_once() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    request = ProviderRequest("tiktok-api23.p.rapidapi.com", "/api/user/info", {"uniqueId": "u"})
    async with Gateway(keys=["k" * 40], endpoint=endpoint, retry=RetryPolicy(max_tries=1)) as gw:
        with pytest.raises(ProviderUnavailable) as info:
            await gw.get(request, platform="tiktok", username="u", provider="tiktok-api23")
    error = info.value
    assert (error.platform, error.username, error.provider) == ("tiktok", "u", "tiktok-api23")
    assert error.host == "tiktok-api23.p.rapidapi.com"
    assert isinstance(error.__cause__, aiohttp.ClientError | OSError)


def test_evolved_builds_a_new_error_and_leaves_the_raised_one_alone() -> None:
    first = QuotaExceeded("spent", host="h", platform="tiktok")
    second = first.evolved(provider="tiktok-api23")
    assert type(second) is QuotaExceeded
    assert second is not first
    assert (second.provider, second.host, second.message) == ("tiktok-api23", "h", "spent")
    assert first.provider is None
    with pytest.raises(AttributeError):
        first.evolved(nonsense=1)
