"""The history's schema, one for SQLite and PostgreSQL (SQLAlchemy Core), and its upgrades.

The table ``hyperbuds_schema`` holds one row, the schema version. Version 1 had the snapshots and
syncs tables; version 2 added the ``raw`` column and the ``ix_snapshots_creator_time`` index the
growth lookups walk; version 3 added the roster's tables (``creators``, ``creator_platforms``) and
``webhook_deliveries``, the change events whose delivery failed; version 4 added ``quota_state``,
the provider benches and each host's last quota facts per key, so consecutive commands of one
shell agree on what is spent; version 5 added ``budget_ledger``, the roster's budget cells kept
beside its creators so a restart never refills a budget; version 6 added the syncs' ``creator``
column (the creator a sync was for, so the drop guard judges one creator against itself) and its
index. Column lengths come from :mod:`._valid`, the rules checked before a write.
:func:`migrate` creates a fresh
database at :data:`SCHEMA_VERSION` or upgrades an older one in place, one step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from ..errors import ConfigError
from ._valid import CREATOR_MAX, FORMULA_MAX, PLATFORM_MAX, PROVIDER_MAX, USERNAME_MAX

__all__ = [
    "SCHEMA_VERSION",
    "budget_ledger",
    "creator_platforms",
    "creators",
    "metadata",
    "migrate",
    "quota_state",
    "snapshots",
    "syncs",
    "version_table",
    "webhook_deliveries",
]

SCHEMA_VERSION = 6
_PG_LOCK = 0x48425359  # one advisory lock id, so two processes never migrate at once


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime, stored as a naive UTC timestamp on every dialect."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite's rowid alias needs INTEGER

metadata = sa.MetaData()

version_table = sa.Table(
    "hyperbuds_schema", metadata, sa.Column("version", sa.Integer, nullable=False)
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(PLATFORM_MAX), nullable=False),
    sa.Column("username", sa.String(USERNAME_MAX), nullable=False),
    sa.Column("provider", sa.String(PROVIDER_MAX), nullable=False, server_default=""),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("followers", sa.BigInteger, nullable=False),
    sa.Column("following", sa.BigInteger, nullable=False),
    sa.Column("total_content", sa.BigInteger, nullable=False),
    sa.Column("total_engagement", sa.Float, nullable=True),
    sa.Column("average_engagement", sa.Float, nullable=True),
    sa.Column("formula", sa.String(FORMULA_MAX), nullable=False, server_default=""),
    sa.Column("rounded", sa.Boolean, nullable=False),
    sa.Column("raw", sa.JSON(none_as_null=True), nullable=True),  # version 2
    sa.UniqueConstraint("platform", "username", "provider", "fetched_at", name="uq_snapshots_key"),
)
SNAPSHOT_KEY = ("platform", "username", "provider", "fetched_at")

creator_time_index = sa.Index(  # version 2: "latest at or before t" whatever the provider
    "ix_snapshots_creator_time", snapshots.c.platform, snapshots.c.username, snapshots.c.fetched_at
)

syncs = sa.Table(
    "syncs",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(PLATFORM_MAX), nullable=False),
    sa.Column("username", sa.String(USERNAME_MAX), nullable=True),
    sa.Column("followers", sa.BigInteger, nullable=True),
    sa.Column("engagement", sa.Float, nullable=True),
    sa.Column("synced_at", UTCDateTime, nullable=False),
    sa.Column("total_followers", sa.BigInteger, nullable=True),
    sa.Column("avg_engagement", sa.Float, nullable=True),
    sa.Column("creator", sa.String(CREATOR_MAX), nullable=True),  # version 4
    sa.Index("ix_syncs_platform_time", "platform", "synced_at"),
)
sync_creator_index = sa.Index(  # version 4: the drop guard's "last good sync of this creator"
    "ix_syncs_creator_time", syncs.c.platform, syncs.c.creator, syncs.c.synced_at
)

creators = sa.Table(  # version 3: the roster
    "creators",
    metadata,
    sa.Column("id", sa.String(CREATOR_MAX), primary_key=True),
    sa.Column("priority", sa.Integer, nullable=False, server_default="1"),
    sa.Column("added_at", UTCDateTime, nullable=False),
)

creator_platforms = sa.Table(  # version 3: one row per creator-platform, and its refresh state
    "creator_platforms",
    metadata,
    sa.Column(
        "creator_id",
        sa.String(CREATOR_MAX),
        sa.ForeignKey("creators.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("platform", sa.String(PLATFORM_MAX), primary_key=True),
    sa.Column("username", sa.String(USERNAME_MAX), nullable=False),
    sa.Column("provider", sa.String(PROVIDER_MAX), nullable=True),
    sa.Column("last_fetched_at", UTCDateTime, nullable=True),
    sa.Column("last_synced_at", UTCDateTime, nullable=True),
    sa.Column("synced_followers", sa.BigInteger, nullable=True),
    sa.Column("synced_engagement", sa.Float, nullable=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_at", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.String(300), nullable=True),
)

webhook_deliveries = sa.Table(  # version 3: change events whose delivery failed, for replay
    "webhook_deliveries",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("event", sa.JSON, nullable=False),
    sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
)

quota_state = sa.Table(  # version 4: benches and quota facts that outlive one process
    "quota_state",
    metadata,
    # "provider": name is a provider, key is ""; "key": name is a host, key a key's fingerprint
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("quota_limit", sa.BigInteger, nullable=True),
    sa.Column("remaining", sa.BigInteger, nullable=True),
    sa.Column("reset_at", UTCDateTime, nullable=True),
    sa.Column("benched_until", UTCDateTime, nullable=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

budget_ledger = sa.Table(  # version 5: the roster's budget, one row per provider
    "budget_ledger",
    metadata,
    sa.Column("provider", sa.String(64), primary_key=True),
    sa.Column("pace", sa.String(128), nullable=False, server_default=""),
    sa.Column("cells", sa.JSON, nullable=False),  # [[emission, tolerance, tat], ...], seconds
    sa.Column("spent", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)


def _to_2(conn: Connection) -> None:
    """Version 1 -> 2: the ``raw`` column and the growth index."""
    json_type = sa.JSON().compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE snapshots ADD COLUMN raw {json_type}"))
    creator_time_index.create(conn, checkfirst=True)


def _to_3(conn: Connection) -> None:
    """Version 2 -> 3: the roster's tables and the failed webhook deliveries."""
    for table in (creators, creator_platforms, webhook_deliveries):
        table.create(conn, checkfirst=True)


def _to_4(conn: Connection) -> None:
    """Version 3 -> 4: the benches and quota facts kept between commands."""
    quota_state.create(conn, checkfirst=True)


def _to_5(conn: Connection) -> None:
    """Version 4 -> 5: the roster's budget ledger, kept where the roster is."""
    budget_ledger.create(conn, checkfirst=True)


def _to_6(conn: Connection) -> None:
    """Version 5 -> 6: the syncs' ``creator`` column and its index."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("syncs")}
    if "creator" not in present:
        conn.execute(sa.text(f"ALTER TABLE syncs ADD COLUMN creator VARCHAR({CREATOR_MAX})"))
    sync_creator_index.create(conn, checkfirst=True)


UPGRADES: dict[int, Callable[[Connection], None]] = {
    2: _to_2,
    3: _to_3,
    4: _to_4,
    5: _to_5,
    6: _to_6,
}


def migrate(conn: Connection) -> int:
    """Bring the database to :data:`SCHEMA_VERSION` (in the caller's transaction); return the
    version found (0 for a fresh database)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    if not sa.inspect(conn).has_table(version_table.name):
        metadata.create_all(conn)
        conn.execute(version_table.insert().values(version=SCHEMA_VERSION))
        return 0
    found = int(conn.execute(sa.select(version_table.c.version)).scalar_one())
    if found > SCHEMA_VERSION:
        raise ConfigError(
            f"the history database has schema version {found}, newer than this hyperbuds-sync "
            f"knows ({SCHEMA_VERSION}); upgrade hyperbuds-sync"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        UPGRADES[version](conn)
    if found != SCHEMA_VERSION:
        conn.execute(version_table.update().values(version=SCHEMA_VERSION))
    return found
