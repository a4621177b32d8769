"""One process writing to a shared history: ``python tests/history_worker.py ENDPOINT URL N``.

Fetches creators ``shared0`` .. ``shared{N-1}`` on Twitch with ``refresh=True`` (every fetch a
fresh snapshot) and backfills the same three fixed snapshots, then prints one JSON line
``{"fetched": N}``. Run twice at once by ``tests/test_history_sync.py``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

from hyperbuds_sync import SocialSync
from hyperbuds_sync.history import Snapshot

KEY = "history-worker-key-0123456789abcdef"
BACKFILL = [
    Snapshot(
        platform="twitch",
        username="backfilled",
        fetched_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=day),
        followers=100 + day,
    )
    for day in range(3)
]


async def main(endpoint: str, url: str, count: int) -> None:
    async with SocialSync(
        rapidapi_key=KEY, rapidapi_endpoint=endpoint, redis_url="", history_url=url
    ) as sync:
        await asyncio.gather(
            *(sync.fetch("twitch", f"shared{i}", refresh=True) for i in range(count))
        )
        await sync.history_store.add(BACKFILL)
    print(json.dumps({"fetched": count}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
