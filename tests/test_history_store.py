"""The history store contract, run on SQLite and on a real PostgreSQL server; schema upgrades;
the growth formula; URLs."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
import sqlalchemy as sa
from _history import T0, snap

from hyperbuds_sync import ConfigError, InvalidInput
from hyperbuds_sync.history import (
    HistoryStore,
    Snapshot,
    SyncRecord,
    open_store,
    resolve_url,
)
from hyperbuds_sync.history._schema import SCHEMA_VERSION
from hyperbuds_sync.history._store import SQLHistoryStore


@pytest_asyncio.fixture
async def store(store_url: str) -> AsyncIterator[SQLHistoryStore]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        await opened.aclose()


# --- the contract ---------------------------------------------------------------------------------


async def test_a_store_is_a_history_store(store: SQLHistoryStore) -> None:
    assert isinstance(store, HistoryStore)
    assert await store.snapshots("tiktok", "nobody") == []


async def test_add_then_read_oldest_first_with_every_field(store: SQLHistoryStore) -> None:
    full = snap(2, 300, following=7, total_content=9, total_engagement=12.5, formula="rate")
    full = Snapshot(**{**_fields(full), "rounded": True, "raw": {"a": [1, 2]}})
    await store.add([snap(3, 400), full, snap(1, 200)])
    got = await store.snapshots("tiktok", "mayacooks")
    assert [s.followers for s in got] == [200, 300, 400]
    assert got[1] == full
    assert got[1].fetched_at.tzinfo is not None
    assert got[1].raw == {"a": [1, 2]}
    assert got[0].raw is None


async def test_readding_the_same_snapshot_is_a_no_op(store: SQLHistoryStore) -> None:
    batch = [snap(d, 100 + d) for d in range(5)]
    await store.add(batch)
    await store.add(batch)
    await store.add([batch[2], snap(9, 999)])
    got = await store.snapshots("tiktok", "mayacooks")
    assert [s.followers for s in got] == [100, 101, 102, 103, 104, 999]


async def test_another_provider_at_the_same_moment_is_another_snapshot(
    store: SQLHistoryStore,
) -> None:
    await store.add([snap(0, 100), snap(0, 101, provider="tiktok-api45")])
    assert len(await store.snapshots("tiktok", "mayacooks")) == 2


async def test_since_until_and_limit(store: SQLHistoryStore) -> None:
    await store.add([snap(d, 100 + d) for d in range(10)])
    await store.add([snap(3, 5, username="other")])
    window = await store.snapshots(
        "tiktok", "mayacooks", since=T0 + timedelta(days=2), until=T0 + timedelta(days=5)
    )
    assert [s.followers for s in window] == [102, 103, 104, 105]
    latest = await store.snapshots("tiktok", "mayacooks", limit=3)
    assert [s.followers for s in latest] == [107, 108, 109]


async def test_growth_starts_at_the_latest_snapshot_at_or_before_end_minus_days(
    store: SQLHistoryStore,
) -> None:
    # Days 0, 1.5, 5, 6 and 8, the end at day 8.
    await store.add([snap(0, 1000), snap(1.5, 1100), snap(5, 0), snap(6, 1200), snap(8, 1500)])
    growth = await store.growth("tiktok", "mayacooks", windows=(1, 3, 7, 30))
    assert growth.end is not None
    assert growth.end.followers == 1500
    one, three, seven, month = (growth.windows[d] for d in (1, 3, 7, 30))
    assert one.start is not None
    assert one.start.followers == 1200
    assert one.followers_change == 300
    assert one.followers_change_pct == pytest.approx(25.0)
    assert one.engagement_change == pytest.approx(3.0)
    assert three.start is not None
    assert three.start.followers == 0
    assert three.followers_change == 1500
    assert three.followers_change_pct is None
    assert seven.start is not None
    assert seven.start.fetched_at == T0
    assert seven.followers_change == 500
    assert seven.followers_change_pct == pytest.approx(50.0)
    assert month.start is None
    assert month.followers_change is None
    assert month.followers_change_pct is None
    assert month.engagement_change is None


async def test_growth_engagement_change_is_none_when_either_side_is(
    store: SQLHistoryStore,
) -> None:
    await store.add([snap(0, 100, average_engagement=None), snap(2, 150)])
    window = (await store.growth("tiktok", "mayacooks", windows=(1,))).windows[1]
    assert window.followers_change == 50
    assert window.engagement_change is None


async def test_growth_without_snapshots_and_at_a_past_moment(store: SQLHistoryStore) -> None:
    empty = await store.growth("tiktok", "mayacooks")
    assert empty.end is None
    assert set(empty.windows) == {1, 7, 30, 90}
    assert all(w.start is None and w.followers_change is None for w in empty.windows.values())
    await store.add([snap(d, 100 * (d + 1)) for d in range(10)])
    past = await store.growth("tiktok", "mayacooks", windows=(2,), at=T0 + timedelta(days=4))
    assert past.end is not None
    assert past.end.followers == 500
    assert past.windows[2].followers_change == 200


async def test_record_and_read_last_sync(store: SQLHistoryStore) -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    records = [
        SyncRecord(platform="tiktok", username="a", followers=500, synced_at=at),
        SyncRecord(platform="tiktok", username="a", followers=0, synced_at=at + timedelta(1)),
        SyncRecord(platform="tiktok", username="b", followers=9, synced_at=at + timedelta(2)),
        SyncRecord(platform="twitch", followers=7, engagement=1.5, synced_at=at + timedelta(3)),
    ]
    await store.record_sync(records)
    assert await store.last_sync("tiktok") == records[2]
    assert await store.last_sync("tiktok", "a") == records[1]
    assert await store.last_sync("tiktok", "a", good=True) == records[0]
    assert await store.last_sync("twitch") == records[3]
    assert await store.last_sync("instagram") is None


async def test_prune_deletes_what_is_older(store: SQLHistoryStore) -> None:
    await store.add([snap(d, d) for d in range(10)])
    old = SyncRecord(platform="tiktok", followers=1, synced_at=T0)
    await store.record_sync(
        [old, SyncRecord(platform="tiktok", followers=2, synced_at=T0 + timedelta(9))]
    )
    assert await store.prune(older_than=T0 + timedelta(days=5)) == 5 + 1
    assert [s.followers for s in await store.snapshots("tiktok", "mayacooks")] == [5, 6, 7, 8, 9]
    assert await store.prune(older_than=timedelta(days=1)) == 5 + 1  # all of 2025 is old now
    assert await store.last_sync("tiktok") is None


async def test_setup_reports_a_fresh_database_then_the_current_version(
    store: SQLHistoryStore,
) -> None:
    assert await store.setup() == 0
    assert await store.setup() == SCHEMA_VERSION


# --- schema upgrade -------------------------------------------------------------------------------

V1 = """
CREATE TABLE hyperbuds_schema (version INTEGER NOT NULL);
INSERT INTO hyperbuds_schema VALUES (1);
CREATE TABLE snapshots (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, platform VARCHAR(32) NOT NULL,
    username VARCHAR(128) NOT NULL, provider VARCHAR(64) DEFAULT '' NOT NULL,
    fetched_at DATETIME NOT NULL, followers BIGINT NOT NULL, following BIGINT NOT NULL,
    total_content BIGINT NOT NULL, total_engagement FLOAT, average_engagement FLOAT,
    formula VARCHAR(64) DEFAULT '' NOT NULL, rounded BOOLEAN NOT NULL,
    CONSTRAINT uq_snapshots_key UNIQUE (platform, username, provider, fetched_at));
CREATE TABLE syncs (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, platform VARCHAR(32) NOT NULL,
    username VARCHAR(128), followers BIGINT, engagement FLOAT, synced_at DATETIME NOT NULL,
    total_followers BIGINT, avg_engagement FLOAT);
CREATE INDEX ix_syncs_platform_time ON syncs (platform, synced_at);
INSERT INTO snapshots (platform, username, provider, fetched_at, followers, following,
    total_content, total_engagement, average_engagement, formula, rounded)
    VALUES ('tiktok', 'mayacooks', 'tiktok-api23', '2025-03-01 12:00:00.000000', 1000, 1, 2,
    3.0, 4.0, 'legacy', 0);
"""


async def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1)
    store = open_store(str(path))
    try:
        assert await store.setup() == 1
        old = await store.snapshots("tiktok", "mayacooks")
        assert [(s.followers, s.fetched_at, s.formula, s.raw) for s in old] == [
            (1000, T0, "legacy", None)
        ]
        await store.add([snap(1, 1100, raw={"kept": True})])
        got = await store.snapshots("tiktok", "mayacooks")
        assert got[-1].raw == {"kept": True}
        growth = await store.growth("tiktok", "mayacooks", windows=(1,))
        assert growth.windows[1].followers_change == 100
    finally:
        await store.aclose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM hyperbuds_schema").fetchall() == [
            (SCHEMA_VERSION,)
        ]
        indexes = {row[1] for row in conn.execute("PRAGMA index_list('snapshots')")}
    assert "ix_snapshots_creator_time" in indexes


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v9.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE hyperbuds_schema (version INTEGER)")
        conn.execute("INSERT INTO hyperbuds_schema VALUES (9)")
    store = open_store(str(path))
    try:
        with pytest.raises(ConfigError, match="schema version 9"):
            await store.snapshots("tiktok", "x")
    finally:
        await store.aclose()


# --- records, URLs -----------------------------------------------------------------------------


def _fields(s: Snapshot) -> dict[str, object]:
    import attrs

    return attrs.asdict(s, recurse=False)


def test_snapshot_needs_an_aware_time_and_keeps_it_in_utc() -> None:
    with pytest.raises(InvalidInput, match="no timezone"):
        Snapshot(platform="x", username="y", fetched_at=datetime(2025, 1, 1), followers=1)
    paris = datetime(2025, 1, 1, 13, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    s = Snapshot(platform="x", username="y", fetched_at=paris, followers=1)
    assert s.fetched_at == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert s.fetched_at.tzinfo is UTC
    assert s.provider == ""
    assert s.formula == ""
    assert s.rounded is False
    with pytest.raises(TypeError):
        Snapshot("x", "y", paris, 1)  # type: ignore[misc]


async def test_bad_windows_are_refused() -> None:
    store = open_store(":memory:")
    try:
        with pytest.raises(InvalidInput, match="whole days"):
            await store.growth("tiktok", "x", windows=(0,))
    finally:
        await store.aclose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (":memory:", "sqlite+aiosqlite:///:memory:"),
        ("/tmp/h.db", "sqlite+aiosqlite:////tmp/h.db"),
        ("sqlite:///h.db", "sqlite+aiosqlite:///h.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_resolve_url(given: str, expected: str) -> None:
    assert resolve_url(given) == expected


def test_default_is_a_file_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_url("default") == f"sqlite+aiosqlite:///{tmp_path}/hyperbuds-sync/history.db"
    assert (tmp_path / "hyperbuds-sync").is_dir()


def test_other_databases_and_empty_urls_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="not mysql"):
        open_store("mysql://u@h/db")
    with pytest.raises(ConfigError, match="empty"):
        open_store("  ")


def test_repr_hides_the_password() -> None:
    store = open_store("postgresql+asyncpg://user:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in repr(store)


async def test_a_version_4_database_gains_the_budget_ledger(store_url: str) -> None:
    from hyperbuds_sync.history._schema import budget_ledger, version_table

    store = open_store(store_url)
    try:
        await store.setup()
        async with store.engine.begin() as conn:  # what a version 4 database is
            await conn.run_sync(budget_ledger.drop)
            await conn.execute(version_table.update().values(version=4))
        assert await store.setup() == 4
        async with store.engine.begin() as conn:
            found = await conn.run_sync(lambda sync: sa.inspect(sync).has_table("budget_ledger"))
        assert found
        assert await store.setup() == SCHEMA_VERSION
    finally:
        await store.aclose()
