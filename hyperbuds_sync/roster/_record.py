"""A refresh's outcome stored in the roster: a backoff after a failure; after a success the new
state, and after a sync the change hooks and the synced stats they compare against next time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..models import PlatformData
from ._hooks import ChangeHooks, SyncedStats
from ._providers import provider_for
from ._refresh import RefreshOutcome

if TYPE_CHECKING:
    from ..history import PlatformState, RosterStore

__all__ = ["MAX_BACKOFF", "record_outcome"]

MAX_BACKOFF = 6 * 3600.0
"""The longest wait, in seconds, before retrying a creator-platform that keeps failing."""


async def record_outcome(
    store: RosterStore,
    hooks: ChangeHooks,
    state: PlatformState,
    outcome: RefreshOutcome,
    *,
    now: datetime,
    retry_base: float,
) -> None:
    """Store ``outcome`` as ``state``'s new refresh state (firing the hooks after a sync)."""
    if not outcome.ok or not isinstance(outcome.data, PlatformData):
        await _back_off(store, state, outcome, now=now, retry_base=retry_base)
        return
    data = outcome.data
    fields: dict[str, Any] = {
        "provider": provider_for(state.platform, data, state.provider),
        "last_fetched_at": data.last_fetched.astimezone(UTC),
        "failures": 0,
        "next_at": None,
        "last_error": None if outcome.status == "synced" else outcome.reason,
    }
    if outcome.status == "synced":
        before = None
        if state.synced_followers is not None:
            before = SyncedStats(state.synced_followers, state.synced_engagement or 0.0)
        await hooks.after_sync(state.creator_id, state.platform, before, data)
        fields |= {
            "last_synced_at": now,
            "synced_followers": data.followers,
            "synced_engagement": data.average_engagement,
        }
    await store.update(state.creator_id, state.platform, **fields)


async def _back_off(
    store: RosterStore,
    state: PlatformState,
    outcome: RefreshOutcome,
    *,
    now: datetime,
    retry_base: float,
) -> None:
    """One more failure: the next try waits twice as long, at most :data:`MAX_BACKOFF`."""
    failures = state.failures + 1
    wait = min(retry_base * 2 ** (failures - 1), MAX_BACKOFF)
    error = outcome.error or outcome.reason
    await store.update(
        state.creator_id,
        state.platform,
        failures=failures,
        next_at=now + timedelta(seconds=wait),
        last_error=f"{type(error).__name__}: {error}"[:300],
    )
