"""The Cache protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from ..models import PlatformData

__all__ = ["Cache", "Loader"]

Loader = Callable[[], Awaitable[PlatformData]]


@runtime_checkable
class Cache(Protocol):
    """Where fetched records live between upstream calls.

    Implementations must guarantee that concurrent ``get_or_load`` calls for one key run
    ``loader`` once, share its result, and do not keep errors.
    """

    async def get_or_load(self, key: str, loader: Loader, *, refresh: bool = False) -> PlatformData:
        """The fresh value under ``key``, loading it with ``loader`` when absent or expired.

        With ``refresh=True`` the entry is bypassed and replaced by a new load.
        """
        ...

    async def get_stale(self, key: str) -> PlatformData | None:
        """The last value loaded under ``key`` within the stale window, fresh or not."""
        ...

    async def aclose(self) -> None:
        """Release what the cache holds open."""
        ...
