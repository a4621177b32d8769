""":class:`GroupCommit`: records written as a database does it, and kept while it is away.

Group commit: a caller's record joins the group being gathered and the caller waits for the
commit that holds it. One writer task commits a group at a time, :data:`COMMIT_DELAY` after its
first record; whatever arrives meanwhile forms the next group, so 64 fetches in flight share a
few transactions instead of 64, and no caller is told "done" before its record is committed.

When the database cannot be reached (:func:`._faults.unavailable`), the group is *kept* in a
bounded buffer (:data:`PENDING_LIMIT` records, each at most :data:`PENDING_AGE` seconds) and its
callers go on; records arriving during the outage go straight to the buffer, without waiting. The
writer retries with exponential backoff (``backoff.expo``, at most :data:`RETRY_MAX` s apart),
logs one warning when the outage starts and one line when it ends. A record the database refuses
for itself (not an outage) is dropped alone, the rest of its group written. The metrics count
``history_kept``, ``history_written_late`` and ``history_dropped``, and the gauge
``history_pending`` holds what the buffer holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

import backoff

from ._faults import unavailable
from ._types import Snapshot, SyncRecord

if TYPE_CHECKING:
    from ..metrics import Metrics

__all__ = [
    "BATCH",
    "CLOSE_WAIT",
    "COMMIT_DELAY",
    "COMMIT_WAIT",
    "PENDING_AGE",
    "PENDING_LIMIT",
    "RETRY_MAX",
    "GroupCommit",
]

log = logging.getLogger("hyperbuds_sync.history")

Record = Snapshot | SyncRecord
Write = Callable[[list[Record]], Awaitable[None]]

BATCH = 500
"""At most this many records per transaction."""
PENDING_LIMIT = 10_000
"""At most this many records kept while the database is away; more are dropped (and counted)."""
PENDING_AGE = 3600.0
"""Seconds a kept record may wait for the database; older ones are dropped (and counted)."""
RETRY_MAX = 15.0
"""The longest wait, in seconds, between two tries of an unreachable database."""
COMMIT_DELAY = 0.005
"""Seconds the writer waits before a commit for more records to join its group (PostgreSQL's
``commit_delay``, for the same reason): measured, it lowers the client's CPU per fetch with
history on by a fifth at 64 fetches in flight, for 5 ms more per fetch (a provider takes
hundreds)."""
COMMIT_WAIT = 5.0
"""Seconds a caller waits for its commit at most; past that it goes on, its record still on its
way (committed, or kept if the database turns out to be away)."""
CLOSE_WAIT = 10.0
"""Seconds :meth:`GroupCommit.aclose` gives kept records to reach the database."""

PENDING, KEPT, LATE, DROPPED = (
    "history_pending",
    "history_kept",
    "history_written_late",
    "history_dropped",
)


def _release(group: list[tuple[Record, asyncio.Future[None] | None]]) -> None:
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
        self.metrics = metrics
        self.limit = limit
        self.max_age = max_age
        self.retry_max = retry_max
        self.commit_wait = commit_wait
        self.delay = delay
        self._group: list[tuple[Record, asyncio.Future[None] | None]] = []
        self._kept: deque[tuple[float, Record]] = deque()
        self._down_since: float | None = None
        self._waits: Iterator[float] = iter(())
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._nudge = asyncio.Event()
        self._reachable = asyncio.Event()
        self._reachable.set()
        self._failed = False  # the last try of the kept records failed: wait before the next
        self._inflight = 0  # records in the transaction under way, since the monotonic time
        self._since = 0.0
        self._closing = False
        self._outage = [0, 0]  # written late, dropped: this outage's, for its last log line

    @property
    def pending(self) -> int:
        """Records kept for a database that is away."""
        return len(self._kept)

    @property
    def down(self) -> bool:
        """Whether the database was found unreachable and has not answered since."""
        return self._down_since is not None

    # --- adding ----------------------------------------------------------------------------------

    async def commit(self, record: Record) -> None:
        """Return once ``record`` is committed, or kept because the database is away (or after
        :attr:`commit_wait` seconds, the record still on its way)."""
        if self._down_since is not None:
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
        if self._down_since is not None:
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
        await self._reachable.wait()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    # --- the writer ------------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while self._group or self._kept:
                if self._kept:
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
        except Exception as exc:
            if not unavailable(exc):
                await self._one_by_one([record for record, _ in group], exc)
            else:
                self._went_down(exc)
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
                    self._went_down(exc)
                    self._failed = True
                    self._keep(records[at:])
                    break
                refused += 1
        if refused:
            self._count(DROPPED, refused)
            log.warning(
                "history store refused %d record(s) (%s); they are dropped",
                refused,
                type(first).__name__,
            )

    async def _retry(self) -> None:
        """One try of the kept records, after the backoff's wait when the last try failed."""
        if self._failed:
            wait = next(self._waits)
            wait = min(wait, 0.5) if self._closing else wait / 2 + random.uniform(0, wait / 2)  # noqa: S311
            self._nudge.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._nudge.wait(), wait)
        self._expire()
        chunk = [record for _, record in itertools.islice(self._kept, BATCH)]
        if not chunk:
            self._came_back()
            return
        try:
            await self._write(chunk)
        except Exception as exc:
            if unavailable(exc):
                self._went_down(exc)
                self._failed = True
                return
            for _ in chunk:
                self._kept.popleft()
            await self._one_by_one(chunk, exc)
        else:
            for _ in chunk:
                self._kept.popleft()
            self._count(LATE, len(chunk))
            self._failed = False  # the database answered: the next chunk goes at once
        self._gauge()
        if not self._kept:
            self._came_back()

    # --- the buffer ------------------------------------------------------------------------------

    def _keep(self, records: list[Record]) -> None:
        """Keep records for a retry; past :attr:`limit` the newest are dropped."""
        room = max(0, self.limit - len(self._kept))
        now = time.monotonic()
        self._kept.extend((now, record) for record in records[:room])
        self._count(KEPT, min(room, len(records)))
        if len(records) > room:
            self._count(DROPPED, len(records) - room)
        self._gauge()
        if self._kept:
            self._start()

    def _expire(self) -> None:
        """Drop kept records older than :attr:`max_age`."""
        oldest = time.monotonic() - self.max_age
        gone = 0
        while self._kept and self._kept[0][0] < oldest:
            self._kept.popleft()
            gone += 1
        if gone:
            self._count(DROPPED, gone)
            self._gauge()

    def _went_down(self, exc: BaseException) -> None:
        if self._down_since is not None:
            return
        self._down_since = time.monotonic()
        self._failed = True
        self._reachable.clear()
        self._waits = backoff.expo(base=2, factor=0.25, max_value=self.retry_max)
        next(self._waits)  # backoff's generators start on a send(None)
        self._outage = [0, 0]
        log.warning(
            "history store unreachable (%s); fetches go on, their snapshots kept (up to %d "
            "records, %.0f s each) and written when it is back",
            type(exc).__name__,
            self.limit,
            self.max_age,
        )

    def _came_back(self) -> None:
        since, self._down_since = self._down_since, None
        self._reachable.set()
        if since is None:
            return
        late, dropped = self._outage
        log.info(
            "history store reachable again after %.1f s: %d records written late, %d dropped",
            time.monotonic() - since,
            late,
            dropped,
        )

    def _count(self, name: str, n: int) -> None:
        if n <= 0:
            return
        if name == LATE:
            self._outage[0] += n
        elif name == DROPPED:
            self._outage[1] += n
        if self.metrics is not None:
            self.metrics.incr(name, "", n)

    def _gauge(self) -> None:
        if self.metrics is not None:
            self.metrics.set_gauge(PENDING, len(self._kept))

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
        lost = len(self._kept) + len(self._group) + self._inflight
        if lost:
            self._count(DROPPED, lost)
            log.warning(
                "history store still unreachable after %.1f s at close: %d records not written",
                wait,
                lost,
            )
            self._kept.clear()
            _release(self._group)
            self._group = []
            self._gauge()
        self._down_since = None
        self._reachable.set()
        return lost
