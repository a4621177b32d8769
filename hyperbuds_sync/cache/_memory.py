"""The in-process cache, built on async-lru."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from async_lru import alru_cache

from .. import metrics as m
from ..models import PlatformData
from ._base import Loader

__all__ = ["MemoryCache"]


def _platform(key: str) -> str:
    return key.partition(":")[0]


class MemoryCache:
    """Records kept in memory for ``ttl`` seconds (300 by default), at most ``maxsize`` of them.

    The fresh entries and the single flight are async-lru's: one task per key, shared by every
    concurrent caller, errors not kept, each entry dropped ``ttl`` seconds after it loaded. The
    cache binds to the event loop that first uses it, so make one per ``SocialSync`` (the facade
    does). Last good values are kept apart for ``stale_window`` seconds, for
    ``fetch(..., allow_stale=True)``.
    """

    def __init__(
        self,
        ttl: float = 300.0,
        *,
        maxsize: int = 10_000,
        stale_window: float = 86_400.0,
        metrics: m.Metrics | None = None,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be > 0")
        self.ttl = ttl
        self.maxsize = maxsize
        self.stale_window = stale_window
        self.metrics = metrics if metrics is not None else m.Metrics()
        self._inflight: set[str] = set()
        self._stale: OrderedDict[str, PlatformData] = OrderedDict()
        self._lru: Any = alru_cache(maxsize=maxsize, ttl=ttl, key=lambda key, _loader: key)(
            self._load
        )

    def __repr__(self) -> str:
        return f"MemoryCache(ttl={self.ttl!r}, maxsize={self.maxsize!r})"

    async def _load(self, key: str, loader: Loader) -> PlatformData:
        try:
            value = await loader()
        finally:
            self._inflight.discard(key)
        self._remember(key, value)
        return value

    def _remember(self, key: str, value: PlatformData) -> None:
        self._stale[key] = value
        self._stale.move_to_end(key)
        while len(self._stale) > self.maxsize:
            self._stale.popitem(last=False)

    async def get_or_load(self, key: str, loader: Loader, *, refresh: bool = False) -> PlatformData:
        """See :meth:`Cache.get_or_load`."""
        platform = _platform(key)
        if refresh:
            self._lru.cache_invalidate(key, loader)
        elif self._lru.cache_contains(key, loader):
            hit = m.COALESCED if key in self._inflight else m.CACHE_HITS
            self.metrics.incr(hit, platform)
            value: PlatformData = await self._lru(key, loader)
            return value
        self.metrics.incr(m.CACHE_MISSES, platform)
        self._inflight.add(key)  # before the task starts, so callers in this tick coalesce
        return await self._lru(key, loader)  # type: ignore[no-any-return]

    async def get_stale(self, key: str) -> PlatformData | None:
        """See :meth:`Cache.get_stale`."""
        value = self._stale.get(key)
        if value is None:
            return None
        if value.age.total_seconds() > self.stale_window:
            del self._stale[key]
            return None
        return value

    def invalidate(self, key: str) -> None:
        """Drop the fresh entry under ``key`` (the stale copy stays)."""
        self._lru.cache_invalidate(key, None)

    def clear(self) -> None:
        """Drop every entry, fresh and stale."""
        self._lru.cache_clear()
        self._stale.clear()

    async def aclose(self) -> None:
        """Cancel loads in flight and drop the entries."""
        await self._lru.cache_close()
        self._lru.cache_clear()
        self._stale.clear()
