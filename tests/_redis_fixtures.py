"""The Redis fixtures the shared-state test modules import: one server for the session (a test
that stops it starts it again), emptied before each test that asks for its URL
(``from _redis_fixtures import redis_server, redis_url``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis
from redis_server import RedisServer, redis_or_skip

__all__ = ["redis_server", "redis_url"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the session (skipped without the binary; failed in CI)."""
    with RedisServer(redis_or_skip()) as server:
        yield server


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    """The server's URL, emptied before the test."""
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    return redis_server.url
