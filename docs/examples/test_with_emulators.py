"""Testing code that uses hyperbuds-sync, with the emulators and the pytest plugin's fixtures.

Run it with ``python -m pytest docs/examples/test_with_emulators.py`` (see docs/testing.md). The
fixtures come from the plugin that installing hyperbuds-sync registers; async tests need
pytest-asyncio (here ``asyncio_mode = "auto"``).
"""

import pytest

from hyperbuds_sync import (
    BackendUnavailable,
    BackendValidationError,
    ManualEntry,
    ProviderUnavailable,
    QuotaExceeded,
    SocialSync,
    UsernameNotFound,
)
from hyperbuds_sync.testing import (
    TEST_TOKEN,
    BackendEmulator,
    Creator,
    Fault,
    RapidAPIEmulator,
    quick_loop,
)


# --8<-- [start:basic]
async def test_fetch_then_sync(social_sync: SocialSync, backend_emulator: BackendEmulator) -> None:
    data = await social_sync.fetch("twitch", "pixelmaya")
    result = await social_sync.sync("twitch", data)

    assert data.followers == 184_233
    assert result.stats.total_followers == 184_233
    (request,) = backend_emulator.requests
    assert request.path == "/api/v1/profiles/social-sync/twitch"
    # Twitch gives nothing to compute engagement from (no views since 2022): it is left out
    assert request.body == {"followers": 184_233}


async def test_unknown_creator(social_sync: SocialSync) -> None:
    with pytest.raises(UsernameNotFound):
        await social_sync.fetch("instagram", "notfound_anyone")


# --8<-- [end:basic]


# --8<-- [start:creator]
async def test_your_own_creator(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    rapidapi_emulator.add_creator(
        "tiktok", Creator("chef_ana", "Chef Ana", followers=5_000, posts=50, likes=100_000)
    )
    data = await social_sync.fetch("tiktok", "@Chef_Ana")

    assert data.display_name == "Chef Ana"
    assert data.average_engagement == 2_000.0  # hearts per video, the "legacy" formula


# --8<-- [end:creator]


# --8<-- [start:faults]
async def test_a_short_outage_is_retried(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    rapidapi_emulator.fail("pixelmaya", Fault.status(503), times=2)
    data = await social_sync.fetch("twitch", "pixelmaya")

    assert data.followers == 184_233
    assert rapidapi_emulator.calls == 3
    assert social_sync.metrics.get("retries") == 2


async def test_a_long_outage_serves_the_last_value(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    fresh = await social_sync.fetch("twitch", "pixelmaya")
    rapidapi_emulator.fail("pixelmaya", Fault.status(503))  # every call from now on

    with pytest.raises(ProviderUnavailable):
        await social_sync.fetch("twitch", "pixelmaya", refresh=True)
    stale = await social_sync.fetch("twitch", "pixelmaya", refresh=True, allow_stale=True)
    assert stale.stale
    assert stale.followers == fresh.followers


# --8<-- [end:faults]


# --8<-- [start:quota]
async def test_spent_quota_falls_back_to_manual_entry(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    rapidapi_emulator.set_quota(0)

    with pytest.raises(QuotaExceeded):
        await social_sync.fetch("tiktok", "mayacooks")
    with pytest.raises(QuotaExceeded):  # the key is benched now: no request at all
        await social_sync.fetch("tiktok", "danceduo")
    assert rapidapi_emulator.calls == 1

    result = await social_sync.sync("tiktok", ManualEntry(followers=1_000))
    assert result.stats.platform_breakdown["tiktok"].followers == 1_000


# --8<-- [end:quota]


# --8<-- [start:backend]
async def test_backend_outage(social_sync: SocialSync, backend_emulator: BackendEmulator) -> None:
    backend_emulator.fail("twitch", 503)

    with pytest.raises(BackendUnavailable):
        await social_sync.sync("twitch", ManualEntry(followers=10))
    assert len(backend_emulator.requests) == 3  # max_tries attempts


async def test_one_platform_refused_in_a_batch(
    social_sync: SocialSync, backend_emulator: BackendEmulator
) -> None:
    backend_emulator.fail("twitch", 422)
    report = await social_sync.sync_all(
        {"twitch": ManualEntry(followers=1), "tiktok": ManualEntry(followers=2)}
    )

    assert list(report.succeeded) == ["tiktok"]
    assert isinstance(report["twitch"].error, BackendValidationError)


# --8<-- [end:backend]


# --8<-- [start:wiring]
async def test_calls_spread_over_the_key_pool(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    requests = quick_loop()  # retries without the waits between them
    async with SocialSync(
        rapidapi_keys=["key-one", "key-two"],
        token=TEST_TOKEN,
        rapidapi_endpoint=rapidapi_emulator.url,
        api_url=backend_emulator.url,
        session=requests,
    ) as sync:
        await sync.fetch("twitch", "pixelmaya")
        await sync.fetch("twitch", "smallstreamer")
    await requests.aclose()

    assert rapidapi_emulator.calls_for(key="key-one") == 1
    assert rapidapi_emulator.calls_for(key="key-two") == 1


# --8<-- [end:wiring]
