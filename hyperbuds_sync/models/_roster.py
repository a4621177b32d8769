"""A roster's figures at a glance: a record, so ``metrics`` can export it without the roster."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["RosterStatus"]


@attrs.frozen
class RosterStatus:
    """A roster at a glance.

    ``due``: creator-platforms whose next refresh time has come; ``overdue``: those past it by
    more than 10% of their interval. ``spent`` / ``planned``: calls this process spent per
    provider, and the plan's calls per provider for one budget period. ``freshness``: the age in
    seconds of the last fetch, at the 50th, 90th and 99th percentiles and the maximum
    (``never_fetched`` are not in it). ``synced`` / ``fetched`` / ``failed``: refresh outcomes
    in this process (``fetched``: not synced, e.g. no token).
    """

    entries: int
    due: int
    overdue: int
    never_fetched: int
    spent: dict[str, int]
    planned: dict[str, int]
    freshness: dict[str, float]
    synced: int
    fetched: int
    failed: int
    interrupted: int
    at: datetime
