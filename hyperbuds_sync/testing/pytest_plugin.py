"""pytest fixtures for code that uses hyperbuds-sync (registered as the ``hyperbuds_sync`` plugin).

- ``rapidapi_emulator``: a running :class:`~hyperbuds_sync.testing.RapidAPIEmulator`.
- ``backend_emulator``: a running :class:`~hyperbuds_sync.testing.BackendEmulator`.
- ``no_backoff``: retries without sleeps for the test's duration (every request loop built
  in it without its own ``sleep``).
- ``social_sync``: a ``SocialSync`` wired to both emulators, with ``no_backoff``.

The fixtures are async and need pytest-asyncio. The plugin loads wherever hyperbuds-sync is
installed, so it never imports pytest-asyncio at start-up: without it, pytest starts as usual and
a test that asks for an async fixture fails, saying to install pytest-asyncio.
"""

from __future__ import annotations

from ._fixtures import backend_emulator, no_backoff, rapidapi_emulator, social_sync

__all__ = ["backend_emulator", "no_backoff", "rapidapi_emulator", "social_sync"]
