"""Bodies capped everywhere (issue 20): the backend's answers and the Twitch token endpoint's are
read by the transport's one capped reader, as provider answers are, counting decoded bytes.

Real loopback sockets (aioresponses would skip aiohttp's decompression).
"""

from __future__ import annotations

import functools
import gc
import gzip
import json
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync import (
    BackendError,
    BackendUnavailable,
    MalformedPayload,
    ManualEntry,
    SocialSync,
    SyncClient,
)
from hyperbuds_sync.models import SyncPayload
from hyperbuds_sync.testing import TEST_TWITCH_CLIENT_ID, TEST_TWITCH_CLIENT_SECRET

BOMB = 64 * 1024 * 1024  # inflated size of the hostile answer
SUCCESS = json.loads((Path(__file__).parent / "payloads" / "backend-sync-success.json").read_text())


@functools.cache
def _bomb() -> bytes:
    """A JSON object padded to 64 MiB, gzipped: about 64 KiB on the wire."""
    return gzip.compress(b'{"pad":"' + b"a" * (BOMB - 11) + b'"}')


class Hostile:
    """Answers every request with ``body`` (gzip) and ``status``; counts the requests."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        await request.read()
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return web.Response(status=self.status, body=self.body, headers=headers)


@pytest.fixture
async def server() -> AsyncIterator[tuple[Hostile, str]]:
    handler = Hostile()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield handler, str(test_server.make_url("")).rstrip("/")
    await test_server.close()


def _payload() -> SyncPayload:
    return SyncPayload(followers=1200, engagement=3.5)


async def test_a_backend_answer_inflating_past_the_cap_is_refused_in_little_memory(
    server: tuple[Hostile, str],
) -> None:
    handler, url = server
    handler.body = _bomb()
    async with SyncClient(url, "tok") as client:
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(BackendError, match="larger than 4194304 bytes") as info:
                await client.post("tiktok", _payload())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert type(info.value) is BackendError  # not retried as an outage
    assert handler.calls == 1
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


async def test_the_client_holds_the_backend_to_its_max_body_bytes(
    server: tuple[Hostile, str],
) -> None:
    handler, url = server
    body = json.dumps(SUCCESS).encode()
    handler.body = gzip.compress(body)
    cap = (len(handler.body) + len(body)) // 2  # the wire length fits, the decoded one does not
    async with SocialSync(api_url=url, token="tok", max_body_bytes=cap, redis_url="") as sync:
        with pytest.raises(BackendError, match=f"larger than {cap} bytes"):
            await sync.sync("tiktok", ManualEntry(followers=1200, engagement=3.5))
    async with SocialSync(api_url=url, token="tok", redis_url="") as sync:
        result = await sync.sync("tiktok", ManualEntry(followers=1200, engagement=3.5))
    assert result.success


async def test_a_huge_backend_error_body_is_read_only_in_part(
    server: tuple[Hostile, str],
) -> None:
    handler, url = server
    handler.body, handler.status = _bomb(), 503
    async with SyncClient(url, "tok") as client:
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(BackendUnavailable):  # still its status's error, retried as one
                await client.post("tiktok", _payload())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert handler.calls == 3
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_max_body_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        SyncClient("https://example.com", "tok", max_body_bytes=0)


async def test_a_twitch_token_answer_inflating_past_the_cap_is_refused(
    server: tuple[Hostile, str],
) -> None:
    handler, url = server
    handler.body = _bomb()
    async with SocialSync(
        twitch_client_id=TEST_TWITCH_CLIENT_ID,
        twitch_client_secret=TEST_TWITCH_CLIENT_SECRET,
        providers={"twitch": ["twitch-helix"]},
        endpoints={"id.twitch.tv": url, "api.twitch.tv": url},
        redis_url="",
    ) as sync:
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(MalformedPayload, match="token answer is larger than 16384 bytes"):
                await sync.fetch("twitch", "pixelmaya", provider="twitch-helix")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert handler.calls == 1  # the token request only: no Helix call without a token
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
