"""The single flight both caches share: concurrent callers of one key share one load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class _Flight(Generic[T]):
    """One load in flight: its task and a future per caller waiting on it.

    Each caller waits on a future of its own, so a cancelled caller cancels only its future and
    the load runs on for the others (what ``asyncio.shield`` gives, without a future and two
    callbacks per caller). The load's task hands its outcome to the futures itself, as it ends:
    no done callback, and the callers wake one loop turn sooner.
    """

    __slots__ = ("task", "waiters")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.waiters: list[asyncio.Future[T]] = []

    def join(self) -> asyncio.Future[T]:
        """A future with the load's outcome, for one caller."""
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return waiter

    def settle(self, value: T | None, error: BaseException | None) -> None:
        """Give the load's outcome to every caller still waiting (a cancelled one is done)."""
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if isinstance(error, asyncio.CancelledError):
                waiter.cancel()
            elif error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(value)  # type: ignore[arg-type]


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
        if flight is None or flight.task is None:
            return None
        if flight.task.get_loop() is not asyncio.get_running_loop():
            return None
        return flight

    async def run(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """Join the load of ``key`` in flight, or start ``load()`` as that load."""
        flight = self._joinable(key)
        if flight is None:
            flight = self._flights[key] = _Flight()
            flight.task = asyncio.ensure_future(self._drive(key, flight, load))
        return await flight.join()

    async def _drive(
        self, key: Hashable, flight: _Flight[T], load: Callable[[], Awaitable[T]]
    ) -> None:
        """The load's task: run ``load()``, then let new callers start their own and give the
        outcome to the waiting ones. An error goes to the callers only (the task ends quietly:
        nothing is left for "exception never retrieved"); a cancel cancels them and the task."""
        try:
            value = await load()
        except asyncio.CancelledError as exc:
            self._landed(key, flight, None, exc)
            raise
        except Exception as exc:  # given to every caller, raised there
            self._landed(key, flight, None, exc)
            return
        except (KeyboardInterrupt, SystemExit) as exc:  # the callers see it too (not a
            # GeneratorExit: a load left by a loop that is gone has nobody left to tell)
            self._landed(key, flight, None, exc)
            raise
        self._landed(key, flight, value, None)

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
        flights = [f for f in self._flights.values() if f.task and f.task.get_loop() is loop]
        self._flights.clear()
        for flight in flights:
            assert flight.task is not None
            flight.task.cancel()
            for waiter in flight.waiters:  # a task cancelled before it ran would never tell them
                waiter.cancel()
        await asyncio.gather(*(f.task for f in flights if f.task), return_exceptions=True)

    def _landed(
        self, key: Hashable, flight: _Flight[T], value: T | None, error: BaseException | None
    ) -> None:
        """The load is done: new callers start their own, waiting ones get its outcome."""
        if self._flights.get(key) is flight:
            del self._flights[key]
        flight.settle(value, error)
