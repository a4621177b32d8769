"""Waiting for something to happen: on a condition, never for a fixed time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def until(condition: Callable[[], bool | Awaitable[bool]], within: float = 10.0) -> None:
    """Wait until ``condition()`` holds (made true by a server, a task or another process).

    ``condition`` may be a plain or an async callable; it is asked again every few milliseconds,
    and :class:`TimeoutError` is raised when it still does not hold after ``within`` seconds.
    """
    async with asyncio.timeout(within):
        while True:
            held = condition()
            if inspect.isawaitable(held):
                held = await held
            if held:
                return
            await asyncio.sleep(0.005)
