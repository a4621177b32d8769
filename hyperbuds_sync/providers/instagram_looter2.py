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
from typing import Any

import attrs

from ..errors import MalformedPayload, UsernameNotFound
from .base import (
    _MAX_COUNT,
    _SET_POST,
    MISSING,
    PostStats,
    Profile,
    _Adapter,
    _Fallback,
    _fast_count,
    _new,
    _profile,
    dig,
    first,
    flag,
    text,
)

__all__ = ["InstagramAdapter"]

_PATTERN = re.compile(r"(?!\.)(?!.*\.\.)[a-z0-9._]{1,30}(?<!\.)")
_RULE = "use 1 to 30 letters, digits, '_' or '.', not starting or ending with '.', without '..'"

_USER_KEYS = ("username", "edge_followed_by", "follower_count")
_FOLLOWERS = (("edge_followed_by", "count"), ("follower_count",))
_FOLLOWING = (("edge_follow", "count"), ("following_count",))
_MEDIA = (("edge_owner_to_timeline_media", "count"), ("media_count",))
_LIKES = (("edge_liked_by", "count"), ("edge_media_preview_like", "count"))
_COMMENTS = (("edge_media_to_comment", "count"),)


@attrs.frozen(kw_only=True)
class InstagramAdapter(_Adapter):
    """The ``instagram`` platform: ``GET /profile?username={username}``.

    ``name`` is always ``"instagram"``; ``host`` and ``path`` may name a compatible provider.
    ``parse`` raises :class:`UsernameNotFound` for an answer with ``status: false``. Posts whose
    counts cannot be read are skipped; a negative like count (Instagram's "hidden") counts as 0.
    """

    name: str = attrs.field(default="instagram", init=False)
    host: str = "instagram-looter2.p.rapidapi.com"
    path: str = "/profile"

    _pattern, _rule, _param = _PATTERN, _RULE, "username"

    def _read_fast(self, username: str, payload: dict[str, Any]) -> Profile:
        """The usual ``/profile`` answer: the profile at the top level, posts with plain counts."""
        if payload.get("status") is False or "username" not in payload:
            raise _Fallback
        followed, follow = payload["edge_followed_by"], payload["edge_follow"]
        media = payload["edge_owner_to_timeline_media"]
        if type(followed) is not dict or type(follow) is not dict or type(media) is not dict:
            raise _Fallback
        name, full_name, bio = (
            payload["username"],
            payload.get("full_name"),
            payload.get("biography"),
        )
        image = payload.get("profile_pic_url_hd")
        return _profile(
            self.name,
            name
            if type(name) is str and _PATTERN.fullmatch(name)
            else self._username(name, username),
            _fast_count(followed["count"]),
            full_name if isinstance(full_name, str) else "",
            image if isinstance(image, str) and image else text(payload.get("profile_pic_url")),
            bio if isinstance(bio, str) else "",
            flag(payload.get("is_verified")),
            _fast_count(follow["count"]),
            _fast_count(media["count"]),
            None,
            None,
            _fast_posts(media["edges"]),
        )

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Any answer: ``/profile``'s flat shape, ``/v1/info``'s ``data`` or the web ``data.user``.

        Posts whose counts cannot be read are skipped; a negative like count (Instagram's
        "hidden") counts as 0.
        """
        if payload.get("status") is False:
            raise UsernameNotFound.for_user(self.name, username, host=self.host)
        user = _user_object(payload)
        return Profile(
            platform=self.name,
            username=self._username(user.get("username"), username),
            followers=self._count(first(user, *_FOLLOWERS), "follower count"),
            display_name=text(user.get("full_name")),
            profile_image=text(user.get("profile_pic_url_hd")) or text(user.get("profile_pic_url")),
            bio=text(user.get("biography")),
            verified=flag(user.get("is_verified")),
            following=self._optional(first(user, *_FOLLOWING)) or 0,
            total_content=self._optional(first(user, *_MEDIA)) or 0,
            posts=self._posts(dig(user, "edge_owner_to_timeline_media", "edges")),
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _posts(self, edges: Any) -> tuple[PostStats, ...]:
        """The readable posts among ``edges``; the others are skipped."""
        if not isinstance(edges, list):
            return ()
        posts = (self._post(dig(edge, "node")) for edge in edges)
        return tuple(post for post in posts if post is not None)

    def _post(self, node: Any) -> PostStats | None:
        """One post's counts, or ``None`` when the node is not a post with readable counts."""
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        likes, comments = first(node, *_LIKES), first(node, *_COMMENTS)
        if likes is MISSING and comments is MISSING:
            return None
        try:
            return PostStats(
                likes=self._interactions(likes),
                comments=self._interactions(comments),
                views=self._optional(node.get("video_view_count")),
            )
        except MalformedPayload:
            return None

    def _interactions(self, value: Any) -> int:
        """A like or comment count: absent or negative (hidden) gives 0."""
        if value is MISSING:
            return 0
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            return 0
        return self._count(value, "post count")


def _user_object(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object holding the profile: the top level, ``data.user`` or ``data``."""
    for candidate in (payload, dig(payload, "data", "user"), dig(payload, "data")):
        if isinstance(candidate, Mapping) and any(key in candidate for key in _USER_KEYS):
            return candidate
    return payload


def _fast_posts(edges: Any) -> tuple[PostStats, ...]:
    """The posts of ``edges`` when every node has plain, in-range counts; else :class:`_Fallback`.

    Views are optional (only videos have them). Hidden (negative) likes, other spellings and
    unreadable posts are left to the defensive reader.
    """
    if type(edges) is not list:
        raise _Fallback
    set_likes, set_comments, set_views = _SET_POST
    posts = []
    for edge in edges:
        node = edge["node"] if type(edge) is dict else MISSING
        liked = node["edge_liked_by"] if type(node) is dict else MISSING
        commented = node["edge_media_to_comment"] if type(liked) is dict else MISSING
        if type(commented) is not dict:
            raise _Fallback
        likes, comments, views = liked["count"], commented["count"], node.get("video_view_count")
        if (
            type(likes) is not int
            or type(comments) is not int
            or not 0 <= likes <= _MAX_COUNT >= comments >= 0
            or (views is not None and (type(views) is not int or not 0 <= views <= _MAX_COUNT))
        ):
            raise _Fallback
        post = _new(PostStats)
        set_likes(post, likes)
        set_comments(post, comments)
        set_views(post, views)
        posts.append(post)
    return tuple(posts)
