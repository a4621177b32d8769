"""The detector: a creator's snapshots in, the anomalies out (:func:`detect`), and the ones a
new snapshot reveals (:func:`revealed`). No I/O: the caller reads the history."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from ._rules import engagement_rose, judge_jump, strongest
from ._series import (
    Engagement,
    Normal,
    Point,
    SnapshotLike,
    Step,
    accumulates,
    normal_of,
    points_of,
    steps_of,
)
from ._types import Anomaly, AnomalySettings
from ._windows import divergences

__all__ = ["detect", "revealed"]

_DEFAULT = AnomalySettings()


def detect(
    snapshots: Iterable[SnapshotLike],
    settings: AnomalySettings | None = None,
    *,
    since: datetime | None = None,
) -> list[Anomaly]:
    """The anomalies in one creator's snapshots (one platform), oldest first.

    The whole series gives the creator's normal; ``since`` keeps the anomalies that end at or
    after it. Stale repeats are dropped, rounded counts never make an anomaly from their
    rounding, and nothing is flagged across a gap longer than ``settings.max_gap_days``.
    """
    chosen = settings or _DEFAULT
    given = list(snapshots)
    points = points_of(given)
    if len(points) < 2:
        return []
    platform = given[0].platform
    steps = steps_of(points, chosen.span_days, chosen.max_gap_days)
    followers = normal_of([p.followers for p in points], steps, chosen.mad_floor)
    total = accumulates(points)
    found = _Jumps(points, followers, steps, chosen, platform, total).find()
    if followers is not None and followers.steps >= chosen.min_steps:
        found += divergences(points, [a for a in found if a.kind == "spike"], chosen, total)
    if since is not None:
        found = [a for a in found if a.end >= since]
    return sorted(found, key=lambda a: (a.start, a.kind))


def revealed(
    snapshots: Sequence[SnapshotLike], settings: AnomalySettings | None = None
) -> list[Anomaly]:
    """The anomalies the latest snapshot reveals: found with it, ending at it, and not found
    (the same kind over a touching stretch) without it. What a refresh reports once."""
    if len(snapshots) < 2:
        return []
    ordered = sorted(snapshots, key=lambda s: s.fetched_at)
    latest = ordered[-1].fetched_at
    now = [a for a in detect(ordered, settings) if a.end == latest]
    if not now:
        return []
    before = detect(ordered[:-1], settings)
    return [a for a in now if not any(a.overlaps(b) for b in before)]


def _unknown() -> Engagement | None:
    return None


class _Jumps:
    """The spike and drop rules over one series: its normals, and each snapshot judged against
    the one before it and against those within ``span_days`` of it."""

    def __init__(
        self,
        points: Sequence[Point],
        followers: Normal | None,
        steps: Sequence[Step],
        settings: AnomalySettings,
        platform: str,
        total: bool,
    ) -> None:
        self.points, self.settings, self.platform, self.total = points, settings, platform, total
        self.spikes_too = followers is not None and followers.steps >= settings.min_steps
        self.normal = followers or Normal(0.0, settings.mad_floor, 0)
        self.steps = steps
        self._engagement: Engagement | None = None
        self._measured = False
        self.logs = [math.log(max(p.followers, 1)) for p in points]
        self.slack = [p.slack for p in points]

    def engagement(self) -> Engagement | None:
        """The engagement's normal and kind, measured the first time a spike needs them."""
        if not self._measured:
            values = [p.engagement for p in self.points]
            floor = self.settings.mad_floor
            normal = normal_of(values, self.steps, floor, counted=False)
            if normal is not None:
                self._engagement = Engagement(normal, self.total)
            self._measured = True
        return self._engagement

    def judge(self, i: int, j: int) -> Anomaly | None:
        """The spike or drop from snapshot ``i`` to ``j``, or ``None``."""
        points, normal = self.points, self.normal
        engagement = self.engagement if self.spikes_too else _unknown
        found = judge_jump(points[i], points[j], normal, engagement, self.settings, self.platform)
        return found if found is None or self.spikes_too or found.kind == "drop" else None

    def elevated(self, i: int, j: int) -> bool:
        """Whether followers rose from ``i`` to ``j`` by ``sustained`` of a spike's score or
        more without engagement rising with them (a viral step beside is no evidence)."""
        if i < 0 or j >= len(self.points):
            return False
        a, b = self.points[i], self.points[j]
        days = b.t - a.t
        excess = self.normal.excess(
            self.logs[j] - self.logs[i], days, self.slack[i] + self.slack[j]
        )
        if self.normal.score(excess, days) < self.settings.spike_score * self.settings.sustained:
            return False
        rose = engagement_rose(a, b, excess, self.engagement(), self.settings)
        return rose is None or not rose[0]

    def find(self) -> list[Anomaly]:
        """Every spike and drop, one per stretch, spikes standing alone, recoveries left out."""
        settings, logs, slack = self.settings, self.logs, self.slack
        times = [p.t for p in self.points]
        least = min(settings.spike_score, settings.drop_score) * self.normal.mad
        usual, span = self.normal.median, settings.span_days
        found: list[Anomaly] = []
        for j in range(1, len(times)):
            i = j - 1
            while i >= 0:
                days = times[j] - times[i]
                if i < j - 1 and days > span:
                    break
                beyond = abs(logs[j] - logs[i] - usual * days) - slack[i] - slack[j]
                if beyond >= least * math.sqrt(days if days > 1.0 else 1.0):  # else far from both
                    anomaly = self.judge(i, j)
                    if anomaly is not None:
                        found.append(anomaly)
                i -= 1
        found = _isolated(strongest(found), self.points, self.judge, self.elevated)
        return _without_recoveries(found, settings)


def _without_recoveries(found: list[Anomaly], settings: AnomalySettings) -> list[Anomaly]:
    """A spike that only brings followers back to where they were before a recent drop is the
    drop's end (a wrong answer corrected, a purge undone), not bought followers."""
    drops = [a for a in found if a.kind == "drop"]

    def recovery(spike: Anomaly) -> bool:
        for drop in drops:
            days = (spike.start - drop.end).total_seconds() / 86_400
            near = (
                abs(spike.after / drop.before - 1) <= settings.spike_change
                if drop.before
                else False
            )
            if 0 <= days <= settings.max_gap_days and near:
                return True
        return False

    return [a for a in found if a.kind != "spike" or not recovery(a)]


def _isolated(
    found: list[Anomaly],
    points: Sequence[Point],
    judge: Callable[[int, int], Anomaly | None],
    elevated: Callable[[int, int], bool],
) -> list[Anomaly]:
    """Spikes that stand alone. A neighbouring step that also rose well beyond the normal is
    taken into the spike (a burst delivered across a snapshot) and the whole judged again;
    when the steps beyond those still rose, the growth is sustained, not a jump, and the
    divergence rule judges it."""
    if not any(a.kind == "spike" for a in found):
        return found
    index = {p.at: k for k, p in enumerate(points)}
    kept = []
    for anomaly in found:
        if anomaly.kind != "spike":
            kept.append(anomaly)
            continue
        i, j = index[anomaly.start], index[anomaly.end]
        i -= elevated(i - 1, i)
        j += elevated(j, j + 1)
        if elevated(i - 1, i) or elevated(j, j + 1):
            continue
        whole = judge(i, j) if (i, j) != (index[anomaly.start], index[anomaly.end]) else anomaly
        if whole is not None and whole.kind == "spike":
            kept.append(whole)
    return kept
