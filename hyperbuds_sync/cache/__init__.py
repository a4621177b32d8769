"""Caches of fetched records, keyed ``platform:username``.

A cache also gives the *single flight*: concurrent fetches of one key share one upstream call.
:class:`MemoryCache` (the default) lives in one process; ``RedisCache`` (extra
``hyperbuds-sync[redis]``) shares entries, the single flight and stale values across processes.
"""

from __future__ import annotations

from ._base import Cache, Loader
from ._memory import MemoryCache

__all__ = ["Cache", "Loader", "MemoryCache"]
