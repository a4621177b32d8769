"""Provider benches: a provider out of quota is not called again before its reset.

:class:`ProviderBenches` is the small async protocol; :class:`MemoryProviderBenches` keeps them in
this process, :class:`RedisProviderBenches` (in ``_redis``) shares them with a fleet on Redis's own
clock, beside the key ledger, so every process stops calling an exhausted provider together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["MemoryProviderBenches", "ProviderBenches"]


class ProviderBenches(Protocol):
    """Where provider benches live: provider name -> benched-until (epoch seconds)."""

    async def bench(self, provider: str, until_epoch: float) -> None:
        """Do not call ``provider`` before ``until_epoch`` (a later bench is kept)."""
        ...

    async def benched(self) -> dict[str, float]:
        """The providers benched now, with their until."""
        ...


class MemoryProviderBenches:
    """The in-process :class:`ProviderBenches`."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}

    async def bench(self, provider: str, until_epoch: float) -> None:
        """See :meth:`ProviderBenches.bench`."""
        self._until[provider] = max(until_epoch, self._until.get(provider, until_epoch))

    async def benched(self) -> dict[str, float]:
        """See :meth:`ProviderBenches.benched`."""
        if not self._until:  # the plain case: nobody benched, no clock read
            return {}
        now = self._clock()
        for name in [n for n, u in self._until.items() if u <= now]:
            del self._until[name]
        return dict(self._until)
