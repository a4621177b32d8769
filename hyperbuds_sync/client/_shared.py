"""The client's wiring of the state a fleet shares through Redis (``redis_url=`` /
``HYPERBUDS_REDIS_URL``).

:func:`build_shared_state` gives :class:`~hyperbuds_sync.SocialSync` the Redis-backed
parts: the cache with its fleet-wide single flight, the key pool's key state, and the per-host rate
limit, all on one ``redis.asyncio`` client. Each part falls back to its in-memory twin while Redis
is unreachable (one WARNING on the ``hyperbuds_sync`` logger) and tries again after a cool-down.

Wiring, so it lives with the client (imported by the client's ``_facade`` and ``_parts``): it
imports ``cache``, ``quota``, ``transport`` and ``_redis``, none of which import it back.
``redis`` is an optional dependency (extra ``hyperbuds-sync[redis]``): the parts needing it are
imported only when asked for, and its absence is a :class:`~hyperbuds_sync.errors.ConfigError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypedDict

from .. import metrics as m
from .._redis import NO_REDIS_MESSAGE, require_redis

if TYPE_CHECKING:
    from ..cache import Cache
    from ..quota import KeyState, ProviderBenches
    from ..transport import RateLimiter

__all__ = ["NO_REDIS_MESSAGE", "SharedParts", "build_shared_state", "require_redis", "shared_parts"]


class SharedParts(TypedDict, total=False):
    """The Redis-backed parts :func:`build_shared_state` gives; a part absent is kept in memory.

    ``cache`` (a :class:`~hyperbuds_sync.cache.RedisCache`, whose ``aclose()`` closes the shared
    client), ``key_state`` (a :class:`~hyperbuds_sync.quota.RedisKeyState` for the key pool),
    ``provider_benches`` (a :class:`~hyperbuds_sync.quota.RedisProviderBenches`), ``limiter`` (a
    :class:`~hyperbuds_sync.transport.RedisRateLimiter`, only when ``rate_limit`` is not ``None``)
    ``close`` (closes the shared client, idempotent, for a caller not using ``cache``) and
    ``ping`` (whether Redis answers now, for readiness checks).
    """

    cache: Cache
    key_state: KeyState
    provider_benches: ProviderBenches
    limiter: RateLimiter
    close: Callable[[], Awaitable[None]]
    ping: Callable[[], Awaitable[bool]]


def build_shared_state(
    redis_url: str,
    *,
    cache_ttl: float,
    stale_window: float,
    rate_limit: float | Mapping[str, float] | None,
    metrics: m.Metrics,
    lock_ttl: float = 30.0,
    cooldown: float = 30.0,
    namespace: str = "hyperbuds_sync",
) -> SharedParts:
    """The Redis-backed parts for a :class:`SocialSync`, on one shared client (see
    :class:`SharedParts`). Nothing connects here; the client connects at its first command,
    inside the running loop.

    Raises:
        ConfigError: the ``redis`` extra is not installed.
    """
    require_redis()
    # The redis extra: these import redis-py, so they load only when a redis_url is given.
    from .._redis import RedisLink
    from ..cache import RedisCache
    from ..quota import RedisKeyState, RedisProviderBenches

    link = RedisLink.from_url(redis_url, cooldown=cooldown)
    cache = RedisCache(
        link,
        ttl=cache_ttl,
        stale_window=stale_window,
        lock_ttl=lock_ttl,
        metrics=metrics,
        namespace=namespace,
    )
    shared = SharedParts(
        cache=cache,
        key_state=RedisKeyState(link, namespace=namespace),
        provider_benches=RedisProviderBenches(link, namespace=namespace),
        close=link.aclose,
        ping=link.ping,
    )
    if rate_limit is not None:
        from ..transport import RedisRateLimiter

        shared["limiter"] = RedisRateLimiter(link, rate_limit, namespace=namespace)
    return shared


def shared_parts(
    redis_url: str | None,
    cache_ttl: float,
    stale_window: float,
    rate_limit: float | Mapping[str, float] | None,
    metrics: m.Metrics,
) -> SharedParts:
    """:func:`build_shared_state` when ``redis_url`` is set; no parts (all in memory) otherwise."""
    if not redis_url:
        return SharedParts()
    return build_shared_state(
        redis_url,
        cache_ttl=cache_ttl,
        stale_window=stale_window,
        rate_limit=rate_limit,
        metrics=metrics,
    )
