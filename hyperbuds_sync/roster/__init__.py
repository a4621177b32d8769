"""The roster: keeping many creators fresh within each provider's quota budget.

Owns the planner (pure logic with an injected clock: roster entries, budgets, quotas and rate
limits in, a :class:`Plan` out), the :class:`BudgetLedger` a runner asks before every upstream
call, and on top of them the :class:`Roster` (creators kept in the history store), its
one-process runner, the change hooks and :func:`sync_many`; and the fleet (``_fleet*``): SAQ jobs
that plan and run refreshes over many processes, driven through the :class:`Refresher` protocol.

May import: the SDK's public modules (``errors``, ``models``, ``metrics``, ``webhooks``,
``anomalies``), ``backend``, ``history``, ``platforms``, ``transport`` (its ``RequestLoop``, which
sends the webhook deliveries) and ``_redis`` through their ``__init__``, and attrs; never
``client``, which wires the roster in: what the roster uses of a ``SocialSync`` is the protocol in
``_sdk``; the fleet modules also import ``saq``, lazily (the ``fleet`` extra), and the Redis ledger
(``_ledger_redis``) ``redis`` through ``_redis``, loaded only when a client has a ``redis_url``;
the store's ledger (``_ledger_store``) keeps its rows through ``history``. The planner, budget,
ledger and simulation modules stay pure: no I/O, no import beyond ``errors`` and attrs. Nothing
here imports the providers, the cache or the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..metrics import roster_families
from ._budget import DAY, MONTH, Budget, Pace, ProviderQuota
from ._fleet import (
    QUEUE_NAME,
    Budgeted,
    EventHook,
    FleetSettings,
    Refresher,
    RefresherFactory,
    enqueue_due,
    job_key,
)
from ._fleet_roster import PlansAndRefreshes, roster_refresher
from ._fleet_run import build_worker, open_queue, run_worker
from ._hooks import OnAnomaly, OnChange, SyncedStats
from ._ledger import BudgetLedger
from ._ledger_store import StoreLedger
from ._ledgers import Ledger, MemoryLedger
from ._many import Item, ManyReport, OnProgress, sync_many
from ._planner import Clock, Plan, PlanEntry, Planner, RosterEntry, utc_now
from ._providers import DEFAULT_PROVIDERS, provider_for
from ._refresh import RefreshOutcome, TokenFor
from ._roster import Roster
from ._status import RosterStatus

if TYPE_CHECKING:
    from ._ledger_redis import RedisBudgetLedger

__all__ = [
    "DAY",
    "DEFAULT_PROVIDERS",
    "MONTH",
    "QUEUE_NAME",
    "Budget",
    "BudgetLedger",
    "Budgeted",
    "Clock",
    "EventHook",
    "FleetSettings",
    "Item",
    "Ledger",
    "ManyReport",
    "MemoryLedger",
    "OnAnomaly",
    "OnChange",
    "OnProgress",
    "Pace",
    "Plan",
    "PlanEntry",
    "Planner",
    "PlansAndRefreshes",
    "ProviderQuota",
    "RedisBudgetLedger",
    "RefreshOutcome",
    "Refresher",
    "RefresherFactory",
    "Roster",
    "RosterEntry",
    "RosterStatus",
    "StoreLedger",
    "SyncedStats",
    "TokenFor",
    "build_worker",
    "enqueue_due",
    "job_key",
    "open_queue",
    "provider_for",
    "roster_families",
    "roster_refresher",
    "run_worker",
    "sync_many",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    """:class:`RedisBudgetLedger` needs ``redis``: imported on first use."""
    if name == "RedisBudgetLedger":
        from .._redis import require_redis

        require_redis()
        from ._ledger_redis import RedisBudgetLedger

        return RedisBudgetLedger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Roster.__module__ = __name__  # not the attrs records: their annotations resolve in their module
