"""The providers: one module per provider (RapidAPI or official), each with its adapter.

A provider turns a username into a :class:`~hyperbuds_sync.models.ProviderRequest` and the
provider's decoded JSON into a :class:`Profile`; it never does I/O. ``base`` holds the
:class:`Provider` protocol, the records, the username rules and the shared reading helpers.

May import: :mod:`hyperbuds_sync.models`, :mod:`hyperbuds_sync.errors`, attrs and cattrs. Never
aiohttp, the transport, the caches, the facade, ``cli`` or ``testing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._renamed import renamed
from .base import PostStats, Profile, Provider
from .instagram_looter2 import InstagramLooter2Adapter
from .instagram_scraper_api2 import InstagramScraperApi2Adapter
from .tiktok_api23 import TikTokApi23Adapter
from .tiktok_api45 import TikTokApi45Adapter
from .twitch_helix import TwitchHelixAdapter
from .twitch_scraper2 import TwitchScraper2Adapter
from .twitter241 import Twitter241Adapter
from .x_api import XApiAdapter
from .youtube138 import YouTube138Adapter
from .youtube_data_api import YouTubeDataApiAdapter

__all__ = [
    "InstagramLooter2Adapter",
    "InstagramScraperApi2Adapter",
    "PostStats",
    "Profile",
    "Provider",
    "TikTokApi23Adapter",
    "TikTokApi45Adapter",
    "TwitchHelixAdapter",
    "TwitchScraper2Adapter",
    "Twitter241Adapter",
    "XApiAdapter",
    "YouTube138Adapter",
    "YouTubeDataApiAdapter",
]

_DEPRECATED: dict[str, str] = {
    "InstagramAdapter": "InstagramLooter2Adapter",
    "Platform": "Provider",
    "TikTokAdapter": "TikTokApi23Adapter",
    "TwitchAdapter": "TwitchScraper2Adapter",
    "TwitterAdapter": "Twitter241Adapter",
}
"""Old name -> new name. Adapters are named after their provider (``tiktok-api23``), not their
platform; the ``Provider`` protocol was called ``Platform``."""


if TYPE_CHECKING:  # type checkers see the old names as aliases; at run time they warn
    InstagramAdapter = InstagramLooter2Adapter
    Platform = Provider
    TikTokAdapter = TikTokApi23Adapter
    TwitchAdapter = TwitchScraper2Adapter
    TwitterAdapter = Twitter241Adapter
else:
    __getattr__ = renamed(__name__, _DEPRECATED, globals())
