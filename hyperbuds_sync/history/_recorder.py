""":class:`HistoryRecorder`: what SocialSync does with a history store.

Recording is off the hot path: :meth:`HistoryRecorder.snapshot` and :meth:`~HistoryRecorder.synced`
put a record on a queue and return; one background task writes what has gathered in batches. A
failing store logs a warning and never fails a fetch or a sync; :meth:`~HistoryRecorder.aclose`
writes everything queued before it returns. :meth:`~HistoryRecorder.check_drop` reads the last good
sync of the same creator for the sudden-drop guard (``_guard``), as one call the sync path makes
before sending. A record that breaks the rules of ``_valid`` is refused at the entry (one warning)
so it never fails the batch it would have joined.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from ..errors import InvalidInput
from ..models import ManualEntry, PlatformData, SyncPayload, SyncResult
from ._guard import DropGuard
from ._protocol import HistoryStore
from ._types import Snapshot, SyncRecord
from ._valid import check_snapshot, check_sync_record

__all__ = ["HistoryRecorder", "provenance", "snapshot_of"]

log = logging.getLogger("hyperbuds_sync.history")

BATCH = 500
"""At most this many records per write."""

LINGER = 0.05
"""Seconds the writer waits after a first record for others to join its batch: one transaction
per many records instead of one each (the per-transaction cost dominates small batches)."""


def provenance(data: PlatformData) -> tuple[str, bool]:
    """The provider that answered and whether its counts are rounded."""
    return data.provider, data.rounded


def snapshot_of(data: PlatformData, formula: str, *, keep_raw: bool = False) -> Snapshot:
    """The :class:`Snapshot` of one fresh fetch."""
    provider, rounded = provenance(data)
    return Snapshot(
        platform=data.platform,
        username=data.username,
        provider=provider,
        fetched_at=data.last_fetched,
        followers=data.followers,
        following=data.following,
        total_content=data.total_content,
        total_engagement=data.total_engagement,
        average_engagement=data.average_engagement,
        formula=formula,
        rounded=rounded,
        raw=data.raw if keep_raw else None,
    )


class HistoryRecorder:
    """Records snapshots and syncs to ``store`` in the background, and guards syncs.

    Args:
        store: the :class:`HistoryStore`.
        keep_raw: keep each answer's raw JSON in its snapshot.
        guard: the sudden-drop thresholds.
        owns_store: close the store in :meth:`aclose`.
    """

    def __init__(
        self,
        store: HistoryStore,
        *,
        keep_raw: bool = False,
        guard: DropGuard | None = None,
        owns_store: bool = True,
    ) -> None:
        self.store = store
        self.keep_raw = keep_raw
        self.guard = guard or DropGuard()
        self._owns_store = owns_store
        self._queue: asyncio.Queue[Snapshot | SyncRecord] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    # --- recording (never awaits) ----------------------------------------------------------------

    def snapshot(self, data: PlatformData, formula: str) -> None:
        """Queue the snapshot of one fresh upstream answer."""
        self._put(snapshot_of(data, formula, keep_raw=self.keep_raw))

    def synced(
        self,
        platform: str,
        data: PlatformData | ManualEntry,
        payload: SyncPayload,
        result: SyncResult,
        creator: str | None = None,
    ) -> None:
        """Queue the record of one successful sync (``creator``: who it was for, when known)."""
        self._put(
            SyncRecord(
                platform=platform,
                username=data.username if isinstance(data, PlatformData) else None,
                followers=payload.followers,
                engagement=payload.engagement,
                synced_at=datetime.now(UTC),
                total_followers=result.stats.total_followers,
                avg_engagement=result.stats.avg_engagement,
                creator=creator,
            )
        )

    def _put(self, record: Snapshot | SyncRecord) -> None:
        try:
            check_snapshot(record) if isinstance(record, Snapshot) else check_sync_record(record)
        except InvalidInput as exc:  # refused here, so it never fails the batch it would join
            log.warning("history record refused, not recorded: %s", exc)
            return
        self._queue.put_nowait(record)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self._queue.qsize() < BATCH:
                await asyncio.sleep(LINGER)
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except Exception as exc:  # a history failure must never reach a fetch
                log.warning(
                    "history store write failed (%s: %.200s); %d records not recorded",
                    type(exc).__name__,
                    exc,
                    len(batch),
                )
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, batch: list[Snapshot | SyncRecord]) -> None:
        snaps = [r for r in batch if isinstance(r, Snapshot)]
        syncs = [r for r in batch if isinstance(r, SyncRecord)]
        if snaps:
            await self.store.add(snaps)
        if syncs:
            await self.store.record_sync(syncs)

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or reported failed)."""
        if self._task is not None and not self._task.done():
            await self._queue.join()

    # --- the sudden-drop guard -------------------------------------------------------------------

    async def check_drop(
        self,
        platform: str,
        data: PlatformData | ManualEntry,
        payload: SyncPayload,
        creator: str | None = None,
    ) -> None:
        """Raise :class:`SuspiciousDrop` when ``payload`` would write a sudden drop over the
        last good value synced on ``platform`` for the same creator: the same account (fetched
        data's username), else the same ``creator`` key (a manual entry). With neither known
        there is nothing to compare with and the sync goes through. The judgement is
        :meth:`DropGuard.check`'s."""
        if payload.followers is None:
            return
        username = data.username if isinstance(data, PlatformData) else None
        if username is None and creator is None:
            return  # no creator known: comparing with anyone else's sync would be a guess
        await self.flush()
        try:
            if username is not None:
                previous = await self.store.last_sync(platform, username, good=True)
            else:
                previous = await self.store.last_sync(platform, good=True, creator=creator)
        except Exception as exc:  # no history to compare with: the sync goes through
            log.warning("history store read failed (%s); drop guard skipped", type(exc).__name__)
            return
        self.guard.check(previous, platform, data, payload)

    async def aclose(self) -> None:
        """Write what is queued, stop the writer, close the store if this recorder owns it."""
        await self.flush()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._owns_store:
            await self.store.aclose()
