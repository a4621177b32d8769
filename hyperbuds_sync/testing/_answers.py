"""The first RapidAPI providers' answers, rendered from a :class:`Creator` in their real shapes.

Shapes follow ``providers.md`` sections 1-4 and the payload files: TikTok ``userInfo.user`` /
``stats`` / ``statsV2`` (``statsV2`` counts as strings, ``stats`` rounded), Twitter's 2025
``result.data.user.result`` with ``core`` / ``avatar`` / ``legacy``, Twitch ``data.user``, and
Instagram looter2's flat ``/profile`` answer; tiktok-api45 is tiktok-api23's body in ``data``.
The issue-12 providers render in :mod:`._renders`; :mod:`._shapes` lists every provider.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ._creators import Creator
from ._ids import digits as _digits
from ._ids import sig3 as _sig3

__all__ = [
    "TIKTOK_NOT_FOUND",
    "instagram_user",
    "tiktok_api45_user",
    "tiktok_user",
    "twitch_user",
    "twitter_user",
]

JSON = dict[str, Any]

_EPOCH = 1_600_000_000  # seconds; created-at times are spread after it


def _short(n: int) -> str:
    """TikTok's ``shareMeta`` short count: ``1.2m``, ``48.6k``, ``311``."""
    for size, suffix in ((1_000_000_000, "b"), (1_000_000, "m"), (1_000, "k")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def _tiktok_counts(c: Creator) -> dict[str, int]:
    return {
        "followerCount": c.followers,
        "followingCount": c.following,
        "heart": c.likes,
        "heartCount": c.likes,
        "videoCount": c.posts,
        "diggCount": 0,
        "friendCount": min(c.following, c.followers),
    }


def _tiktok_meta(seed: str) -> JSON:
    """TikTok's ``extra`` and ``log_pb`` blocks, with a log id derived from ``seed``."""
    logid = "20261124093015" + hashlib.blake2b(seed.encode(), digest_size=10).hexdigest().upper()
    return {
        "extra": {"fatal_item_ids": [], "logid": logid, "now": 1_795_512_615_000},
        "log_pb": {"impr_id": logid},
    }


def tiktok_user(c: Creator) -> JSON:
    """``GET /api/user/info`` on tiktok-api23: TikTok web's user detail."""
    uid = _digits("tiktok:" + c.username, 19)
    counts = _tiktok_counts(c)
    base = c.image or f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{uid}.jpeg"
    name = c.display_name or c.username
    desc = f"@{c.username} {_short(c.followers)} Followers, {_short(c.following)} Following, "
    return {
        **_tiktok_meta(c.username),
        "shareMeta": {
            "desc": f"{desc}{_short(c.likes)} Likes - Watch awesome short videos created by {name}",
            "title": f"{name} on TikTok",
        },
        "statusCode": 0,
        "status_code": 0,
        "status_msg": "",
        "userInfo": {
            "user": {
                "id": uid,
                "shortId": "",
                "uniqueId": c.username,
                "nickname": name,
                "avatarLarger": base + "?x-expires=1795680000&x-signature=bGFyZ2U%3D",
                "avatarMedium": base + "?x-expires=1795680000&x-signature=bWVkaXVt",
                "avatarThumb": base + "?x-expires=1795680000&x-signature=dGh1bWI%3D",
                "signature": c.bio,
                "createTime": _EPOCH + int(uid[:8]) % 150_000_000,
                "verified": c.verified,
                "secUid": "MS4wLjABAAAA" + hashlib.sha256(uid.encode()).hexdigest()[:52],
                "privateAccount": False,
                "secret": False,
                "roomId": "",
                "ttSeller": False,
                "region": "US",
                "language": "en",
                "commerceUserInfo": {"commerceUser": c.followers >= 10_000},
            },
            "stats": {k: _sig3(v) for k, v in counts.items()},
            "statsV2": {k: str(v) for k, v in counts.items()},
        },
    }


def tiktok_api45_user(c: Creator) -> JSON:
    """``GET /api/v1/user/detail`` on tiktok-api45: the same TikTok web body, in ``data``."""
    return {"data": tiktok_user(c)}


def _twitter_legacy(c: Creator, rest_id: str) -> JSON:
    return {
        "default_profile": False,
        "default_profile_image": not c.image,
        "description": c.bio,
        "entities": {"description": {"urls": []}},
        "fast_followers_count": 0,
        "favourites_count": c.likes,
        "followers_count": c.followers,
        "friends_count": c.following,
        "has_custom_timelines": False,
        "is_translator": False,
        "listed_count": c.followers // 200,
        "media_count": c.posts // 5,
        "normal_followers_count": c.followers,
        "pinned_tweet_ids_str": [],
        "possibly_sensitive": False,
        "profile_banner_url": f"https://pbs.twimg.com/profile_banners/{rest_id}/1730000000",
        "profile_interstitial_type": "",
        "statuses_count": c.posts,
        "translator_type": "none",
        "want_retweets": False,
        "withheld_in_countries": [],
    }


def twitter_user(c: Creator) -> JSON:
    """``GET /user`` on twitter241: X's ``UserByScreenName``, 2025 shape, wrapped in ``result``."""
    rest_id = _digits("twitter:" + c.username, 19)
    image = c.image or f"https://pbs.twimg.com/profile_images/{rest_id}/avatar_normal.jpg"
    user = {
        "__typename": "User",
        "id": base64.b64encode(f"User:{rest_id}".encode()).decode(),
        "rest_id": rest_id,
        "affiliates_highlighted_label": {},
        "avatar": {"image_url": image},
        "core": {
            "created_at": "Sun Jan 23 10:14:52 +0000 2022",
            "name": c.display_name or c.username,
            "screen_name": c.username,
        },
        "dm_permissions": {"can_dm": False},
        "has_graduated_access": True,
        "is_blue_verified": c.verified,
        "legacy": _twitter_legacy(c, rest_id),
        "location": {"location": ""},
        "media_permissions": {"can_media_tag": True},
        "parody_commentary_fan_label": "None",
        "profile_image_shape": "Circle",
        "privacy": {"protected": False},
        "verification": {"verified": False},
        "verification_info": {"is_identity_verified": False},
    }
    return {"result": {"data": {"user": {"result": user}}}}


def twitch_user(c: Creator) -> JSON:
    """``GET /api/channels/info`` on twitch-scraper2: Twitch GQL's ``User``."""
    uid = _digits("twitch:" + c.username, 9)
    image = (
        c.image or f"https://static-cdn.jtvnw.net/jtv_user_pictures/{uid}-profile_image-300x300.png"
    )
    user: JSON = {
        "id": uid,
        "login": c.username,
        "displayName": c.display_name or c.username,
        "description": c.bio,
        "createdAt": "2020-05-14T18:22:41.117Z",
        "profileImageURL": image,
        "bannerImageURL": None,
        "offlineImageURL": None,
        "primaryColorHex": "9147FF",
        "followers": {"totalCount": c.followers},
        "roles": {
            "isPartner": c.verified,
            "isAffiliate": not c.verified and c.followers >= 50,
            "isStaff": None,
        },
        "stream": None,
        "lastBroadcast": {"id": _digits(uid, 11), "startedAt": "2026-11-22T19:00:03Z", "title": ""},
    }
    if c.views:
        user["view_count"] = c.views
    return {"data": {"user": user}}


def _split(total: int, parts: int, index: int) -> int:
    """Part ``index`` of ``total`` split evenly over ``parts``, the remainder on the first ones."""
    return total // parts + (1 if index < total % parts else 0)


def _instagram_posts(c: Creator, owner_id: str) -> list[JSON]:
    count = min(c.recent, c.posts)
    videos = (count + 1) // 2  # posts 0, 2, 4, ... are videos
    edges: list[JSON] = []
    for i in range(count):
        likes = _split(c.likes, count, i)
        node: JSON = {
            "__typename": "GraphVideo" if i % 2 == 0 else "GraphImage",
            "id": _digits(f"{owner_id}:{i}", 19),
            "shortcode": hashlib.blake2b(f"{owner_id}:{i}".encode(), digest_size=8).hexdigest()[
                :11
            ],
            "is_video": i % 2 == 0,
            "taken_at_timestamp": 1_795_230_011 - i * 172_800,
            "edge_media_to_caption": {"edges": [{"node": {"text": f"post {i}"}}]},
            "edge_media_to_comment": {"count": _split(c.comments, count, i)},
            "edge_liked_by": {"count": likes},
            "edge_media_preview_like": {"count": likes},
            "owner": {"id": owner_id, "username": c.username},
            "comments_disabled": False,
        }
        if i % 2 == 0:
            node["video_view_count"] = _split(c.views, videos, i // 2)
        edges.append({"node": node})
    return edges


def instagram_user(c: Creator) -> JSON:
    """``GET /profile`` on instagram-looter2: the flat web profile with ``status: true``."""
    owner_id = _digits("instagram:" + c.username, 11)
    image = c.image or f"https://scontent.cdninstagram.com/v/t51.2885-19/{owner_id}_n.jpg"
    return {
        "status": True,
        "id": owner_id,
        "username": c.username,
        "full_name": c.display_name,
        "biography": c.bio,
        "bio_links": [],
        "external_url": None,
        "edge_followed_by": {"count": c.followers},
        "edge_follow": {"count": c.following},
        "is_private": False,
        "is_verified": c.verified,
        "is_business_account": False,
        "is_professional_account": c.followers >= 10_000,
        "category_name": None,
        "highlight_reel_count": 0,
        "hide_like_and_view_counts": False,
        "has_clips": c.views > 0,
        "profile_pic_url": image + "?stp=dst-jpg_s150x150",
        "profile_pic_url_hd": image + "?stp=dst-jpg_s320x320",
        "edge_owner_to_timeline_media": {
            "count": c.posts,
            "edges": _instagram_posts(c, owner_id),
        },
    }


TIKTOK_NOT_FOUND: JSON = {
    **_tiktok_meta("not-found"),
    "statusCode": 10221,
    "status_code": 0,
    "status_msg": "",
    "userInfo": {},
}
"""TikTok's answer for an unknown user (tiktok-api45 wraps it in ``data``)."""
