"""The records of the history: :class:`Snapshot`, :class:`SyncRecord`, :class:`Growth`.

Plain attrs records, no database in sight: :func:`growth_of` computes a :class:`Growth` from the
snapshots a store picked, so both databases share one formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import field, frozen

from ..errors import InvalidInput

__all__ = ["DEFAULT_WINDOWS", "Growth", "GrowthWindow", "Snapshot", "SyncRecord", "growth_of"]

DEFAULT_WINDOWS = (1, 7, 30, 90)
"""The growth windows, in days, Social Blade's users look at."""


def utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused, as its meaning is a guess."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"expected a timezone-aware datetime, got {value!r}")
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


@frozen(kw_only=True)
class SyncRecord:
    """One successful sync: what was sent, when, and the backend's totals after it.

    ``username`` is ``None`` for a manual entry, which names no account.
    """

    platform: str
    username: str | None = None
    followers: int | None = None
    engagement: float | None = None
    synced_at: datetime = field(converter=utc)
    total_followers: int | None = None
    avg_engagement: float | None = None


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


@frozen
class Growth:
    """A creator's growth over several windows: ``growth.windows[7].followers_change``."""

    platform: str
    username: str
    end: Snapshot | None
    windows: dict[int, GrowthWindow]


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
