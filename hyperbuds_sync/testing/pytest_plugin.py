"""pytest fixtures for code that uses hyperbuds-sync (registered as the ``hyperbuds_sync`` plugin).

- ``rapidapi_emulator``: a running :class:`~hyperbuds_sync.testing.RapidAPIEmulator`.
- ``backend_emulator``: a running :class:`~hyperbuds_sync.testing.BackendEmulator`.
- ``no_backoff``: retries without sleeps for the test's duration.
- ``social_sync``: a ``SocialSync`` wired to both emulators, with ``no_backoff``.

The fixtures are async and need pytest-asyncio. The plugin loads wherever hyperbuds-sync is
installed, so without pytest-asyncio it adds nothing rather than breaking pytest's start-up.
"""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["backend_emulator", "no_backoff", "rapidapi_emulator", "social_sync"]

if find_spec("pytest_asyncio") is not None:
    from ._fixtures import backend_emulator, no_backoff, rapidapi_emulator, social_sync
