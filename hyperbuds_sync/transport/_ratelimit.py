"""Client-side rate limiting: space requests to each RapidAPI host.

RapidAPI plans carry a per-second limit; hitting it costs a 429 and a backoff. A
:class:`MemoryRateLimiter` spaces this process's calls so a burst queues instead. A fleet needs a
shared limiter (Redis, later); both satisfy the :class:`RateLimiter` protocol.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, runtime_checkable

__all__ = ["MemoryRateLimiter", "RateLimiter"]


@runtime_checkable
class RateLimiter(Protocol):
    """Waits until one more request to ``host`` is allowed."""

    async def acquire(self, host: str) -> None:
        """Return when a request to ``host`` may be sent (at once when there is no limit)."""
        ...


def _check_rate(rate: float, what: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise TypeError(f"{what} must be a number of requests per second, got {rate!r}")
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"{what} must be a finite number > 0, got {rate!r}")
    return float(rate)


class MemoryRateLimiter:
    """Per-host requests-per-second limit for one process (a scheduler with burst 1).

    Each host has a "next allowed time". :meth:`acquire` reserves the earliest free slot at
    ``1 / rate`` spacing and sleeps until it, so concurrent callers queue in arrival order and
    never run two requests closer than the spacing. Reserving a slot has no ``await`` in it, so
    it is atomic on the event loop and needs no lock. A caller cancelled while waiting keeps its
    slot reserved (the next caller waits one spacing longer): harmless, and simpler than a queue.

    Args:
        rate: requests per second for every host, or a mapping ``{host: rate}``; hosts missing
            from the mapping are not limited unless ``default`` is given.
        default: the rate for hosts missing from a ``rate`` mapping.
        clock: a monotonic clock in seconds (injectable for tests).
        sleep: the coroutine used to wait (injectable for tests).
    """

    def __init__(
        self,
        rate: float | Mapping[str, float],
        *,
        default: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if isinstance(rate, Mapping):
            self._rates = {host: _check_rate(r, f"rate for {host}") for host, r in rate.items()}
            self._default = None if default is None else _check_rate(default, "default")
        else:
            self._rates = {}
            self._default = _check_rate(rate, "rate")
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}

    def rate_for(self, host: str) -> float | None:
        """Requests per second allowed to ``host``, or ``None`` for no limit."""
        return self._rates.get(host, self._default)

    async def acquire(self, host: str) -> None:
        """Wait for the next free slot on ``host``; return at once when it is not limited."""
        rate = self.rate_for(host)
        if rate is None:
            return
        now = self._clock()
        start = max(now, self._next.get(host, now))
        self._next[host] = start + 1.0 / rate
        delay = start - now
        if delay > 0:
            await self._sleep(delay)

    def __repr__(self) -> str:
        rates = ", ".join(f"{h}={r:g}/s" for h, r in sorted(self._rates.items()))
        default = "none" if self._default is None else f"{self._default:g}/s"
        return f"MemoryRateLimiter(default={default}{', ' + rates if rates else ''})"
