"""The four built-in adapters against the sample answers, and the platform registry.

Expected numbers are read off ``tests/payloads/*.json`` by hand, so a wrong fallback order (for
example TikTok's rounded ``stats`` winning over the exact ``statsV2``) shows up as a wrong value.
"""

from __future__ import annotations

import copy
import logging
import math
import os
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from _payloads import load_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperbuds_sync import engagement, platforms
from hyperbuds_sync.errors import (
    InvalidUsername,
    MalformedPayload,
    UnknownPlatform,
    UsernameNotFound,
)
from hyperbuds_sync.platforms import (
    InstagramLooter2Adapter,
    PlatformRegistry,
    PostStats,
    Profile,
    Provider,
    ProviderRequest,
    TikTokApi23Adapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
)

ADAPTERS: list[Provider] = [
    TikTokApi23Adapter(),
    Twitter241Adapter(),
    TwitchScraper2Adapter(),
    InstagramLooter2Adapter(),
]
ADAPTER_IDS = [adapter.platform for adapter in ADAPTERS]

TIKTOK_AVATAR = (
    "https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/7f3c2a91b0e4d5~tplv-tiktokx-cropcenter"
    ":1080:1080.jpeg?x-expires=1795680000&x-signature=Zm9vYmFyMQ%3D%3D"
)
TWITTER_AVATAR = "https://pbs.twimg.com/profile_images/1790011223344556677/Qx7mB2nP_400x400.jpg"
TWITCH_AVATAR = (
    "https://static-cdn.jtvnw.net/jtv_user_pictures/"
    "3c9a1e07-5b2d-4f6e-9a8b-1d2c3e4f5a6b-profile_image-300x300.png"
)
INSTAGRAM_AVATAR = (
    "https://scontent.cdninstagram.com/v/t51.2885-19/461234567_1122334455_n.jpg"
    "?stp=dst-jpg_s320x320&_nc_ht=scontent.cdninstagram.com&oh=00_AfGhIjKl&oe=6752A1B2"
)
INSTAGRAM_BIO = "Fast weeknight food \U0001f35d\nCookbook below \U0001f447"


def not_found_message(username: str, platform: str) -> str:
    return f'Username "{username}" not found on {platform}. Please check the spelling.'


def assert_not_found(adapter: Provider, payload: Any, username: str = "x") -> UsernameNotFound:
    with pytest.raises(UsernameNotFound) as info:
        adapter.parse(username, payload)
    error = info.value
    assert str(error) == not_found_message(username, adapter.platform)
    assert (error.platform, error.host, error.username) == (
        adapter.platform,
        adapter.host,
        username,
    )
    return error


def assert_malformed(adapter: Provider, payload: Any) -> MalformedPayload:
    with pytest.raises(MalformedPayload) as info:
        adapter.parse("someone", payload)
    assert (info.value.platform, info.value.host) == (adapter.platform, adapter.host)
    return info.value


# --- TikTok --------------------------------------------------------------------------------------


def tiktok_user() -> dict[str, Any]:
    payload: dict[str, Any] = load_payload("tiktok-user")
    return payload


def test_tiktok_sample_prefers_exact_stats_v2() -> None:
    profile = TikTokApi23Adapter().parse("mayacooks", tiktok_user())
    assert profile == Profile(
        platform="tiktok",
        username="mayacooks",
        followers=1204377,
        display_name="Maya Cooks",
        profile_image=TIKTOK_AVATAR,
        bio="15-minute dinners for busy people\nnew video every Tue & Fri",
        verified=True,
        following=311,
        total_content=842,
        likes=48571902,
        views=None,
        posts=(),
    )


def test_tiktok_without_stats_v2_falls_back_to_rounded_stats() -> None:
    payload = tiktok_user()
    del payload["userInfo"]["statsV2"]
    profile = TikTokApi23Adapter().parse("mayacooks", payload)
    assert (profile.followers, profile.following, profile.total_content) == (1200000, 311, 842)
    assert profile.likes == 48600000
    assert profile.rounded is True
    assert TikTokApi23Adapter().parse("mayacooks", tiktok_user()).rounded is False


def test_tiktok_heart_chain_and_string_counts() -> None:
    payload = tiktok_user()
    info = payload["userInfo"]
    del info["statsV2"]["heartCount"]
    info["statsV2"]["heart"] = "123"
    assert TikTokApi23Adapter().parse("mayacooks", payload).likes == 123
    del info["statsV2"]["heart"]
    del info["stats"]["heart"]
    info["stats"]["heartCount"] = "456"
    assert TikTokApi23Adapter().parse("mayacooks", payload).likes == 456


def test_tiktok_followers_from_user_when_no_stats() -> None:
    payload = tiktok_user()
    info = payload["userInfo"]
    del info["statsV2"], info["stats"]
    info["user"]["followerCount"] = "77"
    profile = TikTokApi23Adapter().parse("mayacooks", payload)
    assert (profile.followers, profile.following, profile.total_content) == (77, 0, 0)
    assert profile.likes is None


def test_tiktok_optional_fields_missing() -> None:
    payload = {"userInfo": {"user": {"uniqueId": "MayaCooks"}, "stats": {"followerCount": 5}}}
    profile = TikTokApi23Adapter().parse("mayacooks", payload)
    assert profile == Profile(
        platform="tiktok", username="mayacooks", followers=5, display_name="MayaCooks", rounded=True
    )  # followers from ``stats`` alone: published rounded


def test_tiktok_avatar_and_display_name_fallbacks() -> None:
    payload = tiktok_user()
    user = payload["userInfo"]["user"]
    del user["avatarLarger"]
    user["avatarMedium"] = ""
    user["nickname"] = ""
    profile = TikTokApi23Adapter().parse("mayacooks", payload)
    assert profile.profile_image == user["avatarThumb"]
    assert profile.display_name == "mayacooks"


def test_tiktok_provider_username_wins_only_when_valid() -> None:
    payload = tiktok_user()
    payload["userInfo"]["user"]["uniqueId"] = "Maya.Cooks"
    assert TikTokApi23Adapter().parse("mayacooks", payload).username == "maya.cooks"
    payload["userInfo"]["user"]["uniqueId"] = "not valid!"
    assert TikTokApi23Adapter().parse("mayacooks", payload).username == "mayacooks"


def test_tiktok_private_account_is_found() -> None:
    payload = tiktok_user()
    payload["statusCode"] = 10222
    payload["userInfo"]["user"]["privateAccount"] = True
    assert TikTokApi23Adapter().parse("mayacooks", payload).followers == 1204377


@pytest.mark.parametrize(
    "payload",
    [
        load_payload("tiktok-notfound"),
        {"statusCode": 10202, "userInfo": tiktok_user()["userInfo"]},
        {"statusCode": "10221"},
        {"statusCode": 0, "userInfo": {}},
        {"userInfo": {"user": None}},
        {"userInfo": {"user": {}}},
        {"userInfo": {"user": {"uniqueId": ""}, "stats": {"followerCount": 1}}},
        {"userInfo": {"user": {"nickname": "Maya"}, "stats": {"followerCount": 1}}},
    ],
)
def test_tiktok_not_found(payload: Any) -> None:
    assert_not_found(TikTokApi23Adapter(), payload)


# --- Twitter -------------------------------------------------------------------------------------

TWITTER_PROFILE = Profile(
    platform="twitter",
    username="mayacooks",
    followers=256410,
    display_name="Maya Cooks",
    profile_image=TWITTER_AVATAR,
    bio="15-minute dinners. Cookbook out now.",
    verified=True,
    following=812,
    total_content=9731,
    likes=18342,
)


def twitter_result(user: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"data": {"user": {"result": user}}}}


def test_twitter_2025_core_and_legacy() -> None:
    assert Twitter241Adapter().parse("mayacooks", load_payload("twitter-user")) == TWITTER_PROFILE


def test_twitter_2026_without_legacy_reads_the_same() -> None:
    payload = load_payload("twitter-user-nolegacy")
    assert Twitter241Adapter().parse("mayacooks", payload) == TWITTER_PROFILE


def test_twitter_legacy_only() -> None:
    payload = twitter_result(
        {
            "__typename": "User",
            "rest_id": "12",
            "legacy": {
                "name": "Old Timer",
                "screen_name": "OldTimer",
                "description": "since 2009",
                "followers_count": "1200",
                "friends_count": 3,
                "statuses_count": 40,
                "favourites_count": 5,
                "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/a_normal.png",
                "verified": True,
            },
        }
    )
    assert Twitter241Adapter().parse("oldtimer", payload) == Profile(
        platform="twitter",
        username="oldtimer",
        followers=1200,
        display_name="Old Timer",
        profile_image="https://pbs.twimg.com/profile_images/1/a_400x400.png",
        bio="since 2009",
        verified=True,
        following=3,
        total_content=40,
        likes=5,
    )


def test_twitter_public_metrics_and_missing_optionals() -> None:
    payload = twitter_result({"public_metrics": {"followers_count": 9, "tweet_count": "2"}})
    profile = Twitter241Adapter().parse("someone", payload)
    assert profile == Profile(platform="twitter", username="someone", followers=9, total_content=2)
    assert profile.likes is None


def test_twitter_verified_first_hit_wins() -> None:
    payload = load_payload("twitter-user")
    user = payload["result"]["data"]["user"]["result"]
    user["is_blue_verified"] = False
    user["verification"]["verified"] = True
    assert Twitter241Adapter().parse("mayacooks", payload).verified is False
    del user["is_blue_verified"]
    assert Twitter241Adapter().parse("mayacooks", payload).verified is True


@pytest.mark.parametrize(
    "payload",
    [
        load_payload("twitter-notfound"),
        twitter_result({"__typename": "UserUnavailable"}),
        {"result": {"__typename": "UserUnavailable", "unavailable_reason": "Suspended"}},
        {"error": True, "code": "error_msg", "message": "No user matches for specified terms."},
    ],
)
def test_twitter_not_found(payload: Any) -> None:
    assert_not_found(Twitter241Adapter(), payload)


def test_twitter_suspended_keeps_the_reason_in_a_note() -> None:
    error = assert_not_found(Twitter241Adapter(), load_payload("twitter-suspended"), "baduser")
    assert error.__notes__ == ["twitter says the user is unavailable: Suspended"]


def test_twitter_counts_without_rest_id_is_a_profile() -> None:
    payload = twitter_result({"legacy": {"followers_count": 4}})
    assert Twitter241Adapter().parse("someone", payload).followers == 4


# --- Twitch --------------------------------------------------------------------------------------


def test_twitch_sample() -> None:
    assert TwitchScraper2Adapter().parse("pixelmaya", load_payload("twitch-user")) == Profile(
        platform="twitch",
        username="pixelmaya",
        followers=184233,
        display_name="PixelMaya",
        profile_image=TWITCH_AVATAR,
        bio="Cozy games, speedruns on Sundays. Partnered since 2023.",
        verified=True,
        following=0,
        total_content=0,
        likes=None,
        views=None,
    )


def test_twitch_snake_case_fallbacks_and_view_count() -> None:
    payload = {
        "data": {
            "user": {
                "login": "PixelMaya",
                "display_name": "Pixel Maya",
                "profile_image_url": "https://static-cdn.jtvnw.net/a.png",
                "bio": "hi",
                "followers": {"total_count": "42"},
                "view_count": "1000",
            }
        }
    }
    assert TwitchScraper2Adapter().parse("pixelmaya", payload) == Profile(
        platform="twitch",
        username="pixelmaya",
        followers=42,
        display_name="Pixel Maya",
        profile_image="https://static-cdn.jtvnw.net/a.png",
        bio="hi",
        views=1000,
    )


def test_twitch_view_count_camel_case_and_missing_roles() -> None:
    payload = load_payload("twitch-user")
    user = payload["data"]["user"]
    user["viewCount"] = 31337
    user["description"] = None
    del user["roles"]
    profile = TwitchScraper2Adapter().parse("pixelmaya", payload)
    assert (profile.views, profile.bio, profile.verified) == (31337, "", False)


def test_twitch_unreadable_view_count_is_unknown() -> None:
    payload = load_payload("twitch-user")
    payload["data"]["user"]["view_count"] = "n/a"
    assert TwitchScraper2Adapter().parse("pixelmaya", payload).views is None


@pytest.mark.parametrize(
    "payload", [load_payload("twitch-notfound"), {"data": {"user": None, "extra": 1}}]
)
def test_twitch_not_found(payload: Any) -> None:
    assert_not_found(TwitchScraper2Adapter(), payload)


# --- Instagram -----------------------------------------------------------------------------------

INSTAGRAM_PROFILE = Profile(
    platform="instagram",
    username="maya.cooks",
    followers=93518,
    display_name="Maya | 15-min dinners",
    profile_image=INSTAGRAM_AVATAR,
    bio=INSTAGRAM_BIO,
    verified=True,
    following=402,
    total_content=611,
    likes=None,
    views=None,
    posts=(
        PostStats(likes=5120, comments=214, views=48211),
        PostStats(likes=2730, comments=88, views=None),
    ),
)


def instagram_user() -> dict[str, Any]:
    payload: dict[str, Any] = load_payload("instagram-user")
    return payload


def instagram_node(payload: dict[str, Any], index: int) -> dict[str, Any]:
    node: dict[str, Any] = payload["edge_owner_to_timeline_media"]["edges"][index]["node"]
    return node


def test_instagram_sample() -> None:
    assert InstagramLooter2Adapter().parse("maya.cooks", instagram_user()) == INSTAGRAM_PROFILE


def test_instagram_v1info_shape() -> None:
    profile = InstagramLooter2Adapter().parse("maya.cooks", load_payload("instagram-v1info-user"))
    assert profile == attrs.evolve(
        INSTAGRAM_PROFILE,
        profile_image=(
            "https://scontent.cdninstagram.com/v/t51.2885-19/461234567_1122334455_n.jpg"
            "?stp=dst-jpg_s320x320"
        ),
        posts=(),
    )


def test_instagram_web_data_user_and_flat_shapes() -> None:
    web = {"data": {"user": {"username": "Maya.Cooks", "edge_followed_by": {"count": 7}}}}
    flat = {"status": True, "username": "maya.cooks", "follower_count": "7", "media_count": 3}
    assert InstagramLooter2Adapter().parse("maya.cooks", web).followers == 7
    profile = InstagramLooter2Adapter().parse("maya.cooks", flat)
    assert (profile.username, profile.followers, profile.total_content) == ("maya.cooks", 7, 3)


def test_instagram_hidden_and_fallback_likes() -> None:
    payload = instagram_user()
    instagram_node(payload, 0)["edge_liked_by"]["count"] = -1
    instagram_node(payload, 0)["edge_media_preview_like"]["count"] = -1
    del instagram_node(payload, 1)["edge_liked_by"]
    instagram_node(payload, 1)["edge_media_preview_like"]["count"] = "2731"
    posts = InstagramLooter2Adapter().parse("maya.cooks", payload).posts
    assert posts == (PostStats(0, 214, 48211), PostStats(2731, 88, None))


def test_instagram_skips_malformed_posts() -> None:
    payload = instagram_user()
    edges = payload["edge_owner_to_timeline_media"]["edges"]
    edges[1:1] = [
        "not a post",
        {"node": None},
        {"node": {}},
        {"node": {"edge_liked_by": {"count": "lots"}, "edge_media_to_comment": {"count": 1}}},
        {"node": {"edge_liked_by": {"count": 3}, "video_view_count": "n/a"}},
    ]
    posts = InstagramLooter2Adapter().parse("maya.cooks", payload).posts
    assert posts == (INSTAGRAM_PROFILE.posts[0], PostStats(3, 0, None), INSTAGRAM_PROFILE.posts[1])


def test_instagram_optional_fields_missing() -> None:
    payload = {"status": True, "edge_followed_by": {"count": 1}}
    profile = InstagramLooter2Adapter().parse("maya.cooks", payload)
    assert profile == Profile(platform="instagram", username="maya.cooks", followers=1)


@pytest.mark.parametrize(
    "payload",
    [load_payload("instagram-notfound"), {"status": False}, {"status": False, "data": {}}],
)
def test_instagram_not_found(payload: Any) -> None:
    assert_not_found(InstagramLooter2Adapter(), payload)


# --- malformed answers, every adapter ------------------------------------------------------------


def _break_followers(name: str, value: Any) -> Any:
    """The sample answer of ``name`` with every follower count set to ``value`` (or removed)."""
    if name == "tiktok":
        payload = load_payload("tiktok-user")
        targets = [payload["userInfo"]["statsV2"], payload["userInfo"]["stats"]]
        key = "followerCount"
    elif name == "twitter":
        payload = load_payload("twitter-user")
        targets = [payload["result"]["data"]["user"]["result"]["legacy"]]
        key = "followers_count"
    elif name == "twitch":
        payload = load_payload("twitch-user")
        targets = [payload["data"]["user"]["followers"]]
        key = "totalCount"
    else:
        payload = load_payload("instagram-user")
        targets = [payload["edge_followed_by"]]
        key = "count"
    for target in targets:
        if value is _REMOVE:
            del target[key]
        else:
            target[key] = value
    return payload


_REMOVE = object()
BAD_FOLLOWERS = [_REMOVE, None, "1.2M", "", "-5", -5, 1.5, True, [], {}, "9" * 5000, 10**30]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
@pytest.mark.parametrize("value", BAD_FOLLOWERS, ids=lambda v: repr(v)[:12])
def test_unreadable_followers_are_malformed(adapter: Provider, value: Any) -> None:
    assert_malformed(adapter, _break_followers(adapter.platform, value))


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
@pytest.mark.parametrize("payload", [None, [], [{}], "ok", 0, 1.5, True])
def test_non_object_answers_are_malformed(adapter: Provider, payload: Any) -> None:
    error = assert_malformed(adapter, payload)
    assert f"{adapter.platform} answer is a" in str(error)


@pytest.mark.parametrize(
    ("adapter", "payload"),
    [
        (TikTokApi23Adapter(), {"userInfo": {"user": ["mayacooks"]}}),
        (Twitter241Adapter(), twitter_result("User")),  # type: ignore[arg-type]
        (Twitter241Adapter(), twitter_result({"rest_id": "1", "legacy": {}})),
        (TwitchScraper2Adapter(), {"data": {"user": "pixelmaya"}}),
        (TwitchScraper2Adapter(), {"data": {"user": {"login": "pixelmaya"}}}),
        (InstagramLooter2Adapter(), {"status": True}),
        (InstagramLooter2Adapter(), {"data": []}),
    ],
)
def test_wrong_nested_shapes_are_malformed(adapter: Provider, payload: Any) -> None:
    assert_malformed(adapter, payload)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("tiktok", "1204377.0", 1204377), ("twitch", 184233.0, 184233), ("twitter", " 7 ", 7)],
)
def test_followers_accept_integral_floats_and_padded_strings(
    name: str, value: Any, expected: int
) -> None:
    adapter = platforms.get(name)
    assert adapter.parse("someone", _break_followers(name, value)).followers == expected


# --- usernames and requests ----------------------------------------------------------------------

REJECTED_EVERYWHERE = [
    "a/b",
    "ab?c",
    "ab#c",
    "ab%2e",
    "..",
    "a..b",
    " a b",
    "ab\x00",
    "\x00",
    "é",
    "josé",
    "",
    "   ",
    "@",
    "@@maya",
    "maya\n cooks",
    "ab\u200b",
    "\uff4d\uff41\uff59\uff41",  # fullwidth "maya"
]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
@pytest.mark.parametrize("raw", REJECTED_EVERYWHERE, ids=repr)
def test_invalid_usernames_rejected(adapter: Provider, raw: str) -> None:
    with pytest.raises(InvalidUsername) as info:
        adapter.canonical_username(raw)
    assert info.value.platform == adapter.platform
    with pytest.raises(InvalidUsername):
        adapter.request(raw)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
@pytest.mark.parametrize("raw", [None, 42, b"maya", ["maya"]], ids=repr)
def test_non_string_usernames_rejected(adapter: Provider, raw: Any) -> None:
    with pytest.raises(InvalidUsername):
        adapter.canonical_username(raw)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" @MayaCooks ", "mayacooks"), ("maya_cooks", "maya_cooks"), ("\tAB12\n", "ab12")],
)
def test_common_usernames_canonicalize(adapter: Provider, raw: str, expected: str) -> None:
    assert adapter.canonical_username(raw) == expected


USERNAME_TABLE: list[tuple[Provider, str, str | None]] = [
    (TikTokApi23Adapter(), "maya.cooks", "maya.cooks"),
    (TikTokApi23Adapter(), "Maya.Cooks.", "maya.cooks."),
    (TikTokApi23Adapter(), "a", None),
    (TikTokApi23Adapter(), "a" * 24, "a" * 24),
    (TikTokApi23Adapter(), "a" * 25, None),
    (Twitter241Adapter(), "a", "a"),
    (Twitter241Adapter(), "maya.cooks", None),
    (Twitter241Adapter(), "a" * 15, "a" * 15),
    (Twitter241Adapter(), "a" * 16, None),
    (TwitchScraper2Adapter(), "a", None),
    (TwitchScraper2Adapter(), "a" * 25, "a" * 25),
    (TwitchScraper2Adapter(), "a" * 26, None),
    (TwitchScraper2Adapter(), "pixel.maya", None),
    (InstagramLooter2Adapter(), "a", "a"),
    (InstagramLooter2Adapter(), "@Maya.Cooks", "maya.cooks"),
    (InstagramLooter2Adapter(), "a" * 30, "a" * 30),
    (InstagramLooter2Adapter(), "a" * 31, None),
    (InstagramLooter2Adapter(), ".maya", None),
    (InstagramLooter2Adapter(), "maya.", None),
    (InstagramLooter2Adapter(), "_maya_", "_maya_"),
]


@pytest.mark.parametrize(("adapter", "raw", "expected"), USERNAME_TABLE)
def test_platform_username_rules(adapter: Provider, raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidUsername):
            adapter.canonical_username(raw)
    else:
        assert adapter.canonical_username(raw) == expected


@pytest.mark.parametrize(
    ("adapter", "expected"),
    [
        (
            TikTokApi23Adapter(),
            ProviderRequest(
                "tiktok-api23.p.rapidapi.com", "/api/user/info", {"uniqueId": "maya_1"}
            ),
        ),
        (
            Twitter241Adapter(),
            ProviderRequest("twitter241.p.rapidapi.com", "/user", {"username": "maya_1"}),
        ),
        (
            TwitchScraper2Adapter(),
            ProviderRequest(
                "twitch-scraper2.p.rapidapi.com", "/api/channels/info", {"channel": "maya_1"}
            ),
        ),
        (
            InstagramLooter2Adapter(),
            ProviderRequest("instagram-looter2.p.rapidapi.com", "/profile", {"username": "maya_1"}),
        ),
    ],
    ids=ADAPTER_IDS,
)
def test_request_defaults(adapter: Provider, expected: ProviderRequest) -> None:
    assert adapter.request("maya_1") == expected
    assert adapter.request("@Maya_1") == expected


@pytest.mark.parametrize(
    "cls", [TikTokApi23Adapter, Twitter241Adapter, TwitchScraper2Adapter, InstagramLooter2Adapter]
)
def test_host_and_path_overrides(cls: Callable[..., Provider]) -> None:
    adapter = cls(host="relay.example.com", path="/v2/profile")
    request = adapter.request("maya_1")
    assert (request.host, request.path) == ("relay.example.com", "/v2/profile")
    assert list(request.params.values()) == ["maya_1"]
    not_found = {"status": False, "data": {"user": None}, "statusCode": 10221}
    if adapter.platform == "twitter":
        not_found = {"result": {"data": {}}}
    with pytest.raises(UsernameNotFound) as info:
        adapter.parse("maya_1", not_found)
    assert info.value.host == "relay.example.com"


@pytest.mark.parametrize("adapter", ADAPTERS, ids=ADAPTER_IDS)
def test_adapters_are_frozen_platforms(adapter: Provider) -> None:
    assert isinstance(adapter, Provider)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        adapter.host = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        type(adapter)(platform="other")  # type: ignore[call-arg]


# --- the registry --------------------------------------------------------------------------------


def test_default_registry_has_the_builtins() -> None:
    assert {"instagram", "tiktok", "twitch", "twitter"} <= set(platforms.names())
    assert isinstance(platforms.get(" TikTok "), TikTokApi23Adapter)
    assert isinstance(platforms.get("twitter"), Twitter241Adapter)


def test_unknown_platform_lists_known_names() -> None:
    registry = PlatformRegistry(ADAPTERS)
    with pytest.raises(UnknownPlatform) as info:
        registry.get("myspace")
    assert info.value.known == ("instagram", "tiktok", "twitch", "twitter")
    assert "instagram, tiktok, twitch, twitter" in str(info.value)
    with pytest.raises(UnknownPlatform):
        registry.get(None)  # type: ignore[arg-type]


def test_register_duplicate_and_replace() -> None:
    registry = PlatformRegistry([TikTokApi23Adapter()])
    with pytest.raises(ValueError, match="already registered"):
        registry.register(TikTokApi23Adapter())
    relay = TikTokApi23Adapter(host="relay.example.com")
    assert registry.register(relay, replace=True) is relay
    assert registry.get("tiktok") is relay
    with pytest.raises(TypeError):
        registry.register(object())  # type: ignore[arg-type]


@attrs.frozen
class _FakeYouTube:
    platform: str = "youtube"
    provider: str = "youtube-fake"
    auth: str = "rapidapi"
    host: str = "youtube138.p.rapidapi.com"
    path: str = "/channel/details/"

    def canonical_username(self, username: str) -> str:
        return username

    def request(self, username: str) -> ProviderRequest:
        return ProviderRequest(self.host, self.path, {"id": username})

    def follow_up(self, username: str, answer: Any) -> ProviderRequest | None:
        return None

    def parse(self, username: str, payload: Any) -> Profile:
        return Profile(platform=self.platform, username=username, followers=0)


@attrs.frozen
class _FakeEntryPoint:
    name: str
    target: Any

    def load(self) -> Any:
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


def test_entry_points_are_loaded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    groups: list[str] = []

    def fake_entry_points(*, group: str) -> list[_FakeEntryPoint]:
        groups.append(group)
        return [
            _FakeEntryPoint("youtube", _FakeYouTube),
            _FakeEntryPoint(
                "vimeo", attrs.evolve(_FakeYouTube(), platform="vimeo", provider="vimeo-fake")
            ),
            _FakeEntryPoint("broken", ImportError("no module named nowhere")),
            _FakeEntryPoint("junk", 42),
        ]

    monkeypatch.setattr(platforms, "entry_points", fake_entry_points)
    registry = PlatformRegistry(ADAPTERS)
    with caplog.at_level(logging.WARNING, logger="hyperbuds_sync"):
        registry.load_entry_points()
    assert groups == [platforms.ENTRY_POINT_GROUP]
    assert registry.names() == ["instagram", "tiktok", "twitch", "twitter", "vimeo", "youtube"]
    assert isinstance(registry.get("youtube"), _FakeYouTube)
    assert "'broken'" in caplog.text
    assert "'junk'" in caplog.text


# --- Hypothesis: any JSON in, only provider errors out -------------------------------------------

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "300"))

KEYS = st.sampled_from(
    [
        "userInfo",
        "user",
        "stats",
        "statsV2",
        "followerCount",
        "uniqueId",
        "statusCode",
        "result",
        "data",
        "legacy",
        "rest_id",
        "followers_count",
        "__typename",
        "followers",
        "totalCount",
        "login",
        "status",
        "edge_followed_by",
        "edge_owner_to_timeline_media",
        "edges",
        "node",
        "count",
        "username",
    ]
)
COUNTISH = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.from_regex(r"\A[+-]?[0-9]{1,25}(\.0+)?\Z"),
    st.sampled_from(["9" * 5000, "9" * 400 + ".0", "1e5", "NaN", "-1", " 12 "]),
)
LEAVES = st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=12), COUNTISH)
JSON = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)
SAMPLES = [
    load_payload(name)
    for name in (
        "tiktok-user",
        "twitter-user",
        "twitter-user-nolegacy",
        "twitch-user",
        "instagram-user",
        "instagram-v1info-user",
    )
]


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with random keys dropped and random leaves (or subtrees) replaced."""
    action = draw(st.integers(0, 19))
    if action == 0:
        return draw(JSON)
    if isinstance(value, dict):
        return {k: _mutate(draw, v) for k, v in value.items() if draw(st.integers(0, 11))}
    if isinstance(value, list):
        return [_mutate(draw, v) for v in value]
    return value if action > 4 else draw(LEAVES)


@st.composite
def shaped_payloads(draw: st.DrawFn) -> Any:
    return _mutate(draw, copy.deepcopy(draw(st.sampled_from(SAMPLES))))


def _check_profile(adapter: Provider, profile: Profile) -> None:
    assert profile.platform == adapter.platform
    assert isinstance(profile.username, str)
    assert 0 <= profile.followers < 2**63
    assert profile.following >= 0
    assert profile.total_content >= 0
    assert profile.likes is None or profile.likes >= 0
    assert profile.views is None or profile.views >= 0
    assert all(p.likes >= 0 and p.comments >= 0 for p in profile.posts)
    for formula in ("legacy", "rate"):
        result = engagement.get(formula)(profile)
        assert result.total is None or math.isfinite(result.total)
        assert result.average is None or math.isfinite(result.average)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=JSON | shaped_payloads())
def test_parse_raises_only_provider_errors(payload: Any) -> None:
    for adapter in ADAPTERS:
        try:
            profile = adapter.parse("someone", payload)
        except (UsernameNotFound, MalformedPayload):
            continue
        _check_profile(adapter, profile)


# --- TikTok's 32-bit stats (issue 10 point 7) ----------------------------------------------------

WRAPPED = -1794967296  # 2,500,000,000 hearts read as a signed 32-bit int


@pytest.mark.parametrize(
    ("stats", "stats_v2", "likes"),
    [
        ({"heartCount": WRAPPED, "heart": WRAPPED}, {"heartCount": "2500000000"}, 2500000000),
        ({"heartCount": WRAPPED, "heart": 2500000000}, None, 2500000000),
        ({"heartCount": WRAPPED, "heart": WRAPPED}, None, None),
        ({"heartCount": WRAPPED}, {"heartCount": "-1794967296", "heart": "n/a"}, None),
        ({"heart": 77}, {"heartCount": "-1794967296"}, 77),
        ({"heart": 77}, {"heartCount": "lots"}, 77),
        ({"heartCount": 5}, {"heartCount": ""}, 5),
    ],
)
def test_tiktok_wrapped_or_unreadable_hearts_are_unknown(
    stats: dict[str, Any], stats_v2: dict[str, Any] | None, likes: int | None
) -> None:
    payload = {"userInfo": {"user": {"uniqueId": "big"}, "stats": {"followerCount": 9, **stats}}}
    if stats_v2 is not None:
        payload["userInfo"]["statsV2"] = {"followerCount": "9", "videoCount": "4", **stats_v2}
    profile = TikTokApi23Adapter().parse("big", payload)
    assert profile.likes == likes
    for formula in ("legacy", "rate"):
        result = engagement.get(formula)(profile)
        assert result.total is None or result.total >= 0
        assert result.average is None or result.average >= 0
    # unknown hearts: legacy has nothing to compute from
    assert (engagement.legacy(profile).total is None) == (likes is None)


def test_tiktok_negative_optional_counts_fall_back_or_are_unknown() -> None:
    payload = tiktok_user()
    info = payload["userInfo"]
    info["statsV2"]["followingCount"] = "-5"
    info["statsV2"]["videoCount"] = "n/a"
    info["stats"]["videoCount"] = -2
    profile = TikTokApi23Adapter().parse("mayacooks", payload)
    assert (profile.following, profile.total_content) == (311, 0)


def test_a_clients_chain_is_built_again_after_the_registry_changes() -> None:
    from hyperbuds_sync.chain import Failover
    from hyperbuds_sync.metrics import Metrics
    from hyperbuds_sync.quota import MemoryProviderBenches
    from hyperbuds_sync.transport import Credentials

    async def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("no request in this test")

    registry = PlatformRegistry([TikTokApi23Adapter()])
    walk = Failover(never, registry, {}, Credentials(), MemoryProviderBenches(), Metrics())
    first = walk.chain("tiktok")
    assert walk.chain("tiktok") == first
    relay = TikTokApi23Adapter(host="relay.example.com")
    registry.register(relay, replace=True)
    assert walk.chain("tiktok") == (relay,)
