""":class:`RosterStore`: the roster's creators, their refresh state and failed webhook deliveries,
kept in the history database (schema version 3) beside the snapshots.

The store keeps what a runner needs to resume after a stop: per creator-platform the last fetch
and sync, the values last synced (the change hooks compare against them), the failures in a row
and the next refresh time. Every change is one transaction, so a stop never leaves half a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import ConfigError
from ._protocol import HistoryStore
from ._rostertypes import STATE_FIELDS, CreatorRecord, Delivery, PlatformState
from ._schema import creator_platforms, creators, webhook_deliveries
from ._store import SQLHistoryStore
from ._valid import check_creator_id, check_platform, check_priority, check_username

__all__ = ["RosterStore"]


class RosterStore:
    """The roster's tables on a :class:`SQLHistoryStore` (SQLite or PostgreSQL)."""

    def __init__(self, store: HistoryStore) -> None:
        if not isinstance(store, SQLHistoryStore):
            raise ConfigError(
                "the roster is kept in the SQL history store: give SocialSync a history_url "
                f"(SQLite or PostgreSQL), not a {type(store).__name__}"
            )
        self.history = store

    async def put(self, creator_id: str, usernames: Mapping[str, str], priority: int) -> None:
        """Add or replace a creator: a platform whose username is unchanged keeps its state.

        Raises:
            InvalidInput: the id, a platform, a username or the priority breaks the rules
                (``_valid``); nothing is written.
        """
        check_creator_id(creator_id)
        check_priority(priority)
        for platform, name in usernames.items():
            check_username(check_platform(platform), name)
        now = datetime.now(UTC)
        async with self.history._begin() as conn:
            found = (
                await conn.execute(sa.select(creators.c.id).where(creators.c.id == creator_id))
            ).first()
            if found is None:
                values = {"id": creator_id, "priority": priority, "added_at": now}
                await conn.execute(creators.insert().values(**values))
            else:
                where = creators.c.id == creator_id
                await conn.execute(creators.update().where(where).values(priority=priority))
            rows = await conn.execute(
                sa.select(creator_platforms.c.platform, creator_platforms.c.username).where(
                    creator_platforms.c.creator_id == creator_id
                )
            )
            kept = {row.platform: row.username for row in rows}
            gone = [p for p, name in kept.items() if usernames.get(p) != name]
            if gone:
                await conn.execute(
                    creator_platforms.delete().where(
                        creator_platforms.c.creator_id == creator_id,
                        creator_platforms.c.platform.in_(gone),
                    )
                )
            new = [
                {"creator_id": creator_id, "platform": p, "username": name, "failures": 0}
                for p, name in usernames.items()
                if kept.get(p) != name
            ]
            if new:
                await conn.execute(creator_platforms.insert(), new)

    async def remove(self, creator_id: str) -> bool:
        """Remove a creator and their platforms; whether they were there."""
        async with self.history._begin() as conn:
            await conn.execute(
                creator_platforms.delete().where(creator_platforms.c.creator_id == creator_id)
            )
            gone = await conn.execute(creators.delete().where(creators.c.id == creator_id))
        return bool(gone.rowcount)

    async def creators(self, creator_id: str | None = None) -> list[CreatorRecord]:
        """Every creator (or the one named), ordered by id, with their platforms."""
        query = sa.select(creators).order_by(creators.c.id)
        states = sa.select(creator_platforms)
        if creator_id is not None:
            query = query.where(creators.c.id == creator_id)
            states = states.where(creator_platforms.c.creator_id == creator_id)
        async with self.history._begin(write=False) as conn:
            people = (await conn.execute(query)).all()
            rows = (await conn.execute(states.order_by(creator_platforms.c.platform))).all()
        by_creator: dict[str, dict[str, PlatformState]] = {}
        for row in rows:
            by_creator.setdefault(row.creator_id, {})[row.platform] = PlatformState(**row._asdict())
        return [
            CreatorRecord(p.id, p.priority, by_creator.get(p.id, {}), p.added_at) for p in people
        ]

    async def update(self, creator_id: str, platform: str, **state: Any) -> None:
        """Change a creator-platform's refresh state (fields of :class:`PlatformState`)."""
        unknown = set(state) - set(STATE_FIELDS)
        if unknown:
            raise TypeError(f"not refresh state fields: {sorted(unknown)}")
        async with self.history._begin() as conn:
            await conn.execute(
                creator_platforms.update()
                .where(
                    creator_platforms.c.creator_id == creator_id,
                    creator_platforms.c.platform == platform,
                )
                .values(**state)
            )

    # --- failed webhook deliveries ---------------------------------------------------------------

    async def keep_delivery(self, url: str, event: Mapping[str, Any], tries: int) -> None:
        """Keep a change event whose delivery failed."""
        row = {"created_at": datetime.now(UTC), "url": url, "event": dict(event), "tries": tries}
        async with self.history._begin() as conn:
            await conn.execute(webhook_deliveries.insert().values(**row))

    async def deliveries(self, limit: int | None = None) -> list[Delivery]:
        """Failed deliveries, oldest first."""
        query = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.id).limit(limit)
        async with self.history._begin(write=False) as conn:
            rows = (await conn.execute(query)).all()
        return [Delivery(**row._asdict()) for row in rows]

    async def delivered(self, delivery_id: int, *, tries: int | None = None) -> None:
        """Forget a delivery (replayed), or count another failed try (``tries`` given)."""
        where = webhook_deliveries.c.id == delivery_id
        async with self.history._begin() as conn:
            if tries is None:
                await conn.execute(webhook_deliveries.delete().where(where))
            else:
                await conn.execute(webhook_deliveries.update().where(where).values(tries=tries))
