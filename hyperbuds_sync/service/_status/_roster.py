"""The status page's Roster facts: creators, the plan against the staleness each one has now,
the next refreshes due, the deferred and failed ones, and webhook deliveries kept for replay.

Read from the :class:`~hyperbuds_sync.Roster`'s public calls (``entries``, ``plan``,
``store.deliveries``). A webhook's URL is shown by scheme and host only: a path or query may
carry a receiver's token.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...errors import InvalidInput
from ._providers import iso

if TYPE_CHECKING:
    from ...history import PlatformState
    from ...roster import Plan, PlanEntry, Roster

__all__ = ["BINS", "roster_facts"]

NEXT_DUE = 20
"""Refreshes listed as next due."""
LISTED = 50
"""At most this many deferred or failed refreshes, and kept deliveries, are listed."""
BINS = (
    ("up to 1/2", 0.5),
    ("1/2 to 1", 1.0),
    ("1 to 2", 2.0),
    ("2 to 4", 4.0),
    ("over 4", float("inf")),
)
"""The staleness histogram's bins, in multiples of the provider's theoretical minimum interval."""
NEVER = "never fetched"


def _next_at(row: PlanEntry, state: PlatformState) -> datetime:
    """When this creator-platform is next due: its retry time when failing, else one interval
    after its last fetch, else the plan's first time."""
    if state.failures and state.next_at is not None:
        return state.next_at
    if state.last_fetched_at is not None:
        return state.last_fetched_at + row.interval
    return row.next_at


def _minimums(plan: Plan) -> dict[str, float]:
    """Per provider, the budget's theoretical minimum interval in seconds: its whole budget
    spread evenly over its creator-platforms (no reserve, equal priorities)."""
    counts = Counter(row.provider for row in plan.entries)
    out = {}
    for provider, n in counts.items():
        pace = plan.paces.get(provider)
        if pace is not None and pace.budget.calls:
            out[provider] = pace.period.total_seconds() * n / pace.budget.calls
    return out


def _histogram(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for row in rows:
        ratio = row["stalenessRatio"]
        if ratio is None:
            counts[NEVER] += 1
            continue
        label = next(name for name, top in BINS if ratio <= top)
        counts[label] += 1
    return [{"bin": name, "count": counts[name]} for name, _ in BINS] + [
        {"bin": NEVER, "count": counts[NEVER]}
    ]


def _row(
    row: PlanEntry, state: PlatformState, now: datetime, minimum: float | None
) -> dict[str, Any]:
    stale = None if state.last_fetched_at is None else (now - state.last_fetched_at)
    seconds = None if stale is None else stale.total_seconds()
    return {
        "creatorId": row.creator_id,
        "platform": row.platform,
        "username": state.username,
        "provider": row.provider,
        "intervalSeconds": row.interval.total_seconds(),
        "stalenessSeconds": seconds,
        "minimumSeconds": minimum,
        "stalenessRatio": None if seconds is None or not minimum else seconds / minimum,
        "nextAt": iso(_next_at(row, state)),
        "failures": state.failures,
        "lastError": state.last_error,
    }


def _delivery_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else ""


async def _deliveries(roster: Roster) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "createdAt": iso(d.created_at),
            "to": _delivery_url(d.url),
            "tries": d.tries,
            "type": str(d.event.get("type", "")),
            "creatorId": str(d.event.get("creator_id", "")),
            "platform": str(d.event.get("platform", "")),
        }
        for d in await roster.store.deliveries(limit=LISTED)
    ]


async def roster_facts(roster: Roster | None, now: datetime) -> dict[str, Any] | None:
    """The Roster section, or ``None`` when the service runs no roster."""
    if roster is None:
        return None
    rows = await roster.entries()
    creators = {entry.creator_id for entry, _ in rows}
    base: dict[str, Any] = {
        "creators": len(creators),
        "creatorPlatforms": len(rows),
        "deliveries": await _deliveries(roster),
    }
    try:
        plan = await roster.plan()
    except InvalidInput as exc:  # a provider with no budget yet: say so, show the rest
        empty: list[dict[str, Any]] = []
        return {**base, "plan": None, "planError": str(exc), "histogram": empty}
    states = {(entry.creator_id, entry.platform): state for entry, state in rows}
    minimums = _minimums(plan)
    planned = [
        _row(row, states[row.creator_id, row.platform], now, minimums.get(row.provider))
        for row in plan.entries
        if (row.creator_id, row.platform) in states
    ]
    planned.sort(key=lambda r: str(r["nextAt"]))
    now_iso = iso(now) or ""
    due = [r for r in planned if str(r["nextAt"]) <= now_iso]
    return {
        **base,
        "plan": {
            "madeAt": iso(plan.made_at),
            "callsPerPeriod": dict(plan.calls_per_period),
            "minimumIntervalSeconds": minimums,
        },
        "planError": None,
        "histogram": _histogram(planned),
        "entries": planned,
        "nextDue": [r for r in planned if r not in due][:NEXT_DUE],
        "deferred": [r for r in due if not r["failures"]][:LISTED],
        "failed": [r for r in planned if r["failures"]][:LISTED],
    }


def interval_text(seconds: float | None) -> str:
    """A duration for people: ``"2 d 3 h"``, ``"5 min"``, ``"40 s"`` (``"-"`` for none)."""
    if seconds is None:
        return "-"
    left = timedelta(seconds=round(seconds))
    days, rest = left.days, left.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{rest} s"
