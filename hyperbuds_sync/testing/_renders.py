"""Answers of the issue-12 providers, rendered from a :class:`Creator` in their real shapes.

RapidAPI: instagram-scraper-api2 ``/v1/info``
(mobile-style ``data``), youtube138 ``/channel/details/``. Official: X API v2
``users/by/username``, Helix ``/helix/users`` and ``/helix/channels/followers``, YouTube Data
API v3 ``channels.list`` (tiktok-api45 is tiktok-api23's body in ``data``: in ``_answers``).
Shapes from ``providers.md`` sections 1b, 2b, 4b, 5 and 6 and the
payload files. Ids are derived from the username as the first providers' are, so one creator
has the same id everywhere.
"""

from __future__ import annotations

from typing import Any

from ._creators import Creator
from ._ids import channel_id, digits, sig3

__all__ = [
    "helix_followers",
    "helix_user",
    "instagram_info",
    "x_not_found",
    "x_user",
    "youtube138_channel",
    "youtube_channel",
    "youtube_id",
]

JSON = dict[str, Any]


def youtube_id(c: Creator) -> str:
    """The creator's channel id: the seeded one, or one derived from the username."""
    return c.channel_id or channel_id(c.username)


def instagram_info(c: Creator) -> JSON:
    """``GET /v1/info`` on instagram-scraper-api2: the mobile-style profile in ``data``."""
    owner_id = digits("instagram:" + c.username, 11)
    image = c.image or f"https://scontent.cdninstagram.com/v/t51.2885-19/{owner_id}_n.jpg"
    return {
        "data": {
            "id": owner_id,
            "username": c.username,
            "full_name": c.display_name,
            "biography": c.bio,
            "external_url": "",
            "category": "",
            "follower_count": c.followers,
            "following_count": c.following,
            "media_count": c.posts,
            "is_private": False,
            "is_verified": c.verified,
            "is_business": False,
            "profile_pic_url": image + "?stp=dst-jpg_s150x150",
            "profile_pic_url_hd": image + "?stp=dst-jpg_s320x320",
            "total_clips_count": c.posts // 3,
        }
    }


def _short(n: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if n >= size:
            return f"{n / size:.3g}{suffix}"
    return str(n)


def youtube138_channel(c: Creator) -> JSON:
    """``GET /channel/details/`` on youtube138: the flat channel, subscribers rounded."""
    image = c.image or f"https://yt3.googleusercontent.com/{youtube_id(c)}"
    subscribers = sig3(c.followers)
    return {
        "channelId": youtube_id(c),
        "title": c.display_name or c.username,
        "username": f"@{c.username}",
        "canonicalBaseUrl": f"/@{c.username}",
        "description": c.bio,
        "country": "United States",
        "joinedDate": "2019-03-02",
        "joinedDateText": "Joined Mar 2, 2019",
        "avatar": [
            {"height": size, "width": size, "url": f"{image}=s{size}-c-k-c0x00ffffff-no-rj"}
            for size in (48, 88, 176)
        ],
        "badges": [{"text": "Verified", "type": "VERIFIED_CHANNEL"}] if c.verified else [],
        "banner": {"desktop": [], "mobile": [], "tv": []},
        "links": [],
        "stats": {
            "subscribers": subscribers,
            "subscribersText": f"{_short(subscribers)} subscribers",
            "videos": c.posts,
            "videosText": f"{c.posts} videos",
            "views": c.views,
        },
    }


def youtube_channel(c: Creator) -> JSON:
    """One ``items[]`` entry of the Data API's ``channels.list`` (counts as strings)."""
    image = c.image or f"https://yt3.ggpht.com/{youtube_id(c)}"
    thumbs = {
        name: {"url": f"{image}=s{size}-c-k-c0x00ffffff-no-rj", "width": size, "height": size}
        for name, size in (("default", 88), ("medium", 240), ("high", 800))
    }
    title = c.display_name or c.username
    return {
        "kind": "youtube#channel",
        "etag": digits("etag:" + c.username, 20),
        "id": youtube_id(c),
        "snippet": {
            "title": title,
            "description": c.bio,
            "customUrl": f"@{c.username}",
            "publishedAt": "2019-03-02T16:41:09Z",
            "thumbnails": thumbs,
            "localized": {"title": title, "description": c.bio},
            "country": "US",
        },
        "statistics": {
            "viewCount": str(c.views),
            "subscriberCount": str(sig3(c.followers)),
            "hiddenSubscriberCount": False,
            "videoCount": str(c.posts),
        },
    }


def x_user(c: Creator) -> JSON:
    """``GET /2/users/by/username/{u}`` on the X API v2, with the ``user.fields`` asked for."""
    uid = digits("twitter:" + c.username, 19)
    image = c.image or f"https://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg"
    return {
        "data": {
            "id": uid,
            "name": c.display_name or c.username,
            "username": c.username,
            "verified": c.verified,
            "description": c.bio,
            "profile_image_url": image,
            "public_metrics": {
                "followers_count": c.followers,
                "following_count": c.following,
                "tweet_count": c.posts,
                "listed_count": c.followers // 200,
                "like_count": c.likes,
            },
        }
    }


def x_not_found(username: str) -> JSON:
    """X's not-found answer (HTTP 200) for ``username``."""
    return {
        "errors": [
            {
                "value": username,
                "detail": f"Could not find user with username: [{username}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "username",
                "resource_id": username,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }


def helix_id(c: Creator) -> str:
    """The Twitch user id (the same as twitch-scraper2's ``data.user.id``)."""
    return digits("twitch:" + c.username, 9)


def helix_user(c: Creator) -> JSON:
    """One ``data[]`` entry of ``GET /helix/users``."""
    uid = helix_id(c)
    image = (
        c.image or f"https://static-cdn.jtvnw.net/jtv_user_pictures/{uid}-profile_image-300x300.png"
    )
    return {
        "id": uid,
        "login": c.username,
        "display_name": c.display_name or c.username,
        "type": "",
        "broadcaster_type": "partner" if c.verified else ("affiliate" if c.followers >= 50 else ""),
        "description": c.bio,
        "profile_image_url": image,
        "offline_image_url": "",
        "view_count": 0,
        "created_at": "2020-05-14T18:22:41Z",
    }


def helix_followers(c: Creator) -> JSON:
    """``GET /helix/channels/followers`` with an app token: the total only."""
    return {"total": c.followers, "data": [], "pagination": {}}
