"""The providers: one module per provider (RapidAPI or official), each with one reader.

A provider turns a username into a :class:`~hyperbuds_sync.models.ProviderRequest` and the
provider's decoded JSON into a :class:`Profile`; it never does I/O. ``base`` holds the
:class:`Provider` protocol, the records, the username rules and the shared reading helpers.

May import: :mod:`hyperbuds_sync.models`, :mod:`hyperbuds_sync.errors`, attrs and cattrs. Never
aiohttp, the transport, the caches, the facade, ``cli`` or ``testing``.
"""

from __future__ import annotations

from .base import Platform, PostStats, Profile, Provider
from .instagram_looter2 import InstagramAdapter
from .instagram_scraper_api2 import InstagramScraperApi2Adapter
from .tiktok_api23 import TikTokAdapter
from .tiktok_api45 import TikTokApi45Adapter
from .twitch_helix import TwitchHelixAdapter
from .twitch_scraper2 import TwitchAdapter
from .twitter241 import TwitterAdapter
from .x_api import XApiAdapter
from .youtube138 import YouTube138Adapter
from .youtube_data_api import YouTubeDataApiAdapter

__all__ = [
    "InstagramAdapter",
    "InstagramScraperApi2Adapter",
    "Platform",
    "PostStats",
    "Profile",
    "Provider",
    "TikTokAdapter",
    "TikTokApi45Adapter",
    "TwitchAdapter",
    "TwitchHelixAdapter",
    "TwitterAdapter",
    "XApiAdapter",
    "YouTube138Adapter",
    "YouTubeDataApiAdapter",
]
