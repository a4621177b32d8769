"""Fixtures of the history tests: a PostgreSQL server for the session, a fresh database per
test, and the ``store_url`` parameter that runs a test on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from postgres_server import PostgresServer, postgres_or_skip

from hyperbuds_sync.history import Snapshot

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (skipped without binaries, failed in CI)."""
    bin_dir = postgres_or_skip()
    with PostgresServer(bin_dir) as server:
        yield server


# Emptied databases per server port, handed out again by fresh_database: CREATE DATABASE copies
# 7.5 MB (0.1-0.2 s, and the session's teardown deletes every copy), an emptied schema is a few ms.
_EMPTIED: dict[int, list[str]] = {}


async def fresh_database(server: PostgresServer) -> str:
    """An empty database on ``server`` (new, or one :func:`store_url` emptied); its URL."""
    import asyncpg

    emptied = _EMPTIED.get(server.port)
    if emptied:
        return server.url(emptied.pop())
    name = f"h_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server.dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.url(name)


async def _empty_for_the_next_test(server: PostgresServer, name: str) -> None:
    """Drop everything the test made in database ``name`` (its connections closed first), and
    keep the database for :func:`fresh_database`; a server the test left stopped keeps nothing."""
    import asyncpg

    try:
        conn = await asyncpg.connect(server.dsn.rsplit("/", 1)[0] + f"/{name}")
    except (OSError, asyncpg.PostgresError):
        return
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    _EMPTIED.setdefault(server.port, []).append(name)


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A history URL on an empty database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'history.db'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = await fresh_database(server)
    yield url
    await _empty_for_the_next_test(server, url.rsplit("/", 1)[1])


def snap(day: float, followers: int, *, username: str = "mayacooks", **fields: object) -> Snapshot:
    """A TikTok snapshot ``day`` days after :data:`T0`."""
    values: dict[str, object] = {
        "platform": "tiktok",
        "username": username,
        "provider": "tiktok-api23",
        "fetched_at": T0 + timedelta(days=day),
        "followers": followers,
        "average_engagement": followers / 100,
        **fields,
    }
    return Snapshot(**values)  # type: ignore[arg-type]
