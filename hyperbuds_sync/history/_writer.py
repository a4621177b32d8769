""":class:`ThreadWriter`: an SQLite file's group commits, each one transaction on one thread.

Through aiosqlite every statement of a transaction is a hop to its thread and back (eight for a
group: checkout, ``BEGIN IMMEDIATE``, the insert, commit, reset). Here the whole transaction runs
on the writer's one worker thread, through SQLAlchemy's synchronous engine on the standard
library's ``sqlite3``: one hop a group. The thread keeps one connection open (no checkout and
reset a group; a connection that failed is closed and a new one opened for the next group).

The transaction's body is the store's own, handed in as ``insert`` (one Core ``INSERT`` a table,
executed for all of its rows), so both engines store the same rows the same way.
Measured on one core: a one-row transaction 150-220 us of CPU this way, about 740 through
aiosqlite (docs/benchmarks.md, "Durable history and budget").
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Connection, Engine

__all__ = ["Insert", "Rows", "ThreadWriter"]

Rows = list[dict[str, Any]]
Insert = Callable[[Connection, Rows, Rows], None]
"""The store's transaction body: its snapshot rows and sync rows, in ``conn``'s transaction."""


class ThreadWriter:
    """Writes groups of snapshots and syncs through ``engine`` on one worker thread.

    Args:
        engine: the synchronous SQLite engine; its transactions begin ``IMMEDIATE``.
        insert: what a transaction does with a group's rows (the store's Core inserts).
    """

    def __init__(
        self,
        engine: Engine,
        insert: Insert,
    ) -> None:
        self.engine = engine
        self._insert = insert
        self._thread: ThreadPoolExecutor | None = None
        self._conn: Connection | None = None  # used on the thread only
        self._pid = os.getpid()

    async def write(self, snapshot_rows: Rows, sync_rows: Rows) -> None:
        """Commit the rows in one transaction on the worker thread; return once committed.
        Raises what the driver raised (the transaction rolled back)."""
        if self._pid != os.getpid():  # a forked child: the thread and connection are the parent's
            self._pid, self._thread, self._conn = os.getpid(), None, None
            self.engine.dispose(close=False)
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="hyperbuds-history")
        await asyncio.get_running_loop().run_in_executor(
            self._thread, self._commit, snapshot_rows, sync_rows
        )

    def _commit(self, snapshot_rows: Rows, sync_rows: Rows) -> None:
        """On the worker thread: ``BEGIN IMMEDIATE``, the store's inserts, commit."""
        conn = self._conn if self._conn is not None else self.engine.connect()
        self._conn = None
        try:
            with conn.begin():
                self._insert(conn, snapshot_rows, sync_rows)
        except BaseException:
            conn.close()  # a new connection for the next group
            raise
        self._conn = conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.engine.dispose()

    async def aclose(self) -> None:
        """Close the connection and the engine on the thread, then stop the thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.get_running_loop().run_in_executor(thread, self._close)
            thread.shutdown()
        else:
            self.engine.dispose()
