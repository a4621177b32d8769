"""The Redis server's clock, for state a fleet shares (benches, quota resets).

Processes' wall clocks disagree; an epoch one writes and another compares must come from one
clock, the Redis server's (``TIME``), as the rate limiter's slots do. :class:`ServerClock` asks
``TIME`` once a minute and between asks adds the monotonic time elapsed, so reading it costs no
round trip and no local wall-clock jump moves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from ._link import RedisLink

__all__ = ["ServerClock"]

REFRESH: Final = 60.0
"""Seconds between two ``TIME`` calls (the monotonic clock carries the time in between)."""


class ServerClock:
    """Epoch seconds on the Redis server's clock, or ``None`` while Redis cannot be reached.

    Args:
        link: the shared Redis link (when it is down, :meth:`now` returns ``None`` and the
            caller uses its own clock).
        monotonic: the monotonic clock carrying the time between two asks (for tests).
    """

    def __init__(self, link: RedisLink, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._link = link
        self._monotonic = monotonic
        self._offset: float | None = None  # server epoch minus our monotonic reading
        self._asked_at: float | None = None

    async def now(self) -> float | None:
        """The server's time now; ``TIME`` is asked when the last answer is a minute old."""
        mono = self._monotonic()
        if self._offset is None or self._asked_at is None or mono - self._asked_at >= REFRESH:
            await self._link.call(self._ask, _nothing)
        if self._offset is None:
            return None
        return self._monotonic() + self._offset

    async def _ask(self) -> None:
        seconds, micros = await self._link.client.time()
        self._asked_at = self._monotonic()
        self._offset = seconds + micros / 1_000_000 - self._asked_at


async def _nothing() -> None:
    return None
