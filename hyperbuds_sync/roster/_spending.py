"""A roster's spending: the ledger asked before each refresh, charged after with its retries.

The runner and the fleet's worker spend the same way: one call from the ledger before a refresh
(:meth:`Spending.spend`), then the attempts the refresh made beyond that one (the transport's
retries, a failover's calls, counted by ``Metrics.tally``) charged to the same provider
(:meth:`Spending.settle`). The counters' ``spent`` figures include both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from ..errors import InvalidInput
from ._ledgers import Ledger
from ._planner import Plan, PlanEntry
from ._refresh import RefreshOutcome
from ._status import RunCounters

__all__ = ["Spending"]


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

    async def spend(self, provider: str) -> bool:
        """Spend one call of ``provider``'s budget if the ledger has room now."""
        if not await self.ledger.try_spend(provider):
            return False
        self.counters.spent[provider] += 1
        return True

    async def settle(self, provider: str, outcome: RefreshOutcome) -> None:
        """Charge the attempts ``outcome``'s refresh made beyond the one spent before it."""
        extra = outcome.attempts - 1
        if extra > 0:
            await self.ledger.charge(provider, extra)
            self.counters.spent[provider] += extra

    async def settle_for(self, creator_id: str, outcome: RefreshOutcome) -> None:
        """:meth:`settle` on the provider the applied plan gives this creator-platform."""
        entry = self._index.get((creator_id, outcome.platform))
        if entry is not None:
            await self.settle(entry.provider, outcome)

    async def take(
        self,
        plan: Plan,
        creator_id: str,
        platform: str,
        replan: Callable[[], Awaitable[Plan]],
    ) -> datetime | None:
        """Spend one call for a creator-platform of ``plan`` (made anew by ``replan`` when it
        is not in it); ``None`` when spent, else when to try again."""
        await self.apply(plan)
        entry = self._index.get((creator_id, platform))
        if entry is None:
            await self.apply(await replan())
            entry = self._index.get((creator_id, platform))
        if entry is None:
            raise InvalidInput(f"{creator_id!r} is not on the roster on {platform!r}")
        if await self.spend(entry.provider):
            return None
        later = await self.ledger.next_allowed(entry.provider)
        return later or plan.made_at + entry.interval
