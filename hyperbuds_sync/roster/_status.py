"""The roster's figures: due and overdue counts, calls spent against the plan, freshness."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from ..models import RosterStatus
from ._planner import Plan, RosterEntry

if TYPE_CHECKING:
    from ..history import PlatformState
    from ._refresh import RefreshOutcome

__all__ = ["RosterStatus", "RunCounters", "percentile", "status_of"]

OVERDUE = 0.1
"""A creator-platform is overdue when past its next time by more than this share of its
interval (and at least a minute)."""


@attrs.define
class RunCounters:
    """What this process's refreshes came to, and the calls its runner spent per provider."""

    synced: int = 0
    fetched: int = 0
    failed: int = 0
    interrupted: int = 0
    spent: Counter[str] = attrs.field(factory=Counter)

    def count(self, outcome: RefreshOutcome) -> None:
        """Count one refresh's outcome."""
        if outcome.status == "synced":
            self.synced += 1
        elif outcome.status == "fetched":
            self.fetched += 1
        else:
            self.failed += 1


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values (0.0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def status_of(
    plan: Plan,
    rows: Sequence[tuple[RosterEntry, PlatformState]],
    counters: RunCounters,
    now: datetime,
) -> RosterStatus:
    """The status of ``rows`` (entries with their stored state) under ``plan`` at ``now``."""
    planned = {(e.creator_id, e.platform): e for e in plan.entries}
    due = overdue = never = 0
    ages: list[float] = []
    for entry, state in rows:
        if state.last_fetched_at is None:
            never += 1
        else:
            ages.append((now - state.last_fetched_at).total_seconds())
        row = planned.get((entry.creator_id, entry.platform))
        if row is None:
            continue
        next_at = _next_at(row.next_at, row.interval, state)
        if next_at <= now:
            due += 1
            if now - next_at > max(row.interval * OVERDUE, timedelta(minutes=1)):
                overdue += 1
    ages.sort()
    freshness = {f"p{p}": percentile(ages, p) for p in (50, 90, 99)}
    freshness["max"] = ages[-1] if ages else 0.0
    return RosterStatus(
        entries=len(rows),
        due=due,
        overdue=overdue,
        never_fetched=never,
        spent=dict(counters.spent),
        planned=dict(plan.calls_per_period),
        freshness=freshness,
        synced=counters.synced,
        fetched=counters.fetched,
        failed=counters.failed,
        interrupted=counters.interrupted,
        at=now,
    )


def _next_at(planned: datetime, interval: timedelta, state: PlatformState) -> datetime:
    if state.failures and state.next_at is not None:
        return state.next_at
    if state.last_fetched_at is not None:
        return state.last_fetched_at + interval
    return planned
