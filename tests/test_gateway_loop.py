"""The gateway on a real socket: the query the provider receives, the headers per key and host,
the retry loop's counts and the debug line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync.errors import ProviderUnavailable
from hyperbuds_sync.metrics import RETRIES, UPSTREAM_CALLS
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.transport import Gateway, RetryPolicy

KEY = "KEYA-5ecret-0123456789abcdefghijklmnopqrstuvwxyz0123"
KEY_B = "KEYB-5ecret-zyxwvutsrqponmlkjihgfedcba9876543210zz"
HOST = "tiktok-api23.p.rapidapi.com"
PATH = "/api/user/info"


class Echo:
    """A loopback server answering each GET with what it received; ``fail`` 503s come first."""

    def __init__(self) -> None:
        self.fail = 0
        self.seen: list[web.Request] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request)
        if self.fail:
            self.fail -= 1
            return web.Response(status=503, text="down")
        return web.json_response(
            {
                "path": request.raw_path.partition("?")[0],
                "query": list(request.query.items()),
                "key": request.headers.get("x-rapidapi-key"),
                "host": request.headers.get("x-rapidapi-host"),
                "accept": request.headers.get("accept"),
            },
            headers={"x-rapidapi-request-id": "req-42"},
        )


@pytest.fixture
async def echo() -> AsyncIterator[tuple[Echo, TestServer]]:
    handler = Echo()
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler.handle)
    server = TestServer(app)
    await server.start_server()
    yield handler, server
    await server.close()


async def get(gw: Gateway, request: ProviderRequest) -> Any:
    return (await gw.get(request, platform="tiktok", username="u")).value


@pytest.mark.parametrize(
    "value",
    ["plain_user.name-1~", "a b&c=d/é?", "100%+#", "ユーザー", "", "=&;,"],
)
async def test_query_decodes_as_params_would(echo: tuple[Echo, TestServer], value: str) -> None:
    _, server = echo
    request = ProviderRequest(HOST, PATH, {"uniqueId": value, "with space": "x"})
    async with Gateway(keys=[KEY], endpoint=str(server.make_url("/p"))) as gw:
        answer = await get(gw, request)
    assert answer["path"] == "/p" + PATH
    assert answer["query"] == [["uniqueId", value], ["with space", "x"]]


async def test_each_key_and_host_has_its_own_headers(
    echo: tuple[Echo, TestServer],
) -> None:
    handler, server = echo
    async with Gateway(keys=[KEY, KEY_B], endpoint=str(server.make_url(""))) as gw:
        for _ in range(2):
            await get(gw, ProviderRequest(HOST, PATH, {"uniqueId": "u"}))
        await get(gw, ProviderRequest("other.p.rapidapi.com", PATH, {"uniqueId": "u"}))
    sent = [(r.headers["x-rapidapi-key"], r.headers["x-rapidapi-host"]) for r in handler.seen]
    assert sent == [(KEY, HOST), (KEY_B, HOST), (KEY, "other.p.rapidapi.com")]
    assert all(r.headers["accept"] == "application/json" for r in handler.seen)


async def test_retryable_errors_go_round_the_one_loop(
    echo: tuple[Echo, TestServer],
) -> None:
    handler, server = echo
    handler.fail = 2
    async with Gateway(keys=[KEY], endpoint=str(server.make_url(""))) as gw:
        assert (await get(gw, ProviderRequest(HOST, PATH, {"uniqueId": "u"})))["key"] == KEY
        assert len(handler.seen) == 3
        assert gw.metrics.get(RETRIES, "tiktok") == 2
        assert gw.metrics.get(UPSTREAM_CALLS, "tiktok") == 3


async def test_one_try_policy_raises_the_first_error_unretried(
    echo: tuple[Echo, TestServer],
) -> None:
    handler, server = echo
    handler.fail = 5
    policy = RetryPolicy(max_tries=1)
    async with Gateway(keys=[KEY], endpoint=str(server.make_url("")), retry=policy) as gw:
        with pytest.raises(ProviderUnavailable) as info:
            await get(gw, ProviderRequest(HOST, PATH, {"uniqueId": "u"}))
        assert len(handler.seen) == 1
        assert gw.metrics.get(RETRIES) == 0
        assert gw.metrics.get("errors.ProviderUnavailable", "tiktok") == 1
    assert info.value.status == 503
    assert info.value.__context__ is None


async def test_debug_line_still_names_the_request_id(
    echo: tuple[Echo, TestServer], caplog: pytest.LogCaptureFixture
) -> None:
    _, server = echo
    async with Gateway(keys=[KEY], endpoint=str(server.make_url(""))) as gw:
        with caplog.at_level(logging.DEBUG, logger="hyperbuds_sync"):
            await get(gw, ProviderRequest(HOST, PATH, {"uniqueId": "u"}))
        (record,) = caplog.records
        assert record.getMessage() == (f"GET {HOST}{PATH} for tiktok -> 200 (request id req-42)")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="hyperbuds_sync"):
            await get(gw, ProviderRequest(HOST, PATH, {"uniqueId": "u"}))
        assert caplog.records == []
