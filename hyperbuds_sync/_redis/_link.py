"""One Redis connection shared by the cache, the key state and the rate limiter.

:class:`RedisLink` wraps a ``redis.asyncio`` client with the degrade-to-memory switch: the first
connection fault logs one WARNING on the ``hyperbuds_sync`` logger and turns the link *down* for a
cool-down (30 s by default), during which every part serves from its in-memory twin without
touching Redis; then the next operation tries Redis again. Redis never fails a fetch on its own.

This module imports ``redis`` at the top: import it only once the extra is known to be installed
(see ``hyperbuds_sync.client._shared.build_shared_state``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .._logging import logger, register_secret

__all__ = ["REDIS_ERRORS", "RedisLink", "safe_url"]

T = TypeVar("T")

REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
"""What a Redis operation may raise when Redis is unreachable, slow or unwell.

``redis.exceptions.ConnectionError`` and ``TimeoutError`` are ``RedisError`` subclasses; the whole
family is caught (a full or read-only Redis is no reason to fail a fetch either). ``OSError``
covers socket faults and the builtin ``TimeoutError``.
"""


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit for a log line."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable redis url>"
    if not password:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = f"{user}:***@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class RedisLink:
    """A ``redis.asyncio`` client and the switch between Redis and the in-memory fallback.

    Args:
        client: the client to use.
        display_url: how to name this Redis in log lines (never with a password).
        owns_client: whether :meth:`aclose` closes ``client``; a borrowed client stays open.
        cooldown: seconds to stay on the in-memory state after a fault before trying again.
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        display_url: str = "redis",
        owns_client: bool = False,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cooldown < 0:
            raise ValueError("cooldown must be >= 0")
        self.client = client
        self.display_url = display_url
        self.cooldown = cooldown
        self._owns_client = owns_client
        self._clock = clock
        self._down_until: float | None = None
        self._closed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        cooldown: float = 30.0,
        socket_timeout: float = 1.0,
        max_connections: int = 100,
        pool_timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> RedisLink:
        """A link owning a new client for ``url`` with short timeouts and one quick retry.

        The client's commands share at most ``max_connections`` connections; a command that finds
        them all busy waits for one (at most ``pool_timeout`` seconds, then it fails like any
        other Redis fault) instead of failing at once: a burst of concurrent fetches is load, not
        an outage, and must not send every process to its in-memory fallback. The client
        connects lazily, at its first command. The URL's password is registered with the log
        redaction filter and never shown by the link.
        """
        register_secret(_password(url))
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 1),  # one reconnect for a pooled socket the server dropped
        )
        client = aioredis.Redis.from_pool(pool)  # the client owns the pool and closes it
        return cls(
            client, display_url=safe_url(url), owns_client=True, cooldown=cooldown, clock=clock
        )

    def __repr__(self) -> str:
        state = "closed" if self._closed else "up" if self.up else "down"
        return f"RedisLink({self.display_url!r}, {state})"

    @property
    def up(self) -> bool:
        """Whether to use Redis now: open, and not inside a cool-down after a fault."""
        if self._closed:
            return False
        return self._down_until is None or self._clock() >= self._down_until

    @property
    def degraded(self) -> bool:
        """Whether the last Redis operation failed (the cool-down may be over already)."""
        return self._down_until is not None

    def mark_down(self, exc: BaseException) -> None:
        """Record a Redis fault: serve from memory for :attr:`cooldown` seconds.

        Logs one WARNING when Redis goes away; a retry that fails again after the cool-down
        logs at DEBUG only, so a long outage does not flood the log.
        """
        first = self._down_until is None
        self._down_until = self._clock() + self.cooldown
        if self._closed:
            return
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if first:
            logger.warning(
                "Redis unavailable at %s; falling back to in-memory state, retrying in %.0f s (%s)",
                self.display_url,
                self.cooldown,
                what,
            )
        else:
            logger.debug("Redis still unavailable at %s (%s)", self.display_url, what)

    def mark_up(self) -> None:
        """Record a successful Redis operation (logs once when Redis comes back)."""
        if self._down_until is not None:
            self._down_until = None
            logger.info("Redis is back at %s; using shared state again", self.display_url)

    async def call(self, op: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        """``await op()`` against Redis, or ``await fallback()`` when Redis is down or fails."""
        if self.up:
            try:
                result = await op()
            except REDIS_ERRORS as exc:
                self.mark_down(exc)
            else:
                self.mark_up()
                return result
        return await fallback()

    async def ping(self) -> bool:
        """Whether Redis answers a ``PING`` now (a failure is not logged: readiness probes)."""
        if self._closed:
            return False
        try:
            return bool(await self.client.ping())
        except REDIS_ERRORS:
            return False

    async def aclose(self) -> None:
        """Stop using Redis; close the client if this link created it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_client:
            try:
                await self.client.aclose()
            except REDIS_ERRORS as exc:  # a dead server must not fail a shutdown
                logger.debug("Closing the Redis client failed: %r", exc)


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None
