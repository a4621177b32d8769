"""The planner: from a roster, budgets and quotas, a next refresh time for every creator-platform.

Pure logic with an injected clock: it reads nothing and writes nothing, so a runner, a fleet's
cron job and the benchmark's virtual clock all drive the same code.

A platform's chain is planned as a whole: the entries that share a chain of providers are
refreshed as often as the chain's budgets together allow (each provider's pace after its reserve,
rate limit and drift, shared by priority with other chains that use it), and the calls planned go
to the chain's providers in chain order: the first up to its pace, the rest to the next.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import attrs

from ..errors import InvalidInput
from ..history import check_priority
from ._budget import Budget, Pace, ProviderQuota, check_reserve, drift_pace, pace_for
from ._chains import budgeted, chain_pace, fill_in_order, shares_of

__all__ = ["Clock", "Plan", "PlanEntry", "Planner", "RosterEntry", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, aware UTC (the default clock)."""
    return datetime.now(UTC)


@attrs.frozen
class RosterEntry:
    """One creator-platform to keep fresh: who, where, through which provider, how important, and
    when it was last fetched (``None`` when never)."""

    creator_id: str
    platform: str
    provider: str
    priority: int = 1
    last_fetch: datetime | None = None
    chain: tuple[str, ...] = ()
    """The platform's providers in order (``()``: ``provider`` alone); ``provider`` is its
    first."""

    @property
    def providers(self) -> tuple[str, ...]:
        """The chain, or ``provider`` alone."""
        return self.chain or (self.provider,)


@attrs.frozen
class PlanEntry:
    """A creator-platform's place in the plan: refreshed every ``interval``, next at ``next_at``
    (aware UTC), spending on ``chain``'s providers in order (the first with room in the
    ledger: ``provider`` is the chain's first)."""

    creator_id: str
    platform: str
    provider: str
    interval: timedelta
    next_at: datetime
    chain: tuple[str, ...] = ()

    @property
    def providers(self) -> tuple[str, ...]:
        """The providers this entry may spend on, in order."""
        return self.chain or (self.provider,)


@attrs.frozen
class Plan:
    """The planner's answer.

    ``entries``: one per creator-platform. ``calls_per_period``: the calls the plan spends per
    provider in one budget period. ``paces``: each provider's budget after the reserve, rate limit
    and drift (what a :class:`~hyperbuds_sync.roster.BudgetLedger` enforces). ``basis`` fingerprints
    the inputs, so a changed roster or budget is noticed.
    """

    entries: tuple[PlanEntry, ...]
    calls_per_period: dict[str, int]
    paces: dict[str, Pace]
    made_at: datetime
    basis: int = attrs.field(repr=False)


def _check_entries(entries: Sequence[RosterEntry]) -> None:
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        try:
            check_priority(entry.priority)
        except InvalidInput as exc:
            raise InvalidInput(f"{entry.creator_id!r} on {entry.platform!r}: {exc}") from None
        if entry.last_fetch is not None and entry.last_fetch.utcoffset() is None:
            raise InvalidInput(f"last_fetch of {entry.creator_id!r} must be timezone-aware")
        key = (entry.creator_id, entry.platform)
        if key in seen:
            raise InvalidInput(f"{entry.creator_id!r} is on {entry.platform!r} twice")
        seen.add(key)


def _basis(
    entries: Iterable[RosterEntry],
    budgets: Mapping[str, int | Budget],
    rate_limits: Mapping[str, float],
    learned_limits: Mapping[str, int],
) -> int:
    roster = frozenset((e.creator_id, e.platform, e.providers, e.priority) for e in entries)
    limits = (budgets, rate_limits, learned_limits)
    return hash((roster, *(frozenset(m.items()) for m in limits)))


def _interval(pace: Pace, priority_sum: int, priority: int) -> timedelta:
    """interval_i = K / priority_i, K = period x sum(priorities) / scheduled calls; rounded up
    to whole seconds so the intervals never add up to more calls than planned."""
    if not pace.scheduled:
        return pace.period  # paused: the quota is gone until it resets
    seconds = pace.period.total_seconds() * priority_sum / (pace.scheduled * priority)
    return timedelta(seconds=math.ceil(seconds))


class Planner:
    """Plans refresh times within budgets.

    Rules: calls per period never exceed budget x (1 - ``reserve``); they are spread evenly over
    the period; an entry's interval is inversely proportional to its priority; rate limits cap the
    pace; a provider whose real remaining quota runs behind the plan (remaining / time to reset
    below the planned pace) is slowed down. ``burst_fraction`` of a provider's calls may go at once
    (new entries, retries); ``drift_tolerance`` is how far the real pace may fall behind before
    :meth:`needs_replan` says so.
    """

    def __init__(
        self,
        *,
        reserve: float = 0.2,
        burst_fraction: float = 0.01,
        drift_tolerance: float = 0.05,
        clock: Clock = utc_now,
    ) -> None:
        self.reserve = check_reserve(reserve)
        if not 0 <= burst_fraction < 0.5:
            raise InvalidInput(f"burst_fraction must be in [0, 0.5), got {burst_fraction!r}")
        if not 0 <= drift_tolerance < 1:
            raise InvalidInput(f"drift_tolerance must be in [0, 1), got {drift_tolerance!r}")
        self.burst_fraction = burst_fraction
        self.drift_tolerance = drift_tolerance
        self.clock = clock

    def plan(
        self,
        entries: Iterable[RosterEntry],
        budgets: Mapping[str, int | Budget],
        *,
        quotas: Mapping[str, ProviderQuota] | None = None,
        rate_limits: Mapping[str, float] | None = None,
        learned_limits: Mapping[str, int] | None = None,
    ) -> Plan:
        """A plan for ``entries`` now. Raises :class:`InvalidInput` on a bad priority, budget,
        reserve or rate limit, or a provider with no budget at all."""
        now = self.clock()
        roster = list(entries)
        _check_entries(roster)
        rates, learned, quotas = rate_limits or {}, learned_limits or {}, quotas or {}
        by_chain: dict[tuple[str, ...], list[RosterEntry]] = defaultdict(list)
        for entry in roster:
            by_chain[budgeted(entry.providers, budgets, learned)].append(entry)
        providers = dict.fromkeys(p for chain in by_chain for p in chain)
        paces = {
            provider: pace_for(
                provider,
                budgets=budgets,
                learned_limits=learned,
                reserve=self.reserve,
                burst_fraction=self.burst_fraction,
                rate_limit=rates.get(provider),
                quota=quotas.get(provider),
                now=now,
            )
            for provider in providers
        }
        shares = shares_of(by_chain)
        planned: list[PlanEntry] = []
        calls: dict[str, int] = dict.fromkeys(providers, 0)
        for chain, group in by_chain.items():
            pace = chain_pace(chain, paces, shares[chain])
            rows = _schedule(group, pace, now, chain)
            planned.extend(rows)
            if pace.scheduled:
                demand = sum(1 / row.interval.total_seconds() for row in rows)
                fill_in_order(calls, chain, paces, shares[chain], demand)
        return Plan(tuple(planned), calls, paces, now, _basis(roster, budgets, rates, learned))

    def drifted(self, plan: Plan, quotas: Mapping[str, ProviderQuota]) -> list[str]:
        """Providers whose real remaining quota, over the time to its reset, allows a slower pace
        than the plan's (by more than ``drift_tolerance``): they need a slower plan."""
        now = self.clock()
        slow = []
        for provider, quota in quotas.items():
            pace = plan.paces.get(provider)
            if pace is None or not pace.available:
                continue
            real = drift_pace(quota, pace.budget, self.reserve, now)
            if real is not None and real < pace.per_second * (1 - self.drift_tolerance):
                slow.append(provider)
        return slow

    def needs_replan(
        self,
        plan: Plan,
        entries: Iterable[RosterEntry],
        budgets: Mapping[str, int | Budget],
        *,
        quotas: Mapping[str, ProviderQuota] | None = None,
        rate_limits: Mapping[str, float] | None = None,
        learned_limits: Mapping[str, int] | None = None,
    ) -> bool:
        """Whether the roster, a budget, a rate limit or a learned limit changed since ``plan``,
        or a provider's real quota drifted behind it."""
        basis = _basis(entries, budgets, rate_limits or {}, learned_limits or {})
        return basis != plan.basis or bool(self.drifted(plan, quotas or {}))


def _schedule(
    group: list[RosterEntry], pace: Pace, now: datetime, chain: tuple[str, ...] = ()
) -> list[PlanEntry]:
    """Intervals and next times for one provider's entries.

    An entry fetched recently keeps its phase (last fetch + interval). New and overdue entries are
    due as the pacing allows: the first ``burst`` at once (spaced by the rate limit), the rest
    spread evenly over their own interval, so the provider's calls stay even across the period.
    """
    priority_sum = sum(e.priority for e in group)
    rows: list[PlanEntry] = []
    pending: list[tuple[RosterEntry, timedelta]] = []
    for entry in group:
        interval = _interval(pace, priority_sum, entry.priority)
        due = entry.last_fetch + interval if entry.last_fetch is not None else None
        if due is not None and due >= now:
            rows.append(_row(entry, interval, due, chain))
        else:
            pending.append((entry, interval))
    oldest = datetime.min.replace(tzinfo=UTC)
    pending.sort(key=lambda item: item[0].last_fetch or oldest)  # never fetched first, then oldest
    start = now if pace.scheduled else now + pace.period
    spacing = timedelta(seconds=1 / pace.rate_limit) if pace.rate_limit else timedelta(0)
    at_once = min(pace.burst, len(pending)) if pace.scheduled else 0
    spread = len(pending) - at_once
    for k, (entry, interval) in enumerate(pending):
        if k < at_once:
            rows.append(_row(entry, interval, start + k * spacing, chain))
        else:
            share = (k - at_once + 1) / (spread + 1)
            rows.append(_row(entry, interval, start + interval * share, chain))
    return rows


def _row(
    entry: RosterEntry, interval: timedelta, next_at: datetime, chain: tuple[str, ...]
) -> PlanEntry:
    chain = chain or entry.providers
    return PlanEntry(
        entry.creator_id,
        entry.platform,
        chain[0],
        interval,
        next_at.astimezone(UTC),
        chain if len(chain) > 1 else (),
    )
