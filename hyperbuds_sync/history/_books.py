""":class:`LedgerBooks`: the roster's budget cells kept in the history database (schema 5).

One row per provider in ``budget_ledger``: the pace the cells were made for, the cells (emission,
tolerance, theoretical arrival time, in seconds) and the calls spent. Every change is one
read-modify-write transaction holding the row: ``SELECT ... FOR UPDATE`` on PostgreSQL, the
file's write lock (``BEGIN IMMEDIATE``) on SQLite. So any number of processes on one database
spend one budget between them, and a restarted process finds what was spent. The arithmetic is
the caller's (:class:`~hyperbuds_sync.roster.StoreLedger`): this module only keeps the rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConfigError
from ._protocol import HistoryStore
from ._schema import budget_ledger
from ._store import SQLHistoryStore

__all__ = ["LedgerBooks", "LedgerRow"]

T = TypeVar("T")
Cell = tuple[float, float, float]


@frozen
class LedgerRow:
    """One provider's budget as stored: ``cells`` of (emission, tolerance, tat) seconds,
    ``math.inf`` where paused; ``pace`` the fingerprint they were made for (``""``: none yet)."""

    provider: str
    pace: str = ""
    cells: Sequence[Cell] = ()
    spent: int = 0


def _encode(cells: Sequence[Cell]) -> list[list[float]]:
    """JSON has no infinity (PostgreSQL refuses it): -1 stands for it, times are >= 0."""
    return [[-1.0 if not math.isfinite(x) else x for x in cell] for cell in cells]


def _decode(value: object) -> tuple[Cell, ...]:
    """The stored cells, -1 read back as infinity."""
    if not isinstance(value, list):
        return ()
    cells = []
    for stored in value:
        emission, tolerance, tat = (math.inf if x < 0 else float(x) for x in stored)
        cells.append((emission, tolerance, tat))
    return tuple(cells)


class LedgerBooks:
    """The ``budget_ledger`` rows of an SQL history store."""

    def __init__(self, store: HistoryStore) -> None:
        if not isinstance(store, SQLHistoryStore):
            raise ConfigError(
                f"the budget ledger is kept in the SQL history store, not a {type(store).__name__}"
            )
        self.history = store

    def __repr__(self) -> str:
        return f"LedgerBooks({self.history!r})"

    async def change(self, provider: str, fn: Callable[[LedgerRow], tuple[LedgerRow, T]]) -> T:
        """Read ``provider``'s row (an empty one when absent), hold it, write back what ``fn``
        returns (unless unchanged) in the same transaction, and return ``fn``'s answer.

        Raises:
            HistoryUnavailable: the database cannot be reached; nothing was changed.
        """
        table = budget_ledger
        empty = {"provider": provider, "pace": "", "cells": [], "spent": 0}
        async with self.history._begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            now = datetime.now(UTC)
            await conn.execute(
                insert(table).values(**empty, updated_at=now).on_conflict_do_nothing()
            )
            query = sa.select(table.c.pace, table.c.cells, table.c.spent)
            query = query.where(table.c.provider == provider)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            found = (await conn.execute(query)).one()
            row = LedgerRow(provider, found.pace, _decode(found.cells), int(found.spent))
            new, answer = fn(row)
            if new != row:
                values = {"pace": new.pace, "cells": _encode(new.cells), "spent": new.spent}
                await conn.execute(
                    table.update()
                    .where(table.c.provider == provider)
                    .values(**values, updated_at=now)
                )
        return answer

    async def read(self, provider: str) -> LedgerRow:
        """``provider``'s row as stored (an empty one when absent).

        Raises:
            HistoryUnavailable: the database cannot be reached.
        """
        table = budget_ledger
        query = sa.select(table.c.pace, table.c.cells, table.c.spent)
        async with self.history._begin(write=False) as conn:
            found = (await conn.execute(query.where(table.c.provider == provider))).first()
        if found is None:
            return LedgerRow(provider)
        return LedgerRow(provider, found.pace, _decode(found.cells), int(found.spent))
