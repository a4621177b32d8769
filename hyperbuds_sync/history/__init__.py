"""The history: every fresh fetch and every sync remembered, for growth and the drop guard.

This folder owns the :class:`HistoryStore` protocol, its records (:class:`Snapshot`,
:class:`SyncRecord`, :class:`Growth`), the SQLAlchemy Core schema shared by SQLite (aiosqlite,
the default, embedded) and PostgreSQL (asyncpg), the :class:`HistoryRecorder` that SocialSync
uses to commit fetches' snapshots (group commit) and guard syncs, the roster's tables
(:func:`roster_store`), its budget ledger's rows (:func:`ledger_books`), and the one validation
both databases share (``check_snapshot``, ``check_creator_id``, ...).
It may import the SDK's public modules
(``errors``, ``models``); SQLAlchemy is imported only by :func:`open_store`, so the records and
the protocol work without the ``history`` extra.

::

    store = open_store("sqlite+aiosqlite:///history.db")   # or "default", ":memory:", a path,
    await store.add(snapshots)                              # "postgresql+asyncpg://user@host/db"
    growth = await store.growth("tiktok", "mayacooks")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._guard import DropGuard
from ._keep import KeptQuota, quota_memory
from ._open import (
    DEFAULT,
    default_path,
    ledger_books,
    open_store,
    recorder_for,
    resolve_url,
    roster_store,
)
from ._protocol import HistoryStore
from ._recorder import HistoryRecorder, snapshot_of
from ._rostertypes import CreatorRecord, Delivery, PlatformState
from ._types import DEFAULT_WINDOWS, Growth, GrowthWindow, Snapshot, SnapshotRow, SyncRecord
from ._valid import (
    PRIORITY_MAX,
    check_creator_id,
    check_priority,
    check_snapshot,
    check_sync_record,
    check_username,
)

__all__ = [
    "DEFAULT",
    "DEFAULT_WINDOWS",
    "PRIORITY_MAX",
    "CreatorRecord",
    "Delivery",
    "DropGuard",
    "Growth",
    "GrowthWindow",
    "HistoryRecorder",
    "HistoryStore",
    "KeptQuota",
    "LedgerBooks",
    "LedgerRow",
    "PlatformState",
    "RosterStore",
    "Snapshot",
    "SnapshotRow",
    "SyncRecord",
    "check_creator_id",
    "check_priority",
    "check_snapshot",
    "check_sync_record",
    "check_username",
    "default_path",
    "ledger_books",
    "open_store",
    "quota_memory",
    "recorder_for",
    "resolve_url",
    "roster_store",
    "snapshot_of",
]

if TYPE_CHECKING:
    from ._books import LedgerBooks, LedgerRow
    from ._roster import RosterStore
else:

    def __getattr__(name: str) -> Any:
        if name == "RosterStore":  # imported late: it needs SQLAlchemy (the history extra)
            from ._roster import RosterStore

            return RosterStore
        if name in ("LedgerBooks", "LedgerRow"):  # the same
            from . import _books

            return getattr(_books, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
