"""The budget ledger as the runner and the fleet use it: one async interface, three homes.

:class:`Ledger` is what a runner asks: the fleet's
:class:`~hyperbuds_sync.roster.RedisBudgetLedger`, where every process draws on one bucket per
provider; the
:class:`~hyperbuds_sync.roster.StoreLedger` in the roster's own history database (SQLite or
PostgreSQL), kept across restarts; or the in-process :class:`MemoryLedger`, for tests and
simulations. :func:`ledger_for` picks one for a client: Redis when it has a ``redis_url``, else
its SQL history store, else memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..errors import ConfigError
from ..history import ledger_books
from ._ledger import BudgetLedger
from ._ledger_store import StoreLedger
from ._planner import Clock, Plan, utc_now

if TYPE_CHECKING:
    from ._sdk import SocialSyncLike

__all__ = ["Ledger", "MemoryLedger", "ledger_for"]


@runtime_checkable
class Ledger(Protocol):
    """May one more call go to a provider now? (see :class:`BudgetLedger` for the rules)."""

    async def apply(self, plan: Plan) -> None:
        """Use ``plan``'s paces from now on; what was spent ahead of the pace carries over."""
        ...

    async def try_spend(self, provider: str) -> bool:
        """Spend one call on ``provider`` if its budget and rate limit allow it now."""
        ...

    async def charge(self, provider: str, calls: int) -> None:
        """Count ``calls`` made beyond those :meth:`try_spend` allowed (retries)."""
        ...

    async def next_allowed(self, provider: str) -> datetime | None:
        """When the next call to ``provider`` may go; ``None`` while it is paused."""
        ...

    async def spent(self, provider: str) -> int:
        """Calls spent on ``provider`` through this ledger (by every process sharing it)."""
        ...

    async def aclose(self) -> None:
        """Let go of what the ledger holds open."""
        ...


class MemoryLedger:
    """A :class:`BudgetLedger` behind the async :class:`Ledger` interface, for tests and
    simulations: it lives in this process only, so a restart forgets what was spent (a roster
    spends through the :class:`~hyperbuds_sync.roster.StoreLedger` in its database instead)."""

    def __init__(self, plan: Plan | None = None, *, clock: Clock = utc_now) -> None:
        self.books = BudgetLedger(plan, clock=clock)

    def __repr__(self) -> str:
        return "MemoryLedger()"

    async def apply(self, plan: Plan) -> None:
        self.books.apply(plan)

    async def try_spend(self, provider: str) -> bool:
        return self.books.try_spend(provider)

    async def charge(self, provider: str, calls: int) -> None:
        self.books.charge(provider, calls)

    async def next_allowed(self, provider: str) -> datetime | None:
        return self.books.next_allowed(provider)

    async def spent(self, provider: str) -> int:
        return self.books.spent(provider)

    async def aclose(self) -> None:
        return None


def ledger_for(
    sync: SocialSyncLike, *, clock: Clock = utc_now, namespace: str = "hyperbuds_sync"
) -> Ledger:
    """The ledger a roster over ``sync`` spends through: shared through Redis when the client
    has a ``redis_url`` (a fleet), else kept in its SQL history store (across restarts, and
    shared by the processes on one database), else (no SQL history) in this process."""
    url = sync.redis_url
    if url:
        from ._ledger_redis import RedisBudgetLedger

        return RedisBudgetLedger.from_url(url, namespace=namespace)
    try:
        books = ledger_books(sync.history_store)
    except ConfigError:
        return MemoryLedger(clock=clock)
    return StoreLedger(books, clock=clock)
