"""Reading a creator's anomalies from a history store: the one async step before the pure
detector (:func:`anomalies_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..errors import InvalidInput
from ._detect import detect
from ._series import SnapshotLike
from ._types import Anomaly, AnomalySettings


class SnapshotSource(Protocol):
    """What :func:`anomalies_of` reads: a :class:`~hyperbuds_sync.history.HistoryStore` has it.
    (This folder never imports the history, so the history's sudden-drop guard may import it.)"""

    async def snapshots(
        self,
        platform: str,
        username: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> Sequence[SnapshotLike]:
        """The creator's snapshots in ``[since, until]``, oldest first."""
        ...


__all__ = ["SnapshotSource", "anomalies_of"]


async def anomalies_of(
    store: SnapshotSource,
    platform: str,
    username: str,
    *,
    days: float = 90,
    at: SnapshotLike | datetime | None = None,
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
