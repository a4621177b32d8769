"""The SQLAlchemy async engine for a history URL, with the settings several processes need.

PostgreSQL: every pooled connection is checked before use (``pool_pre_ping``), so the first write
after the server restarted does not fail on a connection that died with it; a connection attempt
gives up after :data:`CONNECT_TIMEOUT` seconds.

SQLite: a busy timeout first (every later statement waits for another process's lock instead of
failing), then WAL mode (readers never wait for the writer). Transactions are begun by us, not by
the driver: ``BEGIN IMMEDIATE`` for a write (the file's write lock taken up front, so two processes
creating the schema or spending one budget take turns, and the busy timeout applies), a plain
``BEGIN`` for a read. This is SQLAlchemy's documented recipe for SQLite transactions.

SQLite files also get a *writer*: a synchronous engine (the standard library's ``sqlite3``,
no other driver) on the same file and settings, for the recorder's group commits, run whole on
one worker thread (:mod:`._store`). Through aiosqlite every statement of a transaction is a hop
to its thread and back (eight for a group: checkout, ``BEGIN IMMEDIATE``, the insert, commit,
reset); through the writer the transaction is one hop. PostgreSQL keeps asyncpg, a native
asyncio driver with no thread in between (a synchronous one would be a new dependency).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

__all__ = ["BUSY_TIMEOUT_MS", "CONNECT_TIMEOUT", "WRITE", "build_engine", "build_writer"]

BUSY_TIMEOUT_MS = 15_000
"""How long an SQLite statement waits for another process's lock before failing."""

CONNECT_TIMEOUT = 10.0
"""Seconds a PostgreSQL connection attempt may take (asyncpg waits 60 by default): a host that
drops packets is found unreachable in this time, and the history keeps what it records."""

WRITE = "hyperbuds_write"
"""The execution option marking a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""


def build_engine(url: str, options: dict[str, Any]) -> tuple[AsyncEngine, bool]:
    """The engine and whether its calls must take turns (SQLite: one writer at a time)."""
    if not url.startswith("sqlite"):
        defaults = {"pool_pre_ping": True, "connect_args": {"timeout": CONNECT_TIMEOUT}}
        return create_async_engine(url, **{**defaults, **options}), False
    memory = url.endswith(":memory:")
    if memory:  # one connection, or each checkout would see a new empty database
        options = {"poolclass": StaticPool, **options}
    engine = create_async_engine(url, **options)
    _sqlite_settings(engine.sync_engine, wal=not memory)
    return engine, True


def build_writer(url: str) -> Engine | None:
    """The synchronous engine for group commits on an SQLite file (every transaction a write:
    ``BEGIN IMMEDIATE``); ``None`` for PostgreSQL and ``:memory:`` (a second engine would open
    another, empty, database), which write through the async engine."""
    if not url.startswith("sqlite") or url.endswith(":memory:"):
        return None
    writer = create_engine(
        url.replace("sqlite+aiosqlite://", "sqlite+pysqlite://", 1),
        pool_size=1,  # one worker thread uses it
        execution_options={WRITE: True},
    )
    _sqlite_settings(writer, wal=True)
    return writer


def _sqlite_settings(engine: Engine, *, wal: bool) -> None:
    """The busy timeout, WAL mode (``wal``) and our own ``BEGIN``s on every connection."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: WAL may need a lock
        if wal:  # readers and one writer at once, across processes too
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
