"""A spinner on stderr while a command waits on a provider, so a slow answer is not silence.

Shown only on a terminal, with rich installed, without ``--json``, and only once the wait has
lasted a second: a quick answer shows nothing, and stdout is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from typing import IO

from ._output import has_rich

__all__ = ["AFTER", "waiting"]

AFTER = 1.0
"""Seconds of waiting before the spinner shows."""


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.asynccontextmanager
async def waiting(
    text: str, *, enabled: bool, after: float = AFTER, stream: IO[str] | None = None
) -> AsyncIterator[None]:
    """Show ``text`` with a spinner on ``stream`` (stderr) once the block has run ``after``
    seconds; nothing when not ``enabled`` (``--json``), not a terminal, or without rich."""
    stream = stream if stream is not None else sys.stderr
    if not enabled or not _is_terminal(stream) or not has_rich():
        yield
        return
    from rich.console import Console

    status = Console(file=stream).status(text, spinner="dots")

    async def show() -> None:
        await asyncio.sleep(after)
        status.start()

    task = asyncio.get_running_loop().create_task(show())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        status.stop()
