"""Counters a service can read or export.

``SocialSync.metrics`` counts, per platform: upstream calls, cache hits and misses, coalesced waits
(callers that shared another caller's in-flight fetch), retries, and errors by class name.
``snapshot()`` gives a plain dict, ready for a Prometheus exporter or a log line.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["Metrics"]

UPSTREAM_CALLS = "upstream_calls"
CACHE_HITS = "cache_hits"
CACHE_MISSES = "cache_misses"
COALESCED = "coalesced"
RETRIES = "retries"
STALE_SERVED = "stale_served"
ERRORS = "errors"


class Metrics:
    """In-process counters keyed by name and platform. Cheap: one dict increment per event."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()

    def incr(self, name: str, platform: str = "", n: int = 1) -> None:
        """Add ``n`` to counter ``name`` for ``platform`` (``""`` for platform-less events)."""
        self._counts[name, platform] += n

    def error(self, exc: BaseException, platform: str = "") -> None:
        """Count an error under ``errors.<ClassName>``."""
        self._counts[f"{ERRORS}.{type(exc).__name__}", platform] += 1

    def get(self, name: str, platform: str | None = None) -> int:
        """One counter; with ``platform=None`` the sum over all platforms."""
        if platform is not None:
            return self._counts[name, platform]
        return sum(v for (n, _), v in self._counts.items() if n == name)

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{counter: {platform: value}}``, a copy."""
        out: dict[str, dict[str, int]] = {}
        for (name, platform), value in sorted(self._counts.items()):
            out.setdefault(name, {})[platform] = value
        return out

    def reset(self) -> None:
        """Zero every counter."""
        self._counts.clear()

    def __repr__(self) -> str:
        totals: Counter[str] = Counter()
        for (name, _platform), value in self._counts.items():
            totals[name] += value
        shown = ", ".join(f"{name}={value}" for name, value in sorted(totals.items()))
        return f"Metrics({shown})"
