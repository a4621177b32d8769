"""The single flight both caches share: concurrent callers of one key share one load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class _Flight(Generic[T]):
    """One load in flight: its task and a future per caller waiting on it.

    Each caller waits on a future of its own, so a cancelled caller cancels only its future and
    the load runs on for the others (what ``asyncio.shield`` gives, with one done callback for
    every caller instead of two callbacks and a future per caller).
    """

    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Task[T]) -> None:
        self.task = task
        self.waiters: list[asyncio.Future[T]] = []

    def join(self) -> asyncio.Future[T]:
        """A future with the load's outcome, for one caller."""
        waiter: asyncio.Future[T] = self.task.get_loop().create_future()
        self.waiters.append(waiter)
        return waiter

    def settle(self) -> None:
        """Give the load's outcome to every caller still waiting (the task is done)."""
        task, waiters, self.waiters = self.task, self.waiters, []
        if task.cancelled():
            for waiter in waiters:
                waiter.cancel()
            return
        error = task.exception()  # retrieved: no "never retrieved" noise when every caller left
        for waiter in waiters:
            if waiter.done():  # its caller was cancelled
                continue
            if error is None:
                waiter.set_result(task.result())
            else:
                waiter.set_exception(error)


class SingleFlight(Generic[T]):
    """One task per key, shared by every concurrent caller; errors are never kept.

    A caller that is cancelled leaves the load to the others (each waits on a future of its
    own); :meth:`aclose` cancels every load. A load left by an event loop that is gone is never
    joined: the next caller in another loop starts its own. A load can ask :meth:`is_current`
    whether it still owns its key, or was overtaken by :meth:`forget`.
    """

    def __init__(self) -> None:
        self._flights: dict[Hashable, _Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def __contains__(self, key: Hashable) -> bool:
        """Whether a load of ``key`` is in flight in the running loop (a call would join it)."""
        return self._joinable(key) is not None

    def _joinable(self, key: Hashable) -> _Flight[T] | None:
        flight = self._flights.get(key)
        if flight is None or flight.task.get_loop() is not asyncio.get_running_loop():
            return None
        return flight

    async def run(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """Join the load of ``key`` in flight, or start ``load()`` as that load."""
        flight = self._joinable(key)
        if flight is None:
            flight = self._flights[key] = _Flight(asyncio.ensure_future(load()))
            flight.task.add_done_callback(partial(self._landed, key, flight))
        return await flight.join()

    def is_current(self, key: Hashable) -> bool:
        """Whether the calling task is the load of ``key`` that new callers would join."""
        flight = self._flights.get(key)
        return flight is not None and flight.task is asyncio.current_task()

    def forget(self, key: Hashable) -> None:
        """Let the next caller start a new load; one in flight runs on for its own callers."""
        self._flights.pop(key, None)

    def clear(self) -> None:
        """:meth:`forget` every key."""
        self._flights.clear()

    async def aclose(self) -> None:
        """Cancel every load of the running loop and wait for them to end."""
        loop = asyncio.get_running_loop()
        tasks = [f.task for f in self._flights.values() if f.task.get_loop() is loop]
        self._flights.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _landed(self, key: Hashable, flight: _Flight[T], _task: asyncio.Task[T]) -> None:
        """The load is done: new callers start their own, waiting ones get its outcome."""
        if self._flights.get(key) is flight:
            del self._flights[key]
        flight.settle()
