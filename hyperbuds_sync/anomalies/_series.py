"""A creator's snapshots as a series the rules read: points, day-long steps and the normal.

Pure arithmetic on plain floats, no I/O. Times are in days since the epoch; changes are natural
logs of ratios, so a change over several steps is the sum of theirs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from attrs import frozen

__all__ = [
    "Engagement",
    "Normal",
    "Point",
    "SnapshotLike",
    "Step",
    "accumulates",
    "normal_of",
    "points_of",
    "rounding",
    "steps_of",
]


class SnapshotLike(Protocol):
    """What the detector reads of a snapshot: a :class:`~hyperbuds_sync.history.Snapshot`, or a
    database row with the same columns."""

    @property
    def platform(self) -> str: ...

    @property
    def fetched_at(self) -> datetime: ...

    @property
    def followers(self) -> int: ...

    @property
    def total_engagement(self) -> float | None: ...

    @property
    def total_content(self) -> int: ...

    @property
    def rounded(self) -> bool: ...


DAY = 86_400.0


class Point(NamedTuple):
    """One snapshot as the rules read it: ``t`` in days, followers, engagement total (``None``
    when unknown or not positive), whether the provider rounded the counts, and ``slack``: the
    rounding of the followers, as a fraction (0 when exact)."""

    t: float
    at: datetime
    followers: int
    engagement: float | None
    rounded: bool
    slack: float


def points_of(snapshots: Iterable[SnapshotLike]) -> list[Point]:
    """The snapshots in time order, a stale repeat dropped.

    A snapshot repeating the previous one's followers, engagement and content exactly is a
    provider serving its cache: the value belongs to the moment it was first seen, so keeping the
    repeat would spread a later change over too short a time.
    """
    rows = list(snapshots)
    if any(a.fetched_at > b.fetched_at for a, b in itertools.pairwise(rows)):
        rows.sort(key=lambda s: s.fetched_at)
    points: list[Point] = []
    last: tuple[int, float | None, int] | None = None
    for s in rows:
        followers, engagement, rounded = s.followers, s.total_engagement, s.rounded
        key = (followers, engagement, s.total_content)
        if key == last:
            continue
        last = key
        at = s.fetched_at
        known = engagement if engagement and engagement > 0 else None
        slack = rounding(followers, rounded) if rounded else 0.0
        points.append(Point(at.timestamp() / DAY, at, followers, known, rounded, slack))
    return points


def rounding(value: float, rounded: bool) -> float:
    """Half the step a rounded count was published at, as a fraction of it (0 when exact).

    Providers round big counts to three significant figures (12,300,000 means 12,250,000 to
    12,349,999), so the step is ``10 ** (digits - 3)``.
    """
    if not rounded or value < 1000:
        return 0.0
    step = 10.0 ** (int(math.log10(value)) - 2)
    return step / 2 / value


def log_change(a: float, b: float) -> float:
    """``ln(b / a)``; a fall to 0 counts as a fall to 1 (a finite, very large change)."""
    return math.log(max(b, 1.0) / max(a, 1.0))


@frozen
class Normal:
    """A series' usual day-normalised log change (``median``) and its spread (``mad``, per
    square-root day), from its day-long steps; ``steps`` is how many there were."""

    median: float
    mad: float
    steps: int

    def excess(self, change: float, days: float, tolerance: float = 0.0) -> float:
        """``change`` beyond the usual change over ``days``, shrunk towards 0 by ``tolerance``
        (the rounding both ends allow)."""
        beyond = change - self.median * days
        return math.copysign(max(0.0, abs(beyond) - tolerance), beyond)

    def score(self, excess: float, days: float) -> float:
        """``excess`` in MADs scaled to the span's length."""
        return excess / (self.mad * math.sqrt(max(days, 1.0)))


@frozen
class Engagement:
    """What the spike rule knows of a series' engagement: its ``normal``, and whether it is a
    cumulative ``total`` (likes, views: it almost never falls) or a level (the recent posts'
    interactions)."""

    normal: Normal
    total: bool


def accumulates(points: Sequence[Point]) -> bool:
    """Whether the engagement accumulates (at most 10% of the known steps fall) rather than
    being a level."""
    known = falls = 0
    for a, b in itertools.pairwise(points):
        if a.engagement is not None and b.engagement is not None:
            known += 1
            falls += b.engagement < a.engagement
    return known > 0 and falls <= 0.1 * known


Step = tuple[int, int, float, float, float]
"""One step a normal is measured on: ``(i, j, days, root, slack)``, snapshots ``i`` to ``j``,
``days`` apart, its square root (noise grows with it) and the rounding both ends of the
followers allow. Worked out once, read by both normals (followers and engagement)."""


def steps_of(points: Sequence[Point], min_days: float, max_gap: float) -> list[Step]:
    """Consecutive spans of at least ``min_days`` (snapshots closer are merged), none across a
    gap longer than ``max_gap``: the steps a series' normal is measured on."""
    steps: list[Step] = []
    anchor = 0
    for j in range(1, len(points)):
        days = points[j].t - points[anchor].t
        if days > max_gap:
            anchor = j
        elif days >= min_days:
            slack = points[anchor].slack + points[j].slack
            steps.append((anchor, j, days, math.sqrt(days), slack))
            anchor = j
    return steps


def _median(values: list[float]) -> float:
    values = sorted(values)
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


def normal_of(
    values: Sequence[float | None],
    steps: Sequence[Step],
    floor: float,
    *,
    counted: bool = True,
) -> Normal | None:
    """The normal of one series (followers, or engagement with ``counted=False``: its rounding
    is not the followers') over ``steps``; ``None`` when no step has both ends known."""
    rates: list[float] = []
    changes: list[tuple[float, float, float, float]] = []
    for i, j, days, root, slack in steps:
        a, b = values[i], values[j]
        if a is None or b is None or a <= 0 or b <= 0:
            continue
        change = math.log(b / a)
        rates.append(change / days)
        changes.append((change, days, root, slack if counted else 0.0))
    if not rates:
        return None
    median = _median(rates)
    spread = [max(0.0, abs(c - median * d) - tol) / root for c, d, root, tol in changes]
    mad = _median(spread)
    return Normal(median, max(mad, floor), len(rates))
