"""The single flight both caches share: concurrent callers of one key share one load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """One task per key, shared by every concurrent caller; errors are never kept.

    A caller that is cancelled leaves the load to the others (each waits on it through
    ``asyncio.shield``); :meth:`aclose` cancels every load. A load left by an event loop that is
    gone is never joined: the next caller in another loop starts its own. A load can ask
    :meth:`is_current` whether it still owns its key, or was overtaken by :meth:`forget`.
    """

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def __contains__(self, key: Hashable) -> bool:
        """Whether a load of ``key`` is in flight in the running loop (a call would join it)."""
        task = self._tasks.get(key)
        return task is not None and task.get_loop() is asyncio.get_running_loop()

    async def run(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """Join the load of ``key`` in flight, or start ``load()`` as that load."""
        task = self._tasks.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = self._tasks[key] = asyncio.ensure_future(load())
            task.add_done_callback(partial(self._landed, key))
        return await asyncio.shield(task)

    def is_current(self, key: Hashable) -> bool:
        """Whether the calling task is the load of ``key`` that new callers would join."""
        return self._tasks.get(key) is asyncio.current_task()

    def forget(self, key: Hashable) -> None:
        """Let the next caller start a new load; one in flight runs on for its own callers."""
        self._tasks.pop(key, None)

    def clear(self) -> None:
        """:meth:`forget` every key."""
        self._tasks.clear()

    async def aclose(self) -> None:
        """Cancel every load of the running loop and wait for them to end."""
        loop = asyncio.get_running_loop()
        tasks = [t for t in self._tasks.values() if t.get_loop() is loop]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _landed(self, key: Hashable, task: asyncio.Task[T]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            task.exception()  # retrieved: no "never retrieved" noise when every caller left
