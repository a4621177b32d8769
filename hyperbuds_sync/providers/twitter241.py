"""Twitter/X through ``twitter241`` (davethebeast), which relays X's GraphQL ``UserByScreenName``.

The user object sits at ``result.data.user.result`` and has had three shapes: everything under
``legacy`` (up to mid-2025); ``core``/``avatar``/``verification`` split out with the counts still
in ``legacy`` (2025); and no ``legacy`` at all, counts in ``relationship_counts``,
``tweet_counts`` and ``action_counts`` (2026). Every field reads a chain across all three.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import InvalidUsername, UsernameNotFound
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

__all__ = ["TwitterAdapter"]

_PATTERN = re.compile(r"[a-z0-9_]{1,15}")
_RULE = "use 1 to 15 letters, digits or '_'"

_USER = ("result", "data", "user", "result")
_FOLLOWERS = (
    ("legacy", "followers_count"),
    ("relationship_counts", "followers"),
    ("public_metrics", "followers_count"),
)
_FOLLOWING = (
    ("legacy", "friends_count"),
    ("relationship_counts", "following"),
    ("public_metrics", "following_count"),
)
_TWEETS = (
    ("legacy", "statuses_count"),
    ("tweet_counts", "tweets"),
    ("public_metrics", "tweet_count"),
)
_LIKES = (
    ("legacy", "favourites_count"),
    ("action_counts", "favorites_count"),
    ("public_metrics", "like_count"),
)
_VERIFIED = (("is_blue_verified",), ("verification", "verified"), ("legacy", "verified"))


@attrs.frozen(kw_only=True)
class TwitterAdapter(_Adapter):
    """The ``twitter`` platform: ``GET /user?username={screen_name}``.

    ``name`` is always ``"twitter"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` for an answer without ``result.data.user.result``,
    a ``UserUnavailable`` result (suspended, withheld: the reason is added as an exception note)
    or a result with neither ``rest_id`` nor any count.
    """

    name: str = attrs.field(default="twitter", init=False)
    host: str = "twitter241.p.rapidapi.com"
    path: str = "/user"

    _pattern, _rule, _param = _PATTERN, _RULE, "username"

    def _read_fast(self, username: str, payload: dict[str, Any]) -> Profile:
        """The usual answer: an available user with ``core`` and the counts in ``legacy``."""
        result = payload["result"]
        data = result["data"] if type(result) is dict else MISSING
        wrapper = data["user"] if type(data) is dict else MISSING
        user = wrapper["result"] if type(wrapper) is dict else MISSING
        if type(user) is not dict:
            raise _Fallback
        core, legacy, rest_id = user["core"], user["legacy"], user["rest_id"]
        if (
            type(core) is not dict
            or type(legacy) is not dict
            or type(rest_id) is not str
            or not rest_id.strip()
            or user.get("__typename") == "UserUnavailable"
        ):
            raise _Fallback
        screen_name, display, bio = (
            core.get("screen_name"),
            core.get("name"),
            legacy.get("description"),
        )
        avatar = user.get("avatar")
        image = (
            avatar.get("image_url") if type(avatar) is dict else dig(user, "avatar", "image_url")
        )
        verified = user.get("is_blue_verified")
        return _profile(
            self.name,
            screen_name
            if type(screen_name) is str and _PATTERN.fullmatch(screen_name)
            else self._screen_name(user, username),
            _fast_count(legacy["followers_count"]),
            display if isinstance(display, str) and display else text(legacy.get("name")),
            (
                image
                if isinstance(image, str) and image
                else text(legacy.get("profile_image_url_https"))
            ).replace("_normal.", "_400x400."),
            bio if isinstance(bio, str) and bio else text(dig(user, "profile_bio", "description")),
            flag(first(user, *_VERIFIED) if verified is None else verified),
            _fast_count(legacy["friends_count"]),
            _fast_count(legacy["statuses_count"]),
            _fast_count(legacy["favourites_count"]),
            None,
            (),
        )

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Any answer: each field through its chain across the three shapes."""
        user = self._user(username, payload)
        image = text(dig(user, "avatar", "image_url")) or text(
            dig(user, "legacy", "profile_image_url_https")
        )
        return Profile(
            platform=self.name,
            username=self._screen_name(user, username),
            followers=self._count(first(user, *_FOLLOWERS), "follower count"),
            display_name=text(dig(user, "core", "name")) or text(dig(user, "legacy", "name")),
            profile_image=image.replace("_normal.", "_400x400."),
            bio=(
                text(dig(user, "legacy", "description"))
                or text(dig(user, "profile_bio", "description"))
            ),
            verified=flag(first(user, *_VERIFIED)),
            following=self._optional(first(user, *_FOLLOWING)) or 0,
            total_content=self._optional(first(user, *_TWEETS)) or 0,
            likes=self._optional(first(user, *_LIKES)),
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _user(self, username: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """``result.data.user.result``, checked to be an available user."""
        user = dig(payload, *_USER)
        if user is MISSING or user is None or user == {}:
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        if not isinstance(user, Mapping):
            raise self._malformed(f"twitter user result is a {type(user).__name__}")
        if user.get("__typename") == "UserUnavailable":
            error = UsernameNotFound.for_user(self.name, username, host=self.host)
            reason = text(user.get("reason")) or text(user.get("message"))
            if reason:
                error.add_note(f"twitter says the user is unavailable: {reason}")
            raise error
        if not _has_id(user.get("rest_id")) and not any(
            first(user, *chain) is not MISSING
            for chain in (_FOLLOWERS, _FOLLOWING, _TWEETS, _LIKES)
        ):
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        return user

    def _screen_name(self, user: Mapping[str, Any], requested: str) -> str:
        """The provider's screen name when it is a valid one, else the requested one."""
        value = text(dig(user, "core", "screen_name")) or text(dig(user, "legacy", "screen_name"))
        try:
            return self.canonical_username(value)
        except InvalidUsername:
            return requested


def _has_id(value: Any) -> bool:
    """Whether ``rest_id`` is a non-empty string or an integer."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)
