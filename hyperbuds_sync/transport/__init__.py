"""The provider transport: the one request loop between a provider's request and its JSON.

Owns the HTTP session (:class:`SessionHolder`), the request loop with its key rotation
(:class:`Gateway`), the retry policy and its one loop (:class:`RetryPolicy`,
:func:`call_with_retries`, and :func:`retry_logger`, the hook that counts and logs retries), the
mapping of answers to the error tree (``_classify``), the bounded reading of quota and
``Retry-After`` headers (``_headers``), where each request goes (``_targets``), the verdict on
an answer off the plain path, with the books kept (``_verdict``), the capped body read
(``_wire``: :func:`read_capped`, the one reader of every answer: providers', the Twitch token
endpoint's and the backend's) and the client-side rate limiter (:class:`RateLimiter`,
:class:`MemoryRateLimiter`),
the official APIs' credentials and every auth kind's headers (:class:`Credentials`,
:class:`TwitchAppToken`, ``_auth``) and their limits (``_official``).

It may import ``errors``, ``metrics``, ``models``, ``_logging`` and the quota's public face (the
key pool); it never imports a platform or provider, ``cache/``, ``cli/`` or ``testing/``. Other
folders import only the names below.
"""

from __future__ import annotations

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

__all__ = [
    "ERROR_BODY_CAP",
    "Credentials",
    "Gateway",
    "MemoryRateLimiter",
    "RateLimiter",
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
