"""The three rules, each judging one stretch of a series: :func:`judge_jump` (spike or drop)
and :func:`judge_divergence`; and :func:`sudden_drop`, the drop rule on two bare values.

Pure functions of points, normals and settings; the sentences come from ``_explain``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from ._explain import divergence_text, drop_text, spike_text
from ._series import DAY, Engagement, Normal, Point, log_change, rounding
from ._types import Anomaly, AnomalySettings

__all__ = ["engagement_rose", "judge_divergence", "judge_jump", "strongest", "sudden_drop"]


def _tolerance(a: Point, b: Point) -> float:
    return a.slack + b.slack


def judge_jump(
    a: Point,
    b: Point,
    followers: Normal,
    engagement: Callable[[], Engagement | None],
    settings: AnomalySettings,
    platform: str,
) -> Anomaly | None:
    """A spike or a drop between ``a`` and ``b``, or ``None``; ``engagement`` gives the
    engagement's normal and kind, asked only when a rise needs it."""
    days = b.t - a.t
    if not 0 < days <= settings.max_gap_days:
        return None
    change = log_change(a.followers, b.followers)
    excess = followers.excess(change, days, _tolerance(a, b))
    score = followers.score(excess, days)
    if excess < 0:
        return _drop(a, b, -score, settings)
    if score < settings.spike_score:
        return None
    fraction = b.followers / a.followers - 1 if a.followers else math.inf
    if math.expm1(excess) < settings.spike_change:  # the rise beyond the usual growth
        return None
    if b.followers - a.followers < settings.spike_followers:
        return None
    known = engagement()
    rose = engagement_rose(a, b, excess, known, settings)
    if known is None or rose is None or rose[0]:
        return None
    if not known.total and days > settings.level_gap_days:
        return None  # a level may have forgotten a viral post inside the gap
    usual = math.expm1(followers.median)
    text = spike_text(fraction, days, usual, score, rose[1], platform)
    return _anomaly("spike", a, b, score, text)


def engagement_rose(
    a: Point, b: Point, excess: float, engagement: Engagement | None, settings: AnomalySettings
) -> tuple[bool, float] | None:
    """Whether the engagement rose with the followers over ``a..b``, and its change (a
    fraction); ``None`` when it is unknown, and then no spike is claimed.

    A cumulative total (likes, views) rose with them when its change beyond its own normal is
    ``engagement_score`` of its MADs or more (its noise is small, so that is evidence) and at
    least ``engagement_share`` of the followers' ``excess`` (a viral moment's new followers
    come with engagement; a big purchase beside a small viral moment does not). A level (the
    recent posts' interactions, noisy) rose with them when it rose ``engagement_match`` times
    as much as the followers or more: a viral post's interactions come mostly from people who
    do not follow, many times the followers it wins.
    """
    if engagement is None or a.engagement is None or b.engagement is None:
        return None
    days = b.t - a.t
    change = math.log(b.engagement / a.engagement)
    normal = engagement.normal
    beyond = normal.excess(change, days)
    if engagement.total:
        rose = (
            normal.score(beyond, days) >= settings.engagement_score
            and beyond >= settings.engagement_share * excess
        )
    else:
        rose = beyond >= settings.engagement_match * excess
    return rose, math.expm1(change)


def _drop(a: Point, b: Point, score: float, settings: AnomalySettings) -> Anomaly | None:
    fall = a.followers - b.followers
    fraction = fall / a.followers if a.followers else 0.0
    if score < settings.drop_score or fraction < settings.drop_change:
        return None
    if fall < settings.drop_followers:
        return None
    return _anomaly("drop", a, b, score, drop_text(fraction, b.t - a.t, score))


def _anomaly(kind: str, a: Point, b: Point, score: float, text: str) -> Anomaly:
    change = b.followers / a.followers - 1 if a.followers else 0.0
    return Anomaly(
        kind=kind,  # type: ignore[arg-type]
        start=a.at,
        end=b.at,
        before=a.followers,
        after=b.followers,
        change=change,
        score=round(score, 2),
        explain=text,
    )


def sudden_drop(
    before: int,
    before_at: datetime,
    after: int,
    after_at: datetime,
    *,
    normal: Normal | None = None,
    rounded: bool = False,
    settings: AnomalySettings | None = None,
) -> Anomaly | None:
    """The drop rule on two bare values (what the sudden-drop guard holds): a ``"drop"``
    anomaly when ``after`` fell sharply from ``before``, else ``None``.

    Without ``normal`` (the creator's usual change, when a history gives one) the account is
    judged against a flat normal at the MAD floor. A fall to 0 is always a drop.
    """
    chosen = settings or AnomalySettings()
    normal = normal or Normal(0.0, chosen.mad_floor, 0)
    a = Point(
        before_at.timestamp() / DAY, before_at, before, None, rounded, rounding(before, rounded)
    )
    b = Point(after_at.timestamp() / DAY, after_at, after, None, rounded, rounding(after, rounded))
    days = max(b.t - a.t, 1e-6)
    excess = normal.excess(log_change(before, after), days, _tolerance(a, b))
    if after <= 0 < before:
        return _anomaly("drop", a, b, math.inf, drop_text(1.0, days, math.inf))
    return _drop(a, b, -normal.score(excess, days), chosen) if excess < 0 else None


def judge_divergence(
    a: Point,
    b: Point,
    level: float,
    baseline: list[float],
    settings: AnomalySettings,
) -> Anomaly | None:
    """A divergence from ``a`` to ``b`` (a window), or ``None``: followers grew by
    ``divergence_growth`` while engagement per follower in the window (``level``) fell more
    than ``divergence_share`` below its median over the windows before (``baseline``), and by
    at least ``divergence_score`` of their MADs (logs)."""
    growth = b.followers / a.followers - 1 if a.followers else 0.0
    positive = sorted(v for v in baseline if v > 0)
    if growth < settings.divergence_growth or len(positive) < 4 or level <= 0:
        return None
    usual = _lower_median(positive)
    fall = 1 - level / usual
    if fall <= settings.divergence_share:
        return None
    before, now = math.log(usual), math.log(level)
    spread = _median([abs(math.log(v) - before) for v in positive])
    score = (before - now) / max(spread, settings.divergence_mad_floor)
    if score < settings.divergence_score:
        return None
    return _anomaly("divergence", a, b, score, divergence_text(growth, b.t - a.t, fall, score))


def _lower_median(ordered: list[float]) -> float:
    """The median of sorted values, the lower middle of an even count: a burst lifting two
    neighbouring chunks never lifts the normal."""
    return ordered[(len(ordered) - 1) // 2]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def strongest(found: list[Anomaly]) -> list[Anomaly]:
    """One anomaly per stretch: of those overlapping, the highest score (then the shortest)."""
    ranked = sorted(found, key=lambda a: (-a.score, a.end - a.start))
    kept: list[Anomaly] = []
    for anomaly in ranked:
        if not any(anomaly.overlaps(k) for k in kept):
            kept.append(anomaly)
    return kept
