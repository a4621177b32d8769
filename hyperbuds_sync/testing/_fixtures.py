"""The pytest fixtures of the ``hyperbuds_sync`` plugin (they need pytest-asyncio).

- ``rapidapi_emulator``: a running :class:`~hyperbuds_sync.testing.RapidAPIEmulator`.
- ``backend_emulator``: a running :class:`~hyperbuds_sync.testing.BackendEmulator`.
- ``no_backoff``: retries without sleeps for the test's duration.
- ``social_sync``: a ``SocialSync`` wired to both emulators, with ``no_backoff``.

All are function-scoped; the emulators are stopped, sockets closed, when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from ..transport import set_sleeps, sleeps_enabled
from . import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator, set_testing

if TYPE_CHECKING:
    from .._facade import SocialSync

__all__ = ["backend_emulator", "no_backoff", "rapidapi_emulator", "social_sync"]


@pytest_asyncio.fixture
async def rapidapi_emulator() -> AsyncIterator[RapidAPIEmulator]:
    """A RapidAPI emulator with the sample creators, accepting any non-empty key."""
    async with RapidAPIEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def backend_emulator() -> AsyncIterator[BackendEmulator]:
    """A backend emulator accepting ``TEST_TOKEN``."""
    async with BackendEmulator() as emulator:
        yield emulator


@pytest.fixture
def no_backoff() -> Iterator[None]:
    """Retries without backoff sleeps while the test runs; the previous setting after."""
    before = sleeps_enabled()
    set_testing(True)
    try:
        yield
    finally:
        set_sleeps(before)


@pytest_asyncio.fixture
async def social_sync(
    rapidapi_emulator: RapidAPIEmulator,
    backend_emulator: BackendEmulator,
    no_backoff: None,
) -> AsyncIterator[SocialSync]:
    """A ``SocialSync`` using both emulators (``TEST_KEY``, ``TEST_TOKEN``), closed after."""
    # Imported here so that loading the plugin does not import the whole SDK up front.
    from .._facade import SocialSync

    async with SocialSync(
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        rapidapi_endpoint=rapidapi_emulator.url,
        api_url=backend_emulator.url,
        redis_url="",  # never a Redis from the environment: tests must not share state
    ) as sync:
        yield sync
