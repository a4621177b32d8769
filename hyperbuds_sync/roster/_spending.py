"""A roster's spending: the ledger asked before each refresh, charged after with what it made.

The runner and the fleet's worker spend the same way. Before a refresh, one call is spent on the
first provider of the creator-platform's chain that is not benched and has room in the ledger
(:meth:`Spending.reserve`); the refresh then asks that provider only. When it fails over (quota,
outage, refusal, a changed answer), the chain's next provider with room is spent and asked, and so
on (:meth:`Spending.walk`): no provider is ever asked without its budget allowing it. After each
ask the calls it really made, by provider (the transport's retries included, counted by
``Metrics.tally``), are charged beyond the one spent before it (:meth:`Spending.settle`). A
provider skipped (benched) made no call and is charged nothing. The counters' ``spent`` figures
include every charge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import datetime

import attrs

from ..errors import ConfigError, InvalidInput, ProviderError, UsernameNotFound
from ._ledgers import Ledger
from ._planner import Plan, PlanEntry
from ._refresh import RefreshOutcome
from ._status import RunCounters

__all__ = ["Spending"]

Ask = Callable[[str], Awaitable[RefreshOutcome]]
"""One refresh through the provider named (a pinned fetch, then the sync)."""


def fails_over(outcome: RefreshOutcome) -> bool:
    """Whether the chain's walk would move on from this outcome's provider: the fetch failed
    with a provider's error that is not the answer itself (a not-found is the answer)."""
    error = outcome.error  # the walk's own rule: a provider's error or a missing credential
    return (
        outcome.data is None
        and isinstance(error, ProviderError | ConfigError)
        and not isinstance(error, UsernameNotFound)
    )


class Spending:
    """The ledger and the counters of one roster, and the plan its paces came from."""

    def __init__(self, ledger: Ledger, counters: RunCounters) -> None:
        self.ledger = ledger
        self.counters = counters
        self._applied: Plan | None = None
        self._index: dict[tuple[str, str], PlanEntry] = {}

    async def apply(self, plan: Plan) -> None:
        """Give ``plan``'s paces to the ledger (once per plan)."""
        if plan is self._applied:
            return
        await self.ledger.apply(plan)
        self._applied = plan
        self._index = {(e.creator_id, e.platform): e for e in plan.entries}

    def entry(self, creator_id: str, platform: str) -> PlanEntry | None:
        """The applied plan's entry for a creator-platform."""
        return self._index.get((creator_id, platform))

    def _paced(self, provider: str) -> bool:
        return self._applied is not None and provider in self._applied.paces

    async def spend(self, provider: str) -> bool:
        """Spend one call of ``provider``'s budget if the ledger has room now."""
        if not await self.ledger.try_spend(provider):
            return False
        self.counters.spent[provider] += 1
        return True

    async def reserve(self, providers: Iterable[str], benched: Collection[str] = ()) -> str | None:
        """Spend one call on the first of ``providers`` (a chain, in order) that is not benched
        and has room now; its name, or ``None`` when none has."""
        for provider in providers:
            if provider not in benched and await self.spend(provider):
                return provider
        return None

    async def next_allowed(
        self, providers: Iterable[str], benched: Collection[str] = ()
    ) -> datetime | None:
        """The soonest any of ``providers`` not benched may be spent again (``None``: all
        paused)."""
        times = [await self.ledger.next_allowed(p) for p in providers if p not in benched]
        known = [t for t in times if t is not None]
        return min(known) if known else None

    async def settle(self, reserved: str | None, outcome: RefreshOutcome) -> None:
        """Charge every provider the calls ``outcome`` made on it, beyond the one spent on
        ``reserved`` before the refresh. A provider the plan has no budget for is not charged
        (there is no budget of it to keep)."""
        calls = dict(outcome.calls)
        if not calls and reserved is not None and outcome.attempts:
            calls = {reserved: outcome.attempts}  # made outside the walk: the reserved one's
        for provider, made in calls.items():
            extra = made - (1 if provider == reserved else 0)
            if extra > 0 and self._paced(provider):
                await self.ledger.charge(provider, extra)
                self.counters.spent[provider] += extra

    async def walk(
        self, chain: tuple[str, ...], first: str, benched: Collection[str], ask: Ask
    ) -> RefreshOutcome:
        """Ask ``first`` (one call already spent on it); while the answer fails over, spend on
        and ask the chain's next provider with room. Every ask is settled; the outcome returned
        is the last, with the attempts and calls of them all."""
        rest = chain[chain.index(first) + 1 :] if first in chain else ()
        provider = first
        attempts, calls = 0, Counter[str]()
        while True:
            outcome = await ask(provider)
            await self.settle(provider, outcome)
            attempts += outcome.attempts
            calls.update(outcome.calls)
            following = await self.reserve(rest, benched) if fails_over(outcome) else None
            if following is None:
                break
            provider, rest = following, rest[rest.index(following) + 1 :]
        return attrs.evolve(outcome, attempts=attempts, calls=dict(calls))

    async def settle_for(self, creator_id: str, outcome: RefreshOutcome) -> None:
        """:meth:`settle` a refresh no call was reserved for, on the applied plan's first
        provider for this creator-platform."""
        entry = self._index.get((creator_id, outcome.platform))
        if entry is not None:
            await self.settle(entry.provider, outcome)

    async def take(
        self,
        plan: Plan,
        creator_id: str,
        platform: str,
        replan: Callable[[], Awaitable[Plan]],
        benched: Collection[str] = (),
    ) -> str | datetime:
        """Spend one call for a creator-platform of ``plan`` (made anew by ``replan`` when it
        is not in it), on the first provider of its chain with room: its name; else when to
        try again."""
        await self.apply(plan)
        entry = self._index.get((creator_id, platform))
        if entry is None:
            await self.apply(await replan())
            entry = self._index.get((creator_id, platform))
        if entry is None:
            raise InvalidInput(f"{creator_id!r} is not on the roster on {platform!r}")
        granted = await self.reserve(entry.providers, benched)
        if granted is not None:
            return granted
        later = await self.next_allowed(entry.providers, benched)
        return later or plan.made_at + entry.interval
