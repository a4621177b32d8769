"""The fleet's Redis plumbing: one connection shared by the cache, the key state, the roster's
budget ledger and the rate limiter.

Owns: :class:`RedisLink` (the client and its degrade-to-memory switch), :class:`ServerClock`
(the server's ``TIME``, the one clock of state a fleet shares) and the check that the ``redis``
extra is installed. Building the Redis-backed parts for ``SocialSync`` is the client's wiring
(``hyperbuds_sync.client._shared``); the Redis rate limiter is the transport's
(``hyperbuds_sync.transport.RedisRateLimiter``).
May import: ``_logging``, ``_install``, ``errors``; redis-py. Imported only by ``cache``,
``quota``, ``roster``, ``transport`` and the client's wiring (an import-linter contract).

Why a folder of its own: the link is used by ``cache/``, ``quota/``, ``roster/`` and
``transport/`` alike, so it belongs to none of them; the names needing ``redis`` load on first
use, so importing this package (for :func:`require_redis`) never needs the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._extra import NO_REDIS_MESSAGE, require_redis

if TYPE_CHECKING:
    from ._clock import ServerClock
    from ._link import REDIS_ERRORS, RedisLink, safe_url

__all__ = [
    "NO_REDIS_MESSAGE",
    "REDIS_ERRORS",
    "RedisLink",
    "ServerClock",
    "require_redis",
    "safe_url",
]

_LAZY = {
    "REDIS_ERRORS": "_link",
    "RedisLink": "_link",
    "safe_url": "_link",
    "ServerClock": "_clock",
}


def __getattr__(name: str) -> Any:
    """The names that need ``redis``, imported on first use (the ``redis`` extra)."""
    if name in _LAZY:
        require_redis()
        from . import _clock, _link

        modules = {"_link": _link, "_clock": _clock}
        return getattr(modules[_LAZY[name]], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
