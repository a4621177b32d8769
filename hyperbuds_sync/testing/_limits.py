"""The RapidAPI plan the emulator simulates: a monthly request quota and a per-second limit."""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["UNLIMITED", "Ledger", "seconds_to_next_month"]

UNLIMITED = 1_000_000
"""The allowance reported in ``x-ratelimit-requests-limit`` when no quota is enforced."""


def seconds_to_next_month(now: datetime | None = None) -> float:
    """Seconds from ``now`` (default: the current UTC time) to the next UTC month's start."""
    now = now or datetime.now(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return (datetime(year, month, 1, tzinfo=UTC) - now).total_seconds()


class Ledger:
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
