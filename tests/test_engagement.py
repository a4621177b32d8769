"""Engagement formulas against profiles parsed from the sample answers.

``legacy`` must give exactly what the old frontend gave for the same answer; the numbers below are
worked out by hand from ``tests/payloads/*.json``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from _payloads import load_payload

from hyperbuds_sync import engagement
from hyperbuds_sync.engagement import Engagement
from hyperbuds_sync.errors import UnknownFormula
from hyperbuds_sync.models import PlatformData
from hyperbuds_sync.platforms import (
    InstagramLooter2Adapter,
    PostStats,
    Profile,
    TikTokApi23Adapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
)

FETCHED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def tiktok() -> Profile:
    return TikTokApi23Adapter().parse("mayacooks", load_payload("tiktok-user"))


def twitter() -> Profile:
    return Twitter241Adapter().parse("mayacooks", load_payload("twitter-user"))


def twitch(**user: Any) -> Profile:
    payload = load_payload("twitch-user")
    payload["data"]["user"].update(user)
    return TwitchScraper2Adapter().parse("pixelmaya", payload)


def instagram(name: str = "instagram-user") -> Profile:
    return InstagramLooter2Adapter().parse("maya.cooks", load_payload(name))


# --- legacy (the old frontend) -------------------------------------------------------------------


def test_legacy_is_the_default() -> None:
    assert engagement.DEFAULT == "legacy"
    assert engagement.get("legacy") is engagement.legacy


def test_legacy_tiktok_hearts_per_video() -> None:
    assert engagement.legacy(tiktok()) == Engagement(48571902.0, 48571902 / 842)


def test_legacy_tiktok_without_videos_is_zero_average() -> None:
    profile = attrs.evolve(tiktok(), total_content=0)
    assert engagement.legacy(profile) == Engagement(48571902.0, 0.0)


def test_legacy_tiktok_without_hearts_is_none() -> None:
    # issue 12: a hidden like count gives nothing to compute from (a fake 0 drags averages down)
    assert engagement.legacy(attrs.evolve(tiktok(), likes=None)) == Engagement(None, None)


def test_legacy_twitter_likes_plus_ten_per_tweet() -> None:
    total = 18342 + 9731 * 10
    assert total == 115652
    assert engagement.legacy(twitter()) == Engagement(115652.0, 115652 / 9731)


def test_legacy_twitter_2026_shape_gives_the_same() -> None:
    profile = Twitter241Adapter().parse("mayacooks", load_payload("twitter-user-nolegacy"))
    assert engagement.legacy(profile) == engagement.legacy(twitter())


def test_legacy_twitter_without_tweets() -> None:
    assert engagement.legacy(attrs.evolve(twitter(), total_content=0)) == Engagement(18342.0, 0.0)


def test_legacy_twitch_without_view_count_is_none() -> None:
    # issue 12: Twitch has no view count since 2022; the seed's "always 0" becomes None
    assert engagement.legacy(twitch()) == Engagement(None, None)


def test_legacy_twitch_with_view_count() -> None:
    assert engagement.legacy(twitch(view_count=5000)) == Engagement(5000.0, 5000.0)
    assert engagement.legacy(twitch(viewCount="12")) == Engagement(12.0, 12.0)


def test_legacy_instagram_mean_over_posts() -> None:
    # (5120 + 214) + (2730 + 88) = 5334 + 2818 = 8152 over 2 posts
    assert engagement.legacy(instagram()) == Engagement(8152.0, 4076.0)


def test_legacy_instagram_without_posts_is_zero() -> None:
    assert engagement.legacy(instagram("instagram-v1info-user")) == Engagement(0.0, 0.0)


def test_legacy_instagram_hidden_likes_count_as_zero() -> None:
    payload = load_payload("instagram-user")
    for edge in payload["edge_owner_to_timeline_media"]["edges"]:
        edge["node"]["edge_liked_by"]["count"] = -1
    profile = InstagramLooter2Adapter().parse("maya.cooks", payload)
    assert engagement.legacy(profile) == Engagement(302.0, 151.0)


def test_legacy_youtube_is_views_per_video() -> None:
    profile = Profile(platform="youtube", username="x", followers=1, views=900, total_content=3)
    assert engagement.legacy(profile) == Engagement(900.0, 300.0)
    assert engagement.legacy(attrs.evolve(profile, likes=60)) == Engagement(900.0, 300.0)
    assert engagement.legacy(attrs.evolve(profile, views=None)) == Engagement(None, None)


def test_legacy_other_platform_likes_per_content() -> None:
    profile = Profile(platform="vimeo", username="x", followers=1, likes=None, views=900)
    assert engagement.legacy(attrs.evolve(profile, total_content=3)) == Engagement(900.0, 300.0)
    assert engagement.legacy(attrs.evolve(profile, likes=60, total_content=0)) == Engagement(
        60.0, 0.0
    )


# --- rate ----------------------------------------------------------------------------------------


def test_rate_tiktok_hearts_per_video_over_followers() -> None:
    # 48571902 / 842 / 1204377 * 100
    assert engagement.rate(tiktok()) == Engagement(48571902.0, 4.7897)


def test_rate_twitter() -> None:
    # 18342 / 9731 / 256410 * 100
    assert engagement.rate(twitter()) == Engagement(18342.0, 0.0007)


def test_rate_instagram_posts_over_followers() -> None:
    # 4076 / 93518 * 100
    assert engagement.rate(instagram()) == Engagement(8152.0, 4.3585)


@pytest.mark.parametrize(
    "profile",
    [
        twitch(view_count=5000),
        attrs.evolve(tiktok(), total_content=0),
        instagram("instagram-v1info-user"),
    ],
    ids=["twitch", "no-videos", "no-posts"],
)
def test_rate_is_none_without_the_inputs(profile: Profile) -> None:
    # issue 12: nothing to compute from is None, not a fake 0
    assert engagement.rate(profile) == Engagement(None, None)


def test_rate_is_zero_without_followers() -> None:
    assert engagement.rate(attrs.evolve(tiktok(), followers=0)) == Engagement(0.0, 0.0)


def test_describe_says_what_a_formula_computes() -> None:
    youtube = engagement.describe("legacy", "youtube")
    assert (youtube.aggregate, youtube.unit) == ("views per video", "views")
    assert youtube.fields == ("views", "total_content")
    assert engagement.describe("legacy", "instagram").window == "recent posts"
    assert engagement.describe("rate", "twitch").fields == ()
    with pytest.raises(UnknownFormula):
        engagement.describe("median", "tiktok")


# --- the registry of formulas --------------------------------------------------------------------


@pytest.fixture
def formulas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test register formulas without leaking them into other tests."""
    monkeypatch.setattr(engagement, "_FORMULAS", dict(engagement._FORMULAS))


@pytest.mark.usefixtures("formulas")
def test_custom_formula_registration() -> None:
    @engagement.register("hearts_only")
    def hearts_only(profile: Profile) -> Engagement:
        likes = profile.likes or 0
        return Engagement(total=likes, average=likes)

    assert engagement.get("hearts_only") is hearts_only
    assert "hearts_only" in engagement.names()
    data = engagement.normalize(tiktok(), formula="hearts_only", fetched_at=FETCHED, raw={})
    assert (data.total_engagement, data.average_engagement) == (48571902.0, 48571902.0)


@pytest.mark.usefixtures("formulas")
def test_register_without_decorator_and_duplicates() -> None:
    def flat(profile: Profile) -> Engagement:
        return Engagement(1.0, 1.0)

    def other(profile: Profile) -> Engagement:
        return Engagement(2.0, 2.0)

    engagement.register("flat", flat)
    engagement.register("flat", flat)  # the same function again is harmless
    with pytest.raises(ValueError, match="already registered"):
        engagement.register("flat", other)
    engagement.register("flat", other, replace=True)
    assert engagement.get("flat") is other


def test_unknown_formula_lists_known_names() -> None:
    with pytest.raises(UnknownFormula) as info:
        engagement.get("nope")
    assert info.value.name == "nope"
    assert {"legacy", "rate"} <= set(info.value.known)
    assert "legacy" in str(info.value)
    with pytest.raises(UnknownFormula):
        engagement.normalize(tiktok(), formula="nope", fetched_at=FETCHED, raw={})


def test_builtin_names() -> None:
    assert {"legacy", "rate"} <= set(engagement.names())
    assert engagement.names() == sorted(engagement.names())


# --- normalize -----------------------------------------------------------------------------------


def test_normalize_builds_platform_data() -> None:
    raw = load_payload("tiktok-user")
    data = engagement.normalize(tiktok(), fetched_at=FETCHED, raw=raw)
    assert data == PlatformData(
        platform="tiktok",
        username="mayacooks",
        display_name="Maya Cooks",
        profile_image=tiktok().profile_image,
        bio="15-minute dinners for busy people\nnew video every Tue & Fri",
        verified=True,
        followers=1204377,
        following=311,
        total_content=842,
        total_engagement=48571902.0,
        average_engagement=48571902 / 842,
        last_fetched=FETCHED,
        formula="legacy",
    )
    assert data.raw == raw
    assert data.last_fetched.tzinfo is not None
    assert not data.stale


def test_normalize_with_a_callable_formula_and_non_dict_raw() -> None:
    data = engagement.normalize(
        twitch(), formula=lambda p: Engagement(3, 4), fetched_at=FETCHED, raw=["x"]
    )
    assert (data.total_engagement, data.average_engagement) == (3.0, 4.0)
    assert isinstance(data.total_engagement, float)
    assert data.raw == {"value": ["x"]}


def test_normalize_display_name_falls_back_to_username() -> None:
    profile = Profile(platform="twitch", username="pixelmaya", followers=1)
    data = engagement.normalize(profile, fetched_at=FETCHED, raw={})
    assert data.display_name == "pixelmaya"


def test_normalize_last_fetched_is_timezone_aware() -> None:
    naive = datetime(2026, 11, 24, 9, 30)  # naive on purpose: taken as UTC
    data = engagement.normalize(instagram(), fetched_at=naive, raw={})
    assert data.last_fetched == FETCHED
    assert data.last_fetched.utcoffset() == timedelta(0)
    assert isinstance(data.age, timedelta)  # naive would raise TypeError here
    paris = datetime(2026, 11, 24, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert engagement.normalize(instagram(), fetched_at=paris, raw={}).last_fetched == FETCHED


def test_normalize_instagram_uses_the_posts() -> None:
    data = engagement.normalize(instagram(), formula="rate", fetched_at=FETCHED, raw={})
    assert (data.total_engagement, data.average_engagement) == (8152.0, 4.3585)
    assert (data.followers, data.following, data.total_content) == (93518, 402, 611)
    assert data.username == "maya.cooks"


def test_post_stats_defaults() -> None:
    assert PostStats() == PostStats(likes=0, comments=0, views=None)


def test_legacy_is_the_registered_default_and_replaceable() -> None:
    profile = Profile("tiktok", "a", 1, likes=10, total_content=5)
    assert engagement.legacy(profile) == engagement.Engagement(10.0, 2.0)
    engagement.register("legacy", lambda p: engagement.Engagement(1, 2), replace=True)
    try:
        data = engagement.normalize(profile, fetched_at=FETCHED, raw={})
        assert (data.total_engagement, data.average_engagement) == (1.0, 2.0)
    finally:
        engagement.register("legacy", engagement.legacy, replace=True)
    assert engagement.normalize(profile, fetched_at=FETCHED, raw={}).average_engagement == 2.0
