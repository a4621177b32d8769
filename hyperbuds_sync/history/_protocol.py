"""The :class:`HistoryStore` protocol: what SocialSync needs from a history database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ._types import DEFAULT_WINDOWS, Growth, Snapshot, SyncRecord

__all__ = ["GroupWriter", "HistoryStore"]


@runtime_checkable
class HistoryStore(Protocol):
    """A place that remembers snapshots and syncs. Every method is safe to call concurrently.

    A method that cannot reach its database raises
    :class:`~hyperbuds_sync.HistoryUnavailable` (or an ``OSError`` / ``TimeoutError``): the
    recorder then keeps what it was writing and tries again later. Any other error means the
    records were refused, and the recorder drops them one by one.
    """

    async def add(self, snapshots: Iterable[Snapshot]) -> None:
        """Store snapshots; one already stored (same unique key) is skipped, not an error. A
        snapshot that breaks the rules of :func:`~hyperbuds_sync.history.check_snapshot` is an
        :class:`~hyperbuds_sync.errors.InvalidInput` and nothing is stored."""

    async def snapshots(
        self,
        platform: str,
        username: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[Snapshot]:
        """The creator's snapshots in ``[since, until]``, oldest first; ``limit`` keeps the
        most recent ones."""
        ...

    async def growth(
        self,
        platform: str,
        username: str,
        *,
        windows: Sequence[int] = DEFAULT_WINDOWS,
        at: datetime | None = None,
    ) -> Growth:
        """Growth over each window, ending at the latest snapshot (at or before ``at``)."""
        ...

    async def record_sync(self, records: Iterable[SyncRecord]) -> None:
        """Store successful syncs."""

    async def last_sync(
        self,
        platform: str,
        username: str | None = None,
        *,
        good: bool = False,
        creator: str | None = None,
    ) -> SyncRecord | None:
        """The latest sync on ``platform`` (for ``username`` when given, for ``creator`` when
        given; with both, a sync recorded under either); with ``good=True`` the latest that sent
        followers above 0."""
        ...

    async def prune(self, *, older_than: datetime | timedelta) -> int:
        """Delete snapshots and syncs older than a moment (or an age); return rows deleted."""
        ...

    async def aclose(self) -> None:
        """Release connections."""


@runtime_checkable
class GroupWriter(Protocol):
    """A store that writes a group commit's snapshots and syncs in one transaction, given
    records already checked (the SQL store): the recorder uses it when its store has it, and
    ``add`` then ``record_sync`` otherwise."""

    async def write_group(self, snapshots: Sequence[Snapshot], syncs: Sequence[SyncRecord]) -> None:
        """Store the records (already checked) in one transaction; raise
        :class:`~hyperbuds_sync.HistoryUnavailable` when the database cannot be reached."""
