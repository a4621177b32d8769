"""When a change is worth an event: followers or engagement moved beyond a threshold."""

from __future__ import annotations

from typing import Protocol

from ..errors import InvalidInput

__all__ = ["Stats", "changed"]


class Stats(Protocol):
    """What :func:`changed` reads: a record's followers and engagement rate."""

    @property
    def followers(self) -> int: ...

    @property
    def average_engagement(self) -> float | None: ...


def _moved(before: float, after: float, pct: float) -> bool:
    if before == 0:
        return after != 0
    return abs(after - before) / abs(before) * 100 >= pct


def changed(
    before: Stats | None,
    after: Stats,
    followers_pct: float = 1.0,
    engagement_pct: float = 5.0,
) -> bool:
    """Whether ``after`` moved beyond a threshold since ``before`` (the last synced record):
    followers by ``followers_pct`` percent or more, or the engagement rate by ``engagement_pct``
    percent (relative) or more; an unknown engagement (``None``) on either side is no move. A
    first record (``before is None``) is a change."""
    if followers_pct < 0 or engagement_pct < 0:
        raise InvalidInput("change thresholds must be >= 0 percent")
    if before is None:
        return True
    if _moved(before.followers, after.followers, followers_pct):
        return True
    was, now = before.average_engagement, after.average_engagement
    return was is not None and now is not None and _moved(was, now, engagement_pct)
