"""The per-caller rate limit at the edge: one token bucket per caller, in this process.

A caller is a key's name (keyed callers) or a client address (anonymous ones). Buckets of the
callers seen least recently are dropped past :data:`MAX_CALLERS`, so a flood of addresses cannot
grow memory without bound (a dropped caller starts again with a full bucket). With N worker
processes each keeps its own buckets: a caller gets up to N times the rate in all.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from ._settings import RateLimit

__all__ = ["MAX_CALLERS", "CallerLimits"]

MAX_CALLERS = 10_000


class CallerLimits:
    """Token buckets per caller for one :class:`RateLimit`.

    Args:
        limit: the rate and burst of every caller's bucket.
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def take(self, caller: str) -> float | None:
        """Take one token for ``caller``: ``None`` when allowed, else the seconds to wait."""
        now = self._clock()
        rate, burst = self.limit.per_second, float(self.limit.burst)
        tokens, at = self._buckets.pop(caller, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        allowed = tokens >= 1.0
        self._buckets[caller] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > MAX_CALLERS:
            self._buckets.popitem(last=False)
        return None if allowed else (1.0 - tokens) / rate

    @staticmethod
    def header(wait: float) -> str:
        """``Retry-After``'s value for a wait: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait)))
