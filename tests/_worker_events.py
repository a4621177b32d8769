"""The JSON events of ``hyperbuds-sync worker --json`` processes, read while they run, so a test
waits for the events it needs (say, two more planner rounds) instead of sleeping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

Event = dict[str, Any]


class WorkerEvents:
    """Reads each process's stdout line by line into :attr:`events` (in arrival order)."""

    def __init__(self, procs: Sequence[asyncio.subprocess.Process]) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Condition()
        self._readers = [asyncio.create_task(self._read(proc)) for proc in procs]

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            async with self._changed:
                self.events.append(json.loads(line))
                self._changed.notify_all()

    def count(self, name: str) -> int:
        """How many ``name`` events were told so far."""
        return sum(e["event"] == name for e in self.events)

    async def until(self, holds: Callable[[], bool], within: float = 20.0) -> None:
        """Wait until ``holds()`` is true of the events read (checked at each new event)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(holds)

    async def rounds(self, n: int, within: float = 20.0) -> None:
        """Wait until the fleet's planner has run ``n`` more times (``planned`` events)."""
        target = self.count("planned") + n
        await self.until(lambda: self.count("planned") >= target, within)

    async def finish(self) -> list[Event]:
        """Every event, once each process has closed its stdout (after it was told to stop)."""
        await asyncio.gather(*self._readers)
        return self.events
