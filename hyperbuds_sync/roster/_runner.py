"""The one-process runner: the planner's times, the ledger's permission, one refresh at a time
per creator-platform, until a deadline or a cancellation.

The loop keeps a heap of next times. When one comes it asks the roster's ledger for a call on the
first provider of the entry's chain that is not benched and has room (the in-process ledger, or
the fleet's in Redis when the client has a ``redis_url``); if none has, the entry goes back at the
soonest time one allows. The refresh asks that provider, and on a failover the chain's next one
with room (``Spending.walk``); the calls each made beyond the one spent are charged to it. It
re-plans every ``replan_every`` seconds when the roster, a budget or a quota moved. On stop,
refreshes under way finish; cancelled a second time, they are cancelled and their rows stay as
they were, still due: the store stays consistent.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ._due import due_at
from ._planner import Plan, PlanEntry

if TYPE_CHECKING:
    from ._roster import Roster

__all__ = ["Runner", "deadline_of"]

Key = tuple[str, str]


def deadline_of(until: datetime | float | None, now: datetime) -> datetime | None:
    """``until`` as an aware datetime: given as one, or seconds from ``now``."""
    if until is None:
        return None
    if isinstance(until, datetime):
        if until.utcoffset() is None:
            raise InvalidInput("until must be a timezone-aware datetime, or seconds from now")
        return until
    if isinstance(until, bool) or not isinstance(until, int | float) or until < 0:
        raise InvalidInput(f"until must be an aware datetime or seconds >= 0, got {until!r}")
    return now + timedelta(seconds=until)


class Runner:
    """Runs a :class:`Roster` in this process (see the module's docstring)."""

    def __init__(
        self,
        roster: Roster,
        until: datetime | float | None,
        *,
        concurrency: int = 16,
        replan_every: float = 60.0,
    ) -> None:
        self.roster = roster
        self.deadline = deadline_of(until, roster.clock())
        self.replan_every = replan_every
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[Key] = set()
        self._heap: list[tuple[datetime, int, Key]] = []
        self._seq = itertools.count()
        self._pushed = asyncio.Event()
        self._entries: dict[Key, PlanEntry] = {}
        self.spending = roster.spending
        self.plan: Plan | None = None

    async def run(self) -> None:
        """Refresh until the deadline or a cancellation; then let refreshes under way end."""
        try:
            await self._replan(force=True)
            replan_at = self._now() + timedelta(seconds=self.replan_every)
            while not self._over():
                if self._now() >= replan_at:
                    await self._replan()
                    replan_at = self._now() + timedelta(seconds=self.replan_every)
                await self._step(replan_at)
        finally:
            await self._finish()

    def _now(self) -> datetime:
        return self.roster.clock()

    def _over(self) -> bool:
        return self.deadline is not None and self._now() >= self.deadline

    async def _step(self, replan_at: datetime) -> None:
        """Start the next due refresh, or sleep until something is due."""
        now = self._now()
        wake = min(t for t in (replan_at, self.deadline) if t is not None)
        if self._heap and self._heap[0][0] < wake:
            wake = self._heap[0][0]
        if wake > now:
            self._pushed.clear()
            with contextlib.suppress(TimeoutError):  # a refresh ending may bring a sooner time
                await asyncio.wait_for(self._pushed.wait(), (wake - now).total_seconds())
            return
        if not self._heap or self._heap[0][0] > now:
            return
        _, _, key = heapq.heappop(self._heap)
        entry = self._entries.get(key)
        if entry is None or key in self._busy:
            return
        benched = await self.roster.benched()
        granted = await self.spending.reserve(entry.providers, benched)
        if granted is None:
            allowed = await self.spending.next_allowed(entry.providers, benched)
            self._push(allowed or now + entry.interval, key)
            return
        await self._slots.acquire()
        self._busy.add(key)
        task = asyncio.get_running_loop().create_task(self._refresh(key, entry, granted))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refresh(self, key: Key, entry: PlanEntry, provider: str) -> None:
        try:
            outcome = await self.roster.refresh_spending(*key, provider)
            state = (await self.roster.get(key[0]) or None) if not outcome.ok else None
            retry = None
            if state is not None and key[1] in state.platforms:
                retry = self.roster.retry_at(state.platforms[key[1]])
            self._push(retry or self._now() + entry.interval, key)
        except asyncio.CancelledError:
            self.roster.counters.interrupted += 1
            raise
        except InvalidInput:
            self._entries.pop(key, None)  # removed from the roster meanwhile
        finally:
            self._busy.discard(key)
            self._slots.release()

    def _push(self, at: datetime, key: Key) -> None:
        heapq.heappush(self._heap, (at, next(self._seq), key))
        self._pushed.set()

    async def _replan(self, *, force: bool = False) -> None:
        """A new plan when the roster, a budget or a quota moved (always at the start)."""
        if self.plan is not None:
            await self.roster.status()  # for last_status(), the metrics' read
        if not force and self.plan is not None and not await self.roster.needs_replan(self.plan):
            return
        self.plan = await self.roster.plan()
        await self.spending.apply(self.plan)
        states = {(e.creator_id, s.platform): s for e, s in await self.roster.entries()}
        self._entries = {(e.creator_id, e.platform): e for e in self.plan.entries}
        self._heap = []
        for key, entry in self._entries.items():
            if key not in self._busy:
                self._push(due_at(entry.next_at, states.get(key)), key)

    async def _finish(self) -> None:
        """Let refreshes under way end; cancelled again, cancel them (their rows stay due)."""
        if not self._tasks:
            return
        pending = set(self._tasks)
        try:
            await asyncio.shield(asyncio.gather(*pending, return_exceptions=True))
        except asyncio.CancelledError:
            for task in pending:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*pending, return_exceptions=True)
            raise
