""":func:`sync_many`: fetch and sync many creators at once, without a roster (backfills).

Outcomes are streamed, never gathered: ``concurrency`` workers pull items one at a time from the
iterable (sync or async, so a generator over a database cursor works), and each outcome goes to
``on_progress`` as it comes, then is let go. Memory stays flat whatever the number of items.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InvalidInput
from ..models import ManualEntry, PlatformData
from ._refresh import RefreshOutcome, TokenFor, fetch_and_sync

if TYPE_CHECKING:
    from ._sdk import SocialSyncLike

__all__ = ["Item", "ManyReport", "OnProgress", "sync_many"]

Item = tuple[str, str, "str | PlatformData | ManualEntry"]
"""``(creator_id, platform, username | PlatformData | ManualEntry)``."""
OnProgress = Callable[[RefreshOutcome], "object | Awaitable[object]"]


@attrs.define
class ManyReport:
    """The counts of a :func:`sync_many` run (the outcomes themselves went to ``on_progress``)."""

    total: int = 0
    synced: int = 0
    fetched: int = 0
    failed: int = 0

    def count(self, outcome: RefreshOutcome) -> None:
        """Count one outcome."""
        self.total += 1
        if outcome.status == "synced":
            self.synced += 1
        elif outcome.status == "fetched":
            self.fetched += 1
        else:
            self.failed += 1


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


async def _one(
    sync: SocialSyncLike, item: Any, token_for: TokenFor | None, refresh: bool
) -> RefreshOutcome:
    if not isinstance(item, tuple) or len(item) != 3:
        error = InvalidInput(f"sync_many items are (creator_id, platform, value), got {item!r}")
        return RefreshOutcome("", "", "failed", error=error)
    creator_id, platform, value = item
    return await fetch_and_sync(sync, creator_id, platform, value, token_for, refresh=refresh)


async def sync_many(
    sync: SocialSyncLike,
    items: Iterable[Item] | AsyncIterable[Item],
    *,
    concurrency: int = 16,
    token_for: TokenFor | None = None,
    on_progress: OnProgress | None = None,
    refresh: bool = False,
) -> ManyReport:
    """Fetch (for usernames) and sync every item, ``concurrency`` at a time; each outcome goes
    to ``on_progress`` (sync or async) as it completes, in completion order, and is not kept.
    Returns the counts. One item's failure never stops the others."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidInput(f"concurrency must be an int >= 1, got {concurrency!r}")
    source = _aiter(items)
    turn = asyncio.Lock()  # one worker at a time advances the source
    report = ManyReport()

    async def worker() -> None:
        while True:
            async with turn:
                try:
                    item = await anext(source)
                except StopAsyncIteration:
                    return
            outcome = await _one(sync, item, token_for, refresh)
            report.count(outcome)
            if on_progress is not None:
                answer = on_progress(outcome)
                if inspect.isawaitable(answer):
                    await answer

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return report
