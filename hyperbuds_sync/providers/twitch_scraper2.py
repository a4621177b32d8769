"""Twitch through ``twitch-scraper2`` (premium-apis-oanor), which relays Twitch's GQL ``User``.

The answer is ``{"data": {"user": {...}}}`` with camelCase keys; snake_case spellings are read as
fallbacks. It has no following or video count (both 0) and, since Twitch removed channel views in
2022, usually no ``view_count`` either. Not found is ``{"data": {"user": null}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import UsernameNotFound
from .base import (
    MISSING,
    Profile,
    _Adapter,
    _Fallback,
    _fast_count,
    _profile,
    dig,
    first,
    flag,
    text,
)

__all__ = ["TwitchAdapter"]

_PATTERN = re.compile(r"[a-z0-9_]{2,25}")
_RULE = "use 2 to 25 letters, digits or '_'"

_FOLLOWERS = (("followers", "totalCount"), ("followers", "total_count"))
_VIEWS = (("view_count",), ("viewCount",))


@attrs.frozen(kw_only=True)
class TwitchAdapter(_Adapter):
    """The ``twitch`` platform: ``GET /api/channels/info?channel={login}``.

    ``name`` is always ``"twitch"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` when ``data.user`` is null or missing.
    """

    name: str = attrs.field(default="twitch", init=False)
    host: str = "twitch-scraper2.p.rapidapi.com"
    path: str = "/api/channels/info"

    _pattern, _rule, _param = _PATTERN, _RULE, "channel"

    def _read_fast(self, username: str, payload: dict[str, Any]) -> Profile:
        """The usual answer: camelCase keys and a ``followers.totalCount``."""
        data = payload["data"]
        user = data["user"] if type(data) is dict else MISSING
        followers = user["followers"] if type(user) is dict else MISSING
        if type(followers) is not dict:
            raise _Fallback
        login, display = user.get("login"), user.get("displayName")
        image, bio, roles = user.get("profileImageURL"), user.get("description"), user.get("roles")
        views = user.get("view_count")
        if views is None:
            views = user.get("viewCount")
        return _profile(
            self.name,
            login
            if type(login) is str and _PATTERN.fullmatch(login)
            else self._username(login, username),
            _fast_count(followers["totalCount"]),
            display if isinstance(display, str) and display else text(user.get("display_name")),
            image if isinstance(image, str) and image else text(user.get("profile_image_url")),
            bio if isinstance(bio, str) and bio else text(user.get("bio")),
            flag(roles.get("isPartner") if type(roles) is dict else dig(roles, "isPartner")),
            0,
            0,
            None,
            None if views is None else _fast_count(views),
            (),
        )

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Any answer: camelCase keys first, snake_case as fallbacks."""
        user = self._user(username, payload)
        return Profile(
            platform=self.name,
            username=self._username(user.get("login"), username),
            followers=self._count(first(user, *_FOLLOWERS), "follower count"),
            display_name=text(user.get("displayName")) or text(user.get("display_name")),
            profile_image=(
                text(user.get("profileImageURL")) or text(user.get("profile_image_url"))
            ),
            bio=text(user.get("description")) or text(user.get("bio")),
            verified=flag(dig(user, "roles", "isPartner")),
            views=self._optional(first(user, *_VIEWS)),
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _user(self, username: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """``data.user``, checked to be an object."""
        user = dig(payload, "data", "user")
        if user is MISSING or user is None:
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        if not isinstance(user, Mapping):
            raise self._malformed(f"twitch data.user is a {type(user).__name__}")
        return user
