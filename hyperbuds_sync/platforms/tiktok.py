"""TikTok through ``tiktok-api23`` (Lundehund), which relays TikTok's web ``/api/user/detail/``.

The answer holds ``userInfo.user`` (identity), ``userInfo.stats`` (ints, rounded for big accounts)
and, usually, ``userInfo.statsV2`` (exact counts as strings). ``statsV2`` wins; ``stats`` is the
fallback. Not found is HTTP 200 with ``statusCode`` 10221 (or 10202) and an empty ``userInfo``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import InvalidUsername, MalformedPayload, UsernameNotFound
from ._base import MISSING, Profile, ProviderRequest, canonical, dig, first, flag, text, to_count

__all__ = ["TikTokAdapter"]

_MAX_COUNT = 2**63 - 1  # no platform counts beyond int64; bigger is garbage
_PATTERN = re.compile(r"(?!.*\.\.)[a-z0-9_.]{2,24}")
_RULE = "use 2 to 24 letters, digits, '_' or '.', without '..'"
_NOT_FOUND_CODES = (10221, 10202, "10221", "10202")

_FOLLOWERS = (("statsV2", "followerCount"), ("stats", "followerCount"), ("user", "followerCount"))
_FOLLOWING = (("statsV2", "followingCount"), ("stats", "followingCount"))
_VIDEOS = (("statsV2", "videoCount"), ("stats", "videoCount"))
_HEARTS = (
    ("statsV2", "heartCount"),
    ("statsV2", "heart"),
    ("stats", "heart"),
    ("stats", "heartCount"),
)


@attrs.frozen(kw_only=True)
class TikTokAdapter:
    """The ``tiktok`` platform: ``GET /api/user/info?uniqueId={username}``.

    Attributes:
        name: the registry name, always ``"tiktok"``.
        host: the RapidAPI host; override it to use a compatible relay.
        path: the profile endpoint's path on ``host``.
    """

    name: str = attrs.field(default="tiktok", init=False)
    host: str = "tiktok-api23.p.rapidapi.com"
    path: str = "/api/user/info"

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.name, username, _PATTERN, _RULE)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        return ProviderRequest(
            self.host, self.path, {"uniqueId": self.canonical_username(username)}
        )

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a ``/api/user/info`` answer into a :class:`Profile`.

        Raises:
            UsernameNotFound: ``statusCode`` 10221/10202, or no ``userInfo.user`` with a
                ``uniqueId``.
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.name} answer is a {type(payload).__name__}, not an object"
            )
        info = self._user_info(username, payload)
        user = info["user"]
        return Profile(
            platform=self.name,
            username=self._username(user.get("uniqueId"), username),
            followers=self._count(first(info, *_FOLLOWERS), "follower count"),
            display_name=text(user.get("nickname")) or text(user.get("uniqueId")),
            profile_image=(
                text(user.get("avatarLarger"))
                or text(user.get("avatarMedium"))
                or text(user.get("avatarThumb"))
            ),
            bio=text(user.get("signature")),
            verified=flag(user.get("verified")),
            following=self._optional(first(info, *_FOLLOWING)) or 0,
            total_content=self._optional(first(info, *_VIDEOS)) or 0,
            likes=self._optional(first(info, *_HEARTS)),
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _user_info(self, username: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """``userInfo``, checked to hold a ``user`` object with a ``uniqueId``."""
        if payload.get("statusCode") in _NOT_FOUND_CODES:
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        info = payload.get("userInfo")
        user = dig(info, "user")
        if user is MISSING or user is None or user == {}:
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        if not isinstance(user, Mapping):
            raise self._malformed(f"tiktok userInfo.user is a {type(user).__name__}")
        if not text(user.get("uniqueId")).strip():
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        assert isinstance(info, Mapping)  # dig() only reaches "user" through a mapping
        return info

    def _username(self, value: Any, requested: str) -> str:
        """The provider's username when it is a valid one, else the requested one."""
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
