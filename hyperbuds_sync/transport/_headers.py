"""Reading the headers a provider's answer carries into sane, bounded values.

One parsing function per header kind: a count (``x-ratelimit-requests-limit/-remaining``), a
reset delay (``x-ratelimit-requests-reset``) and ``Retry-After``. Whatever a header holds (huge
numbers, negatives, NaN, words, dates in year 9999), the result is a bounded value or ``None``
(ignored), so no header can raise outside the error tree later (a 1e300-second reset once made
every ``quota()`` raise ``OverflowError``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from attrs import frozen
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = [
    "MAX_COUNT",
    "MAX_RESET",
    "MAX_RETRY_AFTER",
    "Headers",
    "QuotaHeaders",
    "as_ci",
    "parse_count",
    "parse_epoch_reset",
    "parse_quota_headers",
    "parse_reset",
    "parse_retry_after",
    "quota_values",
]

MAX_COUNT: Final = 10**12  # a quota count is clamped to 0..MAX_COUNT
MAX_RESET: Final = 400 * 86_400.0  # a quota resets within 400 days at most (a yearly plan)
MAX_RETRY_AFTER: Final = 86_400.0  # a server-asked wait is read as one day at most

Headers = Mapping[str, str]


def _seconds(value: str | None) -> float | None:
    """A finite number >= 0 from ``value``, else ``None`` (garbage, negative, NaN, inf).

    ``float`` skips most surrounding whitespace itself (the rest, such as U+001C, is
    stripped on the way out), and one chained comparison rejects negatives, NaN and inf alike:
    this runs on three headers of every answer.
    """
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        stripped = value.strip()
        return _seconds(stripped) if stripped != value else None
    return number if 0.0 <= number < math.inf else None


def parse_count(value: str | None) -> int | None:
    """A quota count (``...-limit``, ``...-remaining``): a whole number in 0..``MAX_COUNT``,
    or ``None`` for garbage, negatives and non-finite numbers."""
    number = _seconds(value)
    if number is None:
        return None
    return int(number) if number < MAX_COUNT else MAX_COUNT


def parse_reset(value: str | None) -> float | None:
    """Seconds until the quota resets (``...-reset``), at most ``MAX_RESET``; ``None`` for
    garbage, negatives and non-finite numbers."""
    number = _seconds(value)
    if number is None:
        return None
    return number if number < MAX_RESET else MAX_RESET


def parse_epoch_reset(value: str | None, now: float) -> float | None:
    """Seconds from ``now`` to an epoch-seconds reset (Helix ``Ratelimit-Reset``, X
    ``x-rate-limit-reset``), within 0..``MAX_RESET``; ``None`` for garbage."""
    number = _seconds(value)
    return None if number is None else min(max(0.0, number - now), MAX_RESET)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date), at most
    ``MAX_RETRY_AFTER``.

    Garbage, negatives and non-finite numbers give ``None``; a date in the past gives ``0.0``.
    """
    text = value.strip() if value else ""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return _until(text, now or datetime.now(UTC))
    return min(number, MAX_RETRY_AFTER) if math.isfinite(number) and number >= 0 else None


def _until(http_date: str, now: datetime) -> float | None:
    """Seconds from ``now`` to an HTTP date, within 0..``MAX_RETRY_AFTER``; ``None`` if it is
    not one."""
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


@frozen
class QuotaHeaders:
    """The ``x-ratelimit-requests-*`` values of one answer; ``reset_in`` is seconds from now."""

    limit: int | None = None
    remaining: int | None = None
    reset_in: float | None = None


def as_ci(headers: Headers) -> Headers:
    """``headers`` as a case-insensitive mapping (copied only when it is not one)."""
    if isinstance(headers, CIMultiDict | CIMultiDictProxy):
        return headers
    return CIMultiDict(headers)


def quota_values(headers: Headers) -> tuple[int | None, int | None, float | None]:
    """``(limit, remaining, reset_in)`` as :func:`parse_quota_headers` reads them, as a plain
    tuple (the gateway calls this on every answer)."""
    headers = as_ci(headers)
    return (
        parse_count(headers.get("x-ratelimit-requests-limit")),
        parse_count(headers.get("x-ratelimit-requests-remaining")),
        parse_reset(headers.get("x-ratelimit-requests-reset")),
    )


def parse_quota_headers(headers: Headers) -> QuotaHeaders:
    """Read ``x-ratelimit-requests-limit/-remaining/-reset`` (see :func:`parse_count`,
    :func:`parse_reset`)."""
    limit, remaining, reset_in = quota_values(headers)
    return QuotaHeaders(limit=limit, remaining=remaining, reset_in=reset_in)
