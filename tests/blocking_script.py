"""A plain script using BlockingSocialSync, run by tests/test_blocking.py as a user would run it.

Configured from the environment (``RAPIDAPI_KEY``, ``HYPERBUDS_TOKEN``, the emulators' URLs in
``HYPERBUDS_RAPIDAPI_ENDPOINT`` and ``HYPERBUDS_API_URL``). ``--in-loop`` runs the same code from
inside a running asyncio event loop, as a notebook cell or an async web handler would. Prints one
JSON line of what it saw.
"""

from __future__ import annotations

import asyncio
import json
import sys

from hyperbuds_sync import BlockingSocialSync, ManualEntry


def main() -> dict[str, object]:
    with BlockingSocialSync.from_env(redis_url="") as sync:
        data = sync.fetch("twitch", "pixelmaya")
        result = sync.sync("twitch", data)
        again = sync.fetch_and_sync("tiktok", "mayacooks")
        report = sync.sync_all({"twitter": "mayacooks", "instagram": ManualEntry(followers=7)})
        quota = sync.quota()
    return {
        "followers": data.followers,
        "synced": result.success,
        "total": again.stats.total_followers,
        "report_ok": sorted(report.succeeded),
        "hosts": sorted(quota),
    }


async def main_in_loop() -> dict[str, object]:
    asyncio.get_running_loop()  # there is a running loop here, as in a notebook cell
    return main()


if __name__ == "__main__":
    out = asyncio.run(main_in_loop()) if "--in-loop" in sys.argv else main()
    print(json.dumps(out))
