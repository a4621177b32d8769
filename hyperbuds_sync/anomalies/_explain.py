"""The one-sentence explanations of anomalies, for people."""

from __future__ import annotations

import math

__all__ = ["divergence_text", "drop_text", "spike_text"]

ENGAGEMENT_NAMES = {
    "tiktok": "total likes",
    "youtube": "total views",
    "instagram": "recent interactions",
    "twitter": "total likes",
    "twitch": "total views",
}


def duration(days: float) -> str:
    """``"5 hours"``, ``"1 day"``, ``"3.5 days"``."""
    if days < 1:
        hours = max(1, round(days * 24))
        return f"{hours} hour" + ("s" if hours != 1 else "")
    if abs(days - round(days)) < 0.05:
        whole = round(days)
        return f"{whole} day" + ("s" if whole != 1 else "")
    return f"{days:.1f} days"


def _pct(fraction: float) -> str:
    if not math.isfinite(fraction):
        return "+inf%"
    digits = 0 if abs(fraction) >= 0.1 else 1
    return f"{fraction * 100:+.{digits}f}%"


def _times(fraction: float, days: float, usual: float, score: float) -> str:
    """How the change compares with the account's usual daily change."""
    daily = fraction / max(days, 1.0)
    if usual > 0 and daily / usual >= 2:
        return f"{daily / usual:.0f}x the account's usual daily change"
    return f"{score:.0f} MADs beyond the account's usual daily change ({_pct(usual)})"


def spike_text(
    fraction: float, days: float, usual: float, score: float, engagement: float, platform: str
) -> str:
    """``"followers +38% in 1 day, 14x the account's usual daily change, while total likes
    rose 0.4%"``."""
    name = ENGAGEMENT_NAMES.get(platform, "total engagement")
    moved = "rose" if engagement >= 0 else "fell"
    return (
        f"followers {_pct(fraction)} in {duration(days)}, {_times(fraction, days, usual, score)}, "
        f"while {name} {moved} {abs(engagement) * 100:.1f}%"
    )


def drop_text(fraction: float, days: float, score: float) -> str:
    """``"followers -12% in 2 days, 31 MADs below the account's usual change"``."""
    if fraction >= 1:
        return f"followers fell to 0 in {duration(days)}"
    strength = (
        "" if not math.isfinite(score) else f", {score:.0f} MADs below the account's usual change"
    )
    return f"followers {_pct(-fraction)} in {duration(days)}{strength}"


def divergence_text(growth: float, days: float, fall: float, score: float) -> str:
    """``"followers +22% over 30 days while engagement per follower fell 45%"``."""
    return (
        f"followers {_pct(growth)} over {duration(days)} while engagement per follower fell "
        f"{fall * 100:.0f}% below its level before ({score:.0f} MADs)"
    )
