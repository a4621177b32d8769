"""The one rule for "due", shared by the one-process runner and the fleet's planner.

A creator-platform is due at its plan's ``next_at``; while it is failing (``failures`` > 0), not
before its back-off's ``next_at`` either (60 s doubling to 6 h, see ``_record``). Whoever decides
what to refresh next asks :func:`due_at`, so ``roster run`` and ``worker`` spend a provider's
quota on a failing creator equally rarely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from ..history import PlatformState
from ._planner import Plan

__all__ = ["due_at", "due_keys", "retry_at"]

Key = tuple[str, str]


def retry_at(state: PlatformState | None) -> datetime | None:
    """When a failing creator-platform may be tried again (``None``: not failing)."""
    if state is None or not state.failures:
        return None
    return state.next_at


def due_at(planned: datetime, state: PlatformState | None) -> datetime:
    """When a creator-platform planned for ``planned`` is due, its failure back-off included."""
    retry = retry_at(state)
    return planned if retry is None else max(planned, retry)


def due_keys(plan: Plan, states: Mapping[Key, PlatformState], now: datetime) -> list[Key]:
    """The ``(creator_id, platform)`` of ``plan`` due at ``now``, or before the plan was made (a
    new entry is due at the plan's own time, a moment after the ``now`` the planner read)."""
    cutoff = max(now, plan.made_at)
    return [key for key, at in _times(plan, states) if at <= cutoff]


def _times(plan: Plan, states: Mapping[Key, PlatformState]) -> Iterable[tuple[Key, datetime]]:
    for entry in plan.entries:
        key = (entry.creator_id, entry.platform)
        yield key, due_at(entry.next_at, states.get(key))
