"""SocialSync end to end over real loopback sockets, through both emulators."""

from __future__ import annotations

import asyncio
import json
import math

import aiohttp
import pytest

from hyperbuds_sync import (
    ApiConfigError,
    BackendConfigError,
    InvalidStats,
    InvalidUsername,
    ManualEntry,
    PlatformData,
    QuotaExceeded,
    SocialSync,
    SyncResult,
    UnknownFormula,
    UnknownPlatform,
    UsernameNotFound,
)
from hyperbuds_sync import metrics as m
from hyperbuds_sync.models import RawAnswer
from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_TOKEN,
    BackendEmulator,
    Fault,
    RapidAPIEmulator,
)

SEEDED = {
    "tiktok": ("mayacooks", 1_204_377),
    "twitter": ("mayacooks", 256_410),
    "twitch": ("pixelmaya", 184_233),
    "instagram": ("maya.cooks", 93_518),
}


def wired(emu: RapidAPIEmulator, be: BackendEmulator, **kwargs: object) -> SocialSync:
    options: dict[str, object] = {
        "rapidapi_key": TEST_KEY,
        "token": TEST_TOKEN,
        "rapidapi_endpoint": emu.url,
        "api_url": be.url,
    }
    options.update(kwargs)
    return SocialSync(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("platform", sorted(SEEDED))
async def test_each_platform_is_fetched_and_synced(
    social_sync: SocialSync, backend_emulator: BackendEmulator, platform: str
) -> None:
    username, followers = SEEDED[platform]
    data = await social_sync.fetch(platform, username)
    assert data.platform == platform
    assert data.username == username
    assert data.followers == followers
    assert data.last_fetched.tzinfo is not None
    result = await social_sync.sync(platform, data)
    assert result.success
    assert result.stats.platform_breakdown[platform].followers == followers
    assert result.stats.total_followers == followers
    (request,) = backend_emulator.requests
    assert request.path.endswith(f"/profiles/social-sync/{platform}")
    expected = {"followers": followers, "engagement": data.average_engagement}
    if data.average_engagement is None:  # Twitch: nothing to compute it from, left out
        del expected["engagement"]
    assert request.body == expected


async def test_legacy_engagement_matches_the_old_frontend(social_sync: SocialSync) -> None:
    tiktok = await social_sync.fetch("tiktok", "mayacooks")
    assert tiktok.total_engagement == 48_571_902
    assert tiktok.average_engagement == pytest.approx(48_571_902 / 842)
    twitter = await social_sync.fetch("twitter", "mayacooks")
    assert twitter.average_engagement == pytest.approx((18_342 + 9_731 * 10) / 9_731)
    twitch = await social_sync.fetch("twitch", "oldschool")
    assert twitch.average_engagement == twitch.total_engagement == 1_250_000


async def test_a_formula_per_call_recomputes_from_the_cached_answer(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    legacy = await social_sync.fetch("tiktok", "mayacooks")
    rate = await social_sync.fetch("tiktok", "mayacooks", formula="rate")
    assert rapidapi_emulator.calls == 1
    assert rate.followers == legacy.followers
    assert rate.average_engagement == pytest.approx(48_571_902 / 842 / 1_204_377 * 100, rel=1e-3)
    assert rate.average_engagement != legacy.average_engagement


async def test_a_fetched_record_keeps_the_answer_as_its_bytes(social_sync: SocialSync) -> None:
    """The record keeps the provider's answer as the bytes it came as (no decoded objects held
    by the cache), and reads as the decoded answer."""
    data = await social_sync.fetch("tiktok", "mayacooks")
    assert isinstance(data.raw, RawAnswer)
    (body,) = data.raw.bodies
    assert json.loads(body) == dict(data.raw)
    assert data.raw["userInfo"]["user"]["uniqueId"] == "mayacooks"


async def test_usernames_are_canonical_in_the_cache_key(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    a = await social_sync.fetch("TikTok", " @MayaCooks ")
    b = await social_sync.fetch("tiktok", "mayacooks")
    assert a == b
    assert rapidapi_emulator.calls == 1


async def test_hundred_concurrent_fetches_of_one_key_make_one_upstream_call(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    results = await asyncio.gather(*(social_sync.fetch("twitch", "pixelmaya") for _ in range(100)))
    assert rapidapi_emulator.calls == 1
    assert {r.followers for r in results} == {184_233}
    assert social_sync.metrics.get(m.UPSTREAM_CALLS, "twitch") == 1
    assert social_sync.metrics.get(m.COALESCED, "twitch") == 99


async def test_refresh_bypasses_the_cache_and_ttl_expires(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    async with wired(rapidapi_emulator, backend_emulator, cache_ttl=0.05) as sync:
        await sync.fetch("twitch", "pixelmaya")
        await sync.fetch("twitch", "pixelmaya")
        assert rapidapi_emulator.calls == 1
        await sync.fetch("twitch", "pixelmaya", refresh=True)
        assert rapidapi_emulator.calls == 2
        await asyncio.sleep(0.12)
        await sync.fetch("twitch", "pixelmaya")
        assert rapidapi_emulator.calls == 3


@pytest.mark.parametrize(
    ("platform", "username", "error"),
    [
        ("tiktok", "a/b", InvalidUsername),
        ("twitter", "has space", InvalidUsername),
        ("instagram", "../etc", InvalidUsername),
        ("twitch", "naïve", InvalidUsername),
        ("myspace", "tom", UnknownPlatform),
    ],
)
async def test_bad_input_makes_no_request(
    social_sync: SocialSync,
    rapidapi_emulator: RapidAPIEmulator,
    platform: str,
    username: str,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await social_sync.fetch(platform, username)
    assert rapidapi_emulator.calls == 0


async def test_unknown_formula_fails_before_io(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    with pytest.raises(UnknownFormula, match="legacy"):
        await social_sync.fetch("tiktok", "mayacooks", formula="nope")
    assert rapidapi_emulator.calls == 0
    with pytest.raises(UnknownFormula):
        SocialSync(formula="nope")


async def test_nan_engagement_makes_no_request(
    social_sync: SocialSync, backend_emulator: BackendEmulator
) -> None:
    with pytest.raises(InvalidStats):
        await social_sync.sync("tiktok", ManualEntry(followers=10, engagement=math.nan))
    data = PlatformData("tiktok", "x", followers=10, average_engagement=math.inf)
    with pytest.raises(InvalidStats):
        await social_sync.sync("tiktok", data)
    assert backend_emulator.requests == []


async def test_not_found_is_typed_with_the_old_message_and_asked_once(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    with pytest.raises(UsernameNotFound) as info:
        await social_sync.fetch("twitch", "nobody_here")
    assert (
        str(info.value) == 'Username "nobody_here" not found on twitch. Please check the spelling.'
    )
    assert info.value.platform == "twitch"
    assert rapidapi_emulator.calls == 1


async def test_a_503_is_retried_three_times_then_succeeds_or_fails(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    rapidapi_emulator.fail("pixelmaya", Fault.status(503), times=2)
    data = await social_sync.fetch("twitch", "pixelmaya")
    assert data.followers == 184_233
    assert rapidapi_emulator.calls == 3
    assert social_sync.metrics.get(m.RETRIES) == 2


async def test_missing_key_raises_at_first_fetch_naming_the_variable(
    backend_emulator: BackendEmulator, rapidapi_emulator: RapidAPIEmulator
) -> None:
    async with SocialSync(
        token=TEST_TOKEN, api_url=backend_emulator.url, rapidapi_endpoint=rapidapi_emulator.url
    ) as sync:
        with pytest.raises(ApiConfigError, match="RAPIDAPI_KEY"):
            await sync.fetch("twitch", "pixelmaya")
        result = await sync.sync("twitch", ManualEntry(followers=500, engagement=2.5))
    assert result.stats.total_followers == 500
    assert rapidapi_emulator.calls == 0


async def test_missing_token_raises_at_first_sync(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    async with SocialSync(
        rapidapi_key=TEST_KEY, rapidapi_endpoint=rapidapi_emulator.url, api_url=backend_emulator.url
    ) as sync:
        data = await sync.fetch("twitch", "pixelmaya")
        with pytest.raises(BackendConfigError, match="HYPERBUDS_TOKEN"):
            await sync.sync("twitch", data)
    assert backend_emulator.requests == []


async def test_from_env_reads_the_documented_variables(
    monkeypatch: pytest.MonkeyPatch,
    rapidapi_emulator: RapidAPIEmulator,
    backend_emulator: BackendEmulator,
) -> None:
    monkeypatch.setenv("NEXT_PUBLIC_RAPIDAPI_KEY", TEST_KEY)
    monkeypatch.setenv("HYPERBUDS_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("HYPERBUDS_API_URL", backend_emulator.url)
    monkeypatch.setenv("HYPERBUDS_RAPIDAPI_ENDPOINT", rapidapi_emulator.url)
    async with SocialSync.from_env() as sync:
        result = await sync.fetch_and_sync("instagram", "maya.cooks")
    assert isinstance(result, SyncResult)
    assert result.stats.platform_breakdown["instagram"].followers == 93_518


async def test_a_callable_token_is_read_on_each_sync(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    seen: list[str] = []

    async def token() -> str:
        seen.append("read")
        return TEST_TOKEN

    async with wired(rapidapi_emulator, backend_emulator, token=token) as sync:
        await sync.sync("tiktok", ManualEntry(1))
        await sync.sync("twitch", ManualEntry(2))
    assert len(seen) == 2


async def test_sync_all_reports_every_platform_when_one_fails(
    social_sync: SocialSync, backend_emulator: BackendEmulator
) -> None:
    report = await social_sync.sync_all(
        {
            "tiktok": "mayacooks",
            "twitch": "nobody_here",
            "instagram": ManualEntry(followers=93_518, engagement=4.2),
            "twitter": "bad name!",
        }
    )
    assert set(report.outcomes) == {"tiktok", "twitch", "instagram", "twitter"}
    assert report.ok
    assert report["tiktok"].ok
    assert report["instagram"].ok
    assert isinstance(report["twitch"].error, UsernameNotFound)
    assert isinstance(report["twitter"].error, InvalidUsername)
    assert report["tiktok"].result is not None
    assert backend_emulator.profile()["stats"]["totalFollowers"] == 1_204_377 + 93_518


async def test_quota_gone_mid_sync_all_gives_a_typed_outcome_for_every_platform(
    backend_emulator: BackendEmulator,
) -> None:
    async with (
        RapidAPIEmulator(quota=3, quota_per_host=False) as emu,
        wired(emu, backend_emulator) as sync,
    ):
        await sync.fetch("tiktok", "mayacooks")  # cached before the quota runs out
        report = await sync.sync_all(
            {
                "tiktok": "mayacooks",
                "twitter": "mayacooks",
                "twitch": "pixelmaya",
                "instagram": "maya.cooks",
            }
        )
        assert emu.calls == 4  # one each; the quota answer is never retried
    assert set(report.outcomes) == set(SEEDED)
    assert report.ok
    assert report["tiktok"].ok
    spent = [p for p, o in report.outcomes.items() if isinstance(o.error, QuotaExceeded)]
    synced = [p for p, o in report.outcomes.items() if o.ok]
    assert len(spent) == 1
    assert len(synced) == 3
    assert report[spent[0]].result is None


async def test_quota_gone_degrades_to_stale_and_manual_entry(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    async with wired(rapidapi_emulator, backend_emulator, cache_ttl=0.01) as sync:
        first = await sync.fetch("twitch", "pixelmaya")
        await asyncio.sleep(0.03)
        rapidapi_emulator.set_quota(0)
        with pytest.raises(QuotaExceeded):
            await sync.fetch("twitch", "pixelmaya")
        stale = await sync.fetch("twitch", "pixelmaya", allow_stale=True)
        assert stale.stale
        assert stale.followers == first.followers
        assert not first.stale
        with pytest.raises(QuotaExceeded):
            await sync.fetch("twitch", "smallstreamer", allow_stale=True)
        result = await sync.sync("twitch", ManualEntry(followers=87))
        assert result.success
        assert sync.metrics.get(m.STALE_SERVED, "twitch") == 1


async def test_quota_shows_the_gateway_headers(social_sync: SocialSync) -> None:
    assert social_sync.quota() == {}
    await social_sync.fetch("tiktok", "mayacooks")
    status = social_sync.quota()["tiktok-api23.p.rapidapi.com"]
    assert status.limit is not None
    assert status.remaining is not None
    assert status.remaining < status.limit
    (key,) = status.keys
    assert TEST_KEY not in key.fingerprint
    assert key.calls == 1


async def test_sync_with_a_username_fetches_first(
    social_sync: SocialSync, backend_emulator: BackendEmulator
) -> None:
    result = await social_sync.sync("twitch", "pixelmaya")
    assert result.success
    assert backend_emulator.profile()["stats"]["totalFollowers"] == SEEDED["twitch"][1]
    with pytest.raises(UsernameNotFound):
        await social_sync.sync("twitch", "nobody_here")
    assert len(backend_emulator.requests) == 1


async def test_sync_all_posts_each_platform_by_default(
    rapidapi_emulator: RapidAPIEmulator,
) -> None:
    items = {"tiktok": ManualEntry(10, 1.0), "twitch": ManualEntry(20, 3.0)}
    async with BackendEmulator() as be, wired(rapidapi_emulator, be) as sync:
        report = await sync.sync_all(items)
        paths = sorted(r.path.rsplit("/", 1)[-1] for r in be.requests)
    assert report.ok
    assert paths == ["tiktok", "twitch"]
    assert report["twitch"].result is not None
    assert report["twitch"].result.stats.total_followers == 30


async def test_use_batch_uses_a_batch_endpoint_and_survives_the_real_backend(
    rapidapi_emulator: RapidAPIEmulator,
) -> None:
    items = {"tiktok": ManualEntry(10, 1.0), "twitch": ManualEntry(20, 3.0)}
    async with (
        BackendEmulator(batch=True) as be,
        wired(rapidapi_emulator, be, use_batch=True) as sync,
    ):
        await sync.sync_all(items)
        assert [r.path.rsplit("/", 1)[-1] for r in be.requests] == ["batch"]
    async with BackendEmulator() as real, wired(rapidapi_emulator, real, use_batch=True) as sync:
        first = await sync.sync_all(items)  # the batch is answered 400 "Invalid platform type"
        second = await sync.sync_all(items)
        paths = [r.path.rsplit("/", 1)[-1] for r in real.requests]
    assert first.ok
    assert second.ok
    assert paths.count("batch") == 1
    assert sorted(p for p in paths if p != "batch") == ["tiktok", "tiktok", "twitch", "twitch"]


async def test_a_borrowed_session_is_used_for_both_sides_and_left_open(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    async with aiohttp.ClientSession() as session:
        async with wired(rapidapi_emulator, backend_emulator, session=session) as sync:
            await sync.fetch_and_sync("twitch", "pixelmaya")
        assert not session.closed
        async with session.get(rapidapi_emulator.url) as resp:
            assert resp.status in (401, 404)


async def test_repr_shows_no_secret(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator
) -> None:
    async with wired(rapidapi_emulator, backend_emulator) as sync:
        text = repr(sync) + repr(sync.backend) + repr(sync._gateway)
    assert TEST_KEY not in text
    assert TEST_TOKEN not in text


async def test_quota_error_says_when_the_first_key_comes_back(
    backend_emulator: BackendEmulator,
) -> None:
    async with RapidAPIEmulator(quota=0) as emu, wired(emu, backend_emulator) as sync:
        with pytest.raises(QuotaExceeded) as info:
            await sync.fetch("tiktok", "mayacooks")
        with pytest.raises(QuotaExceeded) as again:
            await sync.fetch("twitter", "mayacooks")
        with pytest.raises(QuotaExceeded) as guarded:
            await sync.fetch("tiktok", "danceduo")
        assert emu.calls == 2  # the guard made no request for the benched host
    assert info.value.reset_at is not None
    assert "first back at" in str(info.value)
    assert "MONTHLY quota" in str(info.value)
    assert again.value.host == "twitter241.p.rapidapi.com"
    assert guarded.value.reset_at == info.value.reset_at
    assert "comes back at" in str(guarded.value)
