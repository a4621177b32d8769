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

from ..errors import InvalidUsername, MalformedPayload, UsernameNotFound
from ._base import (
    MISSING,
    PostStats,
    Profile,
    ProviderRequest,
    canonical,
    dig,
    first,
    flag,
    text,
    to_count,
)

__all__ = ["InstagramAdapter"]

_MAX_COUNT = 2**63 - 1  # no platform counts beyond int64; bigger is garbage
_PATTERN = re.compile(r"(?!\.)(?!.*\.\.)[a-z0-9._]{1,30}(?<!\.)")
_RULE = "use 1 to 30 letters, digits, '_' or '.', not starting or ending with '.', without '..'"

_USER_KEYS = ("username", "edge_followed_by", "follower_count")
_FOLLOWERS = (("edge_followed_by", "count"), ("follower_count",))
_FOLLOWING = (("edge_follow", "count"), ("following_count",))
_MEDIA = (("edge_owner_to_timeline_media", "count"), ("media_count",))
_LIKES = (("edge_liked_by", "count"), ("edge_media_preview_like", "count"))
_COMMENTS = (("edge_media_to_comment", "count"),)


@attrs.frozen(kw_only=True)
class InstagramAdapter:
    """The ``instagram`` platform: ``GET /profile?username={username}``.

    Attributes:
        name: the registry name, always ``"instagram"``.
        host: the RapidAPI host; override it to use a compatible provider.
        path: the profile endpoint's path on ``host``.
    """

    name: str = attrs.field(default="instagram", init=False)
    host: str = "instagram-looter2.p.rapidapi.com"
    path: str = "/profile"

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.name, username, _PATTERN, _RULE)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        return ProviderRequest(
            self.host, self.path, {"username": self.canonical_username(username)}
        )

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a ``/profile`` (or ``/v1/info``) answer into a :class:`Profile`.

        Posts whose counts cannot be read are skipped; a negative like count (Instagram's
        "hidden") counts as 0.

        Raises:
            UsernameNotFound: the answer has ``status: false``.
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.name} answer is a {type(payload).__name__}, not an object"
            )
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


def _user_object(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object holding the profile: the top level, ``data.user`` or ``data``."""
    for candidate in (payload, dig(payload, "data", "user"), dig(payload, "data")):
        if isinstance(candidate, Mapping) and any(key in candidate for key in _USER_KEYS):
            return candidate
    return payload
