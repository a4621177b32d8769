"""YouTube through ``youtube138`` (RapidAPI) ``/channel/details/``, which accepts a handle.

``GET /channel/details/?id={@handle or UC... channel id}&hl=en&gl=US`` answers a flat channel:
``channelId, title, username ("@handle"), description, avatar[{url, width, height}],
badges[{type, text}], stats{subscribers, subscribersText, videos, views}``. YouTube publishes
subscriber counts rounded to three significant figures, so a profile of 1,000 or more is
``rounded``. The not-found answer is not documented: this reader takes a 200 answer without a
``channelId`` whose ``error`` or ``message`` says "not found" (or "does not exist") for it; an
HTTP 404 is not-found through the transport's rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ..models import ProviderRequest
from ._youtube import YouTubeAdapter, channel_param, handle_of, published_rounded
from .base import Profile
from .reading import Count

__all__ = ["YouTube138Adapter", "published_rounded"]

_VERIFIED = frozenset({"VERIFIED_CHANNEL", "OFFICIAL_ARTIST_CHANNEL"})
_NOT_FOUND_WORDS = ("not found", "does not exist")


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _Image:
    url: str = ""


@attrs.define
class _Badge:
    type: str = ""


@attrs.define
class _Stats:
    subscribers: Count | None = None
    videos: Count | None = None
    views: Count | None = None


@attrs.define
class _Answer:
    channelId: str = ""
    title: str = ""
    username: str = ""
    description: str = ""
    avatar: tuple[_Image, ...] = ()
    badges: tuple[_Badge, ...] = ()
    stats: _Stats | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _is_not_found(payload: Mapping[str, Any]) -> bool:
    if payload.get("channelId"):
        return False
    for key in ("error", "message"):
        said = payload.get(key)
        if isinstance(said, str) and any(w in said.lower() for w in _NOT_FOUND_WORDS):
            return True
    return False


@attrs.frozen(kw_only=True)
class YouTube138Adapter(YouTubeAdapter):
    """The ``youtube`` platform through youtube138: ``GET /channel/details/?id=@{handle}``.

    ``parse`` raises :class:`UsernameNotFound` for the not-found answer described above; an
    answer without ``stats.subscribers`` is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "youtube138"
    auth: ClassVar[str] = "rapidapi"

    host: str = "youtube138.p.rapidapi.com"
    path: str = "/channel/details/"

    _param = "id"

    def request(self, username: str) -> ProviderRequest:
        """``?id=@handle`` (or ``?id=UC...``) with ``hl=en&gl=US``."""
        base = super().request(username)
        params = {"id": channel_param(self.canonical_username(username)), "hl": "en", "gl": "US"}
        return attrs.evolve(base, params=params)

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        if _is_not_found(payload):
            raise self._not_found(username)
        answer = self._structure(payload, _Answer)
        if answer.stats is None:
            raise self._malformed("youtube answer has no stats")
        followers = self._required(answer.stats.subscribers, "subscriber count")
        avatars = [image.url for image in answer.avatar if image.url]
        return Profile(
            platform=self.platform,
            username=handle_of(answer.username, username),
            followers=followers,
            display_name=answer.title,
            profile_image=avatars[-1] if avatars else "",
            bio=answer.description,
            verified=any(badge.type in _VERIFIED for badge in answer.badges),
            total_content=self._optional(answer.stats.videos) or 0,
            views=self._optional(answer.stats.views),
            rounded=published_rounded(followers),
        )
