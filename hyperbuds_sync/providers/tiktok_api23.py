"""TikTok through ``tiktok-api23`` (Lundehund), which relays TikTok's web ``/api/user/detail/``.

The answer holds ``userInfo.user`` (identity), ``userInfo.stats`` (ints, rounded for big accounts)
and, usually, ``userInfo.statsV2`` (exact counts as strings). ``statsV2`` wins; ``stats`` is the
fallback. ``stats`` counts are 32-bit: ``heartCount`` wraps negative past 2^31, so an optional
count that is negative or unreadable is skipped for the next in its chain, and is unknown at the
end of it: it never fails the profile and never makes engagement negative. Not found is HTTP 200
with ``statusCode`` 10221 (or 10202) and an empty ``userInfo``. Followers read from ``stats``
are rounded for big accounts (an answer without ``statsV2``), so the profile is ``rounded``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._renamed import renamed
from .base import Adapter, Profile
from .reading import Count, Strict, first, first_readable

__all__ = ["TikTokApi23Adapter"]

_PATTERN = re.compile(r"(?!.*\.\.)[a-z0-9_.]{2,24}")
_RULE = "use 2 to 24 letters, digits, '_' or '.', without '..'"
_NOT_FOUND_CODES = (10221, 10202, "10221", "10202")


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _Stats:
    followerCount: Count | None = None
    followingCount: Count | None = None
    videoCount: Count | None = None
    heartCount: Count | None = None
    heart: Count | None = None


@attrs.define
class _User(Strict):
    uniqueId: str = ""
    nickname: str = ""
    avatarLarger: str = ""
    avatarMedium: str = ""
    avatarThumb: str = ""
    signature: str = ""
    verified: bool = False
    followerCount: Count | None = None


@attrs.define
class _UserInfo(Strict):
    user: _User | None = None
    stats: _Stats = attrs.Factory(_Stats)
    statsV2: _Stats = attrs.Factory(_Stats)


@attrs.define
class _Answer:
    userInfo: _UserInfo | None = None


# --- the mapping ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TikTokApi23Adapter(Adapter):
    """The ``tiktok`` platform: ``GET /api/user/info?uniqueId={username}``.

    ``name`` is always ``"tiktok"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` for ``statusCode`` 10221/10202 or a
    ``userInfo`` object without a ``user`` holding a ``uniqueId``; an answer without a
    ``userInfo`` object, or with a ``user`` that is not an object, is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "tiktok-api23"
    platform: str = attrs.field(default="tiktok", init=False)
    host: str = "tiktok-api23.p.rapidapi.com"
    path: str = "/api/user/info"

    _pattern, _rule, _param = _PATTERN, _RULE, "uniqueId"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """``statsV2`` wins, then ``stats``, then ``user`` (followers only). Followers read from
        ``stats`` (no ``statsV2`` count) are published rounded: ``rounded`` says so."""
        if payload.get("statusCode") in _NOT_FOUND_CODES:
            raise self._not_found(username)
        info = self._structure(payload, _Answer).userInfo
        if info is None:
            raise self._malformed("tiktok answer has no userInfo")
        user, v2, v1 = info.user, info.statsV2, info.stats
        if user is None or not user.uniqueId.strip():  # TikTok's own "userInfo": {}
            raise self._not_found(username)
        followers = first(v2.followerCount, v1.followerCount, user.followerCount)
        return Profile(
            platform=self.platform,
            username=self._username(user.uniqueId, username),
            followers=self._required(followers, "follower count"),
            display_name=user.nickname or user.uniqueId,
            profile_image=user.avatarLarger or user.avatarMedium or user.avatarThumb,
            bio=user.signature,
            verified=user.verified,
            following=first_readable(v2.followingCount, v1.followingCount) or 0,
            total_content=first_readable(v2.videoCount, v1.videoCount) or 0,
            likes=first_readable(v2.heartCount, v2.heart, v1.heart, v1.heartCount),
            rounded=v2.followerCount is None and v1.followerCount is not None,
        )


if TYPE_CHECKING:  # the old name, as type checkers see it; at run time it warns
    TikTokAdapter = TikTokApi23Adapter
else:
    __getattr__ = renamed(__name__, {"TikTokAdapter": "TikTokApi23Adapter"}, globals())
