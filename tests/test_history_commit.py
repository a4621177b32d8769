"""The group commit on its own (``hyperbuds_sync.history._commit``), a list standing in for the
database: callers wait for the commit holding their record, share transactions, go on while the
database is away (one warning per outage), and what is kept is written when it is back."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from hyperbuds_sync.errors import HistoryUnavailable
from hyperbuds_sync.history import Snapshot
from hyperbuds_sync.history._commit import GroupCommit, Record
from hyperbuds_sync.metrics import Metrics


def snap(i: int) -> Snapshot:
    return Snapshot(platform="twitch", username=f"c{i}", fetched_at=datetime.now(UTC), followers=i)


class Database:
    """Commits records into ``rows``; ``down`` makes it unreachable, ``refuse`` a bad record."""

    def __init__(self) -> None:
        self.rows: list[Record] = []
        self.commits = 0
        self.down = False
        self.refuse: set[str] = set()

    async def write(self, batch: list[Record]) -> None:
        await asyncio.sleep(0.001)
        if self.down:
            raise HistoryUnavailable("the history database cannot be reached (refused)")
        if any(isinstance(r, Snapshot) and r.username in self.refuse for r in batch):
            raise ValueError("value too long for type character varying(128)")
        self.commits += 1
        self.rows += batch


async def test_each_caller_returns_once_its_record_is_committed_in_a_shared_commit() -> None:
    db = Database()
    commits = GroupCommit(db.write, delay=0.002)
    seen: list[bool] = []

    async def fetch(i: int) -> None:
        record = snap(i)
        await commits.commit(record)
        seen.append(record in db.rows)  # committed before the caller goes on

    await asyncio.gather(*(fetch(i) for i in range(64)))
    assert seen == [True] * 64
    assert db.commits <= 4  # 64 callers, a few transactions


async def test_an_outage_keeps_records_warns_once_and_writes_them_when_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db, metrics = Database(), Metrics()
    commits = GroupCommit(db.write, metrics=metrics, retry_max=0.02, delay=0)
    db.down = True
    with caplog.at_level(logging.INFO, logger="hyperbuds_sync.history"):
        for wave in range(3):  # three batches while it is down: still one outage
            await asyncio.gather(*(commits.commit(snap(wave * 10 + i)) for i in range(10)))
        assert commits.down
        assert metrics.gauge("history_pending") == 30
        await commits.flush()  # does not wait for the outage
        db.down = False
        async with asyncio.timeout(5):
            await commits.caught_up()
    assert len(db.rows) == 30
    assert metrics.gauge("history_pending") == 0
    assert metrics.get("history_kept") == metrics.get("history_written_late") == 30
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable (HistoryUnavailable)" in warnings[0].getMessage()
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    await commits.aclose()


async def test_a_refused_record_is_dropped_alone(caplog: pytest.LogCaptureFixture) -> None:
    db, metrics = Database(), Metrics()
    db.refuse = {"c3"}
    commits = GroupCommit(db.write, metrics=metrics, delay=0.002)
    with caplog.at_level(logging.WARNING, logger="hyperbuds_sync.history"):
        await asyncio.gather(*(commits.commit(snap(i)) for i in range(8)))
    assert sorted(r.username for r in db.rows if isinstance(r, Snapshot)) == [
        f"c{i}" for i in range(8) if i != 3
    ]
    assert metrics.get("history_dropped") == 1
    assert "refused 1 record(s) (ValueError)" in caplog.text


async def test_the_buffer_is_bounded_and_close_gives_up_within_its_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    db, metrics = Database(), Metrics()
    db.down = True
    commits = GroupCommit(db.write, metrics=metrics, limit=5, delay=0)
    with caplog.at_level(logging.WARNING, logger="hyperbuds_sync.history"):
        for i in range(8):
            await commits.commit(snap(i))
        assert commits.pending == 5
        assert metrics.get("history_dropped") == 3  # the newest, past the limit
        loop = asyncio.get_running_loop()
        started = loop.time()
        lost = await commits.aclose(0.3)
        assert loop.time() - started < 2
    assert lost == 5
    assert metrics.get("history_dropped") == 8
    assert metrics.gauge("history_pending") == 0
    assert "at close: 5 records not written" in caplog.text


async def test_a_hanging_database_holds_each_caller_once_at_most() -> None:
    hang = asyncio.Event()

    async def write(batch: list[Record]) -> None:
        await hang.wait()  # a host that drops packets: nothing answers

    commits = GroupCommit(write, commit_wait=0.1, delay=0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await commits.commit(snap(0))  # released after commit_wait, its record still on its way
    first = loop.time() - started
    await asyncio.gather(*(commits.commit(snap(i)) for i in range(1, 20)))
    rest = loop.time() - started - first
    assert 0.1 <= first < 1
    assert rest < 0.05  # the next callers see the hang and go on at once
    hang.set()
    await commits.flush()
    assert await commits.aclose(1) == 0
