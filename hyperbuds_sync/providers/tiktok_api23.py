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

__all__ = ["TikTokAdapter"]

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
class TikTokAdapter(_Adapter):
    """The ``tiktok`` platform: ``GET /api/user/info?uniqueId={username}``.

    ``name`` is always ``"tiktok"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` for ``statusCode`` 10221/10202 or an answer
    without a ``userInfo.user`` holding a ``uniqueId``.
    """

    name: str = attrs.field(default="tiktok", init=False)
    host: str = "tiktok-api23.p.rapidapi.com"
    path: str = "/api/user/info"

    _pattern, _rule, _param = _PATTERN, _RULE, "uniqueId"

    def _read_fast(self, username: str, payload: dict[str, Any]) -> Profile:
        """The usual answer: ``userInfo.user`` and a complete ``userInfo.statsV2``."""
        code = payload.get("statusCode")
        info = payload["userInfo"]
        if (code != 0 and code in _NOT_FOUND_CODES) or type(info) is not dict:
            raise _Fallback
        user, stats = info["user"], info["statsV2"]
        if type(user) is not dict or type(stats) is not dict:
            raise _Fallback
        unique_id = user["uniqueId"]
        if not _PATTERN.fullmatch(unique_id):  # not already canonical: let _read decide
            raise _Fallback
        nickname, avatar, bio = (
            user.get("nickname"),
            user.get("avatarLarger"),
            user.get("signature"),
        )
        verified = user.get("verified")
        return _profile(
            self.name,
            unique_id,
            _fast_count(stats["followerCount"]),
            nickname if isinstance(nickname, str) and nickname else unique_id,
            avatar
            if isinstance(avatar, str) and avatar
            else text(user.get("avatarMedium")) or text(user.get("avatarThumb")),
            bio if isinstance(bio, str) else "",
            flag(verified),
            _fast_count(stats["followingCount"]),
            _fast_count(stats["videoCount"]),
            _fast_count(stats["heartCount"]),
            None,
            (),
        )

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Any answer: ``statsV2`` wins, then ``stats``, then ``user`` (followers only)."""
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
