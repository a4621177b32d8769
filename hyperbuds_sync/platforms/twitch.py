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

from ..errors import InvalidUsername, MalformedPayload, UsernameNotFound
from ._base import MISSING, Profile, ProviderRequest, canonical, dig, first, flag, text, to_count

__all__ = ["TwitchAdapter"]

_MAX_COUNT = 2**63 - 1  # no platform counts beyond int64; bigger is garbage
_PATTERN = re.compile(r"[a-z0-9_]{2,25}")
_RULE = "use 2 to 25 letters, digits or '_'"

_FOLLOWERS = (("followers", "totalCount"), ("followers", "total_count"))
_VIEWS = (("view_count",), ("viewCount",))


@attrs.frozen(kw_only=True)
class TwitchAdapter:
    """The ``twitch`` platform: ``GET /api/channels/info?channel={login}``.

    Attributes:
        name: the registry name, always ``"twitch"``.
        host: the RapidAPI host; override it to use a compatible relay.
        path: the profile endpoint's path on ``host``.
    """

    name: str = attrs.field(default="twitch", init=False)
    host: str = "twitch-scraper2.p.rapidapi.com"
    path: str = "/api/channels/info"

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.name, username, _PATTERN, _RULE)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        return ProviderRequest(self.host, self.path, {"channel": self.canonical_username(username)})

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a ``/api/channels/info`` answer into a :class:`Profile`.

        Raises:
            UsernameNotFound: ``data.user`` is null or missing.
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.name} answer is a {type(payload).__name__}, not an object"
            )
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

    def _username(self, value: Any, requested: str) -> str:
        """The provider's login when it is a valid one, else the requested one."""
        if not isinstance(value, str):
            return requested
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
