"""Test stand-ins for hyperbuds-sync: run your code against fakes of RapidAPI and HyperBuds.

:class:`RapidAPIEmulator` answers the RapidAPI providers of TikTok, Twitter, Twitch, Instagram
and YouTube in their real shapes, with RapidAPI's keys, quota, rate limits and chosen faults;
:class:`OfficialEmulator` the official X API v2, Twitch Helix (and its token endpoint) and
YouTube Data API, with their credentials, rate-limit headers and quota answers;
:class:`BackendEmulator` serves the HyperBuds social-sync routes. All run in-process on a
loopback port::

    async with RapidAPIEmulator() as rapidapi, BackendEmulator() as backend:
        async with SocialSync(rapidapi_key=TEST_KEY, token=TEST_TOKEN,
                              rapidapi_endpoint=rapidapi.url, api_url=backend.url) as sync:
            ...

With pytest, the fixtures of :mod:`hyperbuds_sync.testing.pytest_plugin` do this for you. This
module does not need pytest.

Owns the emulators, their creators and faults, and the pytest fixtures. May import: the
client (the fixtures' ``SocialSync``, on first use), the transport's request loop (built with
:func:`no_wait` for tests of retries), aiohttp and attrs. Nothing in the SDK imports ``testing``
but its own entry points (the CLI's ``emulate`` and ``demo``).
"""

from __future__ import annotations

import warnings

from ..transport import Clock, RequestLoop
from ._backend import TEST_TOKEN, BackendEmulator, RecordedRequest
from ._creators import Creator
from ._faults import Fault
from ._official import (
    TEST_TWITCH_CLIENT_ID,
    TEST_TWITCH_CLIENT_SECRET,
    TEST_X_TOKEN,
    TEST_YOUTUBE_KEY,
    OfficialEmulator,
)
from ._rapidapi import TEST_KEY, RapidAPIEmulator
from ._run import EmulatorOptions, run_emulators, serve

__all__ = [
    "TEST_KEY",
    "TEST_TOKEN",
    "TEST_TWITCH_CLIENT_ID",
    "TEST_TWITCH_CLIENT_SECRET",
    "TEST_X_TOKEN",
    "TEST_YOUTUBE_KEY",
    "BackendEmulator",
    "Creator",
    "EmulatorOptions",
    "Fault",
    "OfficialEmulator",
    "RapidAPIEmulator",
    "RecordedRequest",
    "no_wait",
    "quick_loop",
    "run_emulators",
    "serve",
    "set_testing",
]


async def no_wait(seconds: float) -> None:
    """A sleep that returns at once: build a request loop with it,
    ``RequestLoop(sleep=no_wait)``, and the retries still happen, as many as configured, without
    the waits between them."""


def quick_loop(*, clock: Clock | None = None) -> RequestLoop:
    """A request loop whose retries do not wait, to pass as ``SocialSync(session=...)``
    (close it with ``await loop.aclose()`` after the client).

    Args:
        clock: what time it is for the client (fresh records are stamped with it), e.g. a
            function returning a datetime the test moves on; the wall clock by default.
    """
    return RequestLoop(sleep=no_wait, clock=clock)


def set_testing(enabled: bool = True) -> None:
    """Deprecated: no process-wide switch is left; retries wait with the sleep their request
    loop was built with. Pass ``session=quick_loop()`` to ``SocialSync`` (or ``sleep=no_wait``
    to a ``Gateway`` or a ``SyncClient``), or use the ``no_backoff`` fixture's loop."""
    warnings.warn(
        "set_testing() no longer switches sleeps off: pass SocialSync(session=quick_loop()) "
        "(hyperbuds_sync.testing) or use the no_backoff fixture's loop",
        DeprecationWarning,
        stacklevel=2,
    )


for _public in (
    BackendEmulator,
    Creator,
    EmulatorOptions,
    Fault,
    OfficialEmulator,
    RapidAPIEmulator,
    RecordedRequest,
):
    _public.__module__ = __name__
for _function in (run_emulators, serve):
    _function.__module__ = __name__
del _public, _function
