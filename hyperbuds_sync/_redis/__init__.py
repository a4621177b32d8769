"""The fleet's Redis plumbing: one connection shared by the cache, the key state and the
rate limiter, and the builder that wires those Redis-backed parts for ``SocialSync``.

Owns: :class:`RedisLink` (the client and its degrade-to-memory switch), :class:`ServerClock`
(the server's ``TIME``, the one clock of state a fleet shares), the check that the
``redis`` extra is installed, :func:`build_shared_state` and :func:`shared_parts` (the typed
:class:`SharedParts`, none without a URL), and the Redis rate limiter (the transport's limiter
protocol on Redis's clock, kept here until the transport adopts it).
May import: ``_logging``, ``errors``, ``metrics``, the transport's rate limiter, and (inside
:func:`build_shared_state` only) ``cache`` and ``quota``, which in turn use :class:`RedisLink`.

Why a folder of its own: the link is used by ``cache/`` and ``quota/`` alike, so it belongs to
neither; the names needing ``redis`` load on first use, so importing this package (for
:func:`require_redis`) never needs the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._build import NO_REDIS_MESSAGE, SharedParts, build_shared_state, require_redis, shared_parts

if TYPE_CHECKING:
    from ._clock import ServerClock
    from ._link import REDIS_ERRORS, RedisLink, safe_url
    from ._ratelimit import RedisRateLimiter

__all__ = [
    "NO_REDIS_MESSAGE",
    "REDIS_ERRORS",
    "RedisLink",
    "RedisRateLimiter",
    "ServerClock",
    "SharedParts",
    "build_shared_state",
    "require_redis",
    "safe_url",
    "shared_parts",
]

_LAZY = {
    "REDIS_ERRORS": "_link",
    "RedisLink": "_link",
    "safe_url": "_link",
    "ServerClock": "_clock",
}


def __getattr__(name: str) -> Any:
    """The names that need ``redis``, imported on first use."""
    if name in _LAZY or name == "RedisRateLimiter":
        require_redis()
        from . import _clock, _link, _ratelimit

        modules = {"_link": _link, "_clock": _clock}
        return getattr(modules[_LAZY[name]] if name in _LAZY else _ratelimit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
