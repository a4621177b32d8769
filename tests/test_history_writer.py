"""The SQLite file writer (``history/_writer.py``): a group commit's transaction on one worker
thread, its rows the ones SQLAlchemy Core stores, one transaction for snapshots and syncs, a
locked file an outage (the next group on a fresh connection), the thread gone after close."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from _history import T0, snap
from sqlalchemy.dialects import sqlite

from hyperbuds_sync import HistoryUnavailable
from hyperbuds_sync.history import Snapshot, SyncRecord, open_store
from hyperbuds_sync.history import _engine as engine_module
from hyperbuds_sync.history._schema import UTCDateTime


def _varied() -> list[Snapshot]:
    """Snapshots that exercise every conversion: raw JSON or none, rounded, engagement None,
    a time with microseconds, a non-ASCII name."""
    return [
        snap(0, 10, raw={"user": {"followers": 10}}, rounded=True),
        snap(1.5, 0, average_engagement=None, total_engagement=None, provider=""),
        snap(2, 2**63 - 1, username="maya_çooks", formula="legacy", following=7),
        snap(3, 5, fetched_at=T0 + timedelta(days=3, microseconds=123_456)),
    ]


async def test_the_writer_stores_what_core_stores(tmp_path: Path) -> None:
    """A file store writes on the writer's thread through the sync engine; a ``:memory:`` store
    through Core: both read back the same snapshots, raw JSON included."""
    threaded = open_store(str(tmp_path / "writer.db"))
    core = open_store(":memory:")
    try:
        assert threaded._writer is not None
        assert core._writer is None
        for store in (threaded, core):
            await store.add(_varied())
            await store.add(_varied())  # a second add of the same keys is a no-op
        names = ("mayacooks", "maya_çooks")
        for name in names:
            mine = await threaded.snapshots("tiktok", name)
            theirs = await core.snapshots("tiktok", name)
            assert mine == theirs
            assert mine
            assert [s.raw for s in mine] == [s.raw for s in theirs]
        stored = await threaded.snapshots("tiktok", "mayacooks")
        assert stored[0].raw == {"user": {"followers": 10}}
        assert stored[0].rounded is True
        assert stored[-1].fetched_at == T0 + timedelta(days=3, microseconds=123_456)
    finally:
        await threaded.aclose()
        await core.aclose()


async def test_a_group_of_snapshots_and_syncs_is_one_transaction(tmp_path: Path) -> None:
    """``write_group`` commits both tables together: a sync row that the database refuses
    (a NOT NULL column) takes the group's snapshots with it."""
    store = open_store(str(tmp_path / "one.db"))
    try:
        sync = SyncRecord(platform="tiktok", username="mayacooks", followers=10, synced_at=T0)
        await store.write_group([snap(0, 10)], [sync])
        assert len(await store.snapshots("tiktok", "mayacooks")) == 1
        assert await store.last_sync("tiktok", "mayacooks") == sync
        refused = SyncRecord(platform="tiktok", followers=1, synced_at=T0)
        object.__setattr__(refused, "platform", None)  # past the checks: the database refuses
        with pytest.raises(Exception, match="NOT NULL"):
            await store.write_group([snap(1, 11)], [refused])
        assert len(await store.snapshots("tiktok", "mayacooks")) == 1  # rolled back together
        await store.add([snap(2, 12)])  # the next group, on a fresh connection
        assert len(await store.snapshots("tiktok", "mayacooks")) == 2
    finally:
        await store.aclose()


async def test_a_locked_file_is_unavailable_then_the_next_group_goes_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the write lock past the busy timeout is an outage
    (``HistoryUnavailable``, what the recorder keeps and retries), not a refused record."""
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "locked.db"
    store = open_store(str(path))
    try:
        await store.setup()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(HistoryUnavailable, match="locked"):
                await store.add([snap(0, 10)])
        finally:
            other.execute("ROLLBACK")
            other.close()
        await store.add([snap(0, 10)])
        assert [s.followers for s in await store.snapshots("tiktok", "mayacooks")] == [10]
    finally:
        await store.aclose()


async def test_close_ends_the_writer_thread(tmp_path: Path) -> None:
    """The worker thread starts with the first group and is gone once the store is closed."""

    def writers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("hyperbuds-history")]

    before = len(writers())
    store = open_store(str(tmp_path / "closed.db"))
    await store.add([snap(0, 10)])
    assert len(writers()) == before + 1
    await store.aclose()
    assert len(writers()) == before


@pytest.mark.parametrize(
    "when",
    [
        T0,
        T0 + timedelta(microseconds=1),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2031, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_sqlite_times_are_stored_as_sqlalchemy_stores_them(when: datetime) -> None:
    """The SQLite text of a time is SQLAlchemy's own ``DATETIME`` text of the naive UTC time,
    so keys and comparisons match the rows written before."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sqlite.DATETIME().bind_processor(dialect)
    assert ours is not None
    assert theirs is not None
    assert ours(when) == theirs(when.astimezone(UTC).replace(tzinfo=None))
    assert ours(None) is None


async def test_a_forked_child_gets_its_own_thread_and_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a fork the parent's thread does not exist in the child: the writer sees the new
    process id and starts its own thread and connection (the parent's are left alone)."""
    store = open_store(str(tmp_path / "forked.db"))
    try:
        await store.add([snap(0, 10)])
        writer = store._writer
        assert writer is not None
        parents, parents_conn = writer._thread, writer._conn
        monkeypatch.setattr("os.getpid", lambda: -1)
        await store.add([snap(1, 11)])
        assert writer._thread is not parents
        assert len(await store.snapshots("tiktok", "mayacooks")) == 2
        assert parents is not None
        assert parents_conn is not None
        parents.submit(parents_conn.close).result()  # the test's "parent" cleans up its own
        parents.shutdown()
    finally:
        await store.aclose()
