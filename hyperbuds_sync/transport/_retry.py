"""All retry policy in one place: what retries, how long to wait, when to give up.

Both transports (RapidAPI and the backend) run their attempts through one loop,
:func:`call_with_retries`: attempt; on a retryable error decide (tries left? a server hint
above the cap?), report the retry to a hook, wait, attempt again. A server's ``Retry-After`` is
waited as given; our own waits come from backoff's wait generator and jitter
(``backoff.expo`` ceilings, ``backoff.full_jitter``). The loop is ours, not
``backoff.on_exception``: that decorator would jitter a server hint into 0..hint too, and would
hide the cap on hints and the retry hook's facts.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypedDict, TypeVar

import backoff
from attrs import frozen

from ..metrics import RETRIES, Metrics

__all__ = [
    "RetryDetails",
    "RetryHook",
    "RetryPolicy",
    "call_with_retries",
    "retry_logger",
]

T = TypeVar("T")


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
    waits: tuple[float, ...] | None = None

    def __attrs_post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError("max_tries must be >= 1")
        if self.waits is not None and len(self.waits) < self.max_tries - 1:
            raise ValueError("waits must give a wait before each retry")

    @classmethod
    def fixed(cls, waits: tuple[float, ...]) -> RetryPolicy:
        """``len(waits) + 1`` tries, ``waits[i]`` seconds before retry ``i + 1``, no jitter."""
        return cls(max_tries=len(waits) + 1, waits=tuple(waits))

    def ceilings(self) -> Iterator[float]:
        """Our own backoff ceilings, retry by retry: ``base_delay`` doubling up to
        ``max_delay`` (``backoff.expo``)."""
        waits = backoff.expo(base=2, factor=self.base_delay, max_value=self.max_delay)
        next(waits)  # backoff's generators yield None first, to be primed
        return waits

    def wait_before(self, retry: int, exc: BaseException) -> float | None:
        """Seconds to wait before retry number ``retry`` (1 for the first) after ``exc``, or
        ``None`` to give up now because the server asks for longer than ``retry_after_cap``.

        A server hint (``exc.retry_after``) is waited as given; otherwise the policy's fixed
        ``waits[retry - 1]`` when it has them, else the ``retry``-th ceiling of :meth:`ceilings`
        with full jitter (``backoff.full_jitter``: uniform from 0).
        """
        hint = getattr(exc, "retry_after", None)
        if isinstance(hint, int | float):
            if hint > self.retry_after_cap:
                return None
            wait = float(hint)
        elif self.waits is not None:
            wait = self.waits[retry - 1]
        else:
            ceiling = next(itertools.islice(self.ceilings(), retry - 1, None))
            wait = backoff.full_jitter(ceiling)
        return wait


class RetryDetails(TypedDict):
    """What a retry hook is told before each wait: the error, the tries made so far, the wait."""

    exception: Exception
    tries: int
    wait: float


RetryHook = Callable[[RetryDetails], None]


async def call_with_retries(
    policy: RetryPolicy,
    retry_on: tuple[type[Exception], ...],
    attempt: Callable[..., Awaitable[T]],
    *args: Any,
    on_retry: RetryHook | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``await attempt(*args)``, retried on ``retry_on`` errors as ``policy`` says.

    The one retry loop: attempt; on a retryable error decide (tries left, server hint within
    the cap), tell ``on_retry``, ``sleep``, and attempt again. Other errors, and the last
    retryable one, propagate as raised.
    """
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt(*args)
        except retry_on as exc:
            wait = policy.wait_before(tries, exc) if tries < policy.max_tries else None
            if wait is None:
                raise
            if on_retry is not None:
                on_retry({"exception": exc, "tries": tries, "wait": wait})
        await sleep(wait)


def retry_logger(metrics: Metrics, logger: logging.Logger, what: str) -> RetryHook:
    """A retry hook that counts ``retries`` per platform and logs one DEBUG line per retry,
    naming the error class, status, host, try and wait (never a header or a key)."""

    def on_retry(details: RetryDetails) -> None:
        exc = details["exception"]
        platform = getattr(exc, "platform", None) or ""
        metrics.incr(RETRIES, platform)
        if logger.isEnabledFor(logging.DEBUG):
            error = f"{type(exc).__name__} (status {getattr(exc, 'status', None)})"
            host = getattr(exc, "host", None)
            log = "Retrying %s for %s on %s after %s, try %s, waiting %.2fs"
            logger.debug(log, what, platform, host, error, details["tries"], details["wait"])

    return on_retry
