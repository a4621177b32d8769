"""Reading a creator's anomalies from a history store: the one async step before the pure
detector (:func:`anomalies_of`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class HistoriesSource(Protocol):
    """What :func:`all_anomalies` reads: every creator's history in one pass, as the SQL
    history store's ``histories()`` gives it (the store :func:`hyperbuds_sync.history.open_store`
    opens)."""

    def histories(
        self,
        *,
        platform: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[tuple[str, str, Sequence[SnapshotLike]]]:
        """Each creator's snapshots in ``[since, until]``, oldest first, creator by creator."""
        ...


__all__ = ["HistoriesSource", "SnapshotSource", "all_anomalies", "anomalies_of"]


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
    chosen = settings or AnomalySettings()
    end = at.fetched_at if at is not None and not isinstance(at, datetime) else at
    read_from, since, end = _period(days, end, chosen)
    snapshots = await store.snapshots(platform, username, since=read_from, until=end)
    return detect(snapshots, chosen, since=since)


async def all_anomalies(
    store: HistoriesSource,
    *,
    platform: str | None = None,
    days: float = 90,
    at: datetime | None = None,
    settings: AnomalySettings | None = None,
) -> dict[tuple[str, str], list[Anomaly]]:
    """Every creator's anomalies that end in the ``days`` before ``at`` (now by default), each
    judged as :func:`anomalies_of` judges one, from one read of every history: ``{(platform,
    username): anomalies}``, creators with none left out."""
    chosen = settings or AnomalySettings()
    read_from, since, end = _period(days, at, chosen)
    found: dict[tuple[str, str], list[Anomaly]] = {}
    async for name, username, snapshots in store.histories(
        platform=platform, since=read_from, until=end
    ):
        anomalies = detect(snapshots, chosen, since=since)
        if anomalies:
            found[name, username] = anomalies
    return found


def _period(
    days: float, end: datetime | None, settings: AnomalySettings
) -> tuple[datetime, datetime, datetime]:
    """The moments to read from, to report from, and the end (now by default)."""
    if isinstance(days, bool) or not isinstance(days, int | float) or not days > 0:
        raise InvalidInput(f"days must be a number > 0, got {days!r}")
    end = end or datetime.now(UTC)
    since = end - timedelta(days=days)
    return since - timedelta(days=settings.lookback_days), since, end
