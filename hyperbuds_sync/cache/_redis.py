"""The cache shared by every process through Redis (extra ``hyperbuds-sync[redis]``)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Final

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from .. import metrics as m
from .._logging import logger
from .._redis import REDIS_ERRORS, RedisLink
from ..models import PlatformData, from_dict, to_dict
from ._base import Loader, platform_of
from ._flight import SingleFlight
from ._memory import MemoryCache

__all__ = ["RedisCache"]

_VERSION: Final = "hb1"
_HEAD_LEN: Final = len(_VERSION) + 1 + 16 + 1  # "hb1:" + 16 hex digits + ":"
_POLL_FIRST: Final = 0.005
_POLL_MAX: Final = 0.1

_ENTRY, _LOCKED, _BUSY = 1, 2, 0

# Take the fresh entry if it will do, else the load lock, in one atomic step.
# KEYS: entry, lock. ARGV: token, lock ms, seen head ("" = any entry will do), skip ("1" =
# ignore the entry this time: a refresh), head length. Returns {1, entry} | {2, head} | {0, head}.
_CLAIM: Final = """
local v = redis.call('GET', KEYS[1])
local head = ''
if v then head = string.sub(v, 1, tonumber(ARGV[5])) end
if v and ARGV[4] ~= '1' and (ARGV[3] == '' or head ~= ARGV[3]) then return {1, v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2, head} end
return {0, head}
"""

# Store the stale copy; store the fresh entry and give the lock back only if the lock is still
# ours (an invalidation deletes it: that load's value must not come back as fresh).
# KEYS: entry, stale, lock. ARGV: payload, ttl ms, stale ms, token.
_STORE: Final = """
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
if redis.call('GET', KEYS[3]) ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[3])
return 1
"""

# Extend the lock if still ours. KEYS: lock. ARGV: token, lock ms. Returns 1 if extended.
_RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# Give the lock back if still ours. KEYS: lock. ARGV: token.
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def encode(value: PlatformData) -> bytes:
    """``value`` as a cache entry: a version and a random id (the *head*), then JSON.

    ``raw`` is serialized beside the camelCase record rather than inside it, and ``stale`` is
    never stored. Raises ``TypeError``/``ValueError`` when ``raw`` is not JSON-serializable.
    """
    record = to_dict(value)
    raw = record.pop("raw", {})  # to_dict gave it as a plain dict
    record.pop("stale", None)
    body = json.dumps({"data": record, "raw": raw}, separators=(",", ":"))
    return f"{_VERSION}:{secrets.token_hex(8)}:{body}".encode()


def decode(entry: bytes) -> PlatformData | None:
    """The record in a cache entry; ``None`` for an entry this version cannot read."""
    try:
        text = entry.decode()
        if not text.startswith(f"{_VERSION}:"):
            return None
        envelope = json.loads(text[_HEAD_LEN:])
        return from_dict({**envelope["data"], "raw": envelope["raw"]})
    except Exception as exc:  # any garbage: cattrs groups, KeyError, JSON, UnicodeError
        logger.debug("Unreadable cache entry in Redis ignored: %s", type(exc).__name__)
        return None


class RedisCache:
    """Fetched records in Redis, shared by every process that uses the same Redis.

    Fresh entries live ``ttl`` seconds (``PX`` expiry); a stale copy of each lives
    ``stale_window`` seconds under another key, for ``fetch(..., allow_stale=True)``.

    A hit costs one ``GET``. On a miss the single flight spans the fleet: in one process,
    concurrent callers of one key share one task (the shared single flight); that task reads
    the entry or takes a Redis lock for the key (``SET NX PX lock_ttl``) in one atomic step (a
    Lua script); the lock holder loads, renewing the lock meanwhile, then writes the entry and
    releases the lock in one step, and the other processes poll (5 ms, doubling up to 100 ms)
    until the entry appears. When the holder fails (an error, a cancellation, or its process
    dies and the lock expires), a waiter takes the lock over and loads;
    errors are never cached. ``refresh=True`` skips the current entry but still single-flights:
    it accepts only an entry written after it started.

    Metrics (``cache_hits``, ``cache_misses``, ``coalesced``) count per platform, the part of
    the key before ``":"``: a miss is a load by this process, coalesced a wait on another
    caller's load, here or elsewhere.

    When Redis is unreachable the cache logs one WARNING, serves from an in-process
    :class:`MemoryCache` and tries Redis again after the link's cool-down: Redis never fails
    a fetch on its own.

    Args:
        redis: a URL (the cache then owns its client), a ``redis.asyncio.Redis`` (borrowed,
            never closed here) or a :class:`~hyperbuds_sync._redis.RedisLink` (closed by
            :meth:`aclose`; the link closes the client only if it created it).
        ttl: seconds an entry stays fresh.
        stale_window: seconds the stale copy is kept.
        lock_ttl: seconds a load lock lasts unless renewed; the holder renews it every third of
            that while its load runs, so only a holder that died loses it.
        metrics: where the counters go.
        namespace: the prefix of every Redis key.
    """

    def __init__(
        self,
        redis: str | aioredis.Redis | RedisLink,
        *,
        ttl: float = 300.0,
        stale_window: float = 86_400.0,
        lock_ttl: float = 30.0,
        metrics: m.Metrics | None = None,
        namespace: str = "hyperbuds_sync",
    ) -> None:
        if ttl <= 0 or stale_window <= 0 or lock_ttl <= 0:
            raise ValueError("ttl, stale_window and lock_ttl must be > 0")
        if isinstance(redis, str):
            self._link = RedisLink.from_url(redis)
        elif isinstance(redis, RedisLink):
            self._link = redis
        else:
            self._link = RedisLink(redis, owns_client=False)
        self.ttl = ttl
        self.stale_window = stale_window
        self.lock_ttl = lock_ttl
        self.namespace = namespace
        self.metrics = metrics if metrics is not None else m.Metrics()
        self._memory = MemoryCache(ttl, stale_window=stale_window, metrics=self.metrics)
        self._flight: SingleFlight[tuple[str, bool], PlatformData] = SingleFlight()
        client = self._link.client
        self._claim: AsyncScript = client.register_script(_CLAIM)
        self._store: AsyncScript = client.register_script(_STORE)
        self._release: AsyncScript = client.register_script(_RELEASE)
        self._renew: AsyncScript = client.register_script(_RENEW)
        self._closed = False

    def __repr__(self) -> str:
        return f"RedisCache({self._link.display_url!r}, ttl={self.ttl!r})"

    @property
    def link(self) -> RedisLink:
        """The Redis connection and its degrade-to-memory switch."""
        return self._link

    def _keys(self, key: str) -> tuple[str, str, str]:
        ns = self.namespace
        return f"{ns}:cache:{key}", f"{ns}:stale:{key}", f"{ns}:lock:{key}"

    # --- reading ---------------------------------------------------------------------------------

    async def get_or_load(self, key: str, loader: Loader, *, refresh: bool = False) -> PlatformData:
        """See :meth:`Cache.get_or_load`."""
        if self._closed:
            raise RuntimeError("RedisCache is closed")
        if not self._link.up:
            return await self._memory.get_or_load(key, loader, refresh=refresh)
        slot = (key, refresh)
        if slot not in self._flight and not refresh:  # the common case, a hit: one GET, no task
            value = await self._read(key, 0)
            if value is not None:
                self.metrics.incr(m.CACHE_HITS, platform_of(key))
                return value
        if slot in self._flight:  # another caller may have started it meanwhile
            self.metrics.incr(m.COALESCED, platform_of(key))
        return await self._flight.run(slot, lambda: self._fly(key, loader, refresh))

    def peek(self, key: str) -> PlatformData | None:
        """See :meth:`Cache.peek`: ``None`` while Redis is up (a read is I/O); from the
        in-process fallback while it is down, as :meth:`get_or_load` would serve."""
        if self._closed or self._link.up:
            return None
        return self._memory.peek(key)

    async def _fly(self, key: str, loader: Loader, refresh: bool) -> PlatformData:
        """One process's load of ``key``: Redis entry, Redis lock, or a wait on another load."""
        token = secrets.token_hex(8)
        seen, skip, waited, delay = "", refresh, False, _POLL_FIRST
        while self._link.up:  # else Redis went away while this flight waited
            try:
                state, body = await self._try_claim(key, token, seen, skip)
            except REDIS_ERRORS as exc:
                self._link.mark_down(exc)
                break
            if state == _ENTRY:
                value = decode(body)
                if value is not None:
                    self.metrics.incr(m.COALESCED if waited else m.CACHE_HITS, platform_of(key))
                    return value
                seen, skip = "", True  # unreadable: take the lock and overwrite it
                continue
            if state == _LOCKED:
                self.metrics.incr(m.CACHE_MISSES, platform_of(key))
                return await self._load(key, token, loader)
            if skip:  # a refresh waits for an entry newer than the one it found
                seen, skip = body.decode(errors="replace"), False
            waited = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, _POLL_MAX)
        return await self._memory.get_or_load(key, loader, refresh=refresh)

    async def _try_claim(self, key: str, token: str, seen: str, skip: bool) -> tuple[int, bytes]:
        entry, _stale, lock = self._keys(key)
        args: list[EncodableT] = [token, _ms(self.lock_ttl), seen, "1" if skip else "0", _HEAD_LEN]
        reply: list[Any] = await self._claim(keys=[entry, lock], args=args)
        self._link.mark_up()
        body = reply[1] if len(reply) > 1 and isinstance(reply[1], bytes) else b""
        return int(reply[0]), body

    async def _load(self, key: str, token: str, loader: Loader) -> PlatformData:
        """Load as the lock holder, renewing the lock meanwhile; store the entry (or give the
        lock back on failure or cancellation)."""
        entry, stale, lock = self._keys(key)
        keeper = asyncio.ensure_future(self._keep_lock(lock, token))
        try:
            value = await loader()
        except BaseException:
            keeper.cancel()
            await self._quietly(lambda: self._release(keys=[lock], args=[token]))
            raise
        keeper.cancel()
        try:
            payload = encode(value)
        except (TypeError, ValueError) as exc:
            logger.warning("Record for %s not cached in Redis: raw is not JSON (%s)", key, exc)
            await self._quietly(lambda: self._release(keys=[lock], args=[token]))
            return value
        args: list[EncodableT] = [payload, _ms(self.ttl), _ms(self.stale_window), token]
        if not await self._quietly(lambda: self._store(keys=[entry, stale, lock], args=args)):
            await self._seed_memory(key, value)
        return value

    async def _keep_lock(self, lock: str, token: str) -> None:
        """Extend the lock every third of ``lock_ttl`` while the load runs, so a load slower
        than the TTL (retries through an outage) is never started again by another process.
        Stops when the lock is no longer ours (an invalidation) or Redis fails."""
        args: list[EncodableT] = [token, _ms(self.lock_ttl)]
        while True:
            await asyncio.sleep(self.lock_ttl / 3)
            try:
                if not await self._renew(keys=[lock], args=args):
                    return
            except REDIS_ERRORS as exc:
                self._link.mark_down(exc)
                return

    async def _quietly(self, op: Callable[[], Awaitable[object]]) -> bool:
        """Run a Redis write; on a fault mark the link down and report ``False``."""
        try:
            await op()
        except REDIS_ERRORS as exc:
            self._link.mark_down(exc)
            return False
        return True

    async def _seed_memory(self, key: str, value: PlatformData) -> None:
        """Keep a value loaded just before Redis failed, so the fallback need not reload it."""

        async def known() -> PlatformData:
            return value

        self.metrics.incr(m.CACHE_MISSES, platform_of(key), -1)  # the memory cache counts it
        await self._memory.get_or_load(key, known, refresh=True)

    async def get_stale(self, key: str) -> PlatformData | None:
        """See :meth:`Cache.get_stale`: from Redis, else from this process's fallback."""
        value = await self._read(key, 1) if self._link.up else None
        if value is not None:  # the stale copy's PX expiry counts on Redis's own clock
            return value
        return await self._memory.get_stale(key)

    async def _read(self, key: str, which: int) -> PlatformData | None:
        """The fresh (``which=0``) or stale (``1``) entry; ``None`` when absent, unreadable or
        when Redis fails (the link is then marked down)."""
        try:
            body = await self._link.client.get(self._keys(key)[which])
        except REDIS_ERRORS as exc:
            self._link.mark_down(exc)
            return None
        self._link.mark_up()
        return decode(body) if isinstance(body, bytes) else None

    # --- housekeeping ----------------------------------------------------------------------------

    async def invalidate(self, key: str) -> None:
        """See :meth:`Cache.invalidate`: the fresh entry goes everywhere, and so does the lock of
        a load in flight, whose value is then not stored as fresh (the stale copy stays)."""
        self._flight.forget((key, False))
        await self._memory.invalidate(key)
        entry, _stale, lock = self._keys(key)
        await self._link.call(partial(self._link.client.delete, entry, lock), _none)

    async def aclose(self) -> None:
        """Cancel loads in flight, drop the in-process fallback and close the Redis link.

        Entries in Redis stay for the rest of the fleet. Idempotent.
        """
        if self._closed:
            return
        self._closed = True
        await self._flight.aclose()
        await self._memory.aclose()
        await self._link.aclose()


async def _none() -> None:
    return None
