"""The pytest fixtures of the ``hyperbuds_sync`` plugin (they need pytest-asyncio).

Without pytest-asyncio the async fixtures are still defined, so that a test asking for one fails
with a message saying to install it, rather than with pytest's "fixture not found".

- ``rapidapi_emulator``: a running :class:`~hyperbuds_sync.testing.RapidAPIEmulator`.
- ``backend_emulator``: a running :class:`~hyperbuds_sync.testing.BackendEmulator`.
- ``no_backoff``: retries without sleeps for the test's duration (every request loop built
  in it without its own ``sleep``).
- ``social_sync``: a ``SocialSync`` wired to both emulators, with ``no_backoff``.

All are function-scoped; the emulators are stopped, sockets closed, when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from ..transport import Sleep, default_sleep
from . import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator, no_wait, quick_loop

if TYPE_CHECKING:
    from ..client import SocialSync

__all__ = ["backend_emulator", "no_backoff", "rapidapi_emulator", "social_sync"]

NEEDS_PYTEST_ASYNCIO = (
    "the hyperbuds_sync fixture {name!r} is async and needs pytest-asyncio: "
    'pip install pytest-asyncio (and set asyncio_mode = "auto", see the testing guide)'
)

F = TypeVar("F", bound=Callable[..., Any])


def _async_fixture(fn: F) -> F:
    """``pytest_asyncio.fixture(fn)``; without pytest-asyncio, a fixture of the same name that
    fails the test, saying what to install."""
    try:
        import pytest_asyncio
    except ImportError:
        name = fn.__name__

        def missing() -> None:
            pytest.fail(NEEDS_PYTEST_ASYNCIO.format(name=name), pytrace=False)

        missing.__doc__ = fn.__doc__
        return cast(F, pytest.fixture(name=name)(missing))
    return cast(F, pytest_asyncio.fixture(fn))


@_async_fixture
async def rapidapi_emulator() -> AsyncIterator[RapidAPIEmulator]:
    """A RapidAPI emulator with the sample creators, accepting any non-empty key."""
    async with RapidAPIEmulator() as emulator:
        yield emulator


@_async_fixture
async def backend_emulator() -> AsyncIterator[BackendEmulator]:
    """A backend emulator accepting ``TEST_TOKEN``."""
    async with BackendEmulator() as emulator:
        yield emulator


@pytest.fixture
def no_backoff() -> Iterator[Sleep]:
    """Retries without the waits for the test's duration: every request loop the test builds
    without a ``sleep`` of its own waits with :func:`~hyperbuds_sync.testing.no_wait` (a
    :func:`~hyperbuds_sync.transport.default_sleep` block around the test), so a
    ``SocialSync(...)`` built by the code under test retries at once. Gives ``no_wait``, to
    pass where a sleep is asked for: ``RequestLoop(sleep=no_backoff)``,
    ``Gateway(sleep=no_backoff)``. The ``social_sync`` fixture's client is built with it."""
    with default_sleep(no_wait):
        yield no_wait


@_async_fixture
async def social_sync(
    rapidapi_emulator: RapidAPIEmulator,
    backend_emulator: BackendEmulator,
) -> AsyncIterator[SocialSync]:
    """A ``SocialSync`` using both emulators (``TEST_KEY``, ``TEST_TOKEN``), its retries
    without waits (its request loop is :func:`~hyperbuds_sync.testing.quick_loop`'s), closed
    after."""
    # Imported here so that loading the plugin does not import the whole SDK up front.
    from ..client import SocialSync

    requests = quick_loop()
    try:
        async with SocialSync(
            rapidapi_key=TEST_KEY,
            token=TEST_TOKEN,
            rapidapi_endpoint=rapidapi_emulator.url,
            api_url=backend_emulator.url,
            redis_url="",  # never a Redis from the environment: tests must not share state
            session=requests,
        ) as sync:
            yield sync
    finally:
        await requests.aclose()
