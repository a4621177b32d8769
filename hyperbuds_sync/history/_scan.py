"""Every creator's history in one read: :func:`histories`, behind
:meth:`SQLHistoryStore.histories <hyperbuds_sync.history._store.SQLHistoryStore.histories>`.

One SQLAlchemy Core query ordered by (platform, username, time), streamed in partitions, cut
into creators as it comes, so a roster's 10,000 histories never sit in memory at once. Each
snapshot comes as a :class:`~hyperbuds_sync.history.SnapshotRow`, a plain named tuple of the
figures the growth detector reads, not a :class:`~hyperbuds_sync.history.Snapshot` (its checks
cost more than the read, measured).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ._schema import snapshots
from ._types import SnapshotRow, utc
from ._valid import check_platform

if TYPE_CHECKING:
    from ._store import SQLHistoryStore

__all__ = ["histories"]

_PARTITION = 500  # rows per fetch: 10% fewer instructions than 5,000 (callgrind, 140,000 rows)
_CREATOR = operator.itemgetter(0, 1)


def _query(platform: str | None, since: datetime | None, until: datetime | None) -> Any:
    c = snapshots.c
    # The moment is read as text and parsed by datetime.fromisoformat: the DateTime type's own
    # processing took 1.0 s of CPU more for 695,384 rows (2.8 s against 1.7 s, measured).
    moment = sa.cast(c.fetched_at, sa.String)
    query = sa.select(
        c.platform, c.username, moment, c.followers, c.total_content, c.total_engagement, c.rounded
    )
    if platform is not None:
        query = query.where(c.platform == check_platform(platform))
    if since is not None:
        query = query.where(c.fetched_at >= utc(since))
    if until is not None:
        query = query.where(c.fetched_at <= utc(until))
    return query.order_by(c.platform, c.username, c.fetched_at, c.id)


async def histories(
    store: SQLHistoryStore,
    *,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AsyncIterator[tuple[str, str, list[SnapshotRow]]]:
    """Each creator's snapshots in ``[since, until]`` (on ``platform`` when given), oldest
    first, creator by creator in (platform, username) order."""
    parse = datetime.fromisoformat
    key: tuple[str, str] | None = None
    rows: list[SnapshotRow] = []
    async with store._begin(write=False) as conn:
        result = await conn.stream(_query(platform, since, until))
        async for part in result.partitions(_PARTITION):
            for creator, group in itertools.groupby(part, key=_CREATOR):
                if creator != key:  # else the creator goes on from the partition before
                    if key is not None:
                        yield key[0], key[1], rows
                    key, rows = creator, []
                rows += [  # the moment is stored as naive UTC
                    SnapshotRow(p, u, parse(at + "+00:00"), followers, content, engagement, rounded)
                    for p, u, at, followers, content, engagement, rounded in group
                ]
    if key is not None:
        yield key[0], key[1], rows
