"""The emulated RapidAPI providers: each one's host, profile path, query parameter and answers.

Each provider renders a :class:`Creator` in its real shape (:mod:`._answers` for the first
providers, :mod:`._renders` for the second providers of issue 12) and has its own not-found
answer (``not_found_status`` 404 where the provider says not-found by status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attrs import frozen

from ._answers import (
    TIKTOK_NOT_FOUND,
    instagram_user,
    tiktok_api45_user,
    tiktok_user,
    twitch_user,
    twitter_user,
)
from ._creators import Creator
from ._renders import instagram_info, youtube138_channel

__all__ = ["PROVIDERS", "Provider", "host_of"]

JSON = dict[str, Any]


@frozen
class Provider:
    """One emulated RapidAPI provider: its host, profile path and query parameter, and answers.

    ``plan_url`` is the provider's RapidAPI page, quoted in the monthly-quota message.
    """

    platform: str
    host: str
    path: str
    param: str
    plan_url: str
    render: Callable[[Creator], JSON]
    not_found: JSON
    not_found_status: int = 200


PROVIDERS: dict[str, Provider] = {
    p.host: p
    for p in (
        Provider(
            "tiktok",
            "tiktok-api23.p.rapidapi.com",
            "/api/user/info",
            "uniqueId",
            "https://rapidapi.com/Lundehund/api/tiktok-api23",
            tiktok_user,
            TIKTOK_NOT_FOUND,
        ),
        Provider(
            "twitter",
            "twitter241.p.rapidapi.com",
            "/user",
            "username",
            "https://rapidapi.com/davethebeast/api/twitter241",
            twitter_user,
            {"result": {"data": {}}},
        ),
        Provider(
            "twitch",
            "twitch-scraper2.p.rapidapi.com",
            "/api/channels/info",
            "channel",
            "https://rapidapi.com/premium-apis-oanor/api/twitch-scraper2",
            twitch_user,
            {"data": {"user": None}},
        ),
        Provider(
            "instagram",
            "instagram-looter2.p.rapidapi.com",
            "/profile",
            "username",
            "https://rapidapi.com/irrors-apis/api/instagram-looter2",
            instagram_user,
            {"status": False, "errorMessage": "User does not exist"},
        ),
        Provider(
            "youtube",
            "youtube138.p.rapidapi.com",
            "/channel/details/",
            "id",
            "https://rapidapi.com/glavier/api/youtube138",
            youtube138_channel,
            {"message": "Channel not found"},
        ),
        Provider(
            "tiktok",
            "tiktok-api45.p.rapidapi.com",
            "/api/v1/user/detail",
            "unique_id",
            "https://rapidapi.com/tiktok-api45",
            tiktok_api45_user,
            {"data": TIKTOK_NOT_FOUND},
        ),
        Provider(
            "instagram",
            "instagram-scraper-api2.p.rapidapi.com",
            "/v1/info",
            "username_or_id_or_url",
            "https://rapidapi.com/social-api1-instagram/api/instagram-scraper-api2",
            instagram_info,
            {"detail": "Not found"},
            404,
        ),
    )
}
"""The emulated providers by RapidAPI host."""


def host_of(platform: str) -> str:
    """The first RapidAPI host the emulator serves ``platform`` under (today's provider).

    Raises:
        KeyError: for a platform the emulator does not serve.
    """
    for provider in PROVIDERS.values():
        if provider.platform == platform:
            return provider.host
    raise KeyError(platform)
