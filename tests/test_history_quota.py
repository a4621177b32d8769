"""The history's quota state (schema version 4): provider benches and each host's last quota facts,
kept between commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hyperbuds_sync import KeyQuota, QuotaStatus
from hyperbuds_sync.history import open_store, quota_memory
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


T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _status(host: str, *keys: KeyQuota) -> QuotaStatus:
    return QuotaStatus(host=host, keys=keys)


async def test_benches_and_quota_facts_outlive_the_process_until_they_are_over(
    store_url: str,
) -> None:
    spent = KeyQuota("fp-1", limit=100, remaining=0, reset_at=T + timedelta(hours=2))
    benched = KeyQuota("fp-2", benched_until=T + timedelta(minutes=5))
    unknown = KeyQuota("fp-3")  # nothing known: nothing kept
    first = open_store(store_url)
    try:
        memory = quota_memory(first)
        await memory.save(
            {"api.example": _status("api.example", spent, benched, unknown)},
            {"tiktok-api23": T + timedelta(hours=2), "tiktok-api45": T + timedelta(minutes=1)},
            now=T,
        )
        # a later save without a fact keeps the stored one
        await memory.save({"api.example": _status("api.example", KeyQuota("fp-1"))}, {}, now=T)
    finally:
        await first.aclose()
    second = open_store(store_url)  # another process, later
    try:
        kept = await quota_memory(second).load(now=T + timedelta(minutes=3))
        assert kept.benches == {"tiktok-api23": T + timedelta(hours=2)}
        keys = {k.fingerprint: k for k in kept.quota["api.example"].keys}
        assert set(keys) == {"fp-1", "fp-2"}
        assert (keys["fp-1"].limit, keys["fp-1"].remaining) == (100, 0)
        assert keys["fp-1"].reset_at == T + timedelta(hours=2)
        assert keys["fp-2"].benched_until == T + timedelta(minutes=5)
        later = await quota_memory(second).load(now=T + timedelta(hours=3))
        assert (later.quota, later.benches) == ({}, {})  # over: left out and deleted
    finally:
        await second.aclose()
