"""What the two YouTube providers share: the channel names they take, the handle they answer
with, the rounding YouTube publishes, and the base class holding the platform's username rule."""

from __future__ import annotations

import attrs

from ..errors import InvalidUsername
from .base import Adapter, youtube_username

__all__ = ["YouTubeAdapter", "channel_param", "handle_of", "published_rounded"]


def published_rounded(subscribers: int) -> bool:
    """Whether YouTube rounds this subscriber count (three significant figures from 1,000 up)."""
    return subscribers >= 1_000


def channel_param(name: str) -> str:
    """A canonical YouTube name as providers take it: a channel id as is, a handle with ``@``."""
    return name if name.startswith("UC") and len(name) == 24 else f"@{name}"


def handle_of(value: str, requested: str) -> str:
    """The channel's handle (``@mayacooks`` -> ``mayacooks``) when valid, else the requested."""
    try:
        return youtube_username(value) if value else requested
    except InvalidUsername:
        return requested


@attrs.frozen(kw_only=True)
class YouTubeAdapter(Adapter):
    """The ``youtube`` platform: a channel id as is, else a handle lowercased without ``@``."""

    platform: str = attrs.field(default="youtube", init=False)

    def canonical_username(self, username: str) -> str:
        """A channel id as is, else a handle lowercased without ``@`` (see youtube_username)."""
        return youtube_username(username)
