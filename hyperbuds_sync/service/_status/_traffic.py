"""The status page's Traffic facts: requests and upstream calls per platform over the last hour
and day, the cache hit ratio, outcomes by error class, the last errors.

Requests, cache hits and outcomes come from the service's activity recorder (what it answered);
upstream calls from the SDK's counters, through the :class:`~._samples.Samples` log. An error is
shown by what the recorder kept: time, platform, username, class, the SDK's own message (which
never carries a secret).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._providers import iso
from ._samples import Sample, Samples, delta

if TYPE_CHECKING:
    from .._activity import ActivityRecorder

__all__ = ["traffic_facts"]

ERRORS_SHOWN = 50


def _upstream(samples: Samples, now: Sample, platform: str, window: timedelta) -> int:
    return delta(samples.since(now.at - window), now, lambda s: s.upstream.get(platform, 0))


def _ratio(hits: int, misses: int) -> dict[str, Any]:
    total = hits + misses
    exact = Fraction(hits, total) if total else None
    return {
        "hits": hits,
        "misses": misses,
        "ratio": None if exact is None else float(exact),
        "text": "-" if exact is None else f"{hits}/{total}",
    }


def traffic_facts(activity: ActivityRecorder, samples: Samples, now: Sample) -> dict[str, Any]:
    """The Traffic section, ``now`` being the sample the Providers section just took."""
    seen = activity.snapshot()
    names = sorted({row.platform for row in seen.platforms} | set(now.upstream))
    rows = {row.platform: row for row in seen.platforms}
    platforms = []
    hits = misses = 0
    outcomes: Counter[str] = Counter()
    for name in names:
        row = rows.get(name)
        platforms.append(
            {
                "platform": name,
                "requestsHour": 0 if row is None else row.requests_hour,
                "requestsDay": 0 if row is None else row.requests_day,
                "upstreamHour": _upstream(samples, now, name, timedelta(hours=1)),
                "upstreamDay": _upstream(samples, now, name, timedelta(days=1)),
                "cache": _ratio(
                    0 if row is None else row.cache_hits_day,
                    0 if row is None else row.cache_misses_day,
                ),
            }
        )
        if row is not None:
            hits += row.cache_hits_day
            misses += row.cache_misses_day
            outcomes.update(row.outcomes_day)
    first = samples.all()[0].at
    return {
        "since": iso(max(seen.started_at, now.at - timedelta(days=1))),
        "upstreamSince": iso(max(first, now.at - timedelta(days=1))),
        "platforms": platforms,
        "cache": _ratio(hits, misses),
        "outcomes": [
            {"outcome": name, "count": count}
            for name, count in sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "errors": [
            {
                "at": iso(e.at),
                "platform": e.platform,
                "username": e.username,
                "error": e.error,
                "message": e.message,
            }
            for e in seen.recent_errors[:ERRORS_SHOWN]
        ],
    }
