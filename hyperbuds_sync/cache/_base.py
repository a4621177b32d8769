"""The Cache protocol, which :class:`MemoryCache` and ``RedisCache`` honour the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from ..models import PlatformData

__all__ = ["Cache", "Loader", "platform_of"]

Loader = Callable[[], Awaitable[PlatformData]]


def platform_of(key: str) -> str:
    """The platform of a ``platform:username`` cache key, the label metrics count under."""
    return key.partition(":")[0]


@runtime_checkable
class Cache(Protocol):
    """Where fetched records live between upstream calls.

    Implementations must guarantee that concurrent ``get_or_load`` calls for one key run
    ``loader`` once, share its result, and do not keep errors; a caller that is cancelled
    leaves the load to the others.
    """

    async def get_or_load(self, key: str, loader: Loader, *, refresh: bool = False) -> PlatformData:
        """The fresh value under ``key``, loading it with ``loader`` when absent or expired.

        With ``refresh=True`` the entry is bypassed and replaced by a new load.
        """
        ...

    async def get_stale(self, key: str) -> PlatformData | None:
        """The last value loaded under ``key`` within the stale window, fresh or not."""
        ...

    def peek(self, key: str) -> PlatformData | None:
        """The fresh value under ``key`` if it can be had without I/O (counted as a hit), else
        ``None``: a ``None`` says nothing, ask :meth:`get_or_load`."""
        ...

    async def invalidate(self, key: str) -> None:
        """Drop the fresh value under ``key`` (and any load of it in flight); the stale copy
        stays for :meth:`get_stale`."""
        ...

    async def aclose(self) -> None:
        """Cancel loads in flight and release what the cache holds open."""
        ...
