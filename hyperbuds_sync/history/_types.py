"""The records of the history: :class:`Snapshot`, :class:`SyncRecord`, :class:`Growth`.

Plain attrs records, no database in sight: :func:`growth_of` computes a :class:`Growth` from the
snapshots a store picked, so both databases share one formula. Each record has a short repr,
a ``to_record()`` row for :func:`hyperbuds_sync.to_pandas` and an HTML table for notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from attrs import field, frozen

from ..errors import InvalidInput
from ..models import record_table, rows_table

if TYPE_CHECKING:
    from ..anomalies import Anomaly

__all__ = [
    "DEFAULT_WINDOWS",
    "Growth",
    "GrowthWindow",
    "Snapshot",
    "SnapshotRow",
    "SyncRecord",
    "growth_of",
]

DEFAULT_WINDOWS = (1, 7, 30, 90)
"""The growth windows, in days, Social Blade's users look at."""


def utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused, as its meaning is a guess."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"expected a timezone-aware datetime, got {value!r}")
    if value.tzinfo is UTC:  # already UTC (every fetch's time): nothing to convert
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"datetime {value.isoformat()} has no timezone; give one (UTC)")
    return value.astimezone(UTC)


@frozen(kw_only=True)
class Snapshot:
    """One fresh upstream answer about one creator, as the history keeps it.

    ``fetched_at`` is converted to UTC (a naive datetime is refused). ``raw``, the provider's
    JSON, is kept only with ``history_keep_raw=True`` and takes no part in equality or ``repr``.
    The store's unique key is (platform, username, provider, fetched_at).
    """

    platform: str
    username: str
    provider: str = ""
    fetched_at: datetime = field(converter=utc)
    followers: int
    following: int = 0
    total_content: int = 0
    total_engagement: float | None = None
    average_engagement: float | None = None
    formula: str = ""
    rounded: bool = False
    raw: Mapping[str, Any] | None = field(default=None, eq=False, repr=False)

    def to_record(self) -> dict[str, Any]:
        """A flat snake_case row for data tools: every field but ``raw``, ``fetched_at`` a
        real datetime (see :func:`hyperbuds_sync.to_pandas`)."""
        return {a.name: getattr(self, a.name) for a in attrs.fields(Snapshot) if a.name != "raw"}

    def __repr__(self) -> str:
        when = self.fetched_at.isoformat(timespec="seconds")
        return f"Snapshot({self.platform!r}, {self.username!r}, {when}, followers={self.followers})"

    def _repr_html_(self) -> str:
        title = f"{self.platform} @{self.username} at {self.fetched_at:%Y-%m-%d %H:%M} UTC"
        return record_table(title, self.to_record())


class SnapshotRow(NamedTuple):
    """One stored snapshot's figures, as :meth:`~SQLHistoryStore.histories` gives them
    (``fetched_at`` aware UTC)."""

    platform: str
    username: str
    fetched_at: datetime
    followers: int
    total_content: int
    total_engagement: float | None
    rounded: bool


@frozen(kw_only=True)
class SyncRecord:
    """One successful sync: what was sent, when, and the backend's totals after it.

    ``username`` is ``None`` for a manual entry, which names no account. ``creator`` is the
    creator the sync was for when the caller named one (the creator id a roster, ``sync_many`` or
    the service gives, or ``backend:<profile id>`` from the backend's answer): the sudden-drop
    guard compares a sync with the same creator's last one, never with another creator's.
    """

    platform: str
    username: str | None = None
    followers: int | None = None
    engagement: float | None = None
    synced_at: datetime = field(converter=utc)
    total_followers: int | None = None
    avg_engagement: float | None = None
    creator: str | None = None


@frozen
class GrowthWindow:
    """The change over one window of ``days``.

    ``start`` is the latest snapshot at or before ``end.fetched_at - days``; ``None`` when the
    history does not reach that far back, and then every change is ``None`` too.
    ``followers_change_pct`` is a percentage of the start (``None`` when the start is 0 or
    missing); ``engagement_change`` compares average engagement (``None`` when either is).
    """

    days: int
    start: Snapshot | None
    end: Snapshot | None
    followers_change: int | None
    followers_change_pct: float | None
    engagement_change: float | None

    def to_record(self) -> dict[str, Any]:
        """One flat row: the window's ``days``, the moments and followers at both ends, the
        changes (``None`` where a side is missing)."""
        return {
            "days": self.days,
            "start_at": None if self.start is None else self.start.fetched_at,
            "end_at": None if self.end is None else self.end.fetched_at,
            "start_followers": None if self.start is None else self.start.followers,
            "end_followers": None if self.end is None else self.end.followers,
            "followers_change": self.followers_change,
            "followers_change_pct": self.followers_change_pct,
            "engagement_change": self.engagement_change,
        }

    def _summary(self) -> str:
        if self.followers_change is None:
            return f"{self.days} d: no snapshot that old"
        pct = "" if self.followers_change_pct is None else f" ({self.followers_change_pct:+.2f}%)"
        engagement = (
            "" if self.engagement_change is None else f", engagement {self.engagement_change:+.2f}"
        )
        return f"{self.days} d: {self.followers_change:+,} followers{pct}{engagement}"

    def __repr__(self) -> str:
        return f"GrowthWindow({self._summary()})"


_GROWTH_COLUMNS = (
    "days",
    "start_at",
    "start_followers",
    "end_followers",
    "followers_change",
    "followers_change_pct",
    "engagement_change",
)


@frozen
class Growth:
    """A creator's growth over several windows: ``growth.windows[7].followers_change``.

    ``to_pandas(growth)`` gives one row per window (:meth:`GrowthWindow.to_record`);
    ``to_pandas([growth, ...])`` one row per creator (:meth:`to_record`). ``anomalies`` are the
    growth anomalies over the longest window (:meth:`SocialSync.anomalies
    <hyperbuds_sync.SocialSync.anomalies>`); empty when not computed.
    """

    platform: str
    username: str
    end: Snapshot | None
    windows: dict[int, GrowthWindow]
    anomalies: tuple[Anomaly, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """One flat row for this creator: the latest snapshot's moment and followers, then
        ``followers_change_<d>d`` and ``followers_change_pct_<d>d`` for each window."""
        row: dict[str, Any] = {
            "platform": self.platform,
            "username": self.username,
            "fetched_at": None if self.end is None else self.end.fetched_at,
            "followers": None if self.end is None else self.end.followers,
        }
        for days, window in self.windows.items():
            row[f"followers_change_{days}d"] = window.followers_change
            row[f"followers_change_pct_{days}d"] = window.followers_change_pct
        return row

    def _title(self) -> str:
        latest = "no snapshot" if self.end is None else f"{self.end.followers:,} followers"
        return f"{self.platform} @{self.username}: {latest}"

    def __repr__(self) -> str:
        lines = "".join(f"\n  {w._summary()}" for w in self.windows.values())
        return f"<Growth {self._title()}{lines}>"

    def _repr_html_(self) -> str:
        rows = [w.to_record() for w in self.windows.values()]
        return rows_table(f"growth of {self._title()}", _GROWTH_COLUMNS, rows)


def window_of(days: int, start: Snapshot | None, end: Snapshot | None) -> GrowthWindow:
    """One :class:`GrowthWindow` from its two snapshots (either may be missing)."""
    if start is None or end is None:
        return GrowthWindow(days, start, end, None, None, None)
    change = end.followers - start.followers
    pct = None if start.followers == 0 else change / start.followers * 100
    engagement = None
    if start.average_engagement is not None and end.average_engagement is not None:
        engagement = end.average_engagement - start.average_engagement
    return GrowthWindow(days, start, end, change, pct, engagement)


def growth_of(
    platform: str,
    username: str,
    end: Snapshot | None,
    starts: Mapping[int, Snapshot | None],
) -> Growth:
    """A :class:`Growth` from the end snapshot and each window's start snapshot."""
    windows = {days: window_of(days, starts.get(days), end) for days in starts}
    return Growth(platform, username, end, windows)


def check_windows(windows: Iterable[int]) -> Sequence[int]:
    """The windows as a tuple of positive ints, else :class:`InvalidInput`."""
    chosen = tuple(windows)
    for days in chosen:
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise InvalidInput(f"growth windows are whole days > 0, got {days!r}")
    return chosen


def start_bound(end: Snapshot, days: int) -> datetime:
    """The latest moment a window's start snapshot may have: ``end - days``."""
    return end.fetched_at - timedelta(days=days)
