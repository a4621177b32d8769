"""The roster: keeping many creators fresh within each provider's quota budget.

Owns the planner (pure logic with an injected clock: roster entries, budgets, quotas and rate
limits in, a :class:`Plan` out) and the :class:`BudgetLedger` a runner asks before every upstream
call. The runner, the history-backed ``Roster`` and the SAQ worker join it later.

May import: ``hyperbuds_sync.errors`` and the standard library, attrs. Nothing here does I/O, and
nothing here imports the transport, providers, cache, history or the CLI.
"""

from __future__ import annotations

from ._budget import DAY, MONTH, Budget, Pace, ProviderQuota
from ._ledger import BudgetLedger
from ._planner import Clock, Plan, PlanEntry, Planner, RosterEntry, utc_now

__all__ = [
    "DAY",
    "MONTH",
    "Budget",
    "BudgetLedger",
    "Clock",
    "Pace",
    "Plan",
    "PlanEntry",
    "Planner",
    "ProviderQuota",
    "RosterEntry",
    "utc_now",
]
