"""The issue-12 emulator routes over real loopback sockets, with a plain aiohttp client: the new
RapidAPI hosts, and the official X v2, Helix (with its token endpoint) and YouTube Data API.

The answers are also read by the new providers' readers, so emulator and reader agree.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from hyperbuds_sync.errors import UsernameNotFound
from hyperbuds_sync.platforms import (
    InstagramLooter2Adapter,
    TikTokApi23Adapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
)
from hyperbuds_sync.providers.instagram_scraper_api2 import InstagramScraperApi2Adapter
from hyperbuds_sync.providers.tiktok_api45 import TikTokApi45Adapter
from hyperbuds_sync.providers.twitch_helix import TwitchHelixAdapter
from hyperbuds_sync.providers.x_api import XApiAdapter
from hyperbuds_sync.providers.youtube138 import YouTube138Adapter
from hyperbuds_sync.providers.youtube_data_api import YouTubeDataApiAdapter
from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_TWITCH_CLIENT_ID,
    TEST_TWITCH_CLIENT_SECRET,
    TEST_X_TOKEN,
    TEST_YOUTUBE_KEY,
    Creator,
    EmulatorOptions,
    Fault,
    OfficialEmulator,
    RapidAPIEmulator,
    serve,
)
from hyperbuds_sync.testing._creators import generate_creator, seed_creators
from hyperbuds_sync.testing._renders import helix_followers, helix_user, x_user, youtube_channel
from hyperbuds_sync.testing._shapes import PROVIDERS

CHANNEL_ID = "UC7xQm3Lp9aZk2Rt5Vb8Nc1w"
Result = tuple[int, Any, Any]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def rapid(
    session: aiohttp.ClientSession, emu: RapidAPIEmulator, adapter: Any, username: str
) -> Result:
    """The adapter's own request, sent to the RapidAPI emulator."""
    req = adapter.request(username)
    headers = {"x-rapidapi-host": req.host, "x-rapidapi-key": TEST_KEY}
    async with session.get(emu.url + req.path, params=dict(req.params), headers=headers) as r:
        return r.status, r.headers, await r.json()


async def official(
    session: aiohttp.ClientSession,
    emu: OfficialEmulator,
    path: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    async with session.get(emu.url + path, params=params, headers=headers) as r:
        return r.status, r.headers, await r.json()


async def helix_token(
    session: aiohttp.ClientSession, emu: OfficialEmulator, secret: str = TEST_TWITCH_CLIENT_SECRET
) -> Result:
    form = {"client_id": TEST_TWITCH_CLIENT_ID, "client_secret": secret,
            "grant_type": "client_credentials"}  # fmt: skip
    async with session.post(emu.url + "/oauth2/token", data=form) as r:
        return r.status, r.headers, await r.json()


def helix_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Client-Id": TEST_TWITCH_CLIENT_ID}


X_HEADERS = {"Authorization": f"Bearer {TEST_X_TOKEN}"}
YT_HEADERS = {"X-Goog-Api-Key": TEST_YOUTUBE_KEY}


# --- the new RapidAPI hosts ----------------------------------------------------------------------


async def test_second_providers_agree_with_the_first(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        _, _, tiktok = await rapid(session, emu, TikTokApi45Adapter(), "mayacooks")
        _, _, insta = await rapid(session, emu, InstagramScraperApi2Adapter(), "maya.cooks")
    profile = TikTokApi45Adapter().parse("mayacooks", tiktok)
    assert (profile.followers, profile.likes, profile.rounded) == (1_204_377, 48_571_902, False)
    assert tiktok["data"]["userInfo"]["stats"]["followerCount"] == 1_200_000
    ig = InstagramScraperApi2Adapter().parse("maya.cooks", insta)
    assert (ig.followers, ig.following, ig.total_content, ig.verified) == (93_518, 402, 611, True)


async def test_youtube138_by_handle_and_by_channel_id(session: aiohttp.ClientSession) -> None:
    adapter = YouTube138Adapter()
    async with RapidAPIEmulator() as emu:
        by_handle = await rapid(session, emu, adapter, "@MayaCooks")
        by_id = await rapid(session, emu, adapter, CHANNEL_ID)
        _, _, big = await rapid(session, emu, adapter, "bigkitchen")
        missing = await rapid(session, emu, adapter, "nobody_here")
    assert by_handle[0] == by_id[0] == 200
    assert by_handle[2] == by_id[2]
    assert by_handle[2]["channelId"] == CHANNEL_ID
    profile = adapter.parse("mayacooks", by_handle[2])
    assert (profile.followers, profile.total_content, profile.views) == (412_000, 318, 58_231_904)
    assert adapter.parse("bigkitchen", big).followers == 1_230_000  # 1,234,567 rounded
    assert missing[0] == 200
    with pytest.raises(UsernameNotFound):
        adapter.parse("nobody_here", missing[2])


async def test_instagram_scraper_api2_not_found_is_404(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        status, _, body = await rapid(session, emu, InstagramScraperApi2Adapter(), "nobody")
        tiktok = await rapid(session, emu, TikTokApi45Adapter(), "nobody")
    assert (status, body) == (404, {"detail": "Not found"})
    assert tiktok[0] == 200
    assert tiktok[2]["data"]["statusCode"] == 10221


async def test_each_host_has_its_own_quota_and_faults(session: aiohttp.ClientSession) -> None:
    api23 = {"x-rapidapi-host": "tiktok-api23.p.rapidapi.com", "x-rapidapi-key": TEST_KEY}
    async with RapidAPIEmulator(quota=1) as emu:
        emu.fail("danceduo", Fault.status(503), provider="tiktok-api45")
        async with session.get(emu.url + "/api/user/info", params={"uniqueId": "danceduo"},
                               headers=api23) as first:  # fmt: skip
            assert first.status == 200
        async with session.get(emu.url + "/api/user/info", params={"uniqueId": "danceduo"},
                               headers=api23) as spent:  # fmt: skip
            assert spent.status == 429
            assert "MONTHLY" in (await spent.json())["message"]
        status, headers, _ = await rapid(session, emu, TikTokApi45Adapter(), "danceduo")
        assert status == 503  # api45 still has quota; its own fault answers
        assert headers["x-ratelimit-requests-remaining"] == "0"
        assert emu.calls_for("tiktok-api45.p.rapidapi.com") == 1
    with pytest.raises(ValueError, match="unknown provider"):
        emu.fail("x", Fault.status(500), provider="nope")


# --- X API v2 ------------------------------------------------------------------------------------


async def test_x_api_answers_and_limits(session: aiohttp.ClientSession) -> None:
    adapter = XApiAdapter()
    req = adapter.request("MayaCooks")
    async with OfficialEmulator(x_limit=2) as emu:
        ok = await official(session, emu, req.path, dict(req.params), X_HEADERS)
        missing = await official(session, emu, "/2/users/by/username/nobody_here", None, X_HEADERS)
        spent = await official(session, emu, req.path, dict(req.params), X_HEADERS)
        bad = await official(session, emu, req.path, None, {"Authorization": "Bearer wrong"})
        none = await official(session, emu, req.path)
        assert emu.calls_for("x", "mayacooks") == 4
    assert ok[0] == 200
    profile = adapter.parse("mayacooks", ok[2])
    assert (profile.followers, profile.following, profile.total_content) == (256_410, 812, 9_731)
    assert (ok[1]["x-rate-limit-limit"], ok[1]["x-rate-limit-remaining"]) == ("2", "1")
    assert int(ok[1]["x-rate-limit-reset"]) > 1_700_000_000  # epoch seconds
    assert missing[0] == 200
    assert missing[2]["errors"][0]["detail"] == "Could not find user with username: [nobody_here]."
    with pytest.raises(UsernameNotFound):
        adapter.parse("nobody_here", missing[2])
    assert (spent[0], spent[1]["x-rate-limit-remaining"]) == (429, "0")
    assert (bad[0], none[0]) == (401, 401)
    assert "x-rate-limit-limit" not in bad[1]


# --- Twitch Helix --------------------------------------------------------------------------------


async def test_helix_token_users_followers(session: aiohttp.ClientSession) -> None:
    adapter = TwitchHelixAdapter()
    async with OfficialEmulator(token_ttl=3600) as emu:
        status, _, token = await helix_token(session, emu)
        assert (status, token["expires_in"], token["token_type"]) == (200, 3600, "bearer")
        auth = helix_headers(token["access_token"])
        req = adapter.request("pixelmaya")
        users = await official(session, emu, req.path, dict(req.params), auth)
        follow = adapter.follow_up("pixelmaya", users[2])
        assert follow is not None
        followers = await official(session, emu, follow.path, dict(follow.params), auth)
        missing = await official(session, emu, "/helix/users", {"login": "nobody"}, auth)
    assert users[0] == followers[0] == 200
    assert users[1]["Ratelimit-Limit"] == "800"
    assert int(followers[1]["Ratelimit-Remaining"]) == 798
    profile = adapter.parse("pixelmaya", [users[2], followers[2]])
    assert (profile.followers, profile.verified, profile.views) == (184_233, True, None)
    assert missing[2] == {"data": []}
    assert adapter.follow_up("nobody", missing[2]) is None
    assert emu.token_requests == 1


async def test_helix_credentials_and_expiry(session: aiohttp.ClientSession) -> None:
    async with OfficialEmulator(helix_points=1) as emu:
        wrong = await helix_token(session, emu, secret="not-it")
        _, _, token = await helix_token(session, emu)
        auth = helix_headers(token["access_token"])
        no_client = await official(session, emu, "/helix/users", {"login": "pixelmaya"},
                                   {"Authorization": auth["Authorization"]})  # fmt: skip
        first = await official(session, emu, "/helix/users", {"login": "pixelmaya"}, auth)
        spent = await official(session, emu, "/helix/users", {"login": "pixelmaya"}, auth)
        emu.reset_quota("helix")
        emu.expire_tokens()
        expired = await official(session, emu, "/helix/users", {"login": "pixelmaya"}, auth)
    assert (wrong[0], wrong[2]["message"]) == (403, "invalid client secret")
    assert no_client[0] == 401
    assert first[0] == 200
    assert (spent[0], spent[1]["Ratelimit-Remaining"]) == (429, "0")
    assert (expired[0], expired[2]["message"]) == (401, "Invalid OAuth token")


# --- YouTube Data API ----------------------------------------------------------------------------


async def test_youtube_data_api_answers_quota_and_key(session: aiohttp.ClientSession) -> None:
    adapter = YouTubeDataApiAdapter()
    by_handle, by_id = adapter.request("@mayacooks"), adapter.request(CHANNEL_ID)
    async with OfficialEmulator(youtube_units=3) as emu:
        ok = await official(session, emu, by_handle.path, dict(by_handle.params), YT_HEADERS)
        ok_id = await official(session, emu, by_id.path, dict(by_id.params), YT_HEADERS)
        missing = await official(session, emu, by_handle.path,
                                 {"part": "snippet,statistics", "forHandle": "@nobody"},
                                 YT_HEADERS)  # fmt: skip
        spent = await official(session, emu, by_handle.path, dict(by_handle.params), YT_HEADERS)
        bad = await official(session, emu, by_handle.path, dict(by_handle.params),
                             {"X-Goog-Api-Key": "wrong"})  # fmt: skip
        assert emu.keys_in_url == 0
    assert ok[0] == ok_id[0] == 200
    assert ok[2]["items"] == ok_id[2]["items"]
    profile = adapter.parse("mayacooks", ok[2])
    assert (profile.followers, profile.views, profile.rounded) == (412_000, 58_231_904, True)
    assert missing[0] == 200
    with pytest.raises(UsernameNotFound):
        adapter.parse("nobody", missing[2])
    assert spent[0] == 403
    assert spent[2]["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert (bad[0], bad[2]["error"]["errors"][0]["reason"]) == (400, "badRequest")


async def test_official_faults_and_creators(session: aiohttp.ClientSession) -> None:
    async with OfficialEmulator() as emu:
        emu.add_creator("twitter", Creator("newone", "New One", followers=7))
        emu.fail("newone", Fault.status(503), times=1, api="x")
        path = "/2/users/by/username/newone"
        failed = await official(session, emu, path, None, X_HEADERS)
        ok = await official(session, emu, path, None, X_HEADERS)
        emu.remove_creator("twitter", "newone")
        gone = await official(session, emu, path, None, X_HEADERS)
    assert failed[0] == 503
    assert ok[2]["data"]["public_metrics"]["followers_count"] == 7
    assert "errors" in gone[2]
    with pytest.raises(ValueError, match="unknown api"):
        emu.fail("x", Fault.status(500), api="nope")


# --- one creator, the same counts from every provider of its platform ----------------------------


def _renderings(platform: str, c: Creator) -> list[Any]:
    """Profiles of ``c`` read from every emulated provider of ``platform``."""
    readers = {
        "tiktok-api23.p.rapidapi.com": TikTokApi23Adapter(),
        "tiktok-api45.p.rapidapi.com": TikTokApi45Adapter(),
        "twitter241.p.rapidapi.com": Twitter241Adapter(),
        "twitch-scraper2.p.rapidapi.com": TwitchScraper2Adapter(),
        "instagram-looter2.p.rapidapi.com": InstagramLooter2Adapter(),
        "instagram-scraper-api2.p.rapidapi.com": InstagramScraperApi2Adapter(),
        "youtube138.p.rapidapi.com": YouTube138Adapter(),
    }
    profiles = [
        readers[host].parse(c.username, p.render(c))
        for host, p in PROVIDERS.items()
        if p.platform == platform
    ]
    if platform == "twitter":
        profiles.append(XApiAdapter().parse(c.username, x_user(c)))
    if platform == "twitch":
        pair = [{"data": [helix_user(c)]}, helix_followers(c)]
        profiles.append(TwitchHelixAdapter().parse(c.username, pair))
    if platform == "youtube":
        answer = {"pageInfo": {"totalResults": 1}, "items": [youtube_channel(c)]}
        profiles.append(YouTubeDataApiAdapter().parse(c.username, answer))
    return profiles


@pytest.mark.parametrize("platform", ["tiktok", "twitter", "twitch", "instagram", "youtube"])
def test_providers_of_one_platform_agree(platform: str) -> None:
    creators = [*seed_creators()[platform], generate_creator(platform, "agree_check")]
    for creator in creators:
        profiles = _renderings(platform, creator)
        assert len(profiles) >= 2
        first = profiles[0]
        for other in profiles[1:]:
            assert (other.username, other.followers) == (first.username, first.followers)
            assert other.display_name == first.display_name
            if platform != "twitch":  # twitch-scraper2 has no following or video count
                assert other.total_content == first.total_content


async def test_serve_runs_the_official_emulator_when_asked(
    session: aiohttp.ClientSession,
) -> None:
    assert EmulatorOptions().official() is None
    urls: list[str] = []
    ready = asyncio.Event()

    def on_official(url: str) -> None:
        urls.append(url)
        ready.set()

    task = asyncio.create_task(
        serve(rapidapi_port=None, backend_port=None, official_port=0, official_ready=on_official)
    )
    await asyncio.wait_for(ready.wait(), 5)
    async with session.get(urls[0] + "/2/users/by/username/mayacooks", headers=X_HEADERS) as r:
        assert r.status == 200
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
