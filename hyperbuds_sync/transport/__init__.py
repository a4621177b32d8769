"""The provider transport: the one request loop between a provider's request and its JSON.

Owns the HTTP session (:class:`SessionHolder`), the request loop with its key rotation
(:class:`Gateway`), the retry policy and its one loop (:class:`RetryPolicy`,
:func:`call_with_retries`, and :func:`retry_logger`, the hook that counts and logs retries), the
mapping of answers to the error tree (``_classify``), the bounded reading of quota and
``Retry-After`` headers (``_headers``), where each request goes (``_targets``), the verdict on
an answer off the plain path, with the books kept (``_verdict``), the capped body read
(``_wire``: :func:`read_capped`, the one reader of every answer: providers', the Twitch token
endpoint's and the backend's) and the client-side rate limiter (:class:`RateLimiter`,
:class:`MemoryRateLimiter`, and :class:`RedisRateLimiter`, the fleet's, on the ``redis`` extra),
the official APIs' credentials and every auth kind's headers (:class:`Credentials`,
:class:`TwitchAppToken`, ``_auth``) and their limits (``_official``).

It may import ``errors``, ``metrics``, ``models``, ``_logging``, the quota's public face (the
key pool) and, for the Redis rate limiter only, ``_redis``; it never imports a platform or
provider, ``cache/``, ``cli/`` or ``testing/``. Other folders import only the names below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._auth import Credentials, TwitchAppToken
from ._gateway import Gateway
from ._headers import parse_retry_after
from ._ratelimit import MemoryRateLimiter, RateLimiter
from ._retry import (
    RetryDetails,
    RetryHook,
    RetryPolicy,
    call_with_retries,
    retry_logger,
    retrying,
    set_sleeps,
    sleeps_enabled,
)
from ._session import SessionHolder, attempt_timeout
from ._wire import ERROR_BODY_CAP, Reply, read_capped

if TYPE_CHECKING:
    from ._redis_limit import RedisRateLimiter

__all__ = [
    "ERROR_BODY_CAP",
    "Credentials",
    "Gateway",
    "MemoryRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "Reply",
    "RetryDetails",
    "RetryHook",
    "RetryPolicy",
    "SessionHolder",
    "TwitchAppToken",
    "attempt_timeout",
    "call_with_retries",
    "parse_retry_after",
    "read_capped",
    "retry_logger",
    "retrying",
    "set_sleeps",
    "sleeps_enabled",
]


def __getattr__(name: str) -> Any:
    """:class:`RedisRateLimiter` on first use: it needs the ``redis`` extra."""
    if name == "RedisRateLimiter":
        from .._redis import require_redis

        require_redis()
        from ._redis_limit import RedisRateLimiter

        return RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
