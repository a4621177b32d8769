"""The public API as a user types it; checked with ``mypy --strict`` in the typecheck session.

Not a test module (pytest does not collect it): if a public signature loses or changes its types,
this file stops type-checking.
"""

from __future__ import annotations

import asyncio

from hyperbuds_sync import (
    Anomaly,
    AnomalySettings,
    ApiConfigError,
    BlockingSocialSync,
    ManualEntry,
    PlatformData,
    QuotaExceeded,
    QuotaStatus,
    Settings,
    SocialSync,
    SyncReport,
    SyncResult,
    UsernameNotFound,
    to_dict,
)
from hyperbuds_sync.engagement import Engagement, register
from hyperbuds_sync.platforms import Profile


async def refresh_token() -> str:
    return "fresh-token"


def hearts_only(profile: Profile) -> Engagement:
    likes = float(profile.likes or 0)
    return Engagement(total=likes, average=likes)


async def main() -> None:
    register("hearts_only_typing", hearts_only, replace=True)
    async with SocialSync.from_env(token=refresh_token, cache_ttl=60.0) as sync:
        try:
            data: PlatformData = await sync.fetch("twitch", "some_streamer", refresh=True)
        except (QuotaExceeded, UsernameNotFound, ApiConfigError):
            result: SyncResult = await sync.sync("twitch", ManualEntry(followers=10))
        else:
            result = await sync.sync("twitch", data)
            camel: dict[str, object] = to_dict(data)
            engagement = data.average_engagement  # float | None since issue 12
            print(camel["displayName"], data.provider, (engagement or 0.0) + 1.0)
        print(result.stats.total_followers + 1, result.message.upper())
        report: SyncReport = await sync.sync_all({"tiktok": "a", "twitch": ManualEntry(5, 1.5)})
        print(report.ok, {p: o.error for p, o in report.failed.items()})
        quota: dict[str, QuotaStatus] = sync.quota()
        print({host: status.remaining for host, status in quota.items()})
        strict = AnomalySettings(spike_score=15.0, spike_change=0.10)
        found: list[Anomaly] = await sync.anomalies("tiktok", "a", days=30, settings=strict)
        print([(a.kind, a.start.isoformat(), a.change * 100, a.explain) for a in found])
        print(len((await sync.growth("tiktok", "a")).anomalies))


def main_blocking() -> None:
    with BlockingSocialSync.from_env(token=lambda: "fresh-token") as sync:
        data: PlatformData = sync.fetch("twitch", "some_streamer", allow_stale=True)
        result: SyncResult = sync.sync("twitch", data)
        again: SyncResult = sync.fetch_and_sync("tiktok", "a", refresh=True)
        report: SyncReport = sync.sync_all({"twitch": ManualEntry(followers=5)})
        quota: dict[str, QuotaStatus] = sync.quota()
        print(result.success, again.message, report.ok, len(quota), sync.metrics.get("retries"))
        spikes: list[Anomaly] = [a for a in sync.anomalies("tiktok", "a") if a.kind == "spike"]
        print(len(spikes))


def blocking_arguments() -> None:
    """The blocking client's arguments are SocialSync's, as the type checker sees them: a wrong
    one is an error (the ignore below would be unused, an error itself, if it were not)."""
    settings = Settings(rapidapi_keys=("key",), api_url="https://api.example.com")
    with BlockingSocialSync(settings=settings, cache_ttl=60.0, redis_url="") as sync:
        print(sync.platforms.names())
    BlockingSocialSync(no_such_argument=1)  # type: ignore[call-arg]
    BlockingSocialSync(cache_ttl="sixty")  # type: ignore[arg-type]


if __name__ == "__main__":
    asyncio.run(main())
    main_blocking()
