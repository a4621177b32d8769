"""The in-process cache: a dict of loaded records in front of the shared single flight."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from .. import metrics as m
from ..models import PlatformData
from ._base import Loader, platform_of
from ._flight import SingleFlight

__all__ = ["DEFAULT_MAXSIZE", "MemoryCache"]

DEFAULT_MAXSIZE = 4_096
"""Records a :class:`MemoryCache` keeps by default: about 1,000 creators on four platforms."""

_EXPIRED = float("-inf")


class _Entry(NamedTuple):
    """One loaded record: fresh until ``expires_at``, kept as stale until ``stale_until``
    (both on the cache's monotonic clock, so a wall-clock jump moves neither)."""

    expires_at: float
    stale_until: float
    value: PlatformData
    platform: str


class MemoryCache:
    """Records kept in memory, fresh for ``ttl`` seconds (300 by default), at most ``maxsize``.

    Each loaded record is kept once, in a dict ordered by use: fresh for ``ttl`` seconds after its
    load finished, then kept as the last good value for ``fetch(..., allow_stale=True)`` while it
    is younger than ``stale_window`` seconds. Beyond ``maxsize`` records the least recently used
    goes, fresh or stale, so ``maxsize`` bounds the memory. A hit is a dict lookup and a clock
    read: no task, nothing awaited (:meth:`peek`). Loads go through the single flight: one task
    per key, shared by every concurrent caller, errors not kept.

    Memory: a record holds its provider answer (``raw``) as the bytes it came as
    (:class:`~hyperbuds_sync.models.RawAnswer`, 0.5-5.5 KB); measured over the four platforms
    an entry costs about 3.5 KB of resident memory (14 KB when the answer was kept decoded).
    The default ``maxsize`` of 4,096 (:data:`DEFAULT_MAXSIZE`, about 1,000 creators on four
    platforms) is therefore about 14 MB when full. Size it to the creators one process
    revisits within ``ttl``; ``RedisCache`` is the store to share across a fleet.

    ``clock`` gives the time in seconds that ``ttl`` is counted on (``time.monotonic`` by
    default; tests pass a fake one). Loads run in the event loop of their caller; loads left in
    flight by a loop that is gone are forgotten when another loop first misses, and the records
    stay. Make one cache per ``SocialSync`` (the facade does).
    """

    def __init__(
        self,
        ttl: float = 300.0,
        *,
        maxsize: int = DEFAULT_MAXSIZE,
        stale_window: float = 86_400.0,
        metrics: m.Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be > 0")
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.ttl = ttl
        self.maxsize = maxsize
        self.stale_window = stale_window
        self.metrics = metrics if metrics is not None else m.Metrics()
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._flight: SingleFlight[str, PlatformData] = SingleFlight()

    def __repr__(self) -> str:
        return f"MemoryCache(ttl={self.ttl!r}, maxsize={self.maxsize!r})"

    @property
    def size(self) -> int:
        """Records held, fresh or stale (at most ``maxsize``)."""
        return len(self._entries)

    async def get_or_load(self, key: str, loader: Loader, *, refresh: bool = False) -> PlatformData:
        """See :meth:`Cache.get_or_load`: a fresh hit at once, else the load in flight for
        ``key`` joined, or a new one started (always, with ``refresh``)."""
        if refresh:
            return await self._refresh(key, loader)
        value = self.peek(key)
        if value is not None:
            return value
        if key in self._flight:
            self.metrics.incr(m.COALESCED, platform_of(key))
            return await self._flight.run(key, loader)
        self.metrics.incr(m.CACHE_MISSES, platform_of(key))
        return await self._flight.run(key, loader, self._put)

    async def _refresh(self, key: str, loader: Loader) -> PlatformData:
        """A new load for ``key``, not joining one in flight; callers arriving meanwhile wait
        for it. If it fails, the entry it was to replace is put back as it was."""
        self._flight.forget(key)
        before = self._entries.get(key)
        expired = self._expire(key)
        self.metrics.incr(m.CACHE_MISSES, platform_of(key))
        try:
            return await self._flight.run(key, loader, self._put)
        except BaseException:
            if before is not None and self._entries.get(key) is expired:
                self._entries[key] = before
            raise

    def peek(self, key: str) -> PlatformData | None:
        """See :meth:`Cache.peek`: the fresh record, counted as a hit, or ``None`` (nothing
        counted). The synchronous half of :meth:`get_or_load`."""
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > self._clock():
            self._entries.move_to_end(key)
            self.metrics.incr(m.CACHE_HITS, entry.platform)
            return entry.value
        return None

    def _put(self, key: str, value: PlatformData) -> None:
        """Keep a loaded ``value`` (the single flight calls it while the load is current)."""
        now = self._clock()
        self._entries[key] = _Entry(
            now + self.ttl, now + self.stale_window, value, platform_of(key)
        )
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def _expire(self, key: str) -> _Entry | None:
        """Make the entry under ``key`` stale at once, keeping it for ``get_stale``; return the
        stale entry (``None`` when there was none)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expired = _Entry(_EXPIRED, entry.stale_until, entry.value, entry.platform)
        self._entries[key] = expired
        return expired

    async def get_stale(self, key: str) -> PlatformData | None:
        """See :meth:`Cache.get_stale`."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stale_until < self._clock():
            if entry.expires_at <= self._clock():
                del self._entries[key]  # past both windows: nothing would serve it
            return None
        return entry.value

    async def invalidate(self, key: str) -> None:
        """See :meth:`Cache.invalidate`."""
        self._flight.forget(key)
        self._expire(key)

    def clear(self) -> None:
        """Drop every entry, fresh and stale; loads in flight finish but are not kept."""
        self._flight.clear()
        self._entries.clear()

    async def aclose(self) -> None:
        """Cancel loads in flight and drop the entries."""
        await self._flight.aclose()
        self.clear()
