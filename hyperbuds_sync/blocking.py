"""BlockingSocialSync: :class:`~hyperbuds_sync.SocialSync` for code that does not ``await``.

::

    from hyperbuds_sync import BlockingSocialSync

    with BlockingSocialSync.from_env() as sync:
        data = sync.fetch("twitch", "some_streamer")
        sync.sync("twitch", data)

The async client runs on an event loop of its own, in a background thread (anyio's blocking
portal), so this works in a plain script and inside a running loop alike: a notebook cell, a
web framework's worker thread. ``asyncio.run`` would refuse the second.

A client left open never keeps the process alive: the loop's thread is a daemon, and an ``atexit``
hook closes what is still open (with a :class:`ResourceWarning`) while that loop still runs.
"""

from __future__ import annotations

import atexit
import contextlib
import inspect
import sys
import warnings
import weakref
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any, Concatenate, ParamSpec, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

from .client import SocialSync
from .metrics import Metrics
from .platforms import PlatformRegistry

__all__ = ["BlockingSocialSync"]

P = ParamSpec("P")
T = TypeVar("T")

_OPEN: weakref.WeakSet[BlockingSocialSync] = weakref.WeakSet()


@atexit.register
def _close_at_exit() -> None:
    """Close the clients still open at interpreter exit, while their loops still run: after
    this, the loop threads are stopped and a close could wait forever."""
    for left in list(_OPEN):
        message = f"unclosed {left!r}, closed at exit"
        with contextlib.suppress(Exception):
            left.close()  # first: a warning turned into an error must not skip it
        warnings.warn(message, ResourceWarning, stacklevel=1)


def _awaited(
    method: Callable[Concatenate[SocialSync, P], Awaitable[T]],
) -> Callable[Concatenate[BlockingSocialSync, P], T]:
    """``method`` of :class:`SocialSync`, awaited on the background loop; same arguments."""

    def call(self: BlockingSocialSync, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def run() -> T:
            return await method(self.client, *args, **kwargs)

        return self._portal().call(run)

    call.__name__ = call.__qualname__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def _in_loop(
    method: Callable[Concatenate[SocialSync, P], T],
) -> Callable[Concatenate[BlockingSocialSync, P], T]:
    """A plain ``method`` of :class:`SocialSync`, run on the background loop's thread (the
    client's state lives there)."""

    def call(self: BlockingSocialSync, /, *args: P.args, **kwargs: P.kwargs) -> T:
        def run() -> T:
            return method(self.client, *args, **kwargs)

        return self._portal().call(run)

    call.__name__ = call.__qualname__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def _arguments_of(
    init: Callable[Concatenate[SocialSync, P], None],
) -> Callable[[Callable[..., None]], Callable[Concatenate[BlockingSocialSync, P], None]]:
    """Give ``__init__`` the keyword arguments of ``init`` (:meth:`SocialSync.__init__`) but
    ``session``: for mypy and IDEs through the ``ParamSpec``, for :func:`inspect.signature` and
    ``help()`` through ``__signature__``. The arguments are written once, on ``SocialSync``."""

    def give(body: Callable[..., None]) -> Callable[Concatenate[BlockingSocialSync, P], None]:
        theirs = inspect.signature(init)
        body.__signature__ = theirs.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in theirs.parameters.items() if name != "session"]
        )
        return body

    return give


class BlockingSocialSync:
    """The same client as :class:`~hyperbuds_sync.SocialSync`, with methods that block.

    Arguments are those of :class:`~hyperbuds_sync.SocialSync` but ``session``: an aiohttp
    session belongs to the loop that made it, and this client's loop is its own. Use it as a
    context manager, or call :meth:`close`; either closes what it opened, the background loop
    and its thread included. Errors are the same typed errors, raised in the calling thread.
    """

    @_arguments_of(SocialSync.__init__)
    def __init__(self, **options: Any) -> None:
        if "session" in options:
            raise TypeError(
                "BlockingSocialSync takes no session: an aiohttp session belongs to the loop"
                " that made it, and this client runs on a loop of its own"
            )
        self._stack: ExitStack | None = ExitStack()
        self._running: BlockingPortal = self._stack.enter_context(start_blocking_portal())
        try:
            # Built on the portal's loop: the client's locks, caches and sessions belong there.
            self.client: SocialSync = self._running.call(_build, options)
        except BaseException:
            self._stack.close()
            self._stack = None
            raise
        _OPEN.add(self)

    @classmethod
    def from_env(cls, **overrides: Any) -> BlockingSocialSync:
        """A client configured from the environment; keyword arguments override it."""
        return cls(**overrides)

    def _portal(self) -> BlockingPortal:
        if self._stack is None:
            raise RuntimeError("this BlockingSocialSync is closed")
        return self._running

    @property
    def metrics(self) -> Metrics:
        """The counters of the client (see :class:`~hyperbuds_sync.Metrics`)."""
        return self.client.metrics

    @property
    def platforms(self) -> PlatformRegistry:
        """The platform registry the client uses."""
        return self.client.platforms

    # One line per method of SocialSync: the arguments, types and docstring are its own.
    fetch = _awaited(SocialSync.fetch)
    sync = _awaited(SocialSync.sync)
    fetch_and_sync = _awaited(SocialSync.fetch_and_sync)
    sync_all = _awaited(SocialSync.sync_all)
    sync_many = _awaited(SocialSync.sync_many)  # the counts; on_progress runs on the loop's thread
    shared_quota = _awaited(SocialSync.shared_quota)
    recall_quota = _awaited(SocialSync.recall_quota)
    providers = _awaited(SocialSync.providers)
    quota = _in_loop(SocialSync.quota)
    history = _awaited(SocialSync.history)
    growth = _awaited(SocialSync.growth)
    anomalies = _awaited(SocialSync.anomalies)
    all_anomalies = _awaited(SocialSync.all_anomalies)
    ready = _awaited(SocialSync.ready)

    def close(self) -> None:
        """Close the client, then stop the background loop and join its thread. Idempotent."""
        stack, self._stack = self._stack, None
        if stack is None:
            return
        _OPEN.discard(self)
        with stack:
            self._running.call(self.client.aclose)

    def __enter__(self) -> BlockingSocialSync:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_stack", None) is None:
            return
        message = f"unclosed {self!r}"
        # At interpreter shutdown the loop's thread is stopped and a close would wait forever;
        # collected on the loop's own thread, close() cannot wait for the loop: leave it.
        if not sys.is_finalizing():
            with contextlib.suppress(RuntimeError):
                self.close()  # first: a warning turned into an error must not skip it
        warnings.warn(message, ResourceWarning, stacklevel=1)

    def __repr__(self) -> str:
        state = " closed" if self._stack is None else ""
        return f"<Blocking{self.client!r}{state}>"


async def _build(options: dict[str, Any]) -> SocialSync:
    return SocialSync(**options)
