"""Twitch through ``twitch-scraper2`` (premium-apis-oanor), which relays Twitch's GQL ``User``.

The answer is ``{"data": {"user": {...}}}`` with camelCase keys; snake_case spellings are read as
fallbacks. It has no following or video count (both 0) and, since Twitch removed channel views in
2022, usually no ``view_count`` either. Not found is ``{"data": {"user": null}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._renamed import renamed
from .base import Adapter, Profile
from .reading import Count, Strict, first

__all__ = ["TwitchScraper2Adapter"]

_PATTERN = re.compile(r"[a-z0-9_]{2,25}")
_RULE = "use 2 to 25 letters, digits or '_'"


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _User(Strict):
    paths: ClassVar[Mapping[str, str]] = {
        "followers": "followers.totalCount",
        "followers_snake": "followers.total_count",
        "partner": "roles.isPartner",
    }

    login: str = ""
    displayName: str = ""
    display_name: str = ""
    profileImageURL: str = ""
    profile_image_url: str = ""
    description: str = ""
    bio: str = ""
    followers: Count | None = None
    followers_snake: Count | None = None
    partner: bool = False
    view_count: Count | None = None
    viewCount: Count | None = None


@attrs.define
class _Data(Strict):
    user: _User | None = None


@attrs.define
class _Answer:
    data: _Data | None = None


# --- the mapping ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TwitchScraper2Adapter(Adapter):
    """The ``twitch`` platform: ``GET /api/channels/info?channel={login}``.

    ``name`` is always ``"twitch"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` only when ``data.user`` is null; an answer
    without a ``data.user`` object is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "twitch-scraper2"
    platform: str = attrs.field(default="twitch", init=False)
    host: str = "twitch-scraper2.p.rapidapi.com"
    path: str = "/api/channels/info"

    _pattern, _rule, _param = _PATTERN, _RULE, "channel"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """camelCase keys first, snake_case as fallbacks."""
        data = payload.get("data")
        if isinstance(data, dict) and "user" in data and data["user"] is None:
            raise self._not_found(username)  # Twitch's own {"data": {"user": null}}
        answer = self._structure(payload, _Answer)
        user = answer.data.user if answer.data is not None else None
        if user is None:
            raise self._malformed("twitch answer has no data.user")
        followers = first(user.followers, user.followers_snake)
        return Profile(
            platform=self.platform,
            username=self._username(user.login, username),
            followers=self._required(followers, "follower count"),
            display_name=user.displayName or user.display_name,
            profile_image=user.profileImageURL or user.profile_image_url,
            bio=user.description or user.bio,
            verified=user.partner,
            views=self._optional(first(user.view_count, user.viewCount)),
        )


if TYPE_CHECKING:  # the old name, as type checkers see it; at run time it warns
    TwitchAdapter = TwitchScraper2Adapter
else:
    __getattr__ = renamed(__name__, {"TwitchAdapter": "TwitchScraper2Adapter"}, globals())
