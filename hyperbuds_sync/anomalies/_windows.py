"""The divergence rule's windows over one series (:func:`divergences`): engagement per follower
over each window against its level in the chunks before it. Pure arithmetic, no I/O.

What every window reads of the series is worked out once per series (:class:`_Series`): the
times, engagement per follower at each snapshot, where the gaps are, and the chunks; a window
then slices them instead of walking its snapshots again.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from ._rules import judge_divergence, strongest
from ._series import DAY, Point, rounding
from ._types import Anomaly, AnomalySettings

__all__ = ["divergences"]


def divergences(
    points: Sequence[Point], spikes: Sequence[Anomaly], settings: AnomalySettings, total: bool
) -> list[Anomaly]:
    """Divergences over windows of ``divergence_days`` ending every third of a window, each
    judged against the chunks (a third of a window each) that ended before it began and began
    after the latest spike. A window holding a spike is the spike's: engagement per follower
    falls after bought followers, and the normal starts again after them. ``total``: the
    engagement is a cumulative total, not a level."""
    width = settings.divergence_days
    series = _Series(points, total, settings.max_gap_days)
    chunks: _Chunks | None = None  # cut the first time a window grew enough
    found: list[Anomaly] = []
    times = series.times
    start, last_end, first = 0, -math.inf, times[0] + width
    for j in range(1, len(points)):
        t = times[j]
        if t < first or t - last_end < width / 3:
            continue
        while times[start + 1] <= t - width:
            start += 1
        if series.gap_inside(start, j):
            continue
        last_end = t
        if points[j].followers < points[start].followers * (1 + settings.divergence_growth):
            continue  # the first condition, and the cheap one
        if chunks is None:
            chunks = _Chunks(series, width / 3)
        level = series.level(start, j, 1.0)
        baseline = chunks.baseline(_after_spikes(spikes, points[j]), points[start].t)
        anomaly = None
        if level is not None and len(baseline) >= 3:
            anomaly = judge_divergence(points[start], points[j], level, baseline, settings)
        if anomaly is not None and not any(_touch(s, anomaly) for s in spikes):
            found.append(anomaly)
    return strongest(found)


class _Series:
    """One series as the windows read it, worked out once: ``times``, engagement per follower
    at each snapshot (``ratios``, for a level) and the snapshots that follow a gap longer than
    ``max_gap`` (``cuts``)."""

    def __init__(self, points: Sequence[Point], total: bool, max_gap: float) -> None:
        self.points, self.total, self.max_gap = points, total, max_gap
        self.times = [p.t for p in points]
        self.ratios = (
            []
            if total
            else [p.engagement / max(p.followers, 1) if p.engagement else None for p in points]
        )
        times = self.times
        self.cuts = [j for j in range(1, len(times)) if times[j] - times[j - 1] > max_gap]

    def gap_inside(self, i: int, j: int) -> bool:
        """Whether a gap longer than the maximum lies between snapshots ``i`` and ``j``."""
        return any(i < k <= j for k in self.cuts)

    def level(self, i: int, j: int, favour: float) -> float | None:
        """Engagement per follower over ``i..j``: for a cumulative total, engagement gained per
        day per follower, the rounding of both ends allowed in the direction of ``favour`` (+1:
        as high as it may be, -1: as low); for a level, the median of the level per follower at
        the snapshots after ``i``."""
        if self.total:
            a, b = self.points[i], self.points[j]
            if a.engagement is None or b.engagement is None:
                return None
            slack = a.engagement * rounding(a.engagement, a.rounded)
            slack += b.engagement * rounding(b.engagement, b.rounded)
            gained = b.engagement - a.engagement + favour * slack
            return gained / (b.t - a.t) / max((a.followers + b.followers) / 2, 1.0)
        ratios = [r for r in self.ratios[i + 1 : j + 1] if r is not None]
        return _middle(ratios) if ratios else None


class _Chunks:
    """The series cut into consecutive chunks of ``days`` (none across a gap longer than the
    maximum), each with its engagement per follower, the rounding of a cumulative total counted
    against a fall; kept in time order, so a window's baseline is one slice."""

    def __init__(self, series: _Series, days: float) -> None:
        times = series.times
        ends: list[float] = []
        values: list[float] = []
        anchor = 0
        for j in range(1, len(times)):
            if times[j] - times[j - 1] > series.max_gap:
                anchor = j
            elif times[j] - times[anchor] >= days:
                level = series.level(anchor, j, -1.0)
                if level is not None and level > 0:
                    ends.append(times[j])
                    values.append(level)
                anchor = j
        self.ends, self.values = ends, values
        self.starts = [t - days for t in ends]  # ascending too: chunks never overlap

    def baseline(self, after: float, start: float) -> list[float]:
        """The chunks a window beginning at ``start`` is judged against: those that began at
        or after ``after`` (the latest spike's end) and ended by ``start``."""
        lo = bisect.bisect_left(self.starts, after)
        hi = bisect.bisect_right(self.ends, start)
        return self.values[lo:hi]


def _after_spikes(spikes: Sequence[Anomaly], end: Point) -> float:
    """The time (days) the latest spike ending by ``end`` ended; -inf with none."""
    ended = [s.end.timestamp() / DAY for s in spikes if s.end <= end.at]
    return max(ended, default=-math.inf)


def _middle(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _touch(a: Anomaly, b: Anomaly) -> bool:
    """Whether the stretches of ``a`` and ``b`` touch, whatever their kinds."""
    return a.start <= b.end and b.start <= a.end
