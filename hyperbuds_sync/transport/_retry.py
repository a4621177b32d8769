"""All retry policy in one place: what retries, how long to wait, when to give up.

Both transports (RapidAPI and the backend) wrap one attempt with :func:`retrying`, which is built
on ``backoff.on_exception`` with a wait generator of our own: backoff's default full jitter would
turn a server's ``Retry-After`` into 0..delay, so a server hint is honoured as given and our own
delays are exponential with full jitter.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import backoff
from attrs import frozen
from backoff.types import Details

__all__ = ["RetryPolicy", "parse_retry_after", "retrying", "set_sleeps", "sleeps_enabled"]

T = TypeVar("T")

_sleeps = True


def set_sleeps(enabled: bool) -> None:
    """Switch backoff sleeps on or off for the whole process (tests only).

    With sleeps off, retries still happen, the same number of times, but without waiting.
    :func:`hyperbuds_sync.testing.set_testing` is the public spelling.
    """
    global _sleeps
    _sleeps = enabled


def sleeps_enabled() -> bool:
    """Whether backoff sleeps are on."""
    return _sleeps


@frozen
class RetryPolicy:
    """How retries behave.

    Attributes:
        max_tries: attempts in all, the first included (1 disables retries).
        base_delay: the first backoff ceiling in seconds; it doubles each attempt.
        max_delay: the largest backoff ceiling.
        retry_after_cap: a server-asked wait longer than this is not waited for; the error is
            raised at once instead.
    """

    max_tries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 30.0

    def __attrs_post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError("max_tries must be >= 1")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date).

    Garbage, negatives and non-finite numbers give ``None``; a date in the past gives ``0.0``.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
            return None
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


def _wait_gen(policy: RetryPolicy) -> Generator[float, Any, None]:
    exc = yield 0.0  # backoff primes the generator with send(None)
    attempt = 0
    while True:
        hint = getattr(exc, "retry_after", None)
        if not _sleeps:
            delay = 0.0
        elif isinstance(hint, int | float):
            delay = float(hint)
        else:
            delay = random.uniform(0, min(policy.max_delay, policy.base_delay * 2**attempt))  # noqa: S311
        attempt += 1
        exc = yield delay


def _too_long(policy: RetryPolicy) -> Callable[[Exception], bool]:
    def give_up(exc: Exception) -> bool:
        hint = getattr(exc, "retry_after", None)
        return isinstance(hint, int | float) and hint > policy.retry_after_cap

    return give_up


def retrying(
    policy: RetryPolicy,
    retry_on: tuple[type[Exception], ...],
    *,
    on_retry: Callable[[Details], None] | None = None,
) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
    """A decorator that retries an async attempt on ``retry_on`` errors per ``policy``.

    Errors outside ``retry_on`` pass through at once; a ``retry_after`` hint above the cap gives
    up at once. ``on_retry`` receives backoff's details dict before each wait.
    """
    decorator: Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]
    decorator = backoff.on_exception(
        _wait_gen,
        retry_on,
        max_tries=policy.max_tries,
        giveup=_too_long(policy),
        jitter=None,
        on_backoff=[on_retry] if on_retry else [],
        logger=None,
        policy=policy,
    )
    return decorator
