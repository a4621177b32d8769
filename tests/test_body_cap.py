"""The body cap counts DECODED bytes, whatever the Content-Encoding, read incrementally: a small
gzip answer that inflates past the cap is refused without being inflated whole (issue 10.4).
Real loopback sockets: aioresponses would skip aiohttp's decompression."""

from __future__ import annotations

import gc
import gzip
import json
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from hyperbuds_sync import MalformedPayload, SocialSync
from hyperbuds_sync.testing import TEST_KEY

BOMB = 64 * 1024 * 1024  # inflated size of the hostile answer
TIKTOK = json.loads((Path(__file__).parent / "payloads" / "tiktok-user.json").read_text())
ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
}


def _bomb(encoding: str) -> bytes:
    """A JSON object padded to 64 MiB, encoded: about 64 KiB on the wire."""
    pad = b'{"pad":"' + b"a" * (BOMB - 11) + b'"}'
    return ENCODERS[encoding](pad)


class Encoded:
    """Answers every GET with ``body`` under ``Content-Encoding: encoding`` (sent as given)."""

    def __init__(self) -> None:
        self.body = b""
        self.encoding = "gzip"
        self.calls = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        headers = {"Content-Encoding": self.encoding, "Content-Type": "application/json"}
        return web.Response(body=self.body, headers=headers)


@pytest.fixture
async def server() -> AsyncIterator[tuple[Encoded, str]]:
    handler = Encoded()
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield handler, str(test_server.make_url("")).rstrip("/")
    await test_server.close()


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
async def test_an_encoded_answer_inflating_past_the_cap_is_refused_in_little_memory(
    server: tuple[Encoded, str], encoding: str
) -> None:
    handler, url = server
    handler.body, handler.encoding = _bomb(encoding), encoding
    assert len(handler.body) < 256 * 1024  # small on the wire, under the 4 MiB cap
    async with SocialSync(rapidapi_key=TEST_KEY, rapidapi_endpoint=url, max_tries=1) as sync:
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(MalformedPayload, match="larger than 4194304 bytes"):
                await sync.fetch("tiktok", "bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert handler.calls == 1  # refused, not retried
    assert peak < 12 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"  # the cap plus a few chunks


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
async def test_an_encoded_answer_under_the_cap_is_read(
    server: tuple[Encoded, str], encoding: str
) -> None:
    handler, url = server
    handler.body, handler.encoding = ENCODERS[encoding](json.dumps(TIKTOK).encode()), encoding
    async with SocialSync(rapidapi_key=TEST_KEY, rapidapi_endpoint=url) as sync:
        data = await sync.fetch("tiktok", "someone")
    assert data.followers > 0


async def test_the_cap_counts_decoded_bytes_not_the_wire_length(
    server: tuple[Encoded, str],
) -> None:
    handler, url = server
    body = json.dumps(TIKTOK).encode()
    handler.body = gzip.compress(body)
    cap = (len(handler.body) + len(body)) // 2  # the wire length fits, the decoded one does not
    async with SocialSync(rapidapi_key=TEST_KEY, rapidapi_endpoint=url, max_body_bytes=cap) as sync:
        with pytest.raises(MalformedPayload, match="larger than"):
            await sync.fetch("tiktok", "someone")
