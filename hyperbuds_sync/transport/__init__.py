"""The provider transport: the one request loop between a provider's request and its JSON.

Owns the one request loop every HTTP call of the SDK goes through (:class:`RequestLoop`: the
session, held by :class:`SessionHolder`; the capped send, ``_wire``'s :func:`read_capped` the
one reader of every answer; the retry loop, :func:`call_with_retries`, run with each caller's
:class:`RetryPolicy` and the loop's injected sleep, or :func:`default_sleep`'s for the loops
built in its block; the loop's injected :data:`Clock`, what time it is for the fetch path),
the providers' caller with its key rotation
(:class:`Gateway`), :func:`retry_logger` (the hook that counts and logs retries), the mapping of
provider answers to the error tree (``_classify``), the bounded reading of quota and
``Retry-After`` headers (``_headers``), where each request goes (``_targets``), the verdict on
an answer off the plain path, with the books kept (``_verdict``) and the client-side rate
limiter (:class:`RateLimiter`, :class:`MemoryRateLimiter`, and :class:`RedisRateLimiter`, the
fleet's, on the ``redis`` extra),
the official APIs' credentials and every auth kind's headers (:class:`Credentials`,
:class:`TwitchAppToken`, ``_auth``) and their limits (``_official``), and the one policy every
outbound URL the SDK is given is held to (:func:`check_url`, ``_urls``: the backend's base URL
and the webhooks' URLs), applied again to what a name resolves to by the owned session's
:class:`GuardedResolver` (``_resolver``).

It may import ``errors``, ``metrics``, ``models``, ``_logging``, the quota's public face (the
key pool) and, for the Redis rate limiter only, ``_redis``; it never imports a platform or
provider, ``cache/``, ``cli/`` or ``testing/``. Other folders import only the names below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._auth import Credentials, TwitchAppToken
from ._gateway import Gateway
from ._headers import parse_retry_after
from ._loop import NETWORK_FAULTS, Clock, Exchange, RequestLoop, Sleep, default_sleep, utc_now
from ._ratelimit import MemoryRateLimiter, RateLimiter
from ._resolver import ForbiddenAddress, GuardedResolver
from ._retry import (
    RetryDetails,
    RetryHook,
    RetryPolicy,
    call_with_retries,
    retry_logger,
)
from ._session import SessionHolder, attempt_timeout
from ._urls import check_url
from ._wire import ERROR_BODY_CAP, Reply

if TYPE_CHECKING:
    from ._redis_limit import RedisRateLimiter

__all__ = [
    "ERROR_BODY_CAP",
    "NETWORK_FAULTS",
    "Clock",
    "Credentials",
    "Exchange",
    "ForbiddenAddress",
    "Gateway",
    "GuardedResolver",
    "MemoryRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "Reply",
    "RequestLoop",
    "RetryDetails",
    "RetryHook",
    "RetryPolicy",
    "SessionHolder",
    "Sleep",
    "TwitchAppToken",
    "attempt_timeout",
    "call_with_retries",
    "check_url",
    "default_sleep",
    "parse_retry_after",
    "retry_logger",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    """:class:`RedisRateLimiter` on first use: it needs the ``redis`` extra."""
    if name == "RedisRateLimiter":
        from .._redis import require_redis

        require_redis()
        from ._redis_limit import RedisRateLimiter

        return RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
