"""A virtual runner: the planner and the ledger driven on a virtual clock, to see what a budget
buys before spending it (and to measure the real logic in tests and the benchmark).

The loop is the one a runner keeps: a heap of next times; at each, ask the ledger for one call;
if it says no, wait until it allows; after a call, the entry is due again one interval later. A
failed call (``failure_rate``) is spent all the same and retried later with backoff.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

import attrs

from ._budget import MONTH, Budget
from ._ledger import BudgetLedger
from ._planner import Plan, Planner, RosterEntry

__all__ = ["ProviderRun", "Simulation", "VirtualClock", "simulate"]

_DAY_S = 86_400.0


class VirtualClock:
    """A clock that only moves when told (``advance`` / ``set``); call it for the time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        """Move to ``when``."""
        self.now = when

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.now += delta


@attrs.define
class ProviderRun:
    """One provider's figures over a simulated run (staleness in days)."""

    provider: str
    entries: int = 0
    available: int = 0
    calls: int = 0
    failures: int = 0
    deferrals: int = 0
    max_staleness_days: float = 0.0
    per_day: list[int] = attrs.field(factory=list)

    @property
    def theoretical_min_days(self) -> float:
        """period (days) x entries / calls available: no plan can do better with equal
        priorities."""
        return 30 * self.entries / self.available if self.available else float("inf")

    @property
    def over_budget(self) -> int:
        """Calls beyond budget x (1 - reserve)."""
        return max(0, self.calls - self.available)

    @property
    def busiest_day_share(self) -> float:
        """The busiest day's calls over a day's share (available / 30)."""
        share = self.available / 30
        return max(self.per_day, default=0) / share if share else 0.0


@attrs.define
class Simulation:
    """Per-provider figures of a simulated run."""

    days: int
    providers: dict[str, ProviderRun]


def simulate(
    entries: Iterable[RosterEntry],
    budgets: Mapping[str, int | Budget],
    *,
    days: int = 30,
    reserve: float = 0.2,
    failure_rate: float = 0.0,
    rate_limits: Mapping[str, float] | None = None,
    seed: int = 0,
    on_day: Callable[[int], None] | None = None,
) -> Simulation:
    """Run ``days`` of a roster on a virtual clock through the real planner and ledger.

    ``failure_rate`` of the calls fail (spent all the same) and are retried with backoff;
    ``on_day(day)`` is called as each simulated day ends (the benchmark samples memory there).
    """
    clock = VirtualClock()
    plan = Planner(reserve=reserve, clock=clock).plan(entries, budgets, rate_limits=rate_limits)
    runner = _VirtualRunner(plan, clock, days, failure_rate, seed)
    runner.run(on_day)
    return Simulation(days, runner.runs)


class _VirtualRunner:
    """The runner's loop on a heap of (time, id): an id >= 0 is a plan entry that is due; a
    negative id wakes a provider's queue of entries the ledger made wait (first in, first out, so
    no entry starves and no crowd retries at once)."""

    def __init__(
        self, plan: Plan, clock: VirtualClock, days: int, failure_rate: float, seed: int
    ) -> None:
        self.clock = clock
        self.ledger = BudgetLedger(plan, clock=clock)
        self.start = clock.now.timestamp()
        self.end = self.start + days * _DAY_S
        self.runs = {p: ProviderRun(p, available=pace.available) for p, pace in plan.paces.items()}
        for run in self.runs.values():
            run.per_day = [0] * days
        self.names = list(self.runs)
        self.providers = [self.names.index(e.provider) for e in plan.entries]
        self.intervals = [e.interval.total_seconds() for e in plan.entries]
        self.last = [self.start] * len(plan.entries)
        self.heap = [(e.next_at.timestamp(), i) for i, e in enumerate(plan.entries)]
        heapq.heapify(self.heap)
        self.waiting: list[deque[int]] = [deque() for _ in self.names]
        self.failures: dict[int, int] = defaultdict(int)
        self.draw = random.Random(seed).random  # noqa: S311 (failure draws, not secrets)
        self.failure_rate = failure_rate
        for p in self.providers:
            self.runs[self.names[p]].entries += 1

    def run(self, on_day: Callable[[int], None] | None) -> None:
        day = 0
        while self.heap and self.heap[0][0] < self.end:
            at, i = heapq.heappop(self.heap)
            while on_day is not None and at >= self.start + (day + 1) * _DAY_S:
                day += 1
                on_day(day)
            self.clock.set(datetime.fromtimestamp(at, UTC))
            if i < 0:
                self._drain(-1 - i)
            elif self.waiting[self.providers[i]]:
                self.waiting[self.providers[i]].append(i)
            else:
                self.waiting[self.providers[i]].append(i)
                self._drain(self.providers[i])
        for i, p in enumerate(self.providers):  # what is still waiting at the end counts too
            run = self.runs[self.names[p]]
            run.max_staleness_days = max(run.max_staleness_days, (self.end - self.last[i]) / _DAY_S)

    def _drain(self, p: int) -> None:
        """Call for the provider's waiting entries while the ledger allows; then sleep until it
        allows again."""
        queue, run = self.waiting[p], self.runs[self.names[p]]
        while queue and self.ledger.try_spend(run.provider):
            self._called(queue.popleft(), run)
        if queue:
            run.deferrals += 1
            allowed = self.ledger.next_allowed(run.provider)
            if allowed is not None:
                heapq.heappush(self.heap, (allowed.timestamp(), -1 - p))

    def _called(self, i: int, run: ProviderRun) -> None:
        at = self.clock.now.timestamp()
        run.calls += 1
        run.per_day[int((at - self.start) // _DAY_S)] += 1
        if self.failure_rate and self.draw() < self.failure_rate:
            run.failures += 1
            self.failures[i] += 1
            heapq.heappush(self.heap, (at + 60.0 * 2 ** min(self.failures[i], 10), i))
            return
        self.failures.pop(i, None)
        run.max_staleness_days = max(run.max_staleness_days, (at - self.last[i]) / _DAY_S)
        self.last[i] = at
        heapq.heappush(self.heap, (at + self.intervals[i], i))


assert MONTH.days == 30  # theoretical_min_days counts a 30-day period
