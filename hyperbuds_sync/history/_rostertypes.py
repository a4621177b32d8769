"""The roster's records as the store keeps them (no database in sight: importable without the
``history`` extra)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = ["STATE_FIELDS", "CreatorRecord", "Delivery", "PlatformState"]

STATE_FIELDS = (
    "provider",
    "last_fetched_at",
    "last_synced_at",
    "synced_followers",
    "synced_engagement",
    "failures",
    "next_at",
    "last_error",
)


@attrs.frozen
class PlatformState:
    """One creator-platform of the roster and its refresh state (times aware UTC)."""

    creator_id: str
    platform: str
    username: str
    provider: str | None = None
    last_fetched_at: datetime | None = None
    last_synced_at: datetime | None = None
    synced_followers: int | None = None
    synced_engagement: float | None = None
    failures: int = 0
    next_at: datetime | None = None
    last_error: str | None = None


@attrs.frozen
class CreatorRecord:
    """A creator of the roster: the caller's id, a priority (>= 1) and their platforms."""

    creator_id: str
    priority: int
    platforms: dict[str, PlatformState]
    added_at: datetime


@attrs.frozen
class Delivery:
    """A change event whose webhook delivery failed, kept for replay."""

    id: int
    created_at: datetime
    url: str
    event: dict[str, Any]
    tries: int
