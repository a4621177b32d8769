"""The official APIs' limits and their few answers the RapidAPI rules do not read.

* Helix sends ``Ratelimit-Limit/-Remaining/-Reset`` and X ``x-rate-limit-limit/-remaining/
  -reset`` (epoch seconds) on every answer: :class:`OfficialQuota` keeps the latest per host for
  ``quota()``, as the key pool does for RapidAPI's headers.
* YouTube's daily 10,000 units: a 403 whose ``error.errors[].reason`` is ``quotaExceeded`` (or
  ``dailyLimitExceeded``) is a :class:`QuotaExceeded` that lasts until the next midnight Pacific
  time; a 403 whose reason is ``rateLimitExceeded`` or ``userRateLimitExceeded`` (Google's
  per-minute limits) is a :class:`RateLimited`, retried with backoff, never an auth error.
* X's monthly usage cap (a 429 with ``"title": "UsageCapExceeded"`` or the type
  ``.../problems/usage-capped``) is a :class:`QuotaExceeded` until X's ``x-rate-limit-reset``, or
  for :data:`USAGE_CAP_BENCH` seconds without one; never retried.
* Any other 429 of Helix or X is a :class:`RateLimited` whose wait is the window's reset.

Pure but for the clock; no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..errors import ProviderAuthError, ProviderError, QuotaExceeded, RateLimited
from ..models import QuotaStatus
from ._headers import Headers, as_ci, parse_count, parse_epoch_reset, parse_retry_after

__all__ = ["USAGE_CAP_BENCH", "OfficialQuota", "classify_official", "next_pacific_midnight"]

PACIFIC: Final = ZoneInfo("America/Los_Angeles")
YOUTUBE_DAILY_UNITS: Final = 10_000
_PREFIXES: Final = ("ratelimit-", "x-rate-limit-")
_GOOGLE_QUOTA: Final = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_GOOGLE_RATE: Final = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_USAGE_CAPPED: Final = "https://api.twitter.com/2/problems/usage-capped"
USAGE_CAP_BENCH: Final = 3600.0
"""Seconds X's usage cap is taken to last when its answer carries no ``x-rate-limit-reset``."""


def next_pacific_midnight(now: float) -> datetime:
    """The next midnight in America/Los_Angeles after epoch ``now``, as UTC."""
    local = datetime.fromtimestamp(now, PACIFIC)
    midnight = datetime(local.year, local.month, local.day, tzinfo=PACIFIC) + timedelta(days=1)
    return midnight.astimezone(UTC)


def _window(headers: Headers, now: float) -> tuple[int | None, int | None, float | None]:
    """``(limit, remaining, reset_in)`` from Helix's or X's headers, whichever are there."""
    for prefix in _PREFIXES:
        limit = parse_count(headers.get(f"{prefix}limit"))
        remaining = parse_count(headers.get(f"{prefix}remaining"))
        reset_in = parse_epoch_reset(headers.get(f"{prefix}reset"), now)
        if limit is not None or remaining is not None or reset_in is not None:
            return limit, remaining, reset_in
    return None, None, None


def _google_reasons(body: object) -> set[object]:
    """The ``reason`` values of a Google error body (``error.errors[].reason``)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    errors = error.get("errors") if isinstance(error, Mapping) else None
    if not isinstance(errors, list):
        return set()
    return {e.get("reason") for e in errors[:20] if isinstance(e, Mapping)}


def _is_usage_cap(body: object) -> bool:
    """Whether an X answer is its monthly usage cap (``UsageCapExceeded``), at the top level or
    as an item of ``errors``."""
    if not isinstance(body, Mapping):
        return False
    errors = body.get("errors")
    items = [body, *(errors[:20] if isinstance(errors, list) else [])]
    return any(
        isinstance(item, Mapping)
        and (item.get("title") == "UsageCapExceeded" or item.get("type") == _USAGE_CAPPED)
        for item in items
    )


class OfficialQuota:
    """The latest limit facts per official API host, this process's view."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._hosts: dict[str, QuotaStatus] = {}

    def now(self) -> float:
        """Epoch seconds on this view's clock."""
        return self._clock()

    def record(self, host: str, headers: Headers) -> None:
        """Keep the window headers of one answer, when it has any."""
        now = self._clock()
        limit, remaining, reset_in = _window(as_ci(headers), now)
        if limit is None and remaining is None and reset_in is None:
            return
        reset_at = None if reset_in is None else datetime.fromtimestamp(now + reset_in, UTC)
        self._hosts[host] = QuotaStatus(host, limit, remaining, reset_at)

    def spent(self, host: str, reset_at: datetime, limit: int | None = None) -> None:
        """The host said its quota is spent until ``reset_at``."""
        self._hosts[host] = QuotaStatus(host, limit, 0, reset_at)

    def status(self) -> dict[str, QuotaStatus]:
        """``{host: QuotaStatus}`` (no keys: an official API's credential is not a pool)."""
        return dict(self._hosts)


def classify_official(
    status: int, body: object, headers: Headers, *, quota: OfficialQuota, facts: dict[str, Any]
) -> ProviderError | None:
    """The error an official answer means where RapidAPI's rules would read it wrong, else
    ``None`` (the caller then applies :func:`~._classify.classify`)."""
    host = facts["host"]
    reasons = _google_reasons(body) if status in (400, 403) else set()
    if status == 403 and reasons & _GOOGLE_QUOTA:
        reset_at = next_pacific_midnight(quota.now())
        quota.spent(host, reset_at, YOUTUBE_DAILY_UNITS)
        return QuotaExceeded(
            f"the YouTube Data API daily quota is spent on {host}; back at "
            f"{reset_at:%Y-%m-%d %H:%M:%S} UTC (midnight Pacific time)",
            reset_at=reset_at,
            **facts,
        )
    if status == 403 and reasons & _GOOGLE_RATE:
        reason = sorted(str(r) for r in reasons & _GOOGLE_RATE)[0]
        retry_after = parse_retry_after(as_ci(headers).get("retry-after"))
        return RateLimited(
            f"{host} rate limit hit ({reason}, HTTP 403)", retry_after=retry_after, **facts
        )
    if status == 400 and reasons & {"badRequest", "keyInvalid"}:
        return ProviderAuthError(f"{host} refused the API key (HTTP 400)", **facts)
    if status in (401, 403):
        why = "refused the credentials" if status == 401 else "forbids the call"
        return ProviderAuthError(f"{host} {why} (HTTP {status})", **facts)
    if status == 429 and _is_usage_cap(body):
        return _usage_capped(headers, quota, facts)
    if status == 429:
        _limit, _remaining, reset_in = _window(as_ci(headers), quota.now())
        return RateLimited(
            f"{host} rate limit window is spent (HTTP 429)", retry_after=reset_in, **facts
        )
    return None


def _usage_capped(headers: Headers, quota: OfficialQuota, facts: dict[str, Any]) -> QuotaExceeded:
    """X's usage cap: spent until its ``x-rate-limit-reset`` (when in the future), else for
    :data:`USAGE_CAP_BENCH` seconds."""
    host, now = facts["host"], quota.now()
    _limit, _remaining, reset_in = _window(as_ci(headers), now)
    wait = reset_in if reset_in is not None and reset_in > 0 else USAGE_CAP_BENCH
    reset_at = datetime.fromtimestamp(now + wait, UTC)
    quota.spent(host, reset_at)
    return QuotaExceeded(
        f"{host} usage cap exceeded (UsageCapExceeded, HTTP 429); benched until "
        f"{reset_at:%Y-%m-%d %H:%M:%S} UTC",
        reset_at=reset_at,
        **facts,
    )
