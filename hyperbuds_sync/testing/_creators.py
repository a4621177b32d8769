"""The creators the RapidAPI emulator knows: the :class:`Creator` record, seed data, generation.

A :class:`Creator` is platform-neutral; :mod:`._answers` and :mod:`._renders` render it in each
provider's answer shape.
The seed creators are the sample creators of the payload files (``mayacooks`` on TikTok and
Twitter, ``pixelmaya`` on Twitch, ``maya.cooks`` on Instagram) plus a few edge cases.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping

from attrs import field, frozen, validators

__all__ = [
    "AUTOGENERATE_PATTERN",
    "PLATFORMS",
    "Creator",
    "canonical_username",
    "generate_creator",
    "seed_creators",
    "starting_creators",
]

PLATFORMS = ("tiktok", "twitter", "twitch", "instagram", "youtube")
"""The platforms the RapidAPI emulator serves."""

AUTOGENERATE_PATTERN = r"(?!missing|notfound)[a-z0-9_.]{1,30}"
"""Usernames ``autogenerate=True`` invents a creator for (a full match, after lower-casing).

Names starting with ``missing`` or ``notfound`` never match, so not-found stays testable.
"""

_count = [validators.instance_of(int), validators.ge(0)]


@frozen
class Creator:
    """One creator's public profile on one platform, as the emulator serves it.

    What each count means per platform:

    - ``posts``: TikTok ``videoCount``, Twitter ``statuses_count``, Instagram media count;
      not in the Twitch answer.
    - ``likes``: TikTok hearts received, Twitter ``favourites_count`` (likes given); on Instagram
      the total likes over the ``recent`` posts listed in the answer; not in the Twitch answer.
    - ``comments``: Instagram only, the total comments over the ``recent`` posts.
    - ``views``: Instagram, total views over the recent video posts; Twitch, the legacy
      ``view_count`` (sent only when > 0, as Twitch removed it in 2022).
    - ``verified``: TikTok ``verified``, Twitter ``is_blue_verified``, Twitch ``roles.isPartner``,
      Instagram ``is_verified``.
    - ``recent``: how many recent posts an Instagram answer lists (capped by ``posts``).
    - YouTube: ``followers`` are subscribers (both YouTube providers publish them rounded to
      three significant figures), ``posts`` videos, ``views`` the channel's total views;
      ``channel_id`` is the ``UC...`` id (derived from the username when empty).

    Every provider of one platform renders the same creator, so their counts agree (up to the
    rounding each one publishes).

    Instagram totals are split evenly over the listed posts, the remainder on the first ones, so
    the sums in the answer equal ``likes``, ``comments`` and ``views`` exactly.
    """

    username: str = field(validator=validators.min_len(1))
    display_name: str = ""
    followers: int = field(default=0, validator=_count)
    following: int = field(default=0, validator=_count)
    posts: int = field(default=0, validator=_count)
    likes: int = field(default=0, validator=_count)
    comments: int = field(default=0, validator=_count)
    views: int = field(default=0, validator=_count)
    verified: bool = False
    bio: str = ""
    image: str = ""
    recent: int = field(default=12, validator=_count)
    channel_id: str = ""


def canonical_username(username: str) -> str:
    """The lookup form of a username: trimmed, one leading ``@`` dropped, lower-cased."""
    name = username.strip()
    return (name[1:] if name.startswith("@") else name).lower()


def seed_creators() -> dict[str, list[Creator]]:
    """The creators every emulator starts with, per platform (a fresh copy each call)."""
    return {platform: seeds() for platform, seeds in _SEEDS.items()}


def starting_creators(
    sample: bool, creators: Mapping[str, Iterable[Creator]] | None
) -> Iterator[tuple[str, Creator]]:
    """The ``(platform, creator)`` pairs an emulator starts with: the seed creators when
    ``sample``, then ``creators`` (a later one replaces an earlier one of the same name)."""
    for given in (seed_creators() if sample else {}, creators or {}):
        for platform, listed in given.items():
            for creator in listed:
                yield platform, creator


def _tiktok() -> list[Creator]:
    """The seed creators on TikTok."""
    return [
        Creator(
            username="mayacooks",
            display_name="Maya Cooks",
            followers=1_204_377,
            following=311,
            posts=842,
            likes=48_571_902,
            verified=True,
            bio="15-minute dinners for busy people\nnew video every Tue & Fri",
            image="https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/7f3c2a91b0e4d5"
            "~tplv-tiktokx-cropcenter:1080:1080.jpeg",
        ),
        Creator(
            "danceduo", "Dance Duo", followers=58_210, following=140, posts=233, likes=1_902_455
        ),
        Creator("newbie", "Just Started", followers=12, following=40),
    ]


def _twitter() -> list[Creator]:
    """The seed creators on Twitter."""
    return [
        Creator(
            username="mayacooks",
            display_name="Maya Cooks",
            followers=256_410,
            following=812,
            posts=9_731,
            likes=18_342,
            verified=True,
            bio="15-minute dinners. Cookbook out now.",
            image="https://pbs.twimg.com/profile_images/1790011223344556677/Qx7mB2nP_normal.jpg",
        ),
        Creator("quietcoder", "Quiet Coder", followers=1_530, following=301, likes=77),
    ]


def _twitch() -> list[Creator]:
    """The seed creators on Twitch."""
    return [
        Creator(
            username="pixelmaya",
            display_name="PixelMaya",
            followers=184_233,
            verified=True,
            bio="Cozy games, speedruns on Sundays. Partnered since 2023.",
            image="https://static-cdn.jtvnw.net/jtv_user_pictures/"
            "3c9a1e07-5b2d-4f6e-9a8b-1d2c3e4f5a6b-profile_image-300x300.png",
        ),
        Creator("smallstreamer", "SmallStreamer", followers=87),
        Creator("oldschool", "OldSchool", followers=5_400, views=1_250_000),
    ]


def _instagram() -> list[Creator]:
    """The seed creators on Instagram."""
    return [
        Creator(
            username="maya.cooks",
            display_name="Maya | 15-min dinners",
            followers=93_518,
            following=402,
            posts=611,
            likes=7_850,
            comments=302,
            views=48_211,
            verified=True,
            bio="Fast weeknight food 🍝\nCookbook below 👇",
            image="https://scontent.cdninstagram.com/v/t51.2885-19/461234567_1122334455_n.jpg",
            recent=2,
        ),
        Creator("emptyfeed", "Empty Feed", followers=310, following=95),
    ]


def _youtube() -> list[Creator]:
    """The seed creators on YouTube."""
    return [
        Creator(
            username="mayacooks",
            display_name="Maya Cooks",
            followers=412_000,
            posts=318,
            views=58_231_904,
            verified=True,
            bio="15-minute dinners every Tuesday and Friday.",
            image="https://yt3.googleusercontent.com/aB3dE5gH7",
            channel_id="UC7xQm3Lp9aZk2Rt5Vb8Nc1w",
        ),
        Creator("bigkitchen", "Big Kitchen", followers=1_234_567, posts=901, views=9_876_543),
        Creator("tinychannel", "Tiny Channel", followers=57, posts=3, views=410),
    ]


_SEEDS = {
    "tiktok": _tiktok,
    "twitter": _twitter,
    "twitch": _twitch,
    "instagram": _instagram,
    "youtube": _youtube,
}


def generate_creator(platform: str, username: str) -> Creator:
    """A plausible creator invented from a hash of ``platform`` and ``username``.

    The same name always gives the same creator, in every process. Followers are log-uniform
    between 100 and 10 million.
    """
    digest = hashlib.blake2b(f"{platform}:{username}".encode(), digest_size=32).digest()
    n = [int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4)]
    followers = int(10 ** (2 + 5 * n[0] / 2**32))
    posts = 1 + n[1] % 2_000
    rate = (1 + n[2] % 100) / 1_000  # 0.1% .. 10% of followers interact with a post
    recent = min(posts, 12)
    likes = {
        "tiktok": int(followers * rate * posts),
        "twitter": n[3] % 50_000,
        "instagram": int(followers * rate * recent),
    }.get(platform, 0)
    return Creator(
        username=username,
        display_name=re.sub(r"[._]+", " ", username).strip().title() or username,
        followers=followers,
        following=n[4] % 2_000,
        posts=posts,
        likes=likes,
        comments=likes // 40 if platform == "instagram" else 0,
        views={"instagram": likes * 8, "youtube": followers * (1 + n[6] % 300)}.get(platform, 0),
        verified=followers > 1_000_000 and n[5] % 2 == 0,
        bio=f"Autogenerated {platform} creator {username}",
        image=f"https://emulator.invalid/{platform}/{username}.jpg",
        recent=recent,
    )
