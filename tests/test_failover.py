"""Chains of providers (issue 12): failover, benches, attempts, provenance, official APIs.

End to end on the emulators over loopback sockets; benches shared by two clients through a real
Redis server (the session's, from conftest).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hyperbuds_sync import (
    ConfigError,
    ProviderUnavailable,
    QuotaExceeded,
    SocialSync,
    UsernameNotFound,
)
from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_TOKEN,
    TEST_TWITCH_CLIENT_ID,
    TEST_TWITCH_CLIENT_SECRET,
    TEST_X_TOKEN,
    TEST_YOUTUBE_KEY,
    BackendEmulator,
    Fault,
    OfficialEmulator,
    RapidAPIEmulator,
)

MONTHLY = {"message": "You have exceeded the MONTHLY quota for Requests on your current plan"}
API23 = "tiktok-api23.p.rapidapi.com"
API45 = "tiktok-api45.p.rapidapi.com"
TIKTOK_CHAIN = {"tiktok": ["tiktok-api23", "tiktok-api45"]}


@pytest.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator]]:
    async with RapidAPIEmulator() as rapid, OfficialEmulator() as official, BackendEmulator() as be:
        yield rapid, official, be


def client(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator], **options: Any
) -> SocialSync:
    rapid, official, be = emulators
    hosts = ("api.x.com", "api.twitch.tv", "id.twitch.tv", "www.googleapis.com")
    settings: dict[str, Any] = {
        "rapidapi_key": TEST_KEY,
        "token": TEST_TOKEN,
        "rapidapi_endpoint": rapid.url,
        "api_url": be.url,
        "endpoints": dict.fromkeys(hosts, official.url),
        "redis_url": "",
    }
    settings.update(options)
    return SocialSync(**settings)


async def test_api23_out_of_quota_then_api45_answers_and_api23_is_not_asked_again(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    rapid.fail("mayacooks", Fault.status(429, MONTHLY), provider="tiktok-api23")
    async with client(emulators, providers=TIKTOK_CHAIN) as sync:
        data = await sync.fetch("tiktok", "mayacooks")
        assert (data.provider, data.followers, data.formula) == (
            "tiktok-api45",
            1_204_377,
            "legacy",
        )
        assert data.to_dict()["provider"] == "tiktok-api45"
        asked = rapid.calls_for(API23)
        again = await sync.fetch("tiktok", "mayacooks", refresh=True)
        assert again.provider == "tiktok-api45"
        assert rapid.calls_for(API23) == asked  # benched: no request at all
        states = {s.provider: s for s in (await sync.providers())["tiktok"]}
    assert not states["tiktok-api23"].available
    assert states["tiktok-api23"].benched_until is not None
    assert states["tiktok-api23"].reason == "quota exceeded"
    assert states["tiktok-api45"].available


async def test_every_provider_out_of_quota_is_quota_exceeded_with_attempts(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    rapid.fail("mayacooks", Fault.status(429, MONTHLY))
    async with client(emulators, providers=TIKTOK_CHAIN) as sync:
        with pytest.raises(QuotaExceeded) as info:
            await sync.fetch("tiktok", "mayacooks")
    assert [name for name, _ in info.value.attempts] == ["tiktok-api23", "tiktok-api45"]
    assert all(isinstance(e, QuotaExceeded) for _, e in info.value.attempts)
    assert info.value.reset_at is not None


async def test_mixed_failures_raise_the_first_providers_error(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    rapid.fail("mayacooks", Fault.status(503), provider="tiktok-api23")
    rapid.fail("mayacooks", Fault.status(429, MONTHLY), provider="tiktok-api45")
    async with client(emulators, providers=TIKTOK_CHAIN, max_tries=2) as sync:
        with pytest.raises(ProviderUnavailable) as info:
            await sync.fetch("tiktok", "mayacooks")
    assert rapid.calls_for(API23) == 2  # its own retries first
    assert info.value.provider == "tiktok-api23"
    kinds = [(n, type(e).__name__) for n, e in info.value.attempts]
    assert kinds == [("tiktok-api23", "ProviderUnavailable"), ("tiktok-api45", "QuotaExceeded")]


async def test_a_wrong_shape_moves_on_and_a_not_found_does_not(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    rapid.fail("mayacooks", Fault.wrong_shape(), provider="tiktok-api23")
    async with client(emulators, providers=TIKTOK_CHAIN) as sync:
        assert (await sync.fetch("tiktok", "mayacooks")).provider == "tiktok-api45"
        with pytest.raises(UsernameNotFound):
            await sync.fetch("tiktok", "nobody_at_all")
    assert rapid.calls_for(API45, "nobody_at_all") == 0


async def test_stale_is_served_when_the_whole_chain_fails(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    async with client(emulators, providers=TIKTOK_CHAIN) as sync:
        first = await sync.fetch("tiktok", "mayacooks")
        rapid.fail("mayacooks", Fault.status(429, MONTHLY))
        stale = await sync.fetch("tiktok", "mayacooks", allow_stale=True, refresh=True)
    assert stale.stale
    assert stale.followers == first.followers


async def test_a_provider_named_without_credentials_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET"):
        SocialSync(providers={"twitch": ["twitch-helix"]}, redis_url="")
    with pytest.raises(ConfigError, match="YOUTUBE_API_KEY"):
        SocialSync(providers={"youtube": ["youtube138", "youtube-data-api"]}, redis_url="")
    with pytest.raises(ConfigError, match="unknown provider"):
        SocialSync(providers={"tiktok": ["tiktok-api99"]}, redis_url="")


async def test_the_default_chain_puts_the_official_provider_first_when_it_can(
    monkeypatch: pytest.MonkeyPatch,
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    monkeypatch.setenv("HYPERBUDS_PROVIDERS", "instagram=instagram-scraper-api2")
    async with client(emulators, x_bearer_token=TEST_X_TOKEN) as sync:
        chains = {p: [s.provider for s in rows] for p, rows in (await sync.providers()).items()}
        data = await sync.fetch("twitter", "mayacooks")
    assert chains["twitter"] == ["x-api", "twitter241"]
    assert chains["tiktok"] == ["tiktok-api23"]  # a second RapidAPI provider only when named
    assert chains["instagram"] == ["instagram-scraper-api2"]
    assert chains["youtube"] == ["youtube138"]
    assert (data.provider, data.followers) == ("x-api", 256_410)


async def test_youtube_quota_benches_the_data_api_until_midnight_pacific(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    _rapid, _official, be = emulators
    chain = {"youtube": ["youtube-data-api", "youtube138"]}
    async with OfficialEmulator(youtube_units=1) as spent:
        hosts = {"www.googleapis.com": spent.url}
        async with client(
            emulators, providers=chain, youtube_api_key=TEST_YOUTUBE_KEY, endpoints=hosts
        ) as sync:
            first = await sync.fetch("youtube", "@MayaCooks")
            second = await sync.fetch("youtube", "UC7xQm3Lp9aZk2Rt5Vb8Nc1w")
            asked = spent.calls_for("youtube")
            third = await sync.fetch("youtube", "mayacooks", refresh=True)
            states = {s.provider: s for s in (await sync.providers())["youtube"]}
            quota = sync.quota()["www.googleapis.com"]
            result = await sync.sync("youtube", third)
        assert spent.calls_for("youtube") == asked  # benched: no request to the spent API
        assert spent.keys_in_url == 0
    assert (first.provider, first.rounded) == ("youtube-data-api", True)
    assert (second.provider, third.provider) == ("youtube138", "youtube138")
    until = states["youtube-data-api"].benched_until
    assert until is not None
    assert quota.remaining == 0
    local = until.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute) == (0, 0)
    assert until > datetime.now(UTC)
    assert result.success
    assert be.requests[-1].path.endswith("/profiles/social-sync/youtube")


async def test_helix_token_is_fetched_once_and_renewed_once_on_a_401(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
    secret_sweep: Any,
) -> None:
    _rapid, official, _be = emulators
    async with client(
        emulators,
        providers={"twitch": ["twitch-helix"]},
        twitch_client_id=TEST_TWITCH_CLIENT_ID,
        twitch_client_secret=TEST_TWITCH_CLIENT_SECRET,
    ) as sync:
        data = await sync.fetch("twitch", "pixelmaya")
        await sync.fetch("twitch", "pixelmaya", refresh=True)
        assert official.token_requests == 1
        token = sync._gateway._twitch
        secret_sweep(token._token)
        official.expire_tokens()  # the next call gets a 401
        await sync.fetch("twitch", "pixelmaya", refresh=True)
        assert official.token_requests == 2
        secret_sweep(token._token)
        assert "<set>" in repr(token)
        assert str(token._token) not in repr(token)
    assert (data.provider, data.followers) == ("twitch-helix", 184_233)
    assert data.average_engagement is None  # no views on Helix: nothing to compute from


async def test_benches_are_shared_by_two_clients_through_redis(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator], redis_url: str
) -> None:
    rapid, _official, _be = emulators
    rapid.fail("mayacooks", Fault.status(429, MONTHLY), provider="tiktok-api23")
    first = client(emulators, providers=TIKTOK_CHAIN, redis_url=redis_url)
    second = client(emulators, providers=TIKTOK_CHAIN, redis_url=redis_url)
    async with first, second:
        assert (await first.fetch("tiktok", "mayacooks")).provider == "tiktok-api45"
        asked = rapid.calls_for(API23)
        data = await second.fetch("tiktok", "danceduo", refresh=True)
        states = {s.provider: s for s in (await second.providers())["tiktok"]}
    assert rapid.calls_for(API23) == asked  # the other client's bench held
    assert data.provider == "tiktok-api45"
    assert not states["tiktok-api23"].available


async def test_fetch_with_one_provider(
    emulators: tuple[RapidAPIEmulator, OfficialEmulator, BackendEmulator],
) -> None:
    rapid, _official, _be = emulators
    async with client(emulators) as sync:
        data = await sync.fetch("tiktok", "mayacooks", provider="tiktok-api45")
    assert data.provider == "tiktok-api45"
    assert rapid.calls_for(API23) == 0
