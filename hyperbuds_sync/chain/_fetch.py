"""The fetch path: cache, the chain walk, engagement, history, stale serving."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .. import engagement
from .. import metrics as m
from ..cache import Cache
from ..errors import ConfigError, ProviderUnavailable, QuotaExceeded, RateLimited
from ..history import HistoryRecorder
from ..models import PlatformData, RawAnswer
from ..platforms import PlatformRegistry, Provider
from ..transport import Clock, utc_now
from ._names import NameMemo
from ._walk import Failover

__all__ = ["Fetcher"]

STALE_ON = (QuotaExceeded, RateLimited, ProviderUnavailable)


class Fetcher:
    """What :meth:`SocialSync.fetch` does, with the parts the client built.

    The cache holds one record per creator whatever provider answered it; a fetch pinned to one
    provider (``provider=``) goes past the cache and is not kept in it. A fresh record is
    stamped with ``clock()`` (the client's request loop's clock).
    """

    def __init__(
        self,
        *,
        registry: PlatformRegistry,
        failover: Failover,
        cache: Cache,
        names: NameMemo,
        metrics: m.Metrics,
        formula: str,
        history: HistoryRecorder | None,
        clock: Clock = utc_now,
    ) -> None:
        self.registry = registry
        self.failover = failover
        self.cache = cache
        self.names = names
        self.metrics = metrics
        self.formula = formula
        self.history = history
        self.clock = clock

    async def fetch(
        self,
        platform: str,
        username: str,
        *,
        refresh: bool,
        formula: str | None,
        allow_stale: bool,
        provider: str | None,
    ) -> PlatformData:
        """See :meth:`SocialSync.fetch`."""
        adapter = self.registry.get(platform)
        name, key = self.names.key(adapter, username)
        chosen = self.formula if formula is None else formula
        fn = None if chosen == self.formula else engagement.get(chosen)
        if provider is not None:
            data = await self.load(adapter.platform, name, provider)
            return data if fn is None else self.reformulate(adapter, data, chosen, fn)
        cache = self.cache
        hit = None if refresh else cache.peek(key)  # a hit without I/O, where the cache can
        if hit is not None:
            return hit if fn is None else self.reformulate(adapter, hit, chosen, fn)
        try:
            loader = partial(self.load, adapter.platform, name, None)
            data = await cache.get_or_load(key, loader, refresh=refresh)
        except STALE_ON as exc:
            if allow_stale:
                stale = await cache.get_stale(key)
                if stale is not None:
                    self.metrics.incr(m.STALE_SERVED, adapter.platform)
                    if fn is not None:
                        stale = self.reformulate(adapter, stale, chosen, fn)
                    return stale.as_stale()
            raise exc from None
        return data if fn is None else self.reformulate(adapter, data, chosen, fn)

    async def load(self, platform: str, name: str, only: str | None) -> PlatformData:
        """The load of one creator along the platform's chain (or ``only`` that provider): the
        record of the first answer, its snapshot committed to the history."""
        answer = await self.failover.fetch(platform, name, only)
        data = engagement.normalize(
            answer.profile,
            formula=self.formula,
            fetched_at=self.clock(),
            raw=answer.raw,
            provider=answer.provider,
        )
        if self.history is not None:  # a fresh answer: returned once its snapshot is committed
            await self.history.snapshot(data, self.formula)
        return data

    def reformulate(
        self, adapter: Provider, data: PlatformData, chosen: str, fn: engagement.Formula
    ) -> PlatformData:
        """``data`` under another formula than the cached one, recomputed from its raw answer
        by the provider that gave it."""
        if chosen == self.formula:
            return data
        try:
            gave = self.registry.provider(data.provider) if data.provider else adapter
        except ConfigError:  # a provider no longer registered: the platform's adapter reads it
            gave = adapter
        profile = gave.parse(data.username, _unwrapped(data.raw))
        return engagement.normalize(
            profile,
            formula=fn,
            fetched_at=data.last_fetched,
            raw=data.raw,
            provider=data.provider,
            formula_name=chosen,
        )


def _unwrapped(raw: Mapping[str, Any]) -> Any:
    """The answer as the provider gave it: a list (two-step providers) is kept as ``value``."""
    if isinstance(raw, RawAnswer):
        return raw.answer()
    if len(raw) == 1 and isinstance(raw.get("value"), list):
        return raw["value"]
    return raw
