"""Quota: the RapidAPI key pool, its key state per ``(host, key)`` and the quota status shown.

Owns: choosing a key per call, benching spent keys, the key state protocol (:class:`KeyState`)
with its in-memory and Redis stores side by side, the ``on_quota_low`` alert, and the provider
benches of the failover chains (:class:`ProviderBenches`, memory and Redis, same pattern).
May import: ``models``, ``errors``, ``_logging`` and, for the Redis key state only, ``_redis``
(the shared connection). Nothing here knows HTTP, providers or the cache.

``RedisKeyState`` is loaded on first use, so importing this package never needs the redis
extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._benches import (
    AUTH,
    AUTH_BENCH_DEFAULT,
    QUOTA,
    Bench,
    BenchKind,
    MemoryProviderBenches,
    ProviderBenches,
)
from ._keystate import (
    FleetClock,
    KeyRecord,
    KeyState,
    MemoryKeyState,
    next_midnight,
    next_month_start,
)
from ._pool import NO_KEY_MESSAGE, KeyPool, QuotaLowHook, fingerprint

if TYPE_CHECKING:
    from ._redis import RedisKeyState, RedisProviderBenches

__all__ = [
    "AUTH",
    "AUTH_BENCH_DEFAULT",
    "NO_KEY_MESSAGE",
    "QUOTA",
    "Bench",
    "BenchKind",
    "FleetClock",
    "KeyPool",
    "KeyRecord",
    "KeyState",
    "MemoryKeyState",
    "MemoryProviderBenches",
    "ProviderBenches",
    "QuotaLowHook",
    "RedisKeyState",
    "RedisProviderBenches",
    "fingerprint",
    "next_midnight",
    "next_month_start",
]


def __getattr__(name: str) -> Any:
    """``RedisKeyState`` and ``RedisProviderBenches`` on first use (they need the redis
    extra)."""
    if name in ("RedisKeyState", "RedisProviderBenches"):
        from .._redis import require_redis

        require_redis()
        from . import _redis

        return getattr(_redis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
