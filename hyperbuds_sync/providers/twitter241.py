"""Twitter/X through ``twitter241`` (davethebeast), which relays X's GraphQL ``UserByScreenName``.

The user object sits at ``result.data.user.result`` and has had three shapes: everything under
``legacy`` (up to mid-2025); ``core``/``avatar``/``verification`` split out with the counts still
in ``legacy`` (2025); and no ``legacy`` at all, counts in ``relationship_counts``,
``tweet_counts`` and ``action_counts`` (2026). The shape below holds all three, every part
optional; each field of the profile reads a chain across them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ..errors import UsernameNotFound
from .base import Adapter, Profile
from .reading import Count, Strict, first

__all__ = ["TwitterAdapter"]

_PATTERN = re.compile(r"[a-z0-9_]{1,15}")
_RULE = "use 1 to 15 letters, digits or '_'"


# --- the answer's shape (three eras in one) ------------------------------------------------------


@attrs.frozen
class _Legacy:
    name: str = ""
    screen_name: str = ""
    description: str = ""
    profile_image_url_https: str = ""
    verified: bool | None = None
    followers_count: Count | None = None
    friends_count: Count | None = None
    statuses_count: Count | None = None
    favourites_count: Count | None = None


@attrs.frozen
class _Metrics:
    """``relationship_counts``, ``tweet_counts``, ``action_counts`` and ``public_metrics``."""

    followers: Count | None = None
    following: Count | None = None
    tweets: Count | None = None
    favorites_count: Count | None = None
    followers_count: Count | None = None
    following_count: Count | None = None
    tweet_count: Count | None = None
    like_count: Count | None = None


@attrs.frozen
class _Core:
    name: str = ""
    screen_name: str = ""


@attrs.frozen
class _Avatar:
    image_url: str = ""


@attrs.frozen
class _Verification:
    verified: bool | None = None


@attrs.frozen
class _Bio:
    description: str = ""


@attrs.frozen
class _User(Strict):
    paths: ClassVar[Mapping[str, str]] = {"typename": "__typename"}

    typename: str = ""
    reason: str = ""
    unavailable_reason: str = ""
    message: str = ""
    is_blue_verified: bool | None = None
    core: _Core = _Core()
    avatar: _Avatar = _Avatar()
    verification: _Verification = _Verification()
    profile_bio: _Bio = _Bio()
    legacy: _Legacy = _Legacy()
    relationship_counts: _Metrics = _Metrics()
    tweet_counts: _Metrics = _Metrics()
    action_counts: _Metrics = _Metrics()
    public_metrics: _Metrics = _Metrics()


@attrs.frozen
class _UserBox(Strict):
    result: _User | None = None


@attrs.frozen
class _Data(Strict):
    user: _UserBox | None = None


@attrs.frozen
class _Result(Strict):
    """``result``: the GraphQL ``data``, or (2026 captures) a ``UserUnavailable`` itself."""

    paths: ClassVar[Mapping[str, str]] = {"typename": "__typename"}

    typename: str = ""
    unavailable_reason: str = ""
    data: _Data | None = None


@attrs.frozen
class _Answer:
    result: _Result | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _counts(user: _User) -> tuple[Count | None, Count | None, Count | None, Count | None]:
    """Followers, following, tweets and likes: each its chain's first hit across the eras."""
    legacy, metrics = user.legacy, user.public_metrics
    return (
        first(legacy.followers_count, user.relationship_counts.followers, metrics.followers_count),
        first(legacy.friends_count, user.relationship_counts.following, metrics.following_count),
        first(legacy.statuses_count, user.tweet_counts.tweets, metrics.tweet_count),
        first(legacy.favourites_count, user.action_counts.favorites_count, metrics.like_count),
    )


@attrs.frozen(kw_only=True)
class TwitterAdapter(Adapter):
    """The ``twitter`` platform: ``GET /user?username={screen_name}``.

    ``name`` is always ``"twitter"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` only for twitter241's own answers: an empty
    ``result.data``, a ``UserUnavailable`` result (suspended, withheld: the reason is added as an
    exception note) or ``{"error": true, "message": "No user matches ..."}`` (which comes with
    HTTP 404, so the transport's classify usually decides it first). Any other answer without a
    user and its follower count is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "twitter241"
    name: str = attrs.field(default="twitter", init=False)
    host: str = "twitter241.p.rapidapi.com"
    path: str = "/user"

    _pattern, _rule, _param = _PATTERN, _RULE, "username"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Each field through its chain across the three shapes."""
        if _is_not_found(payload):
            raise self._not_found(username)
        user = self._user(username, self._structure(payload, _Answer))
        followers, following, tweets, likes = _counts(user)
        legacy = user.legacy
        image = user.avatar.image_url or legacy.profile_image_url_https
        flags = (user.is_blue_verified, user.verification.verified, legacy.verified)
        verified = next((flag for flag in flags if flag is not None), False)
        return Profile(
            platform=self.name,
            username=self._username(user.core.screen_name or legacy.screen_name, username),
            followers=self._required(followers, "follower count"),
            display_name=user.core.name or legacy.name,
            profile_image=image.replace("_normal.", "_400x400."),
            bio=legacy.description or user.profile_bio.description,
            verified=verified,
            following=self._optional(following) or 0,
            total_content=self._optional(tweets) or 0,
            likes=self._optional(likes),
        )

    def _user(self, username: str, answer: _Answer) -> _User:
        """``result.data.user.result``, checked to be an available user."""
        result = answer.result
        if result is not None and result.typename == "UserUnavailable":
            raise self._unavailable(username, result.unavailable_reason)
        box = result.data.user if result is not None and result.data is not None else None
        user = box.result if box is not None else None
        if user is None:
            raise self._malformed("twitter answer has no result.data.user.result")
        if user.typename == "UserUnavailable":
            raise self._unavailable(
                username, user.reason or user.unavailable_reason or user.message
            )
        return user

    def _unavailable(self, username: str, reason: str) -> UsernameNotFound:
        """Not found, with X's reason (suspended, withheld) as an exception note."""
        error = self._not_found(username)
        if reason:
            error.add_note(f"twitter says the user is unavailable: {reason}")
        return error


def _is_not_found(payload: Mapping[str, Any]) -> bool:
    """twitter241's own not-found answers: an empty ``result.data``, or the retired path's
    ``{"error": true, "message": "No user matches ..."}`` (HTTP 404, see the note in the class)."""
    result = payload.get("result")
    data = result.get("data") if isinstance(result, Mapping) else None
    if isinstance(data, Mapping) and not data:
        return True
    message = payload.get("message")
    return (
        payload.get("error") is True
        and isinstance(message, str)
        and message.startswith("No user matches")
    )
