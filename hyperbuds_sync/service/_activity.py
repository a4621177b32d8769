"""What the service has been doing lately, in memory and bounded, for the status page.

:class:`ActivityRecorder` records every fetch the service answered (the fetch, Next.js and batch
routes feed it), per platform:

- counts per minute for the last 24 hours (1,440 buckets a platform at most), so the status page
  can say "requests in the last hour / day": requests, cache hits, cache misses (an upstream
  fetch) and the outcome (``"ok"`` or the error's class name, e.g. ``"QuotaExceeded"``);
- the same counts since the process started;
- the last 50 errors: time, platform, creator username, error class and message.

It never holds a key, token or request header: only what an SDK error's message says (the SDK's
errors carry no secrets), and for any other exception its class name alone. One recorder per
app, reached with ``app[ACTIVITY]``; one process's view (each worker process has its own).
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from attrs import frozen

from ..errors import HyperbudsSyncError

__all__ = ["ActivityError", "ActivityRecorder", "ActivitySnapshot", "PlatformActivity"]

OK = "ok"
MINUTES_KEPT = 24 * 60
MESSAGE_MAX = 300
_REQUESTS, _HITS, _MISSES = "requests", "hits", "misses"


@frozen
class ActivityError:
    """One recent error: when, for whom, which class, what it said."""

    at: datetime
    platform: str
    username: str
    error: str  # the class name, e.g. "QuotaExceeded"
    message: str


@frozen
class PlatformActivity:
    """One platform's counts: in the last hour, the last 24 hours and since the start.

    ``outcomes_*`` map ``"ok"`` or an error class name to a count.
    """

    platform: str
    requests_hour: int
    requests_day: int
    requests_total: int
    cache_hits_day: int
    cache_misses_day: int
    cache_hits_total: int
    cache_misses_total: int
    outcomes_hour: Mapping[str, int]
    outcomes_day: Mapping[str, int]
    outcomes_total: Mapping[str, int]


@frozen
class ActivitySnapshot:
    """The recorder's view at ``at``: each platform seen (sorted), the recent errors newest
    first."""

    at: datetime
    started_at: datetime
    platforms: tuple[PlatformActivity, ...]
    recent_errors: tuple[ActivityError, ...]


class _Platform:
    """One platform's minute buckets (oldest first) and totals."""

    __slots__ = ("minutes", "totals")

    def __init__(self) -> None:
        self.minutes: deque[tuple[int, Counter[str]]] = deque(maxlen=MINUTES_KEPT)
        self.totals: Counter[str] = Counter()

    def add(self, minute: int, counts: Mapping[str, int]) -> None:
        if not self.minutes or self.minutes[-1][0] != minute:
            self.minutes.append((minute, Counter()))
        self.minutes[-1][1].update(counts)
        self.totals.update(counts)

    def since(self, first_minute: int) -> Counter[str]:
        out: Counter[str] = Counter()
        for minute, counts in reversed(self.minutes):
            if minute < first_minute:
                break
            out.update(counts)
        return out


class ActivityRecorder:
    """A bounded in-memory record of the fetches the service answered (see the module).

    Args:
        max_errors: how many recent errors to keep (default 50).
        clock: seconds since the epoch (injectable for tests).
    """

    def __init__(self, *, max_errors: int = 50, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._started = clock()
        self._platforms: dict[str, _Platform] = {}
        self._errors: deque[ActivityError] = deque(maxlen=max_errors)

    def __repr__(self) -> str:
        return f"ActivityRecorder(platforms={sorted(self._platforms)!r})"

    def record(
        self,
        platform: str,
        username: str,
        *,
        cached: bool | None,
        error: BaseException | None = None,
    ) -> None:
        """Record one fetch answered: ``cached`` whether it came from the cache (``None`` when
        it failed before knowing), ``error`` what it raised (``None``: it succeeded)."""
        now = self._clock()
        outcome = OK if error is None else type(error).__name__
        counts = {_REQUESTS: 1, f"outcome:{outcome}": 1}
        if cached is not None:
            counts[_HITS if cached else _MISSES] = 1
        self._platforms.setdefault(platform, _Platform()).add(int(now // 60), counts)
        if error is not None:
            self._errors.append(
                ActivityError(
                    at=datetime.fromtimestamp(now, UTC),
                    platform=platform,
                    username=username[:100],
                    error=outcome,
                    message=_message(error),
                )
            )

    def errors(self) -> tuple[ActivityError, ...]:
        """The recent errors, newest first."""
        return tuple(reversed(self._errors))

    def snapshot(self) -> ActivitySnapshot:
        """Every platform's counts now, and the recent errors."""
        now = self._clock()
        minute = int(now // 60)
        rows = []
        for name in sorted(self._platforms):
            kept = self._platforms[name]
            hour, day = kept.since(minute - 59), kept.since(minute - MINUTES_KEPT + 1)
            rows.append(
                PlatformActivity(
                    platform=name,
                    requests_hour=hour[_REQUESTS],
                    requests_day=day[_REQUESTS],
                    requests_total=kept.totals[_REQUESTS],
                    cache_hits_day=day[_HITS],
                    cache_misses_day=day[_MISSES],
                    cache_hits_total=kept.totals[_HITS],
                    cache_misses_total=kept.totals[_MISSES],
                    outcomes_hour=_outcomes(hour),
                    outcomes_day=_outcomes(day),
                    outcomes_total=_outcomes(kept.totals),
                )
            )
        return ActivitySnapshot(
            at=datetime.fromtimestamp(now, UTC),
            started_at=datetime.fromtimestamp(self._started, UTC),
            platforms=tuple(rows),
            recent_errors=self.errors(),
        )


def _outcomes(counts: Counter[str]) -> Mapping[str, int]:
    return MappingProxyType(
        {k.removeprefix("outcome:"): v for k, v in sorted(counts.items()) if k[:8] == "outcome:"}
    )


def _message(error: BaseException) -> str:
    """An SDK error's own message (it carries no secret), cut short; else nothing but a word."""
    if not isinstance(error, HyperbudsSyncError):
        return "internal error"
    text = error.message
    return text if len(text) <= MESSAGE_MAX else text[: MESSAGE_MAX - 1] + "…"
