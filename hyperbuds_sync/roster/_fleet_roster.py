"""The adapter from a roster to the fleet's :class:`~hyperbuds_sync.roster.Refresher`.

:func:`roster_refresher` needs only what the issue gives the ``Roster``: ``await roster.plan()``
(entries with ``creator_id``, ``platform`` and ``next_at``) and ``await roster.refresh(creator_id,
platform)``. It is typed against that shape, so it needs nothing else from the class.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ._due import due_keys
from ._fleet import Refresher
from ._planner import Plan

__all__ = ["PlansAndRefreshes", "roster_refresher"]


class PlansAndRefreshes(Protocol):
    """What the fleet needs of a roster: its plan and its one-refresh coroutine (a ``Roster``
    also has ``take_budget`` and ``refresh_within_budget``, which the adapter then uses)."""

    async def plan(self) -> Plan:
        """The current plan."""
        ...

    async def refresh(self, creator_id: str, platform: str) -> object:
        """Refresh one creator-platform; return its outcome."""
        ...


class _RosterRefresher:
    """A roster seen as a :class:`Refresher`: due is the roster's own ``due(now)`` (a ``Roster``:
    planned by then and past any failure back-off, the rule ``roster run`` keeps); for a roster
    with only a plan, ``next_at`` at or before ``now`` or before the plan was made."""

    def __init__(self, roster: PlansAndRefreshes) -> None:
        self._roster = roster

    async def due(self, now: datetime) -> Sequence[tuple[str, str]]:
        own = getattr(self._roster, "due", None)
        if own is not None:
            found: Sequence[tuple[str, str]] = await own(now)
            return found
        return due_keys(await self._roster.plan(), {}, now)

    async def refresh(self, creator_id: str, platform: str) -> object:
        budgeted = getattr(self._roster, "refresh_within_budget", None)
        if budgeted is not None:  # charges the refresh's retries to the ledger
            return await budgeted(creator_id, platform)
        return await self._roster.refresh(creator_id, platform)

    async def take_budget(self, creator_id: str, platform: str) -> datetime | None:
        """The roster's :meth:`~hyperbuds_sync.Roster.take_budget`; ``None`` (go) without one."""
        take = getattr(self._roster, "take_budget", None)
        if take is None:
            return None
        found: datetime | None = await take(creator_id, platform)
        return found

    def __repr__(self) -> str:
        return f"roster_refresher({self._roster!r})"


def roster_refresher(roster: PlansAndRefreshes) -> Refresher:
    """The fleet's :class:`Refresher` over a ``Roster`` (anything with ``plan`` and ``refresh``)."""
    return _RosterRefresher(roster)
