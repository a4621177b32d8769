"""The key pool hears an answer's quota headers after its body is read and the response released,
never inside the open HTTP response (issue 10 point 10)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.quota import KeyPool
from hyperbuds_sync.transport import Gateway

KEY = "KEYA-5ecret-0123456789abcdefghijklmnopqrstuvwxyz0123"
HOST = "tiktok-api23.p.rapidapi.com"
PATH = "/api/user/info"
QUOTA = {"x-ratelimit-requests-limit": "100", "x-ratelimit-requests-remaining": "42"}
BODY_DELAY = 0.3  # the body follows the headers this much later


class _TimedPool(KeyPool):
    """A pool noting when it is told an answer's quota."""

    def __init__(self) -> None:
        super().__init__([KEY])
        self.recorded_at: list[float] = []

    async def record(self, host: str, key: str, **quota: Any) -> None:
        self.recorded_at.append(time.monotonic())
        await super().record(host, key, **quota)


async def test_quota_is_recorded_after_the_body_is_read() -> None:
    body_sent_at: list[float] = []

    async def info(request: web.Request) -> web.StreamResponse:
        """The headers first, the body a moment later: the response stays open meanwhile."""
        resp = web.StreamResponse(headers={**QUOTA, "Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(b" ")  # the headers leave now (JSON allows the leading blank)
        await asyncio.sleep(BODY_DELAY)
        body_sent_at.append(time.monotonic())
        await resp.write(b'{"ok": true}')
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get(PATH, info)
    async with TestServer(app, host="127.0.0.1") as server:
        pool = _TimedPool()
        async with Gateway(key_pool=pool, endpoint=str(server.make_url(""))) as gw:
            request = ProviderRequest(HOST, PATH, {"uniqueId": "some_user"})
            body = (await gw.get(request, platform="tiktok", username="some_user")).value
    assert body == {"ok": True}
    assert len(pool.recorded_at) == 1
    assert pool.recorded_at[0] > body_sent_at[0]  # before the fix: at the headers, 0.3 s early
    assert pool.status()[HOST].remaining == 42
