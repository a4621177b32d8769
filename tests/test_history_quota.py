"""The history's quota state (schema version 4): provider benches and each host's last quota facts,
kept between commands."""

from __future__ import annotations

import sqlalchemy as sa
from _history import pg_server, store_url  # noqa: F401  (fixtures)

from hyperbuds_sync.history import open_store
from hyperbuds_sync.history._schema import SCHEMA_VERSION, quota_state, version_table


async def test_a_version_3_database_is_upgraded_in_place(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert await store.setup() == 0
        async with store.engine.begin() as conn:  # what a version 3 database is: no quota_state
            await conn.run_sync(quota_state.drop)
            await conn.execute(version_table.update().values(version=3))
        assert await store.setup() == 3
        async with store.engine.begin() as conn:
            columns = await conn.run_sync(
                lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("quota_state")}
            )
            version = (await conn.execute(sa.select(version_table.c.version))).scalar_one()
        assert columns == {c.name for c in quota_state.columns}
        assert version == SCHEMA_VERSION >= 4
        assert await store.setup() == SCHEMA_VERSION
    finally:
        await store.aclose()
