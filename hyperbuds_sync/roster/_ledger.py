"""The budget ledger: may one more call go to provider P now?

Each provider gets two GCRA cells (the generic cell rate algorithm, a token bucket kept as one
"theoretical arrival time"): the budget's pace with its small burst, and, when the provider has
one, its per-second rate limit. The runner asks :meth:`BudgetLedger.try_spend` before each
refresh and :meth:`BudgetLedger.charge` s the retries it then made, so real spending never runs
ahead of the plan by more than the retries in flight.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import attrs

from ..errors import InvalidInput
from ._budget import Pace
from ._planner import Clock, Plan, utc_now

__all__ = ["BudgetLedger"]

_EPSILON = 1e-6  # a microsecond: datetimes carry no finer time, so no finer wait is kept


@attrs.define
class _Cell:
    """``emission`` seconds between calls, ``tolerance`` seconds of burst, ``tat`` the
    theoretical arrival time of the next call (a POSIX timestamp)."""

    emission: float
    tolerance: float
    tat: float

    def wait(self, now: float) -> float:
        """Seconds until one call conforms (0 when it does now)."""
        return max(0.0, max(self.tat, now) - self.tolerance - now)

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.emission


def _cells(pace: Pace, now: float) -> list[_Cell]:
    if not pace.available:
        return [_Cell(math.inf, 0.0, math.inf)]  # paused until a new plan: no call conforms
    per_call = pace.period.total_seconds() / pace.scheduled
    cells = [_Cell(per_call, (pace.burst - 1) * per_call, now)]
    if pace.rate_limit is not None:
        emission = 1 / pace.rate_limit
        burst = max(1, math.floor(pace.rate_limit))
        cells.append(_Cell(emission, (burst - 1) * emission, now))
    return cells


class BudgetLedger:
    """Decides, call by call, whether a provider's budget allows one more call now.

    With a pace of ``available`` calls per period and a burst of ``burst``, the budget cell emits
    one call every period / (available - burst) seconds after an initial burst, so no window of
    one period ever holds more than ``available`` calls, and no day more than its share plus the
    burst. :meth:`apply` takes a new plan and keeps what was already spent.
    """

    def __init__(self, plan: Plan | None = None, *, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._cells: dict[str, list[_Cell]] = {}
        self._paces: dict[str, Pace] = {}
        self._spent: dict[str, int] = {}
        if plan is not None:
            self.apply(plan)

    def apply(self, plan: Plan) -> None:
        """Use ``plan``'s paces from now on; a provider's debt (calls already spent ahead of its
        pace) carries over so a re-plan never refills the bucket."""
        now = self._now()
        for provider, pace in plan.paces.items():
            if self._paces.get(provider) == pace:
                continue
            fresh = _cells(pace, now)
            for new, old in zip(fresh, self._cells.get(provider, ()), strict=False):
                debt = max(0.0, old.tat - now) / old.emission if math.isfinite(old.emission) else 0
                new.tat = now + debt * new.emission if math.isfinite(new.emission) else math.inf
            self._cells[provider] = fresh
            self._paces[provider] = pace
            self._spent.setdefault(provider, 0)

    def try_spend(self, provider: str) -> bool:
        """Spend one call on ``provider`` if its budget and rate limit allow it now."""
        cells = self._for(provider)
        now = self._now()
        if any(cell.wait(now) > _EPSILON for cell in cells):
            return False
        for cell in cells:
            cell.take(now)
        self._spent[provider] += 1
        return True

    def charge(self, provider: str, calls: int) -> None:
        """Count ``calls`` already made on ``provider`` (retries of a call :meth:`try_spend`
        allowed): they are spent whether or not the budget had room, so later calls wait."""
        if calls < 1:
            return
        cells = self._for(provider)
        now = self._now()
        for cell in cells:
            if math.isfinite(cell.emission):
                cell.tat = max(cell.tat, now) + calls * cell.emission
        self._spent[provider] += calls

    def next_allowed(self, provider: str) -> datetime | None:
        """When the next call to ``provider`` may go (now if it may), ``None`` while paused."""
        now = self._now()
        wait = max(cell.wait(now) for cell in self._for(provider))
        if not math.isfinite(wait):
            return None
        return datetime.fromtimestamp(math.ceil((now + wait) * 1e6) / 1e6, UTC)

    def spent(self, provider: str) -> int:
        """Calls spent on ``provider`` through this ledger."""
        return self._spent.get(provider, 0)

    def _for(self, provider: str) -> list[_Cell]:
        try:
            return self._cells[provider]
        except KeyError:
            raise InvalidInput(f"no budget for provider {provider!r} in the ledger") from None

    def _now(self) -> float:
        return self._clock().timestamp()
