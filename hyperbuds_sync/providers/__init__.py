"""The providers: one module per RapidAPI provider, each with one reader of its answer.

A provider turns a username into a :class:`~hyperbuds_sync.models.ProviderRequest` and the
provider's decoded JSON into a :class:`Profile`; it never does I/O. ``base`` holds the
:class:`Provider` protocol, the records, the username rules and the shared reading helpers.

May import: :mod:`hyperbuds_sync.models`, :mod:`hyperbuds_sync.errors`, attrs and cattrs. Never
aiohttp, the transport, the caches, the facade, ``cli`` or ``testing``.
"""

from __future__ import annotations

from .base import Platform, PostStats, Profile, Provider
from .instagram_looter2 import InstagramAdapter
from .tiktok_api23 import TikTokAdapter
from .twitch_scraper2 import TwitchAdapter
from .twitter241 import TwitterAdapter

__all__ = [
    "InstagramAdapter",
    "Platform",
    "PostStats",
    "Profile",
    "Provider",
    "TikTokAdapter",
    "TwitchAdapter",
    "TwitterAdapter",
]
