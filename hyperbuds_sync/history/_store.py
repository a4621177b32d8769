""":class:`SQLHistoryStore`: the history on SQLite (aiosqlite) or PostgreSQL (asyncpg).

SQLAlchemy 2's async Core, no ORM. One schema (:mod:`._schema`) for both databases; re-adding a
snapshot is an insert-or-ignore (``ON CONFLICT DO NOTHING``) on the unique key on both dialects.
The schema is created or upgraded on first use, so building a store does no I/O. Every record
is checked by :mod:`._valid` before it reaches either database, so both keep the same rows and a
bad one is an :class:`~hyperbuds_sync.errors.InvalidInput`, never a driver's error.

Snapshots and syncs are written in one place, :meth:`SQLHistoryStore.write_group` (``add`` and
``record_sync`` check their records, then call it): one transaction, one ``INSERT`` statement
executed for all of a table's rows (``executemany``). On an SQLite file the transaction runs whole
on one worker thread (:class:`._writer.ThreadWriter`, one thread hop a transaction instead of one
a statement); elsewhere through the async engine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..errors import HistoryUnavailable
from ._engine import WRITE
from ._faults import unavailable, why
from ._scan import histories
from ._schema import SNAPSHOT_KEY, migrate, snapshots, syncs
from ._types import (
    DEFAULT_WINDOWS,
    Growth,
    Snapshot,
    SnapshotRow,
    SyncRecord,
    check_windows,
    growth_of,
    start_bound,
    utc,
)
from ._valid import check_creator_id, check_platform, check_snapshot, check_sync_record
from ._valid import check_username as _check_name
from ._writer import Rows, ThreadWriter

__all__ = ["SQLHistoryStore"]

_SNAPSHOT_FIELDS = tuple(c.name for c in snapshots.columns if c.name != "id")
_SYNC_FIELDS = tuple(c.name for c in syncs.columns if c.name != "id")


class SQLHistoryStore:
    """A :class:`~hyperbuds_sync.history.HistoryStore` on an SQLAlchemy async engine.

    Build it with :func:`~hyperbuds_sync.history.open_store`. ``serialize`` makes every call
    take turns (SQLite: one writer at a time, and ``:memory:`` has a single connection).
    ``writer``, a synchronous engine on the same SQLite file, writes the groups of
    :meth:`write_group` on one worker thread.
    """

    def __init__(
        self, engine: AsyncEngine, *, serialize: bool = False, writer: Engine | None = None
    ) -> None:
        self.engine = engine
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._turns = asyncio.Lock() if serialize else None
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._insert_snapshots = insert(snapshots).on_conflict_do_nothing(
            index_elements=list(SNAPSHOT_KEY)
        )
        self._insert_syncs = syncs.insert()
        self._writer: ThreadWriter | None = None
        if writer is not None:
            self._writer = ThreadWriter(writer, self._insert)

    def __repr__(self) -> str:
        return f"SQLHistoryStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    async def setup(self) -> int:
        """Create or upgrade the schema now (otherwise done on first use); return the version
        found before (0 for a new database).

        Raises:
            HistoryUnavailable: the database cannot be reached.
        """
        async with self._ready_lock:
            found = await self._migrate()
            self._ready = True
            return found

    async def _migrate(self) -> int:
        """The schema created or upgraded in one write transaction: on PostgreSQL under an
        advisory lock, on SQLite under ``BEGIN IMMEDIATE``, so processes take turns."""
        try:
            async with self.engine.connect() as conn:
                await conn.execution_options(**{WRITE: True})
                async with conn.begin():
                    return int(await conn.run_sync(migrate))
        except Exception as exc:
            if unavailable(exc):
                raise HistoryUnavailable(why(exc)) from None
            raise

    @asynccontextmanager
    async def _begin(self, *, write: bool = True) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction (``write``: SQLite's write lock taken at ``BEGIN``),
        the schema ready, taking turns when serialized.

        Raises:
            HistoryUnavailable: the database cannot be reached (connecting, or mid-transaction).
        """
        await self._make_ready()
        try:
            async with self._turn(), self.engine.connect() as conn:
                if write:
                    await conn.execution_options(**{WRITE: True})
                async with conn.begin():
                    yield conn
        except Exception as exc:
            if unavailable(exc):
                raise HistoryUnavailable(why(exc)) from None
            raise

    async def _make_ready(self) -> None:
        """The schema created or upgraded, once."""
        if not self._ready:
            async with self._ready_lock:
                if not self._ready:
                    await self._migrate()
                    self._ready = True

    def _turn(self) -> asyncio.Lock | contextlib.nullcontext[None]:
        return contextlib.nullcontext() if self._turns is None else self._turns

    # --- writing ---------------------------------------------------------------------------------

    async def add(self, snapshots_: Iterable[Snapshot]) -> None:
        """Store snapshots; one already stored (same unique key) is skipped.

        Raises:
            InvalidInput: a snapshot breaks the rules (:func:`check_snapshot`); nothing is stored.
        """
        await self.write_group([check_snapshot(s) for s in snapshots_], ())

    async def record_sync(self, records: Iterable[SyncRecord]) -> None:
        """Store successful syncs.

        Raises:
            InvalidInput: a record breaks the rules (:func:`check_sync_record`); nothing is stored.
        """
        await self.write_group((), [check_sync_record(r) for r in records])

    async def write_group(
        self, snapshots_: Sequence[Snapshot], syncs_: Sequence[SyncRecord]
    ) -> None:
        """Store snapshots and syncs in one transaction, records **already checked** by
        :func:`check_snapshot` / :func:`check_sync_record` (the recorder checks each as it
        joins a group); a snapshot already stored is skipped.

        Raises:
            HistoryUnavailable: the database cannot be reached; nothing was stored.
        """
        if not snapshots_ and not syncs_:
            return
        snapshot_rows = [_snapshot_row(s) for s in snapshots_]
        sync_rows = [{name: getattr(r, name) for name in _SYNC_FIELDS} for r in syncs_]
        if self._writer is None:
            async with self._begin() as conn:
                await conn.run_sync(self._insert, snapshot_rows, sync_rows)
            return
        await self._make_ready()
        try:
            async with self._turn():
                await self._writer.write(snapshot_rows, sync_rows)
        except Exception as exc:
            if unavailable(exc):
                raise HistoryUnavailable(why(exc)) from None
            raise

    def _insert(self, conn: Connection, snapshot_rows: Rows, sync_rows: Rows) -> None:
        """The group's rows, one statement per table, in ``conn``'s transaction."""
        if snapshot_rows:
            conn.execute(self._insert_snapshots, snapshot_rows)
        if sync_rows:
            conn.execute(self._insert_syncs, sync_rows)

    async def prune(self, *, older_than: datetime | timedelta) -> int:
        """Delete snapshots and syncs older than a moment (or an age); return rows deleted."""
        if isinstance(older_than, timedelta):
            cutoff = datetime.now(UTC) - older_than
        else:
            cutoff = utc(older_than)
        async with self._begin() as conn:
            gone = await conn.execute(snapshots.delete().where(snapshots.c.fetched_at < cutoff))
            synced = await conn.execute(syncs.delete().where(syncs.c.synced_at < cutoff))
        return int(gone.rowcount) + int(synced.rowcount)

    # --- reading ---------------------------------------------------------------------------------

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
        _check_key(platform, username)
        query = _creator(platform, username)
        if since is not None:
            query = query.where(snapshots.c.fetched_at >= utc(since))
        if until is not None:
            query = query.where(snapshots.c.fetched_at <= utc(until))
        query = query.order_by(snapshots.c.fetched_at.desc(), snapshots.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        async with self._begin(write=False) as conn:
            rows = (await conn.execute(query)).all()
        return [_snapshot(row) for row in reversed(rows)]

    def histories(
        self,
        *,
        platform: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[tuple[str, str, list[SnapshotRow]]]:
        """Every creator's snapshots in ``[since, until]`` (on ``platform`` when given), oldest
        first, creator by creator: ``(platform, username, rows)`` in (platform, username)
        order, from one ordered query streamed (a roster's histories never sit in memory at
        once). On SQLite the read holds the store's turn until the loop ends: other calls on
        the store wait (so don't call it from inside the loop).

        ::

            async for platform, username, rows in store.histories(since=a_month_ago):
                print(platform, username, rows[-1].followers)
        """
        return histories(self, platform=platform, since=since, until=until)

    async def growth(
        self,
        platform: str,
        username: str,
        *,
        windows: Sequence[int] = DEFAULT_WINDOWS,
        at: datetime | None = None,
    ) -> Growth:
        """Growth over each window: the end is the latest snapshot (at or before ``at``), each
        window's start the latest snapshot at or before ``end - days``."""
        chosen = check_windows(windows)
        _check_key(platform, username)
        bound = None if at is None else utc(at)
        async with self._begin(write=False) as conn:
            end = await _latest(conn, platform, username, bound)
            if end is None or not chosen:
                return growth_of(platform, username, end, dict.fromkeys(chosen))
            bounds = {days: start_bound(end, days) for days in chosen}
            rows = (await conn.execute(_starts_query(platform, username, bounds))).all()
        found = {row.window: _snapshot(row) for row in rows}
        starts = {days: found.get(days) for days in chosen}
        return growth_of(platform, username, end, starts)

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
        check_platform(platform)
        query = sa.select(*(syncs.c[name] for name in _SYNC_FIELDS))
        query = query.where(syncs.c.platform == platform)
        who = []
        if username is not None:
            who.append(syncs.c.username == _check_name(platform, username))
        if creator is not None:
            who.append(syncs.c.creator == check_creator_id(creator))
        if who:
            query = query.where(sa.or_(*who))
        if good:
            query = query.where(syncs.c.followers > 0)
        query = query.order_by(syncs.c.synced_at.desc(), syncs.c.id.desc()).limit(1)
        async with self._begin(write=False) as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else SyncRecord(**row._asdict())

    async def ping(self) -> None:
        """Run ``SELECT 1`` (the schema made ready first): raises when the database does not
        answer."""
        async with self._begin() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def aclose(self) -> None:
        """Release the engines' connections and the writer's thread."""
        if self._writer is not None:
            await self._writer.aclose()
        await self.engine.dispose()


def _check_key(platform: str, username: str) -> None:
    """A creator's key as the rules hold it (a NUL is an error on PostgreSQL, not on SQLite)."""
    check_platform(platform)
    _check_name(platform, username)


def _snapshot_row(s: Snapshot) -> dict[str, Any]:
    return {
        "platform": s.platform,
        "username": s.username,
        "provider": s.provider,
        "fetched_at": s.fetched_at,
        "followers": s.followers,
        "following": s.following,
        "total_content": s.total_content,
        "total_engagement": s.total_engagement,
        "average_engagement": s.average_engagement,
        "formula": s.formula,
        "rounded": s.rounded,
        "raw": None if s.raw is None else dict(s.raw),
    }


def _creator(platform: str, username: str) -> sa.Select[Any]:
    columns = (snapshots.c[name] for name in _SNAPSHOT_FIELDS)
    return sa.select(*columns).where(
        snapshots.c.platform == platform, snapshots.c.username == username
    )


def _snapshot(row: sa.Row[Any]) -> Snapshot:
    return Snapshot(**{name: getattr(row, name) for name in _SNAPSHOT_FIELDS})


def _latest_at(platform: str, username: str, bound: datetime | None) -> sa.Select[Any]:
    query = _creator(platform, username)
    if bound is not None:
        query = query.where(snapshots.c.fetched_at <= bound)
    return query.order_by(snapshots.c.fetched_at.desc(), snapshots.c.id.desc()).limit(1)


def _starts_query(
    platform: str, username: str, bounds: dict[int, datetime]
) -> sa.CompoundSelect[Any]:
    """Every window's start in one statement: the latest snapshot at or before each bound,
    tagged with its window (one index probe per window)."""
    parts = []
    for days, bound in bounds.items():
        latest = _latest_at(platform, username, bound).add_columns(
            sa.literal(days, sa.Integer).label("window")
        )
        parts.append(sa.select(latest.subquery()))
    return sa.union_all(*parts)


async def _latest(
    conn: AsyncConnection, platform: str, username: str, bound: datetime | None
) -> Snapshot | None:
    """The creator's latest snapshot at or before ``bound`` (any time when ``None``)."""
    row = (await conn.execute(_latest_at(platform, username, bound))).first()
    return None if row is None else _snapshot(row)
