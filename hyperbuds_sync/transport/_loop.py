"""The one request loop every HTTP call of the SDK goes through: the providers', the Twitch
token's, the backend's and the webhooks'.

:class:`RequestLoop` owns the session (through its :class:`SessionHolder`), sends one request
and reads its body under one cap (:meth:`RequestLoop.send`), and runs a caller's attempts
through the one retry loop with that caller's :class:`RetryPolicy` (:meth:`RequestLoop.call`),
waiting with the ``sleep`` it was built with (tests pass one that does not wait), and tells the
time of the answers with the ``clock`` it was built with (tests pass one they move on). What an
answer means is the caller's: it turns the :class:`Exchange` into its value or its error, in
one place each (``_verdict`` for providers, ``_auth`` for the token, ``backend._answers``,
``webhooks._delivery``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import aiohttp
from attrs import frozen
from multidict import CIMultiDictProxy

from ._retry import RetryHook, RetryPolicy, call_with_retries
from ._session import SessionHolder
from ._wire import ERROR_BODY_CAP, read_capped

__all__ = [
    "NETWORK_FAULTS",
    "Clock",
    "Exchange",
    "RequestLoop",
    "Sleep",
    "default_sleep",
    "utc_now",
]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]
"""What time it is, as an aware UTC datetime: a request loop's ``clock``."""


def utc_now() -> datetime:
    """The wall clock, in UTC: a request loop's ``clock`` unless it is given one."""
    return datetime.now(UTC)


_DEFAULT_SLEEP: ContextVar[Sleep | None] = ContextVar("hyperbuds_sync_default_sleep", default=None)


@contextmanager
def default_sleep(sleep: Sleep) -> Iterator[Sleep]:
    """Within this block, a :class:`RequestLoop` built without a ``sleep`` of its own (and not
    over another loop, whose sleep it borrows) waits with ``sleep``: for a test whose code builds
    clients it cannot hand a loop to. Not a process-wide switch: it holds in this context only
    (the tasks started in it, the threads of anyio's portals, so a ``BlockingSocialSync`` built
    inside too), is read once, when a loop is built, and is undone on leaving the block.

    ::

        with default_sleep(no_wait):  # hyperbuds_sync.testing.no_wait
            async with SocialSync(...) as sync:  # its retries happen, without the waits
                ...

    The ``no_backoff`` fixture of the pytest plugin does this for a test's duration.
    """
    token = _DEFAULT_SLEEP.set(sleep)
    try:
        yield sleep
    finally:
        _DEFAULT_SLEEP.reset(token)


NETWORK_FAULTS: Final = (aiohttp.ClientError, TimeoutError, OSError)
"""What :meth:`RequestLoop.send` lets through when no answer came: each caller says what such a
fault means for it."""


@frozen
class Exchange:
    """One answer, read: its status, its headers and its body (``None`` when it was over the cap:
    the connection was closed and the rest never read)."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes | None

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300


class RequestLoop:
    """The session, the capped send and the retry loop shared by every HTTP caller of a client.

    Args:
        session: an ``aiohttp.ClientSession`` or a :class:`SessionHolder` to borrow (never
            closed here); by default one is created on first use and closed by :meth:`aclose`.
        limit, limit_per_host: the owned session's connection limits.
        sleep: how the retry loop waits (``asyncio.sleep``, or the sleep of an enclosing
            :func:`default_sleep` block; a test passes one that returns at once, and the
            retries still happen, as many as the policy says).
        clock: what time it is (:func:`utc_now`): the time a fetched record is stamped with
            and a recalled bench is compared with; a test passes one it moves on.

    A loop built over another ``RequestLoop`` borrows its session and, unless given its own,
    its ``sleep`` and ``clock``.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | SessionHolder | RequestLoop | None = None,
        *,
        limit: int = 100,
        limit_per_host: int = 20,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.http: SessionHolder
        if isinstance(session, RequestLoop):
            self.http = SessionHolder(session.http)
            sleep = sleep or session.sleep
            clock = clock or session.clock
        else:
            self.http = SessionHolder(session, limit=limit, limit_per_host=limit_per_host)
            sleep = sleep or _DEFAULT_SLEEP.get()
        self.sleep: Sleep = sleep or asyncio.sleep
        self.clock: Clock = clock or utc_now

    async def send(
        self,
        method: str,
        url: Any,
        *,
        cap: int,
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's per-request timeout
        **request: Any,
    ) -> Exchange:
        """Send one request (redirects never followed: one would carry a key or a token to
        another host) and read its body, a 2xx up to ``cap`` decoded bytes, any other up to
        :data:`ERROR_BODY_CAP`.

        Raises:
            aiohttp.ClientError, TimeoutError, OSError: no answer (:data:`NETWORK_FAULTS`).
        """
        async with self.http.get().request(
            method, url, timeout=timeout, allow_redirects=False, **request
        ) as resp:
            ok = 200 <= resp.status < 300
            body = await read_capped(resp, cap if ok else min(cap, ERROR_BODY_CAP))
            return Exchange(resp.status, resp.headers, body)

    async def call(
        self,
        policy: RetryPolicy,
        retry_on: tuple[type[Exception], ...],
        attempt: Callable[..., Awaitable[T]],
        *args: Any,
        on_retry: RetryHook | None = None,
    ) -> T:
        """``await attempt(*args)``, retried on ``retry_on`` as ``policy`` says (the one retry
        loop, :func:`call_with_retries`), waiting with this loop's ``sleep``."""
        return await call_with_retries(
            policy, retry_on, attempt, *args, on_retry=on_retry, sleep=self.sleep
        )

    async def aclose(self) -> None:
        """Close the session if this loop created it; a borrowed one stays open."""
        await self.http.aclose()
