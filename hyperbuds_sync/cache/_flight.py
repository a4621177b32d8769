"""The single flight both caches share: concurrent callers of one key share one load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class _Flight(Generic[T]):
    """One load in flight: its task and a future per caller waiting on it.

    Each caller waits on a future of its own (:meth:`SingleFlight.run` adds it), so a
    cancelled caller cancels only its future and the load runs on for the others (what
    ``asyncio.shield`` gives, without a future and two callbacks per caller). The load's task
    hands its outcome to the futures itself, as it ends: no done callback, and the callers wake
    one loop turn sooner.
    """

    __slots__ = ("task", "waiters")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.waiters: list[asyncio.Future[T]] = []

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


class SingleFlight(Generic[K, T]):
    """One task per key, shared by every concurrent caller; errors are never kept.

    A caller that is cancelled leaves the load to the others (each waits on a future of its
    own); :meth:`aclose` cancels every load. A load left by an event loop that is gone is never
    joined: the next caller in another loop starts its own.
    """

    def __init__(self) -> None:
        self._flights: dict[K, _Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def __contains__(self, key: K) -> bool:
        """Whether a load of ``key`` is in flight in the running loop (a call would join it)."""
        return self._joinable(key) is not None

    def _joinable(self, key: K) -> _Flight[T] | None:
        flight = self._flights.get(key)
        if flight is None or flight.task is None:
            return None
        if flight.task.get_loop() is not asyncio.get_running_loop():
            return None
        return flight

    async def run(
        self,
        key: K,
        load: Callable[[], Awaitable[T]],
        keep: Callable[[K, T], None] | None = None,
    ) -> T:
        """Join the load of ``key`` in flight, or start ``load()`` as that load.

        ``keep(key, value)`` is called with a loaded value while the load still owns ``key``
        (not overtaken by :meth:`forget`), before any caller sees it: where a cache stores it.
        """
        flight = self._joinable(key)
        loop = asyncio.get_running_loop()
        if flight is None:
            flight = self._flights[key] = _Flight()
            flight.task = loop.create_task(self._drive(key, flight, load, keep))
        waiter: asyncio.Future[T] = loop.create_future()
        flight.waiters.append(waiter)
        return await waiter

    async def _drive(
        self,
        key: K,
        flight: _Flight[T],
        load: Callable[[], Awaitable[T]],
        keep: Callable[[K, T], None] | None,
    ) -> None:
        """The load's task: run ``load()``, keep the value if still current, then let new
        callers start their own and give the outcome to the waiting ones. An error goes to the
        callers only (the task ends quietly: nothing is left for "exception never retrieved");
        a cancel cancels them and the task."""
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
        if keep is not None and self._flights.get(key) is flight:
            keep(key, value)
        self._landed(key, flight, value, None)

    def forget(self, key: K) -> None:
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
        self, key: K, flight: _Flight[T], value: T | None, error: BaseException | None
    ) -> None:
        """The load is done: new callers start their own, waiting ones get its outcome."""
        if self._flights.get(key) is flight:
            del self._flights[key]
        flight.settle(value, error)
