"""The one aiohttp session a client's request loop holds, for the providers, the backend and the
webhooks alike, and the per-attempt timeout every request on it is sent with."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.abc import AbstractResolver

from ..errors import ConfigError, InvalidInput
from ._resolver import GuardedResolver

__all__ = ["SessionHolder", "attempt_timeout"]

_CONNECT_CAP = 5.0
_OTHER_LOOP = (
    "this client was first used on another event loop (reused across asyncio.run() calls?): "
    "open the client inside the coroutine, `async with SocialSync.from_env() as sync:`, once "
    "per asyncio.run(); or use BlockingSocialSync from code that does not await"
)


def attempt_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """The timeout of one attempt: the socket connect (at most 5 s) and the answer.

    Neither aiohttp's ``total`` nor its ``connect`` is set: both include the wait for a free
    pooled connection, and our own queueing is not the provider's fault. ``sock_connect``
    bounds the TCP (and TLS) connect, ``sock_read`` the silence while waiting for the answer.
    """
    return aiohttp.ClientTimeout(
        total=None, connect=None, sock_connect=min(seconds, _CONNECT_CAP), sock_read=seconds
    )


def _check_limit(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{what} must be a whole number >= 1, got {value!r}")
    return value


class SessionHolder:
    """Holds one ``ClientSession``: borrowed (never closed here) or created on first use.

    Creation waits for the first request so the session is made inside the running loop, as
    aiohttp requires. Timeouts are set per request by the callers, so one session serves hosts
    with different timeouts. ``limit`` and ``limit_per_host`` are the owned session's connection
    limits (``SocialSync(max_connections=, max_connections_per_host=)``); a request beyond them
    waits for a free connection, and that wait is charged to no attempt.

    ``session`` may be another holder: this one then borrows its session (created by it, closed
    by it, never by this one). Every part that talks HTTP takes a session or a holder this way,
    so the question "who closes it" is answered here once.

    The owned session resolves names through a :class:`GuardedResolver` over ``resolver``
    (aiohttp's default when ``None``): no connection to a link-local or cloud metadata address
    a name resolves to. A borrowed ``aiohttp.ClientSession`` resolves as its owner set it up.
    """

    __slots__ = (
        "_closed",
        "_guard",
        "_limit",
        "_limit_per_host",
        "_loop",
        "_owned",
        "_parent",
        "_resolver",
        "_session",
    )

    def __init__(
        self,
        session: aiohttp.ClientSession | SessionHolder | None = None,
        *,
        limit: int = 100,
        limit_per_host: int = 20,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._parent = session if isinstance(session, SessionHolder) else None
        self._resolver = resolver
        self._guard: GuardedResolver | None = None
        self._session = None if isinstance(session, SessionHolder) else session
        self._owned = session is None
        self._limit = _check_limit(limit, "max_connections")
        self._limit_per_host = _check_limit(limit_per_host, "max_connections_per_host")
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None  # the owned session's loop

    def get(self) -> aiohttp.ClientSession:
        """The session, created now if this is the first use.

        Raises:
            RuntimeError: after :meth:`aclose`.
            ConfigError: the session was made on another event loop than the running one (a
                client reused across two ``asyncio.run()``).
        """
        if self._closed:
            raise RuntimeError("the HTTP session of this client is closed")
        if self._parent is not None:
            return self._parent.get()
        if self._session is None:
            self._guard = GuardedResolver(self._resolver)
            connector = aiohttp.TCPConnector(
                limit=self._limit, limit_per_host=self._limit_per_host, resolver=self._guard
            )
            self._session = aiohttp.ClientSession(connector=connector)
            self._loop = asyncio.get_running_loop() if self._owned else None
        elif self._loop is not None and self._loop is not asyncio.get_running_loop():
            raise ConfigError(_OTHER_LOOP)
        return self._session

    async def aclose(self) -> None:
        """Close the session if it is ours; a borrowed one (or a parent holder's) stays open."""
        self._closed = True
        session, self._session = self._session, None
        guard, self._guard = self._guard, None
        if session is not None and self._owned:
            await session.close()
        if guard is not None:  # a connector given a resolver leaves it open
            await guard.close()
