"""The tutorial's script: fetch and sync creators against the emulators. No key, no internet.

Run it with ``python docs/examples/first_sync.py`` (see docs/tutorial.md).
"""

import asyncio

from hyperbuds_sync import ManualEntry, QuotaExceeded, SocialSync
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator


async def main() -> None:
    async with (
        RapidAPIEmulator() as rapidapi,
        BackendEmulator() as backend,
        SocialSync(
            rapidapi_key=TEST_KEY,
            token=TEST_TOKEN,
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
        ) as sync,
    ):
        # --8<-- [start:fetch]
        data = await sync.fetch("tiktok", "@MayaCooks")
        print(f"{data.display_name} (@{data.username} on {data.platform})")
        print(f"  followers {data.followers:,}, videos {data.total_content:,}")
        print(f"  engagement {data.average_engagement:,.2f} per video")
        # --8<-- [end:fetch]

        # --8<-- [start:cache]
        again = await sync.fetch("tiktok", "mayacooks")
        print(f"same record: {again == data}, requests to RapidAPI: {rapidapi.calls}")
        # --8<-- [end:cache]

        # --8<-- [start:sync]
        result = await sync.sync("tiktok", data)
        print(f"backend: {result.message}")
        print(f"  profile total: {result.stats.total_followers:,} followers")
        print(f"  the backend received: {backend.requests[-1].body}")
        # --8<-- [end:sync]

        # --8<-- [start:sync_all]
        report = await sync.sync_all(
            {
                "twitter": "mayacooks",
                "twitch": "pixelmaya",
                "instagram": ManualEntry(followers=93_518, engagement=4.2),
                "tiktok": "notfound_anyone",
            }
        )
        for platform in ("twitter", "twitch", "instagram", "tiktok"):
            outcome = report[platform]
            print(f"  {platform}: {outcome.result.message if outcome.result else outcome.error}")
        twitch = report["twitch"].result
        assert twitch is not None  # it synced: its result holds the backend's profile
        print(f"profile total: {twitch.stats.total_followers:,} followers")
        # --8<-- [end:sync_all]

        # --8<-- [start:quota]
        rapidapi.set_quota(1)  # one request per host and key: hosts already used are spent
        try:
            await sync.fetch("tiktok", "danceduo")
        except QuotaExceeded as exc:
            print(f"{type(exc).__name__} on {exc.host}")
            manual = await sync.sync("tiktok", ManualEntry(followers=58_210))
            print(f"synced by hand instead: {manual.message}")
        stale = await sync.fetch("tiktok", "mayacooks", refresh=True, allow_stale=True)
        print(f"last known value: {stale.followers:,} followers, stale={stale.stale}")
        # --8<-- [end:quota]

        # --8<-- [start:cost]
        for host, status in sync.quota().items():
            print(f"  {host}: {status.remaining} of {status.limit} left")
        print(f"requests to RapidAPI in all: {rapidapi.calls}")
        # --8<-- [end:cost]


asyncio.run(main())
