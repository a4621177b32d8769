"""The status page's creator facts: one creator's history, growth windows, and the providers
that answered, read from the client's history store (``sync.history``, ``sync.growth``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError, InvalidInput
from ._providers import iso

if TYPE_CHECKING:
    from ...client import SocialSync

__all__ = ["HISTORY_POINTS", "creator_facts"]

HISTORY_POINTS = 500
"""The most recent snapshots shown (and charted) for one creator."""


async def creator_facts(sync: SocialSync, platform: str, username: str) -> dict[str, Any]:
    """The creator's snapshots (oldest first), growth windows and answering providers; with
    ``error`` set (and nothing else) when the platform, the username or the history is missing.
    """
    asked: dict[str, Any] = {"platform": platform, "username": username}
    try:
        snapshots = await sync.history(platform, username, limit=HISTORY_POINTS)
        growth = await sync.growth(platform, username)
    except (InvalidInput, ConfigError) as exc:
        return {**asked, "error": str(exc)}
    providers = Counter(s.provider for s in snapshots)
    last = {s.provider: s.fetched_at for s in snapshots}
    return {
        **asked,
        "error": None,
        "snapshots": [
            {
                "at": iso(s.fetched_at),
                "followers": s.followers,
                "engagement": s.average_engagement,
                "provider": s.provider,
            }
            for s in snapshots
        ],
        "growth": [
            {
                "days": w.days,
                "followersChange": w.followers_change,
                "followersChangePct": w.followers_change_pct,
                "engagementChange": w.engagement_change,
            }
            for w in growth.windows.values()
        ],
        "providers": [
            {"provider": name, "snapshots": count, "lastAt": iso(last[name])}
            for name, count in providers.most_common()
        ],
    }
