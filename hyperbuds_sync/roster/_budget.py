"""Budgets, quota snapshots and the pace a provider's calls may be spent at.

Pure arithmetic: no I/O, no clock of its own (``now`` is always passed in).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

import attrs

from ..errors import InvalidInput

__all__ = ["DAY", "MONTH", "Budget", "Pace", "ProviderQuota", "check_reserve", "pace_for"]

MONTH = timedelta(days=30)
"""A monthly budget's period: 30 days, the figure the plans' pricing pages count in."""
DAY = timedelta(days=1)
"""A daily budget's period."""

Period = Literal["monthly", "daily"]


@attrs.frozen
class Budget:
    """Calls a provider's plan allows per period (``"monthly"`` by default, or ``"daily"``)."""

    calls: int
    period: Period = "monthly"

    @property
    def length(self) -> timedelta:
        """The period as a ``timedelta`` (30 days or 1 day)."""
        return DAY if self.period == "daily" else MONTH


@attrs.frozen
class ProviderQuota:
    """What a provider last said of its quota: calls ``remaining``, and when it resets, if known.

    Read from ``x-ratelimit-requests-remaining`` and ``-reset``; the planner slows a provider down
    when this says the real quota is being spent faster than planned.
    """

    remaining: int
    reset_at: datetime | None = None


@attrs.frozen
class Pace:
    """How one provider's calls are paced in a plan.

    ``available`` is budget x (1 - reserve), lowered by the rate limit and by quota drift;
    ``burst`` of those may go at once (a new entry, a retry); ``scheduled`` = ``available`` -
    ``burst`` are spread evenly over the period. No window of one period ever holds more than
    ``available`` calls.
    """

    provider: str
    budget: Budget
    available: int
    burst: int
    rate_limit: float | None = None

    @property
    def period(self) -> timedelta:
        """The budget's period."""
        return self.budget.length

    @property
    def scheduled(self) -> int:
        """Calls per period the plan's intervals add up to."""
        return max(self.available - self.burst, 1) if self.available else 0

    @property
    def per_second(self) -> float:
        """The planned pace in calls per second."""
        return self.available / self.period.total_seconds()


def check_reserve(reserve: float) -> float:
    """The reserve as a float in [0, 1), or :class:`InvalidInput`."""
    if isinstance(reserve, bool) or not isinstance(reserve, int | float):
        raise InvalidInput(f"reserve must be a number in [0, 1), got {type(reserve).__name__}")
    if not 0 <= reserve < 1:
        raise InvalidInput(f"reserve must be in [0, 1), got {reserve!r}")
    return float(reserve)


def _as_budget(provider: str, value: int | Budget) -> Budget:
    budget = value if isinstance(value, Budget) else Budget(value)
    if isinstance(budget.calls, bool) or not isinstance(budget.calls, int) or budget.calls < 0:
        raise InvalidInput(f"budget for {provider!r} must be an int >= 0, got {budget.calls!r}")
    if budget.period not in ("monthly", "daily"):
        raise InvalidInput(f"budget period for {provider!r} must be 'monthly' or 'daily'")
    return budget


def _check_rate(provider: str, rate: float | None) -> float | None:
    if rate is None:
        return None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0:
        raise InvalidInput(f"rate limit for {provider!r} must be > 0 calls/second, got {rate!r}")
    return float(rate)


def drift_pace(quota: ProviderQuota, budget: Budget, reserve: float, now: datetime) -> float | None:
    """Calls per second the provider's real remaining quota allows until it resets, keeping back
    the reserve's share of the time left; ``None`` without a future reset time."""
    if quota.reset_at is None or quota.reset_at <= now:
        return None
    left = (quota.reset_at - now).total_seconds()
    keep = reserve * budget.calls * min(1.0, left / budget.length.total_seconds())
    return max(0.0, quota.remaining - keep) / left


def pace_for(
    provider: str,
    *,
    budgets: Mapping[str, int | Budget],
    learned_limits: Mapping[str, int],
    reserve: float,
    burst_fraction: float,
    rate_limit: float | None,
    quota: ProviderQuota | None,
    now: datetime,
) -> Pace:
    """The pace of one provider: its budget (set, else learned), less the reserve, capped by the
    rate limit and by the real remaining quota when that runs behind the plan."""
    if provider in budgets:
        budget = _as_budget(provider, budgets[provider])
    elif provider in learned_limits:
        budget = _as_budget(provider, learned_limits[provider])
    else:
        raise InvalidInput(
            f"no budget for provider {provider!r}: pass budgets= or a learned "
            "x-ratelimit-requests-limit"
        )
    period_s = budget.length.total_seconds()
    available = math.floor(budget.calls * (1 - reserve))
    if available < 1:
        raise InvalidInput(f"budget for {provider!r} leaves no calls after the reserve")
    rate = _check_rate(provider, rate_limit)
    if rate is not None:
        available = min(available, math.floor(rate * period_s))
    if quota is not None:
        real = drift_pace(quota, budget, reserve, now)
        if real is not None and real < available / period_s:
            available = math.floor(real * period_s)
    burst = min(max(1, math.floor(available * burst_fraction)), available)
    return Pace(provider, budget, available, burst, rate)
