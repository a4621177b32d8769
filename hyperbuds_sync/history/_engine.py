"""The SQLAlchemy async engine for a history URL, with SQLite's settings for a shared file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

__all__ = ["build_engine"]


def build_engine(url: str, options: dict[str, Any]) -> tuple[AsyncEngine, bool]:
    """The engine and whether its calls must take turns (SQLite: one writer at a time)."""
    if not url.startswith("sqlite"):
        return create_async_engine(url, **options), False
    memory = url.endswith(":memory:")
    if memory:  # one connection, or each checkout would see a new empty database
        options = {"poolclass": StaticPool, **options}
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not memory:  # readers and one writer at once, across processes too
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return engine, True
