"""Nothing a fetch returned is lost (issue 20): real processes killed, a real PostgreSQL stopped.

- kill -9 right after 100 fetches returned (16 at a time): every snapshot is in the database,
  on SQLite and on PostgreSQL;
- four processes open one new SQLite file at once: the schema is made once, nothing dropped;
- PostgreSQL stopped while fetches go on: they return their data, reading history raises
  ``HistoryUnavailable``, and once it is back everything kept is written; the first write after
  a restart does not die on a dead pooled connection;
- a roster killed and restarted 6 times (3 at a time) on a budget of 5 calls a day makes at most
  5 calls, counted at the emulator (more lives than calls in the budget: a ledger in memory
  spends its burst in every life; ``bench/history_bench.py`` does 12 lives on 10 a day).

The processes are ``tests/durable_worker.py``; the emulator runs in this test's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from _history import fresh_database
from postgres_server import PostgresServer

from hyperbuds_sync import HistoryUnavailable, SocialSync
from hyperbuds_sync.history import open_store
from hyperbuds_sync.testing import RapidAPIEmulator

WORKER = Path(__file__).with_name("durable_worker.py")
KEY = "durable-test-key-0123456789abcdef"


@pytest.fixture
async def rapidapi() -> AsyncIterator[RapidAPIEmulator]:
    async with RapidAPIEmulator(autogenerate=True) as emulator:
        yield emulator


async def start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def lines_until(proc: asyncio.subprocess.Process, last: Callable[[str], bool]) -> list[str]:
    """The lines ``proc`` prints, up to and with the first that ``last`` accepts (30 s at most)."""
    assert proc.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(30):
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                err = b"" if proc.stderr is None else await proc.stderr.read()
                raise AssertionError(f"the worker ended early: {err.decode()[-2000:]}")
            seen.append(raw.decode().strip())
            if last(seen[-1]):
                return seen


async def kill(proc: asyncio.subprocess.Process) -> None:
    proc.kill()  # SIGKILL: no close, no flush, no finally
    await proc.wait()


async def stored(url: str, names: list[str]) -> int:
    """How many of ``names`` have a Twitch snapshot in ``url``."""
    store = open_store(url)
    try:
        return sum([len(await store.snapshots("twitch", name)) > 0 for name in names])
    finally:
        await store.aclose()


async def kill_after_fetches(rapidapi: RapidAPIEmulator, url: str, count: int) -> list[str]:
    proc = await start("fetch", rapidapi.url, url, str(count), "k")
    returned = await lines_until(proc, lambda line: line == "done")
    await kill(proc)
    return [name for name in returned if name != "done"]


async def test_kill_9_after_fetches_loses_nothing_on_sqlite(
    rapidapi: RapidAPIEmulator, tmp_path: Path
) -> None:
    url = str(tmp_path / "killed.db")
    returned = await kill_after_fetches(rapidapi, url, 100)
    assert len(returned) == 100
    assert await stored(url, returned) == 100


async def test_kill_9_after_fetches_loses_nothing_on_postgres(
    rapidapi: RapidAPIEmulator, pg_server: PostgresServer
) -> None:
    url = await fresh_database(pg_server)
    returned = await kill_after_fetches(rapidapi, url, 100)
    assert len(returned) == 100
    assert await stored(url, returned) == 100


async def test_four_processes_open_one_new_sqlite_file_at_once(
    rapidapi: RapidAPIEmulator, tmp_path: Path
) -> None:
    url = str(tmp_path / "new.db")
    procs = [await start("open", rapidapi.url, url, "10", f"p{n}x") for n in range(4)]
    outputs = await asyncio.gather(*(proc.communicate() for proc in procs))
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
        assert "history store" not in err.decode(), err.decode()[-2000:]  # no outage, no drop
    names = [f"p{n}x{i}" for n in range(4) for i in range(10)]
    assert await stored(url, names) == 40


async def test_postgres_stopped_then_started_loses_nothing(
    rapidapi: RapidAPIEmulator, pg_server: PostgresServer
) -> None:
    pg, url = pg_server, await fresh_database(pg_server)  # the session's server, halted a while
    with _started_again(pg):
        async with SocialSync(
            rapidapi_key=KEY, rapidapi_endpoint=rapidapi.url, redis_url="", history_url=url
        ) as sync:
            assert sync._history is not None
            sync._history.commits.kept.retry_max = 0.5  # the test's outage is short
            before = [f"b{i}" for i in range(10)]
            await asyncio.gather(*(sync.fetch("twitch", n, refresh=True) for n in before))
            await asyncio.to_thread(pg.halt)
            during = [f"d{i}" for i in range(30)]
            found = await asyncio.gather(*(sync.fetch("twitch", n, refresh=True) for n in during))
            assert all(data.followers > 0 for data in found)  # fetches return their data
            assert sync.metrics.gauge("history_pending") == 30
            with pytest.raises(HistoryUnavailable, match="cannot be reached"):
                await sync.history("twitch", "b0")
            await asyncio.to_thread(pg.resume)
            async with asyncio.timeout(30):
                await sync._history.caught_up()
            assert sync.metrics.gauge("history_pending") == 0
            assert len(await sync.history("twitch", "d0")) == 1
            # a restart nobody noticed: the pool holds dead connections; the first write checks
            await asyncio.to_thread(pg.halt)
            await asyncio.to_thread(pg.resume)
            await sync.fetch("twitch", "after", refresh=True)
            assert sync.metrics.gauge("history_pending") == 0  # committed, not kept
            assert sync.metrics.get("history_dropped") == 0
        assert await stored(url, [*before, *during, "after"]) == 41


@contextlib.contextmanager
def _started_again(pg: PostgresServer) -> Iterator[None]:
    """Leave the session's server running for the next tests, even when this one fails halted."""
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # already running: pg_ctl start refuses, harmlessly
            pg.resume()


async def test_a_restarted_roster_never_spends_past_its_budget(
    rapidapi: RapidAPIEmulator, tmp_path: Path
) -> None:
    url = str(tmp_path / "roster.db")
    answers: list[str] = []
    for _round in range(2):  # 6 lives, 3 at once: a crash loop and rosters side by side
        procs = [await start("roster", rapidapi.url, url, "5") for _ in range(3)]

        async def life(proc: asyncio.subprocess.Process) -> None:
            seen = await lines_until(proc, lambda line: line in ("refreshed", "asked False"))
            answers.extend(seen)
            await kill(proc)

        await asyncio.gather(*(life(proc) for proc in procs))
    assert answers.count("asked True") >= 1  # the rosters did try to spend
    assert answers.count("asked False") >= 5  # and each life after the burst was refused
    assert 1 <= rapidapi.calls <= 5
