"""A spinner on stderr while a command waits on a provider, so a slow answer is not silence;
and ``--timeout`` / ``--max-tries``, which bound the wait.

Shown only on a terminal, with rich installed, without ``--json``, and only once the wait has
lasted a second: a quick answer shows nothing, and stdout is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

from ._output import has_rich

__all__ = ["AFTER", "add_wait_flags", "waiting"]

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


def _positive(kind: type[float] | type[int], minimum: float, what: str) -> Callable[[str], Any]:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{what}, not {text!r}")
        return value

    return parse


def add_wait_flags(parser: argparse.ArgumentParser) -> None:
    """``--timeout`` and ``--max-tries``: how long a provider may be silent, how often tried."""
    parser.add_argument(
        "--timeout",
        type=_positive(float, 0.001, "--timeout takes seconds > 0 (2.5)"),
        metavar="SECONDS",
        help="seconds one attempt may wait for an answer (default 10)",
    )
    parser.add_argument(
        "--max-tries",
        type=_positive(int, 1, "--max-tries takes a whole number >= 1 (2)"),
        metavar="N",
        help="attempts per provider before giving up (default 3)",
    )
