"""The limits the emulators simulate: the RapidAPI plan (a monthly request quota and a
per-second limit) and the official APIs' windows (X's, Helix's and YouTube's Pacific day)."""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["UNLIMITED", "Spent", "Window", "seconds_to_next_month", "seconds_to_pacific_midnight"]

_PACIFIC = ZoneInfo("America/Los_Angeles")

UNLIMITED = 1_000_000
"""The allowance reported in ``x-ratelimit-requests-limit`` when no quota is enforced."""


def seconds_to_next_month(now: datetime | None = None) -> float:
    """Seconds from ``now`` (default: the current UTC time) to the next UTC month's start."""
    now = now or datetime.now(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return (datetime(year, month, 1, tzinfo=UTC) - now).total_seconds()


class Spent:
    """Requests spent per scope (a key, or a key on one host) in the current period.

    Args:
        quota: requests allowed per scope and period; ``None`` enforces nothing (the headers then
            report an allowance of :data:`UNLIMITED`).
        per_second: requests allowed per scope in any one-second window; ``None`` for no limit.
        reset_after: the period's length in seconds; ``None`` for calendar months (UTC). When the
            period ends, every scope's spending starts again at 0.
        clock: a monotonic clock (tests may pass their own).
    """

    def __init__(
        self,
        *,
        quota: int | None,
        per_second: int | None,
        reset_after: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("quota", quota), ("per_second", per_second)):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0 or None")
        if reset_after is not None and reset_after <= 0:
            raise ValueError("reset_after must be > 0 or None")
        self.quota = quota
        self.per_second = per_second
        self._reset_after = reset_after
        self._clock = clock
        self._used: Counter[tuple[str, str]] = Counter()
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._period_end = clock() + self._period()

    def _period(self) -> float:
        return self._reset_after if self._reset_after is not None else seconds_to_next_month()

    def _roll(self) -> float:
        now = self._clock()
        if now >= self._period_end:
            self._used.clear()
            self._period_end = now + self._period()
        return now

    @property
    def limit(self) -> int:
        """The allowance reported in ``x-ratelimit-requests-limit``."""
        return UNLIMITED if self.quota is None else self.quota

    def remaining(self, scope: tuple[str, str]) -> int:
        """Requests left for ``scope`` in this period (never below 0)."""
        self._roll()
        return max(0, self.limit - self._used[scope])

    def reset_in(self) -> int:
        """Whole seconds until the period ends (``x-ratelimit-requests-reset``)."""
        return max(0, math.ceil(self._period_end - self._roll()))

    def burst_wait(self, scope: tuple[str, str]) -> float | None:
        """Seconds until ``scope`` may call again under the per-second limit, or ``None`` if now.

        A call that may go ahead is recorded in the window.
        """
        if self.per_second is None:
            return None
        now = self._clock()
        window = self._windows.setdefault(scope, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.per_second:
            return window[0] + 1.0 - now if window else 1.0
        window.append(now)
        return None

    def spend(self, scope: tuple[str, str]) -> bool:
        """Spend one request of ``scope``'s quota; ``False`` (nothing spent) when none is left."""
        self._roll()
        if self.quota is not None and self._used[scope] >= self.quota:
            return False
        self._used[scope] += 1
        return True

    def set_quota(self, quota: int | None) -> None:
        """Change the allowance; what was spent this period stays spent."""
        if quota is not None and quota < 0:
            raise ValueError("quota must be >= 0 or None")
        self.quota = quota

    def reset(self, scope_key: str | None = None) -> None:
        """Start the period again for every scope, or only the scopes of one key."""
        if scope_key is None:
            self._used.clear()
            self._windows.clear()
            self._period_end = self._clock() + self._period()
            return
        for scope in [s for s in self._used if s[0] == scope_key]:
            del self._used[scope]
        for scope in [s for s in self._windows if s[0] == scope_key]:
            del self._windows[scope]


def seconds_to_pacific_midnight(now: float) -> float:
    """Seconds from ``now`` (epoch) to the next midnight in Pacific time (YouTube's day)."""
    here = datetime.fromtimestamp(now, _PACIFIC)
    midnight = (here + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp() - now


class Window:
    """A limit per scope that refills when its window ends (``reset`` is an epoch time)."""

    def __init__(
        self, limit: int, length: Callable[[float], float], clock: Callable[[], float]
    ) -> None:
        self.limit, self._length, self._clock = limit, length, clock
        self._spent: Counter[str] = Counter()
        self.reset = clock() + length(clock())

    def _roll(self) -> None:
        now = self._clock()
        if now >= self.reset:
            self._spent.clear()
            self.reset = now + self._length(now)

    def spend(self, scope: str, cost: int = 1) -> bool:
        """Spend ``cost`` for ``scope``; ``False`` (nothing spent) when too little is left."""
        self._roll()
        if self._spent[scope] + cost > self.limit:
            return False
        self._spent[scope] += cost
        return True

    def remaining(self, scope: str) -> int:
        """What ``scope`` has left in the current window."""
        self._roll()
        return max(0, self.limit - self._spent[scope])

    def refill(self) -> None:
        """Give every scope its whole limit again (the window's end stays)."""
        self._spent.clear()

    def headers(self, scope: str, names: tuple[str, str, str]) -> dict[str, str]:
        """The limit, what ``scope`` has left and the window's end, under the API's ``names``."""
        limit, remaining, reset = names
        return {
            limit: str(self.limit),
            remaining: str(self.remaining(scope)),
            reset: str(int(self.reset)),
        }
