""":class:`HistoryRecorder`: what SocialSync does with a history store.

A fetch that returns has its snapshot committed: :meth:`HistoryRecorder.snapshot` joins the
group being gathered and returns once the transaction holding it is committed (group commit,
:mod:`._commit`), so concurrent fetches share a few transactions. When the store cannot be
reached the snapshot is kept in a bounded buffer and retried with backoff, and the fetch returns
its data all the same. :meth:`~HistoryRecorder.synced` adds a sync's record to the next group
without waiting. :meth:`~HistoryRecorder.aclose` waits a bounded time for what is kept.
:meth:`~HistoryRecorder.check_drop` reads the last good sync for the sudden-drop guard
(``_guard``), as one call the sync path makes before sending. A record that breaks the rules of
``_valid`` is refused at the entry (one warning), so it never fails the group it would have joined.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ..models import ManualEntry, PlatformData, SyncPayload, SyncResult
from ._commit import CLOSE_WAIT, GroupCommit
from ._guard import DropGuard
from ._kept import PENDING_AGE, PENDING_LIMIT
from ._protocol import GroupWriter, HistoryStore
from ._types import Snapshot, SyncRecord
from ._valid import check_snapshot, check_sync_record

if TYPE_CHECKING:
    from ..metrics import Metrics

__all__ = ["HistoryRecorder", "provenance", "snapshot_of"]

log = logging.getLogger("hyperbuds_sync.history")


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


def _valid(record: Snapshot | SyncRecord) -> bool:
    """Whether ``record`` keeps the rules of ``_valid``; one that does not is refused here, with a
    warning, so it never fails the group commit it would have joined."""
    try:
        check_snapshot(record) if isinstance(record, Snapshot) else check_sync_record(record)
    except InvalidInput as exc:
        log.warning("history record refused, not recorded: %s", exc)
        return False
    return True


class HistoryRecorder:
    """Records snapshots and syncs to ``store`` by group commit, and guards syncs.

    Args:
        store: the :class:`HistoryStore`.
        keep_raw: keep each answer's raw JSON in its snapshot.
        guard: the sudden-drop thresholds.
        owns_store: close the store in :meth:`aclose`.
        metrics: the client's counters (``history_kept``, ``history_written_late``,
            ``history_dropped`` and the ``history_pending`` gauge).
        pending_limit: records kept at most while the store is away.
        pending_age: seconds a kept record waits at most.
        close_wait: seconds :meth:`aclose` gives kept records to reach the store.
    """

    def __init__(
        self,
        store: HistoryStore,
        *,
        keep_raw: bool = False,
        guard: DropGuard | None = None,
        owns_store: bool = True,
        metrics: Metrics | None = None,
        pending_limit: int = PENDING_LIMIT,
        pending_age: float = PENDING_AGE,
        close_wait: float = CLOSE_WAIT,
    ) -> None:
        self.store = store
        self.keep_raw = keep_raw
        self.guard = guard or DropGuard()
        self.close_wait = close_wait
        self._owns_store = owns_store
        self._group_writer = store if isinstance(store, GroupWriter) else None
        self.commits = GroupCommit(
            self._write, metrics=metrics, limit=pending_limit, max_age=pending_age
        )

    @property
    def pending(self) -> int:
        """Records kept for a store that is away, not yet written."""
        return self.commits.pending

    # --- recording -------------------------------------------------------------------------------

    async def snapshot(self, data: PlatformData, formula: str) -> None:
        """Record the snapshot of one fresh upstream answer: return once it is committed (or
        kept for a store that is away)."""
        record = snapshot_of(data, formula, keep_raw=self.keep_raw)
        if _valid(record):
            await self.commits.commit(record)

    def synced(
        self,
        platform: str,
        data: PlatformData | ManualEntry,
        payload: SyncPayload,
        result: SyncResult,
        creator: str | None = None,
    ) -> None:
        """Add the record of one successful sync to the next group commit (not waited for;
        ``creator``: who it was for, when known)."""
        record = SyncRecord(
            platform=platform,
            username=data.username if isinstance(data, PlatformData) else None,
            followers=payload.followers,
            engagement=payload.engagement,
            synced_at=datetime.now(UTC),
            total_followers=result.stats.total_followers,
            avg_engagement=result.stats.avg_engagement,
            creator=creator,
        )
        if _valid(record):
            self.commits.put(record)

    async def _write(self, batch: list[Snapshot | SyncRecord]) -> None:
        """One group: in one transaction when the store can (the records were checked as they
        joined), else its snapshots, then its syncs, through the store's own methods."""
        snaps = [r for r in batch if isinstance(r, Snapshot)]
        syncs = [r for r in batch if isinstance(r, SyncRecord)]
        if self._group_writer is not None:
            await self._group_writer.write_group(snaps, syncs)
            return
        if snaps:
            await self.store.add(snaps)
        if syncs:
            await self.store.record_sync(syncs)

    async def caught_up(self) -> None:
        """Wait until the store is reachable and every kept record is written (or dropped):
        after an outage, until the buffer is empty."""
        await self.commits.caught_up()

    async def flush(self) -> None:
        """Wait until everything recorded so far is committed (or kept for a store that is
        away: this does not wait for the store to come back)."""
        await self.commits.flush()

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
        """Commit what is gathered, give what is kept :attr:`close_wait` seconds to reach the
        store (what does not is counted dropped, with a warning), close the store if owned."""
        await self.commits.aclose(self.close_wait)
        if self._owns_store:
            await self.store.aclose()
