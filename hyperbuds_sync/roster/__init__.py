"""The roster: keeping many creators fresh within each provider's quota budget.

Owns the planner (pure logic with an injected clock: roster entries, budgets, quotas and rate
limits in, a :class:`Plan` out) and the :class:`BudgetLedger` a runner asks before every upstream
call, and the fleet (``_fleet*``): SAQ jobs that plan and run refreshes over many processes, driven
through the :class:`Refresher` protocol. The runner and the history-backed ``Roster`` join it later.

May import: ``hyperbuds_sync.errors`` and the standard library, attrs; the fleet modules also
import ``saq`` and aiohttp, lazily (the ``fleet`` extra). Nothing but the fleet does I/O, and
nothing here imports the transport, providers, cache, history or the CLI.
"""

from __future__ import annotations

from ._budget import DAY, MONTH, Budget, Pace, ProviderQuota
from ._fleet import (
    QUEUE_NAME,
    EventHook,
    FleetSettings,
    Refresher,
    RefresherFactory,
    enqueue_due,
    job_key,
)
from ._fleet_roster import PlansAndRefreshes, roster_refresher
from ._fleet_run import build_worker, open_queue, run_worker
from ._ledger import BudgetLedger
from ._planner import Clock, Plan, PlanEntry, Planner, RosterEntry, utc_now

__all__ = [
    "DAY",
    "MONTH",
    "QUEUE_NAME",
    "Budget",
    "BudgetLedger",
    "Clock",
    "EventHook",
    "FleetSettings",
    "Pace",
    "Plan",
    "PlanEntry",
    "Planner",
    "PlansAndRefreshes",
    "ProviderQuota",
    "Refresher",
    "RefresherFactory",
    "RosterEntry",
    "build_worker",
    "enqueue_due",
    "job_key",
    "open_queue",
    "roster_refresher",
    "run_worker",
    "utc_now",
]
