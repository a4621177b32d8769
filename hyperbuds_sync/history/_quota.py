""":class:`QuotaMemory`: provider benches and each host's last quota facts kept in the history
database (schema version 4, table ``quota_state``), so that consecutive processes (a shell
user's commands) agree on what is spent.

Keys appear by fingerprint only. What is over when read (a bench past its end, facts past their
reset) is left out, and deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConfigError
from ..models import KeyQuota, QuotaStatus
from ._keep import KeptQuota
from ._protocol import HistoryStore
from ._schema import quota_state
from ._store import SQLHistoryStore

__all__ = ["QuotaMemory"]

_PROVIDER, _KEY = "provider", "key"
_FACTS = ("quota_limit", "remaining", "reset_at", "benched_until")
_FACTS_LAST = timedelta(days=1)  # facts without a reset time are trusted this long


class QuotaMemory:
    """The ``quota_state`` table of an SQL history store (SQLite or PostgreSQL)."""

    def __init__(self, store: HistoryStore) -> None:
        if not isinstance(store, SQLHistoryStore):
            raise ConfigError(
                f"quota state is kept in the SQL history store, not a {type(store).__name__}"
            )
        self.history = store

    async def load(self, now: datetime | None = None) -> KeptQuota:
        """The benches and quota facts still true at ``now``; the rest is deleted."""
        now = now or datetime.now(UTC)
        async with self.history._begin() as conn:
            await conn.execute(_over(now))
            rows = (await conn.execute(sa.select(quota_state))).all()
        benches = {r.name: r.benched_until for r in rows if r.kind == _PROVIDER}
        keys: dict[str, list[KeyQuota]] = defaultdict(list)
        for r in rows:
            if r.kind == _KEY:
                benched = r.benched_until if r.benched_until and r.benched_until > now else None
                keys[r.name].append(
                    KeyQuota(r.key, r.quota_limit, r.remaining, r.reset_at, benched)
                )
        return KeptQuota({host: _status(host, held) for host, held in keys.items()}, benches)

    async def save(
        self,
        quota: Mapping[str, QuotaStatus],
        benches: Mapping[str, datetime],
        now: datetime | None = None,
    ) -> None:
        """Keep what this process knows now (a fact it does not know is left as stored)."""
        now = now or datetime.now(UTC)
        rows = [_row(_PROVIDER, name, "", now, benched_until=u) for name, u in benches.items()]
        for host, status in quota.items():
            for k in status.keys:
                facts = (k.limit, k.remaining, k.reset_at, k.benched_until)
                if any(f is not None for f in facts):
                    rows.append(
                        _row(
                            _KEY, host, k.fingerprint, now, **dict(zip(_FACTS, facts, strict=True))
                        )
                    )
        if not rows:
            return
        async with self.history._begin() as conn:
            for row in rows:  # a handful: one upsert each keeps the "None keeps" rule plain
                await conn.execute(self._upsert(row))

    def _upsert(self, row: dict[str, Any]) -> Any:
        insert = postgresql.insert if self.history.dialect == "postgresql" else sqlite.insert
        statement = insert(quota_state).values(**row)
        kept = {
            name: sa.func.coalesce(statement.excluded[name], quota_state.c[name]) for name in _FACTS
        }
        return statement.on_conflict_do_update(
            index_elements=["kind", "name", "key"],
            set_={**kept, "updated_at": statement.excluded.updated_at},
        )


def _row(kind: str, name: str, key: str, now: datetime, **facts: Any) -> dict[str, Any]:
    return {"kind": kind, "name": name, "key": key, "updated_at": now, **dict.fromkeys(_FACTS),
            **facts}  # fmt: skip


def _over(now: datetime) -> Any:
    """Rows with nothing true left: a bench over, and facts past their reset (or a day old,
    without one)."""
    c = quota_state.c
    bench_over = sa.or_(c.benched_until.is_(None), c.benched_until <= now)
    stale = sa.or_(
        c.updated_at <= now - _FACTS_LAST, sa.and_(c.quota_limit.is_(None), c.remaining.is_(None))
    )
    reset_over = sa.or_(c.reset_at <= now, sa.and_(c.reset_at.is_(None), stale))
    provider_over = sa.and_(c.kind == _PROVIDER, bench_over)
    key_over = sa.and_(c.kind == _KEY, bench_over, reset_over)
    return quota_state.delete().where(sa.or_(provider_over, key_over))


def _status(host: str, keys: list[KeyQuota]) -> QuotaStatus:
    limits = [k.limit for k in keys if k.limit is not None]
    remaining = [k.remaining for k in keys if k.remaining is not None]
    resets = [k.reset_at for k in keys if k.reset_at is not None]
    return QuotaStatus(
        host=host,
        limit=sum(limits) if limits else None,
        remaining=sum(remaining) if remaining else None,
        reset_at=min(resets) if resets else None,
        keys=tuple(keys),
    )
