"""Reading a creator's anomalies from a history store: the one async step before the pure
detector (:func:`anomalies_of`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ._detect import detect
from ._types import Anomaly, AnomalySettings

if TYPE_CHECKING:  # not at run time: the history's sudden-drop guard may import this folder
    from ..history import HistoryStore, Snapshot

__all__ = ["anomalies_of"]


async def anomalies_of(
    store: HistoryStore,
    platform: str,
    username: str,
    *,
    days: float = 90,
    at: Snapshot | datetime | None = None,
    settings: AnomalySettings | None = None,
) -> list[Anomaly]:
    """The anomalies that end in the ``days`` before ``at`` (now by default), judged against
    the creator's history over those days and ``settings.lookback_days`` before them."""
    if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0:
        raise InvalidInput(f"days must be a number > 0, got {days!r}")
    chosen = settings or AnomalySettings()
    end = at.fetched_at if at is not None and not isinstance(at, datetime) else at
    end = end or datetime.now(UTC)
    since = end - timedelta(days=days)
    read_from = since - timedelta(days=chosen.lookback_days)
    snapshots = await store.snapshots(platform, username, since=read_from, until=end)
    return detect(snapshots, chosen, since=since)
