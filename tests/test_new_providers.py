"""The issue-12 providers' readers against their sample answers: mappings, not-found rules,
malformed answers, YouTube usernames, and the fuzz property (parse raises only provider errors).

Expected numbers are read off ``tests/payloads/*.json`` by hand.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import attrs
import pytest
from _payloads import load_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_platforms import EXAMPLES, JSON, LEAVES

from hyperbuds_sync import engagement
from hyperbuds_sync.errors import InvalidUsername, MalformedPayload, UsernameNotFound
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.providers.base import Adapter, Profile, youtube_username
from hyperbuds_sync.providers.instagram_scraper_api2 import InstagramScraperApi2Adapter
from hyperbuds_sync.providers.tiktok_api45 import TikTokApi45Adapter
from hyperbuds_sync.providers.twitch_helix import TwitchHelixAdapter
from hyperbuds_sync.providers.x_api import XApiAdapter
from hyperbuds_sync.providers.youtube138 import YouTube138Adapter
from hyperbuds_sync.providers.youtube_data_api import YouTubeDataApiAdapter

TIKTOK45, X, HELIX = TikTokApi45Adapter(), XApiAdapter(), TwitchHelixAdapter()
IG2, YT138, YTDATA = InstagramScraperApi2Adapter(), YouTube138Adapter(), YouTubeDataApiAdapter()
NEW: list[Adapter] = [TIKTOK45, X, HELIX, IG2, YT138, YTDATA]
CHANNEL_ID = "UC7xQm3Lp9aZk2Rt5Vb8Nc1w"


def helix_pair() -> list[Any]:
    return [load_payload("twitch-helix-users"), load_payload("twitch-helix-followers")]


def assert_not_found(adapter: Adapter, payload: Any) -> None:
    with pytest.raises(UsernameNotFound) as info:
        adapter.parse("x", payload)
    assert (info.value.platform, info.value.host) == (adapter.platform, adapter.host)


def assert_malformed(adapter: Adapter, payload: Any) -> None:
    with pytest.raises(MalformedPayload) as info:
        adapter.parse("someone", payload)
    assert (info.value.platform, info.value.host) == (adapter.platform, adapter.host)


# --- identity and requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adapter", "provider", "auth", "platform"),
    [
        (TIKTOK45, "tiktok-api45", "rapidapi", "tiktok"),
        (X, "x-api", "x-bearer", "twitter"),
        (HELIX, "twitch-helix", "twitch-app", "twitch"),
        (IG2, "instagram-scraper-api2", "rapidapi", "instagram"),
        (YT138, "youtube138", "rapidapi", "youtube"),
        (YTDATA, "youtube-data-api", "google-key", "youtube"),
    ],
)
def test_provider_identity(adapter: Adapter, provider: str, auth: str, platform: str) -> None:
    assert (type(adapter).provider, type(adapter).auth, adapter.platform) == (
        provider,
        auth,
        platform,
    )


@pytest.mark.parametrize(
    ("adapter", "username", "expected"),
    [
        (TIKTOK45, "@MayaCooks", ProviderRequest(
            "tiktok-api45.p.rapidapi.com", "/api/v1/user/detail", {"unique_id": "mayacooks"})),
        (X, "@MayaCooks", ProviderRequest(
            "api.x.com", "/2/users/by/username/mayacooks",
            {"user.fields": "public_metrics,verified,description,profile_image_url"})),
        (HELIX, "PixelMaya", ProviderRequest(
            "api.twitch.tv", "/helix/users", {"login": "pixelmaya"})),
        (IG2, "Maya.Cooks", ProviderRequest(
            "instagram-scraper-api2.p.rapidapi.com", "/v1/info",
            {"username_or_id_or_url": "maya.cooks"})),
        (YT138, "@MayaCooks", ProviderRequest(
            "youtube138.p.rapidapi.com", "/channel/details/",
            {"id": "@mayacooks", "hl": "en", "gl": "US"})),
        (YT138, CHANNEL_ID, ProviderRequest(
            "youtube138.p.rapidapi.com", "/channel/details/",
            {"id": CHANNEL_ID, "hl": "en", "gl": "US"})),
        (YTDATA, "mayacooks", ProviderRequest(
            "www.googleapis.com", "/youtube/v3/channels",
            {"part": "snippet,statistics", "forHandle": "@mayacooks"})),
        (YTDATA, CHANNEL_ID, ProviderRequest(
            "www.googleapis.com", "/youtube/v3/channels",
            {"part": "snippet,statistics", "id": CHANNEL_ID})),
    ],
)  # fmt: skip
def test_requests_have_the_real_host_and_path(
    adapter: Adapter, username: str, expected: ProviderRequest
) -> None:
    # the request carries the provider's auth kind (ProviderRequest.auth, the CHAINS side)
    assert adapter.request(username) == attrs.evolve(expected, auth=type(adapter).auth)


def test_no_request_carries_a_secret() -> None:
    """The YouTube key travels in a header (the transport's), never in the query."""
    for adapter in NEW:
        assert "key" not in adapter.request("mayacooks").params


def test_helix_follow_up() -> None:
    assert HELIX.follow_up("pixelmaya", load_payload("twitch-helix-users")) == ProviderRequest(
        "api.twitch.tv", "/helix/channels/followers", {"broadcaster_id": "518340276"}, "twitch-app"
    )
    assert HELIX.follow_up("nobody", load_payload("twitch-helix-notfound")) is None
    assert HELIX.follow_up("x", {"data": [{"login": "x"}]}) is None  # no id: parse says malformed
    assert HELIX.follow_up("x", "not an object") is None


# --- mappings ------------------------------------------------------------------------------------


def test_tiktok_api45_unwraps_data_and_prefers_stats_v2() -> None:
    profile = TIKTOK45.parse("mayacooks", load_payload("tiktok-api45-user"))
    assert (profile.username, profile.display_name, profile.verified) == (
        "mayacooks", "Maya Cooks", True)  # fmt: skip
    assert (profile.followers, profile.following, profile.total_content) == (1204567, 388, 512)
    assert (profile.likes, profile.rounded, profile.bio) == (48612345, False, "15-minute dinners")
    assert "1080:1080" in profile.profile_image


def test_tiktok_stats_without_stats_v2_is_rounded() -> None:
    payload = load_payload("tiktok-api45-user")
    del payload["data"]["userInfo"]["statsV2"]
    profile = TIKTOK45.parse("mayacooks", payload)
    assert (profile.followers, profile.likes, profile.rounded) == (1204600, 48600000, True)


def test_x_api_mapping() -> None:
    assert X.parse("mayacooks", load_payload("x-api-user")) == Profile(
        platform="twitter",
        username="mayacooks",
        followers=256410,
        display_name="Maya Cooks",
        profile_image="https://pbs.twimg.com/profile_images/1480001234567890123/AbCdEfGh_400x400.jpg",
        bio="15-minute dinners every Tuesday and Friday.",
        verified=False,
        following=812,
        total_content=9731,
        likes=18342,
    )


def test_helix_mapping_has_no_views() -> None:
    assert HELIX.parse("pixelmaya", helix_pair()) == Profile(
        platform="twitch",
        username="pixelmaya",
        followers=184233,
        display_name="PixelMaya",
        profile_image=load_payload("twitch-helix-users")["data"][0]["profile_image_url"],
        bio="Cozy games, speedruns on Sundays. Partnered since 2023.",
        verified=True,
    )
    pair = helix_pair()
    pair[0]["data"][0]["broadcaster_type"] = "affiliate"
    assert HELIX.parse("pixelmaya", pair).verified is False


def test_instagram_scraper_api2_mapping() -> None:
    profile = IG2.parse("maya.cooks", load_payload("instagram-v1info-user"))
    assert (profile.username, profile.display_name) == ("maya.cooks", "Maya | 15-min dinners")
    assert (profile.followers, profile.following, profile.total_content) == (93518, 402, 611)
    assert profile.verified is True
    assert profile.posts == ()
    assert profile.likes is None
    assert profile.profile_image.endswith("s320x320")


def test_youtube138_mapping() -> None:
    profile = YT138.parse("@mayacooks", load_payload("youtube-user"))
    assert (profile.platform, profile.username, profile.display_name) == (
        "youtube", "mayacooks", "Maya Cooks")  # fmt: skip
    assert (profile.followers, profile.total_content, profile.views) == (412000, 318, 58231904)
    assert (profile.verified, profile.rounded, profile.likes) == (True, True, None)
    assert "s176" in profile.profile_image  # the largest avatar


def test_youtube_data_api_mapping() -> None:
    profile = YTDATA.parse("mayacooks", load_payload("youtube-dataapi-user"))
    assert (profile.username, profile.display_name) == ("mayacooks", "Maya Cooks")
    assert (profile.followers, profile.total_content, profile.views) == (412000, 318, 58231904)
    assert (profile.verified, profile.rounded) == (False, True)
    assert "s800" in profile.profile_image  # thumbnails.high


def test_youtube_small_counts_are_exact_and_hidden_is_zero() -> None:
    payload = load_payload("youtube-dataapi-user")
    stats = payload["items"][0]["statistics"]
    stats["subscriberCount"] = "999"
    assert YTDATA.parse("x", payload).rounded is False
    del stats["subscriberCount"]
    stats["hiddenSubscriberCount"] = True
    assert YTDATA.parse("x", payload).followers == 0
    stats["hiddenSubscriberCount"] = False
    assert_malformed(YTDATA, payload)


# --- not found: only the provider's own answer ---------------------------------------------------


@pytest.mark.parametrize(
    ("adapter", "payload"),
    [
        (TIKTOK45, {"data": load_payload("tiktok-notfound")}),
        (TIKTOK45, {"data": {"statusCode": 10202, "userInfo": {}}}),
        (TIKTOK45, {"data": {"statusCode": 0, "userInfo": {"user": {}}}}),
        (X, load_payload("x-api-notfound")),
        (X, {"errors": [{"title": "Forbidden", "detail": "User has been suspended: [x].",
                         "type": "https://api.twitter.com/2/problems/resource-not-found"}]}),
        (HELIX, [load_payload("twitch-helix-notfound")]),
        (HELIX, [load_payload("twitch-helix-notfound"), load_payload("twitch-helix-followers")]),
        (YT138, {"message": "Channel not found"}),
        (YT138, {"error": "This channel does not exist."}),
        (YTDATA, load_payload("youtube-dataapi-notfound")),
        (YTDATA, {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 0},
                  "items": []}),
    ],
)  # fmt: skip
def test_not_found(adapter: Adapter, payload: Any) -> None:
    assert_not_found(adapter, payload)


@pytest.mark.parametrize(
    ("adapter", "payload"),
    [
        (TIKTOK45, load_payload("tiktok-user")),  # tiktok-api23's unwrapped body
        (TIKTOK45, {"data": []}),
        (TIKTOK45, {"data": {"userInfo": {"user": {"uniqueId": "a"}}}}),
        (X, {}),
        (X, {"errors": [{"title": "Unauthorized", "type": "about:blank"}]}),
        (X, {"title": "Too Many Requests", "status": 429}),
        (X, {"data": {"id": "1", "username": "a"}}),
        (X, {"data": {"public_metrics": {"followers_count": "lots"}}}),
        (X, {"data": [], "errors": load_payload("x-api-notfound")["errors"]}),
        (HELIX, load_payload("twitch-helix-users")),  # not the list of two answers
        (HELIX, [load_payload("twitch-helix-users")]),  # no followers answer
        (HELIX, [load_payload("twitch-helix-users"), {"data": []}]),
        (HELIX, [{"data": [{"login": "x"}]}, load_payload("twitch-helix-followers")]),
        (HELIX, [{}, load_payload("twitch-helix-followers")]),
        (HELIX, []),
        (HELIX, "[]"),
        (IG2, load_payload("instagram-user")),  # looter2's flat shape
        (IG2, load_payload("instagram-notfound")),  # looter2's not-found is not this provider's
        (IG2, {"data": {"username": "a"}}),
        (IG2, {"data": None}),
        (YT138, {}),
        (YT138, {"unexpected": []}),
        (YT138, {"channelId": CHANNEL_ID, "message": "not found", "stats": {}}),
        (YT138, {"message": "You are not subscribed to this API."}),
        (YTDATA, load_payload("youtube-dataapi-quota")),
        (YTDATA, {"kind": "youtube#channelListResponse"}),
        (YTDATA, {"items": [{"id": CHANNEL_ID}], "pageInfo": {"totalResults": 1}}),
        (YTDATA, load_payload("youtube-user")),
    ],
)  # fmt: skip
def test_malformed(adapter: Adapter, payload: Any) -> None:
    assert_malformed(adapter, payload)


# --- YouTube usernames ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("@MayaCooks", "mayacooks"),
        ("MayaCooks", "mayacooks"),
        ("  @maya.cooks-2_x ", "maya.cooks-2_x"),
        ("abc", "abc"),
        ("a" * 30, "a" * 30),
        (CHANNEL_ID, CHANNEL_ID),  # a channel id keeps its case
        (f" {CHANNEL_ID} ", CHANNEL_ID),
        ("UC_-" + "a" * 20, "UC_-" + "a" * 20),
        ("@" + CHANNEL_ID, CHANNEL_ID.lower()),  # with "@" it is a handle
    ],
)
def test_youtube_usernames(given: str, canonical: str) -> None:
    assert youtube_username(given) == canonical
    assert YT138.canonical_username(given) == YTDATA.canonical_username(given) == canonical


@pytest.mark.parametrize(
    "given",
    ["", "@", "ab", "@ab", "a" * 31, "maya cooks", "maya/cooks", "maya!", "@@maya", None, 7],
)
def test_youtube_invalid_usernames(given: Any) -> None:
    for check in (youtube_username, YT138.canonical_username, YTDATA.request):
        with pytest.raises(InvalidUsername) as info:
            check(given)
        assert info.value.platform == "youtube"


# --- fuzz: parse raises only provider errors -----------------------------------------------------

SAMPLES = [
    (TIKTOK45, load_payload("tiktok-api45-user")),
    (X, load_payload("x-api-user")),
    (HELIX, helix_pair()),
    (IG2, load_payload("instagram-v1info-user")),
    (YT138, load_payload("youtube-user")),
    (YTDATA, load_payload("youtube-dataapi-user")),
]


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    action = draw(st.integers(0, 19))
    if action == 0:
        return draw(JSON)
    if isinstance(value, dict):
        return {k: _mutate(draw, v) for k, v in value.items() if draw(st.integers(0, 11))}
    if isinstance(value, list):
        return [_mutate(draw, v) for v in value]
    return value if action > 4 else draw(LEAVES)


@st.composite
def shaped(draw: st.DrawFn) -> Any:
    _, sample = draw(st.sampled_from(SAMPLES))
    return _mutate(draw, copy.deepcopy(sample))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=JSON | shaped())
def test_parse_raises_only_provider_errors(payload: Any) -> None:
    for adapter in NEW:
        try:
            profile = adapter.parse("someone", payload)
        except (UsernameNotFound, MalformedPayload):
            continue
        assert profile.platform == adapter.platform
        assert 0 <= profile.followers < 2**63
        assert profile.following >= 0
        assert profile.total_content >= 0
        assert profile.likes is None or profile.likes >= 0
        assert profile.views is None or profile.views >= 0
        for formula in ("legacy", "rate"):
            result = engagement.get(formula)(profile)
            assert result.total is None or math.isfinite(result.total)
            assert result.average is None or math.isfinite(result.average)
