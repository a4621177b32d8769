"""Instagram through ``instagram-looter2`` (IRROR Systems) ``/profile``.

The answer is Instagram's web profile flattened at the top level with ``status: true``: counts in
``edge_followed_by``/``edge_follow``/``edge_owner_to_timeline_media`` and the ~12 latest posts in
``edge_owner_to_timeline_media.edges[].node``. The mobile-style ``{"data": {...}}`` answer of
``/v1/info`` providers (``follower_count``, ``following_count``, ``media_count``, no posts) and
the web ``{"data": {"user": {...}}}`` wrapping are read too, so ``host``/``path`` can point at
one of those. Not found is HTTP 200 with ``status: false``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._renamed import renamed
from .base import Adapter, PostStats, Profile
from .reading import Count, Unreadable, first

__all__ = ["InstagramLooter2Adapter"]

_PATTERN = re.compile(r"(?!\.)(?!.*\.\.)[a-z0-9._]{1,30}(?<!\.)")
_RULE = "use 1 to 30 letters, digits, '_' or '.', not starting or ending with '.', without '..'"
_USER_KEYS = frozenset({"username", "edge_followed_by", "follower_count"})


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _Post:
    """One ``edges[]`` item: its ``node``'s counts (a node that is no object has none)."""

    paths: ClassVar[Mapping[str, str]] = {
        "liked_by": "node.edge_liked_by.count",
        "preview_likes": "node.edge_media_preview_like.count",
        "comments": "node.edge_media_to_comment.count",
        "views": "node.video_view_count",
    }

    liked_by: Count | None = None
    preview_likes: Count | None = None
    comments: Count | None = None
    views: Count | None = None


@attrs.define
class _Media:
    count: Count | None = None
    edges: tuple[_Post, ...] = ()


@attrs.define
class _User:
    paths: ClassVar[Mapping[str, str]] = {
        "followed_by": "edge_followed_by.count",
        "follows": "edge_follow.count",
    }

    username: str = ""
    full_name: str = ""
    profile_pic_url_hd: str = ""
    profile_pic_url: str = ""
    biography: str = ""
    is_verified: bool = False
    followed_by: Count | None = None
    follows: Count | None = None
    edge_owner_to_timeline_media: _Media = attrs.Factory(_Media)
    follower_count: Count | None = None
    following_count: Count | None = None
    media_count: Count | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _user_object(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object holding the profile: the top level, ``data.user`` or ``data``."""
    data = payload.get("data")
    user = data.get("user") if isinstance(data, dict) else None
    for candidate in (payload, user, data):
        if isinstance(candidate, dict) and not candidate.keys().isdisjoint(_USER_KEYS):
            return candidate
    return payload


def _interactions(value: Count | None) -> int | None:
    """A like or comment count: absent or negative (hidden) is 0, unreadable ``None``."""
    if value is None:
        return 0
    if isinstance(value, Unreadable):
        raw = value.value
        hidden = isinstance(raw, int | float) and not isinstance(raw, bool) and raw < 0
        return 0 if hidden else None
    return value


def _post(post: _Post) -> PostStats | None:
    """One post's counts, or ``None`` when the item is not a post with readable counts."""
    likes = post.liked_by if post.liked_by is not None else post.preview_likes
    if likes is None and post.comments is None:
        return None
    read_likes, read_comments = _interactions(likes), _interactions(post.comments)
    if read_likes is None or read_comments is None:
        return None
    views = post.views
    return PostStats(read_likes, read_comments, None if isinstance(views, Unreadable) else views)


@attrs.frozen(kw_only=True)
class InstagramLooter2Adapter(Adapter):
    """The ``instagram`` platform: ``GET /profile?username={username}``.

    ``name`` is always ``"instagram"``; ``host`` and ``path`` may name a compatible provider.
    ``parse`` raises :class:`UsernameNotFound` for an answer with ``status: false``. Posts whose
    counts cannot be read are skipped; a negative like count (Instagram's "hidden") counts as 0.
    """

    provider: ClassVar[str] = "instagram-looter2"
    platform: str = attrs.field(default="instagram", init=False)
    host: str = "instagram-looter2.p.rapidapi.com"
    path: str = "/profile"

    _pattern, _rule, _param = _PATTERN, _RULE, "username"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """``/profile``'s flat shape, ``/v1/info``'s ``data`` or the web ``data.user``."""
        if payload.get("status") is False:
            raise self._not_found(username)
        user = self._structure(_user_object(payload), _User)
        media = user.edge_owner_to_timeline_media
        return Profile(
            platform=self.platform,
            username=self._username(user.username, username),
            followers=self._required(
                first(user.followed_by, user.follower_count), "follower count"
            ),
            display_name=user.full_name,
            profile_image=user.profile_pic_url_hd or user.profile_pic_url,
            bio=user.biography,
            verified=user.is_verified,
            following=self._optional(first(user.follows, user.following_count)) or 0,
            total_content=self._optional(first(media.count, user.media_count)) or 0,
            posts=tuple(stats for post in media.edges if (stats := _post(post)) is not None),
        )


if TYPE_CHECKING:  # the old name, as type checkers see it; at run time it warns
    InstagramAdapter = InstagramLooter2Adapter
else:
    __getattr__ = renamed(__name__, {"InstagramAdapter": "InstagramLooter2Adapter"}, globals())
