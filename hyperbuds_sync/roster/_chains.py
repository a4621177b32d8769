"""A platform's chain planned as a whole: which providers of a chain the roster spends on, each
chain's share of a provider other chains use too, the pace a chain's budgets allow together, and
the planned calls handed to the chain's providers in chain order. Pure arithmetic."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

from ._budget import Budget, Pace

__all__ = ["budgeted", "chain_pace", "fill_in_order", "shares_of"]


class _Weighted(Protocol):
    @property
    def priority(self) -> int: ...


def budgeted(
    chain: tuple[str, ...], budgets: Mapping[str, int | Budget], learned: Mapping[str, int]
) -> tuple[str, ...]:
    """The chain's providers that have a budget (set or learned), in order: the roster spends
    on no other. None has one: the first alone, whose missing budget the plan then reports."""
    kept = tuple(p for p in chain if p in budgets or p in learned)
    return kept or chain[:1]


def shares_of(
    by_chain: Mapping[tuple[str, ...], Sequence[_Weighted]],
) -> dict[tuple[str, ...], dict[str, float]]:
    """Per chain, the share of each of its providers' pace it may use: all of it, unless
    other chains use the provider too (then split by the chains' priority sums)."""
    weight = {chain: sum(e.priority for e in group) for chain, group in by_chain.items()}
    total: dict[str, int] = defaultdict(int)
    for chain, w in weight.items():
        for provider in chain:
            total[provider] += w
    return {chain: {p: weight[chain] / total[p] for p in chain} for chain in by_chain}


def chain_pace(
    chain: tuple[str, ...], paces: Mapping[str, Pace], share: Mapping[str, float]
) -> Pace:
    """One pace for a whole chain: what its providers' paces (their shares) allow together,
    counted over the first provider's period."""
    first = paces[chain[0]]
    if len(chain) == 1 and share[chain[0]] == 1:
        return first
    period_s = first.period.total_seconds()
    rate = sum(share[p] * paces[p].scheduled / paces[p].period.total_seconds() for p in chain)
    scheduled = math.floor(rate * period_s)
    if not scheduled:
        return Pace(first.provider, first.budget, 0, 0, first.rate_limit)
    burst = max(1, math.floor(sum(share[p] * paces[p].burst for p in chain)))
    limits = [paces[p].rate_limit for p in chain]
    rate_limit = None if None in limits else sum(x for x in limits if x is not None)
    return Pace(first.provider, first.budget, scheduled + burst, burst, rate_limit)


def fill_in_order(
    calls: dict[str, int],
    chain: tuple[str, ...],
    paces: Mapping[str, Pace],
    share: Mapping[str, float],
    demand: float,
) -> None:
    """Add a chain's planned calls (``demand`` per second) to its providers in chain order: the
    first up to its share of its pace, the rest to the next."""
    for provider in chain:
        pace = paces[provider]
        period_s = pace.period.total_seconds()
        room = share[provider] * pace.scheduled / period_s
        take = demand if provider == chain[-1] else min(demand, room)
        calls[provider] += math.floor(take * period_s + 1e-9)
        demand -= take
        if demand <= 0:
            return
