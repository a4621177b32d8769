"""Caches of fetched records, keyed ``platform:username``.

A cache also gives the *single flight*: concurrent fetches of one key share one upstream call.
:class:`MemoryCache` (the default) lives in one process; ``RedisCache`` (extra
``hyperbuds-sync[redis]``) shares entries, the single flight and stale values across processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import Cache, Loader
from ._memory import DEFAULT_MAXSIZE, MemoryCache

if TYPE_CHECKING:
    from ._redis import RedisCache

__all__ = ["DEFAULT_MAXSIZE", "Cache", "Loader", "MemoryCache", "RedisCache"]


def __getattr__(name: str) -> Any:
    """``RedisCache`` on first use, so importing the package never needs the redis extra."""
    if name == "RedisCache":
        from .._redis import require_redis

        require_redis()
        from ._redis import RedisCache

        return RedisCache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
