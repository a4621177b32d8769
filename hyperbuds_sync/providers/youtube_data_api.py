"""YouTube through the official YouTube Data API v3 ``channels.list`` (``youtube-data-api``).

``GET https://www.googleapis.com/youtube/v3/channels?part=snippet,statistics&forHandle=@{handle}``
(or ``&id=UC...``), the key in the ``X-Goog-Api-Key`` header, never in the URL; one quota unit of
the project's 10,000 a day. The answer lists ``items[]`` with ``snippet{title, description,
customUrl, thumbnails}`` and ``statistics{viewCount, subscriberCount, hiddenSubscriberCount,
videoCount}``, counts as strings; ``subscriberCount`` is rounded to three significant figures.
Not found is HTTP 200 with ``pageInfo.totalResults`` 0 and no (or empty) ``items``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ..models import ProviderRequest
from ._youtube import YouTubeAdapter, channel_param, handle_of, published_rounded
from .base import Profile
from .reading import Count

__all__ = ["YouTubeDataApiAdapter"]

_PART = "snippet,statistics"


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _Thumbnails:
    paths: ClassVar[Mapping[str, str]] = {
        "high": "high.url",
        "medium": "medium.url",
        "default": "default.url",
    }

    high: str = ""
    medium: str = ""
    default: str = ""


@attrs.define
class _Snippet:
    title: str = ""
    description: str = ""
    customUrl: str = ""
    thumbnails: _Thumbnails = attrs.Factory(_Thumbnails)


@attrs.define
class _Statistics:
    subscriberCount: Count | None = None
    hiddenSubscriberCount: bool = False
    videoCount: Count | None = None
    viewCount: Count | None = None


@attrs.define
class _Channel:
    id: str = ""
    snippet: _Snippet = attrs.Factory(_Snippet)
    statistics: _Statistics | None = None


@attrs.define
class _Answer:
    paths: ClassVar[Mapping[str, str]] = {"total": "pageInfo.totalResults"}

    kind: str = ""
    total: Count | None = None
    items: tuple[_Channel, ...] = ()


# --- the mapping ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class YouTubeDataApiAdapter(YouTubeAdapter):
    """The ``youtube`` platform through the official Data API v3 (``youtube-data-api``).

    ``parse`` raises :class:`UsernameNotFound` only for a channel list with no items whose
    ``pageInfo.totalResults`` is 0; an answer without a channel holding ``statistics`` (another
    answer, a changed shape) is :class:`MalformedPayload`. A hidden subscriber count reads as 0.
    """

    provider: ClassVar[str] = "youtube-data-api"
    auth: ClassVar[str] = "google-key"

    host: str = "www.googleapis.com"
    path: str = "/youtube/v3/channels"

    _param = "forHandle"

    def request(self, username: str) -> ProviderRequest:
        """``?part=snippet,statistics&forHandle=@handle``, or ``&id=UC...`` for a channel id."""
        base = super().request(username)
        channel = channel_param(self.canonical_username(username))
        key = "forHandle" if channel.startswith("@") else "id"
        return attrs.evolve(base, params={"part": _PART, key: channel})

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        answer = self._structure(payload, _Answer)
        if not answer.items:
            if answer.total == 0:
                raise self._not_found(username)
            raise self._malformed("youtube answer has no items")
        channel = answer.items[0]
        stats = channel.statistics
        if stats is None:
            raise self._malformed("youtube answer has no statistics")
        if stats.hiddenSubscriberCount and stats.subscriberCount is None:
            followers = 0
        else:
            followers = self._required(stats.subscriberCount, "subscriber count")
        thumbs, snippet = channel.snippet.thumbnails, channel.snippet
        return Profile(
            platform=self.platform,
            username=handle_of(snippet.customUrl, username),
            followers=followers,
            display_name=snippet.title,
            profile_image=thumbs.high or thumbs.medium or thumbs.default,
            bio=snippet.description,
            total_content=self._optional(stats.videoCount) or 0,
            views=self._optional(stats.viewCount),
            rounded=published_rounded(followers),
        )
