"""Provider benches: a provider out of quota, or that refused the credentials, is not called
again before its bench ends.

:class:`ProviderBenches` is the small async protocol; :class:`MemoryProviderBenches` keeps them in
this process, :class:`RedisProviderBenches` (in ``_redis``) shares them with a fleet on Redis's own
clock, beside the key state, so every process stops calling an exhausted provider together.

Every bench ends: a quota bench at the provider's reset, an auth bench (``kind="auth"``) after
the client's ``auth_bench_seconds`` (15 minutes by default), so a process that runs for months
tries a provider again after a transient 401 instead of never.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Literal, Protocol

from attrs import frozen

__all__ = [
    "AUTH",
    "AUTH_BENCH_DEFAULT",
    "QUOTA",
    "Bench",
    "BenchKind",
    "MemoryProviderBenches",
    "ProviderBenches",
]

BenchKind = Literal["quota", "auth"]
QUOTA: Final = "quota"
AUTH: Final = "auth"
AUTH_BENCH_DEFAULT: Final = 900.0
"""Seconds a provider that refused the credentials is benched by default (15 minutes)."""


@frozen
class Bench:
    """One provider's bench: until when (epoch seconds), why (``kind``: its quota is spent, or
    it refused the credentials) and the error's words (``reason``, may be ``""``)."""

    until: float
    kind: BenchKind = "quota"
    reason: str = ""


class ProviderBenches(Protocol):
    """Where provider benches live: provider name -> :class:`Bench`."""

    async def bench(
        self, provider: str, until_epoch: float, *, kind: BenchKind = "quota", reason: str = ""
    ) -> None:
        """Do not call ``provider`` before ``until_epoch``; a bench ending later is kept as is."""
        ...

    async def benched(self) -> dict[str, Bench]:
        """The providers benched now (a bench over is gone)."""
        ...


class MemoryProviderBenches:
    """The in-process :class:`ProviderBenches`."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._benches: dict[str, Bench] = {}

    async def bench(
        self, provider: str, until_epoch: float, *, kind: BenchKind = "quota", reason: str = ""
    ) -> None:
        """See :meth:`ProviderBenches.bench`."""
        held = self._benches.get(provider)
        if held is None or until_epoch > held.until:
            self._benches[provider] = Bench(until_epoch, kind, reason)

    async def benched(self) -> dict[str, Bench]:
        """See :meth:`ProviderBenches.benched`."""
        if not self._benches:  # the plain case: nobody benched, no clock read
            return {}
        now = self._clock()
        for name in [n for n, b in self._benches.items() if b.until <= now]:
            del self._benches[name]
        return dict(self._benches)
