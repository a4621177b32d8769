""":class:`Kept`: the records the history holds while its database is away, and the outage's
bookkeeping (one warning when it starts, one line when it ends, the backoff between tries, the
metrics).

Bounded twice: :data:`PENDING_LIMIT` records (past that, new records are dropped) and
:data:`PENDING_AGE` seconds each (older ones are dropped before a try). Every drop is counted in
``history_dropped``; ``history_kept`` and ``history_written_late`` count the rest, and the gauge
``history_pending`` holds how many wait now.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

import backoff

from ._types import Snapshot, SyncRecord

if TYPE_CHECKING:
    from ..metrics import Metrics

__all__ = ["PENDING_AGE", "PENDING_LIMIT", "RETRY_MAX", "Kept", "Record"]

log = logging.getLogger("hyperbuds_sync.history")

Record = Snapshot | SyncRecord

PENDING_LIMIT = 10_000
"""At most this many records kept while the database is away; more are dropped (and counted)."""
PENDING_AGE = 3600.0
"""Seconds a kept record may wait for the database; older ones are dropped (and counted)."""
RETRY_MAX = 15.0
"""The longest wait, in seconds, between two tries of an unreachable database."""

PENDING, KEPT, LATE, DROPPED = (
    "history_pending",
    "history_kept",
    "history_written_late",
    "history_dropped",
)


class Kept:
    """Records waiting for the database, and the state of its outage."""

    def __init__(
        self,
        *,
        metrics: Metrics | None = None,
        limit: int = PENDING_LIMIT,
        max_age: float = PENDING_AGE,
        retry_max: float = RETRY_MAX,
    ) -> None:
        self.metrics = metrics
        self.limit = limit
        self.max_age = max_age
        self.retry_max = retry_max
        self.records: deque[tuple[float, Record]] = deque()
        self.failed = False  # the last try failed: wait before the next
        self.reachable = asyncio.Event()
        self.reachable.set()
        self._down_since: float | None = None
        self._waits: Iterator[float] = iter(())
        self._outage = [0, 0]  # written late, dropped: this outage's, for its last log line

    def __len__(self) -> int:
        return len(self.records)

    @property
    def down(self) -> bool:
        """Whether the database was found unreachable and has not answered since."""
        return self._down_since is not None

    def keep(self, records: list[Record]) -> None:
        """Keep ``records`` for a later try; past :attr:`limit` the newest are dropped."""
        room = max(0, self.limit - len(self.records))
        now = time.monotonic()
        self.records.extend((now, record) for record in records[:room])
        self.count(KEPT, min(room, len(records)))
        self.count(DROPPED, len(records) - room)
        self.gauge()

    def chunk(self, size: int) -> list[Record]:
        """The oldest ``size`` records, after dropping those past :attr:`max_age`."""
        oldest = time.monotonic() - self.max_age
        gone = 0
        while self.records and self.records[0][0] < oldest:
            self.records.popleft()
            gone += 1
        self.count(DROPPED, gone)
        self.gauge()
        return [record for _, record in itertools.islice(self.records, size)]

    def taken(self, n: int, *, written: bool) -> None:
        """The oldest ``n`` records are gone: written (late), or handed back to be tried alone."""
        for _ in range(n):
            self.records.popleft()
        if written:
            self.count(LATE, n)
            self.failed = False  # the database answered: the next chunk goes at once
        self.gauge()
        if not self.records:
            self.came_back()

    async def pause(self, nudge: asyncio.Event, *, closing: bool) -> None:
        """The backoff's wait after a failed try (half a second at most while closing; a set
        ``nudge`` ends it early)."""
        if not self.failed:
            return
        wait = next(self._waits)
        wait = min(wait, 0.5) if closing else wait / 2 + random.uniform(0, wait / 2)  # noqa: S311
        nudge.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(nudge.wait(), wait)

    def went_down(self, exc: BaseException) -> None:
        """A try failed because the database is away (the warning, once per outage)."""
        self.failed = True
        if self._down_since is not None:
            return
        self._down_since = time.monotonic()
        self.reachable.clear()
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

    def came_back(self) -> None:
        """Nothing is kept any more: the outage is over (one line says what it cost)."""
        since, self._down_since = self._down_since, None
        self.failed = False
        self.reachable.set()
        if since is None:
            return
        late, dropped = self._outage
        log.info(
            "history store reachable again after %.1f s: %d records written late, %d dropped",
            time.monotonic() - since,
            late,
            dropped,
        )

    def drop_all(self) -> int:
        """Give up on every kept record (at close); how many there were."""
        lost = len(self.records)
        self.records.clear()
        self.count(DROPPED, lost)
        self.gauge()
        self._down_since = None
        self.reachable.set()
        return lost

    def count(self, name: str, n: int) -> None:
        """Add ``n`` to counter ``name`` (and to this outage's figures)."""
        if n <= 0:
            return
        if name == LATE:
            self._outage[0] += n
        elif name == DROPPED:
            self._outage[1] += n
        if self.metrics is not None:
            self.metrics.incr(name, "", n)

    def gauge(self) -> None:
        """Publish how many records are kept."""
        if self.metrics is not None:
            self.metrics.set_gauge(PENDING, len(self.records))
