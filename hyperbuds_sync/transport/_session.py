"""The one aiohttp session a SocialSync uses for the providers and the backend alike."""

from __future__ import annotations

import aiohttp

__all__ = ["SessionHolder"]


class SessionHolder:
    """Holds one ``ClientSession``: borrowed (never closed here) or created on first use.

    Creation waits for the first request so the session is made inside the running loop, as
    aiohttp requires. Timeouts are set per request by the callers, so one session serves hosts
    with different timeouts.
    """

    __slots__ = ("_closed", "_limit", "_limit_per_host", "_owned", "_session")

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        limit: int = 100,
        limit_per_host: int = 20,
    ) -> None:
        self._session = session
        self._owned = session is None
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._closed = False

    @property
    def owned(self) -> bool:
        """Whether the session is ours to close."""
        return self._owned

    def get(self) -> aiohttp.ClientSession:
        """The session, created now if this is the first use.

        Raises:
            RuntimeError: after :meth:`aclose`.
        """
        if self._closed:
            raise RuntimeError("the HTTP session of this client is closed")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit_per_host)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def aclose(self) -> None:
        """Close the session if it is ours; a borrowed one stays open."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owned:
            await session.close()
