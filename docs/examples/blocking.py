"""BlockingSocialSync in a plain script: the same calls as SocialSync, without await.

Configured from the environment: ``RAPIDAPI_KEY`` and ``HYPERBUDS_TOKEN``, and for the emulators
(``hyperbuds-sync emulate`` in another shell) ``HYPERBUDS_RAPIDAPI_ENDPOINT`` and
``HYPERBUDS_API_URL`` set to the URLs it prints. tests/test_blocking.py runs it so.
"""

from hyperbuds_sync import BlockingSocialSync, ManualEntry, to_pandas

# --8<-- [start:blocking]
with BlockingSocialSync.from_env() as sync:
    data = sync.fetch("twitch", "pixelmaya")
    print(f"{data.display_name}: {data.followers:,} followers")
    result = sync.sync("twitch", data)
    print(result.message)
    report = sync.sync_all({"tiktok": "mayacooks", "instagram": ManualEntry(followers=93_518)})
    print(report)  # one line per platform
    print(to_pandas(report)[["platform", "ok", "followers"]])  # needs the pandas extra
# --8<-- [end:blocking]
