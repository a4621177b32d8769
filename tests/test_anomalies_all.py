"""Every creator's anomalies from one read: SQLHistoryStore.histories and
sync.all_anomalies, over a real SQLite history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hyperbuds_sync import ConfigError, InvalidInput, SocialSync
from hyperbuds_sync.history import Snapshot, SnapshotRow, open_store
from hyperbuds_sync.history._store import SQLHistoryStore


def history(platform: str, username: str, now: datetime, jump: float) -> list[Snapshot]:
    """40 daily snapshots ending now: +1%/day, then ``jump`` in the last day, likes steady."""
    out, f = [], 50_000.0
    start = now - timedelta(days=39, hours=12)
    for d in range(40):
        f *= jump if d == 39 else 1.01 + 0.002 * (d % 3)
        out.append(
            Snapshot(
                platform=platform,
                username=username,
                provider="bench",
                fetched_at=start + timedelta(days=d, microseconds=d),
                followers=round(f),
                total_engagement=1e6 + 2e4 * d,
                total_content=d,
            )
        )
    return out


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLHistoryStore]:
    made = open_store(str(tmp_path / "h.db"))
    now = datetime.now(UTC)
    await made.add(history("tiktok", "bought", now, 1.4))
    await made.add(history("tiktok", "steady", now, 1.01))
    await made.add(history("youtube", "bought", now, 1.5))
    yield made
    await made.aclose()


async def test_histories_stream_each_creator_in_order(store: SQLHistoryStore) -> None:
    seen = [(p, u, rows) async for p, u, rows in store.histories()]
    assert [(p, u, len(rows)) for p, u, rows in seen] == [
        ("tiktok", "bought", 40), ("tiktok", "steady", 40), ("youtube", "bought", 40)
    ]  # fmt: skip
    rows = seen[0][2]
    stored = await store.snapshots("tiktok", "bought")
    assert all(isinstance(row, SnapshotRow) for row in rows)
    assert [r.fetched_at for r in rows] == [s.fetched_at for s in stored]  # to the microsecond
    assert rows[0].fetched_at.tzinfo is UTC
    assert [(r.followers, r.total_engagement) for r in rows] == [
        (s.followers, s.total_engagement) for s in stored
    ]
    since = stored[30].fetched_at
    recent = [(p, u, len(r)) async for p, u, r in store.histories(platform="youtube", since=since)]
    assert recent == [("youtube", "bought", 10)]


async def test_all_anomalies_finds_each_creators_own(store: SQLHistoryStore) -> None:
    async with SocialSync(rapidapi_key="k" * 40, history_store=store) as sync:
        found = await sync.all_anomalies(days=30)
        one = await sync.anomalies("tiktok", "bought", days=30)
        on_youtube = await sync.all_anomalies(days=30, platform="youtube")
        with pytest.raises(InvalidInput, match="days must be a number > 0"):
            await sync.all_anomalies(days=0)
    assert sorted(found) == [("tiktok", "bought"), ("youtube", "bought")]  # steady: none
    assert found["tiktok", "bought"] == one  # the same judgement as one creator's call
    assert [a.kind for a in found["youtube", "bought"]] == ["spike"]
    assert list(on_youtube) == [("youtube", "bought")]


class _OneAtATime:
    """A store of one's own: the history protocol, without ``histories()``."""

    def __init__(self, store: SQLHistoryStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name == "histories":
            raise AttributeError(name)
        return getattr(self._store, name)


async def test_all_anomalies_needs_a_history_that_reads_every_creator(
    store: SQLHistoryStore,
) -> None:
    async with SocialSync(rapidapi_key="k" * 40, history_url="") as sync:
        with pytest.raises(ConfigError, match="no history is configured"):
            await sync.all_anomalies()
    async with SocialSync(rapidapi_key="k" * 40, history_store=_OneAtATime(store)) as sync:
        with pytest.raises(ConfigError, match="reads every history at once"):
            await sync.all_anomalies()
