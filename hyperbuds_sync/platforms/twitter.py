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

from ..errors import InvalidUsername, MalformedPayload, UsernameNotFound
from ._base import MISSING, Profile, ProviderRequest, canonical, dig, first, flag, text, to_count

__all__ = ["TwitterAdapter"]

_MAX_COUNT = 2**63 - 1  # no platform counts beyond int64; bigger is garbage
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
class TwitterAdapter:
    """The ``twitter`` platform: ``GET /user?username={screen_name}``.

    Attributes:
        name: the registry name, always ``"twitter"``.
        host: the RapidAPI host; override it to use a compatible relay.
        path: the profile endpoint's path on ``host``.
    """

    name: str = attrs.field(default="twitter", init=False)
    host: str = "twitter241.p.rapidapi.com"
    path: str = "/user"

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.name, username, _PATTERN, _RULE)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        return ProviderRequest(
            self.host, self.path, {"username": self.canonical_username(username)}
        )

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a ``/user`` answer into a :class:`Profile`.

        Raises:
            UsernameNotFound: no ``result.data.user.result``; a ``UserUnavailable`` result
                (suspended, withheld: the reason is added as an exception note); or a result with
                neither ``rest_id`` nor any count.
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.name} answer is a {type(payload).__name__}, not an object"
            )
        user = self._user(username, payload)
        image = text(dig(user, "avatar", "image_url")) or text(
            dig(user, "legacy", "profile_image_url_https")
        )
        return Profile(
            platform=self.name,
            username=self._username(user, username),
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

    def _username(self, user: Mapping[str, Any], requested: str) -> str:
        """The provider's screen name when it is a valid one, else the requested one."""
        value = text(dig(user, "core", "screen_name")) or text(dig(user, "legacy", "screen_name"))
        try:
            return self.canonical_username(value)
        except InvalidUsername:
            return requested

    def _count(self, value: Any, what: str) -> int:
        """A required count, else :class:`MalformedPayload` (also beyond a signed 64-bit int)."""
        if value is MISSING:
            raise self._malformed(f"{self.name} answer has no {what}")
        try:
            count = to_count(value, what=what, platform=self.name, host=self.host)
        except (ValueError, OverflowError):  # digit strings beyond int()/float() range
            count = -1
        if not 0 <= count <= _MAX_COUNT:
            raise self._malformed(f"{self.name} answer has an out-of-range {what}")
        return count

    def _optional(self, value: Any) -> int | None:
        """An optional count; absent or unreadable gives ``None`` (it must not cost the profile)."""
        if value is MISSING or value is None:
            return None
        try:
            return self._count(value, "count")
        except MalformedPayload:
            return None

    def _malformed(self, message: str) -> MalformedPayload:
        return MalformedPayload(message, platform=self.name, host=self.host)


def _has_id(value: Any) -> bool:
    """Whether ``rest_id`` is a non-empty string or an integer."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)
