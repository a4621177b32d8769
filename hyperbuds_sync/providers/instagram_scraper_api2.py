"""Instagram through ``instagram-scraper-api2`` ``/v1/info`` (mobile-style profile in ``data``).

``GET /v1/info?username_or_id_or_url={username}`` answers ``{"data": {"username", "full_name",
"biography", "follower_count", "following_count", "media_count", "is_verified",
"profile_pic_url", "profile_pic_url_hd", ...}}``. Per-post counts are not in this answer (they
cost a second billed call), so the profile has no posts. Not found is HTTP 404 ("usually means
deleted"), which the transport turns into :class:`UsernameNotFound`; a 200 answer always has to
hold the profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from .base import Adapter, Profile
from .instagram_looter2 import _PATTERN, _RULE
from .reading import Count, Strict

__all__ = ["InstagramScraperApi2Adapter"]


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _User(Strict):
    username: str = ""
    full_name: str = ""
    biography: str = ""
    follower_count: Count | None = None
    following_count: Count | None = None
    media_count: Count | None = None
    is_verified: bool = False
    profile_pic_url: str = ""
    profile_pic_url_hd: str = ""


@attrs.define
class _Answer:
    data: _User | None = None


# --- the mapping ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class InstagramScraperApi2Adapter(Adapter):
    """The ``instagram`` platform through instagram-scraper-api2: ``GET /v1/info``.

    Its not-found answer is HTTP 404 (the transport's rule); ``parse`` raises
    :class:`MalformedPayload` for an answer without a ``data`` object holding a follower count.
    """

    provider: ClassVar[str] = "instagram-scraper-api2"
    auth: ClassVar[str] = "rapidapi"

    platform: str = attrs.field(default="instagram", init=False)
    host: str = "instagram-scraper-api2.p.rapidapi.com"
    path: str = "/v1/info"

    _pattern, _rule, _param = _PATTERN, _RULE, "username_or_id_or_url"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        user = self._structure(payload, _Answer).data
        if user is None:
            raise self._malformed("instagram answer has no data object")
        return Profile(
            platform=self.platform,
            username=self._username(user.username, username),
            followers=self._required(user.follower_count, "follower count"),
            display_name=user.full_name,
            profile_image=user.profile_pic_url_hd or user.profile_pic_url,
            bio=user.biography,
            verified=user.is_verified,
            following=self._optional(user.following_count) or 0,
            total_content=self._optional(user.media_count) or 0,
        )
