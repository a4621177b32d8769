""":class:`GroupCommit`: records written as a database does it, and kept while it is away.

Group commit: a caller's record joins the group being gathered and the caller waits for the
commit that holds it. One writer task commits a group at a time, :data:`COMMIT_DELAY` after its
first record; whatever arrives meanwhile forms the next group, so 64 fetches in flight share a
few transactions instead of 64, and no caller is told "done" before its record is committed.

When the database cannot be reached (:func:`._faults.unavailable`), the group is *kept*
(:class:`._kept.Kept`: bounded in size and age, counted, one warning per outage) and its callers
go on; records arriving during the outage are kept straight away, without waiting. The writer
tries the kept records again with exponential backoff (``backoff.expo``), oldest first, and
commits new groups again once nothing is kept. A record the database refuses for itself (not an
outage) is dropped alone, the rest of its group written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ._faults import unavailable
from ._kept import DROPPED, PENDING_AGE, PENDING_LIMIT, RETRY_MAX, Kept, Record

if TYPE_CHECKING:
    from ..metrics import Metrics

__all__ = [
    "BATCH",
    "CLOSE_WAIT",
    "COMMIT_DELAY",
    "COMMIT_WAIT",
    "GroupCommit",
    "Record",
]

log = logging.getLogger("hyperbuds_sync.history")

Write = Callable[[list[Record]], Awaitable[None]]
Waiting = list[tuple[Record, "asyncio.Future[None] | None"]]

BATCH = 500
"""At most this many records per transaction."""
COMMIT_DELAY = 0.005
"""Seconds the writer waits before a commit for more records to join its group (PostgreSQL's
``commit_delay``, for the same reason): a transaction has a cost whatever it holds. On an SQLite
file, through the store's writer thread, about 480k instructions (one thread hop, ``BEGIN
IMMEDIATE``, commit; through aiosqlite's eight hops it was about 750 us of CPU), against about
80k a snapshot in it. At 64 fetches in flight against the emulator the groups hold 30 to 40
snapshots with this delay, so the transaction is about a tenth of the history's cost a fetch, for
5 ms more a fetch (a provider takes hundreds)."""
COMMIT_WAIT = 5.0
"""Seconds a caller waits for its commit at most; past that it goes on, its record still on its
way (committed, or kept if the database turns out to be away)."""
CLOSE_WAIT = 10.0
"""Seconds :meth:`GroupCommit.aclose` gives kept records to reach the database."""


def _release(group: Waiting) -> None:
    """Let the callers of ``group`` go on."""
    for _, waiter in group:
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class GroupCommit:
    """Commits records in groups through ``write`` (see the module's docstring)."""

    def __init__(
        self,
        write: Write,
        *,
        metrics: Metrics | None = None,
        limit: int = PENDING_LIMIT,
        max_age: float = PENDING_AGE,
        retry_max: float = RETRY_MAX,
        commit_wait: float = COMMIT_WAIT,
        delay: float = COMMIT_DELAY,
    ) -> None:
        self._write = write
        self.kept = Kept(metrics=metrics, limit=limit, max_age=max_age, retry_max=retry_max)
        self.commit_wait = commit_wait
        self.delay = delay
        self._group: Waiting = []
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._nudge = asyncio.Event()
        self._inflight = 0  # records in the transaction under way, since the monotonic time
        self._since = 0.0
        self._closing = False
        self.groups = 0
        """Groups committed (transactions), for the mean group size beside :attr:`committed`."""
        self.committed = 0
        """Records committed in those groups."""

    @property
    def metrics(self) -> Metrics | None:
        """Where the kept, written-late and dropped records are counted."""
        return self.kept.metrics

    @metrics.setter
    def metrics(self, metrics: Metrics | None) -> None:
        self.kept.metrics = metrics

    @property
    def pending(self) -> int:
        """Records kept for a database that is away."""
        return len(self.kept)

    @property
    def down(self) -> bool:
        """Whether the database was found unreachable and has not answered since."""
        return self.kept.down

    # --- adding ----------------------------------------------------------------------------------

    async def commit(self, record: Record) -> None:
        """Return once ``record`` is committed, or kept because the database is away (or after
        :attr:`commit_wait` seconds, the record still on its way)."""
        if self.kept.down:
            self._keep([record])
            return
        if self._inflight and time.monotonic() - self._since > self.commit_wait:
            self.put(record)  # the database hangs: callers do not each wait for it
            return
        waiter = asyncio.get_running_loop().create_future()
        self._group.append((record, waiter))
        self._idle.clear()
        self._start()
        await waiter

    def put(self, record: Record) -> None:
        """Add ``record`` to the next group without waiting for its commit."""
        if self.kept.down:
            self._keep([record])
            return
        self._group.append((record, None))
        self._idle.clear()
        self._start()

    async def flush(self) -> None:
        """Wait until every record added so far is committed or kept."""
        await self._idle.wait()

    async def caught_up(self) -> None:
        """Wait until the database is reachable and nothing is kept for it any more."""
        await self.kept.reachable.wait()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def _keep(self, records: list[Record]) -> None:
        self.kept.keep(records)
        if len(self.kept):
            self._start()

    # --- the writer ------------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while self._group or len(self.kept):
                if len(self.kept):
                    await self._retry()
                else:
                    await self._commit_group()
        finally:
            _release(self._group)
            if not self._group:
                self._idle.set()

    async def _commit_group(self) -> None:
        if self.delay and len(self._group) < BATCH and not self._closing:
            await asyncio.sleep(self.delay)
        group, self._group = self._group[:BATCH], self._group[BATCH:]
        timer = asyncio.get_running_loop().call_later(self.commit_wait, _release, group)
        try:
            self._inflight, self._since = len(group), time.monotonic()
            await self._write([record for record, _ in group])
            self.groups += 1
            self.committed += len(group)
        except Exception as exc:
            if not unavailable(exc):
                await self._one_by_one([record for record, _ in group], exc)
            else:
                self.kept.went_down(exc)
                rest, self._group = self._group, []
                self._keep([record for record, _ in group + rest])
                _release(rest)
        finally:
            self._inflight = 0
            timer.cancel()
            _release(group)
            if not self._group:
                self._idle.set()

    async def _one_by_one(self, records: list[Record], first: BaseException) -> None:
        """A group the database refused: each record alone; the refused ones are dropped."""
        refused = 0
        for at, record in enumerate(records):
            try:
                await self._write([record])
            except Exception as exc:
                if unavailable(exc):
                    self.kept.went_down(exc)
                    self._keep(records[at:])
                    break
                refused += 1
        if refused:
            self.kept.count(DROPPED, refused)
            log.warning(
                "history store refused %d record(s) (%s); they are dropped",
                refused,
                type(first).__name__,
            )

    async def _retry(self) -> None:
        """One try of the oldest kept records, after the backoff's wait if the last one failed."""
        await self.kept.pause(self._nudge, closing=self._closing)
        chunk = self.kept.chunk(BATCH)
        if not chunk:
            self.kept.came_back()
            return
        try:
            await self._write(chunk)
        except Exception as exc:
            if unavailable(exc):
                self.kept.went_down(exc)
                return
            self.kept.taken(len(chunk), written=False)
            await self._one_by_one(chunk, exc)
        else:
            self.kept.taken(len(chunk), written=True)

    # --- closing ---------------------------------------------------------------------------------

    async def aclose(self, wait: float = CLOSE_WAIT) -> int:
        """Commit what is gathered, give kept records ``wait`` seconds to reach the database
        (retrying every half second), then stop; return how many records were lost."""
        self._closing = True
        self._nudge.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), wait)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        unsent = len(self._group) + self._inflight
        _release(self._group)
        self._group = []
        self.kept.count(DROPPED, unsent)
        lost = self.kept.drop_all() + unsent
        if lost:
            log.warning(
                "history store still unreachable after %.1f s at close: %d records not written",
                wait,
                lost,
            )
        return lost
