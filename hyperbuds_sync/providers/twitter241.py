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
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from ..errors import MalformedPayload, UsernameNotFound
from ._renamed import renamed
from .base import Adapter, Profile
from .reading import Count, Strict, first

__all__ = ["Twitter241Adapter", "find_unavailable", "unavailable_error"]

_PATTERN = re.compile(r"[a-z0-9_]{1,15}")
_RULE = "use 1 to 15 letters, digits or '_'"


# --- the answer's shape (three eras in one) ------------------------------------------------------


@attrs.define
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


@attrs.define
class _User(Strict):
    """The user: ``legacy`` as a shape, the 2025 and 2026 parts as paths into their boxes."""

    paths: ClassVar[Mapping[str, str]] = {
        "typename": "__typename",
        "name": "core.name",
        "screen_name": "core.screen_name",
        "image_url": "avatar.image_url",
        "verified": "verification.verified",
        "description": "profile_bio.description",
        "followers": "relationship_counts.followers",
        "following": "relationship_counts.following",
        "tweets": "tweet_counts.tweets",
        "favorites": "action_counts.favorites_count",
        "public_followers": "public_metrics.followers_count",
        "public_following": "public_metrics.following_count",
        "public_tweets": "public_metrics.tweet_count",
        "public_likes": "public_metrics.like_count",
    }

    typename: str = ""
    reason: str = ""
    unavailable_reason: str = ""
    message: str = ""
    is_blue_verified: bool | None = None
    name: str = ""
    screen_name: str = ""
    image_url: str = ""
    verified: bool | None = None
    description: str = ""
    legacy: _Legacy = attrs.Factory(_Legacy)
    followers: Count | None = None
    following: Count | None = None
    tweets: Count | None = None
    favorites: Count | None = None
    public_followers: Count | None = None
    public_following: Count | None = None
    public_tweets: Count | None = None
    public_likes: Count | None = None


@attrs.define
class _UserBox(Strict):
    result: _User | None = None


@attrs.define
class _Data(Strict):
    user: _UserBox | None = None


@attrs.define
class _Result(Strict):
    """``result``: the GraphQL ``data``, or (2026 captures) a ``UserUnavailable`` itself."""

    paths: ClassVar[Mapping[str, str]] = {"typename": "__typename"}

    typename: str = ""
    unavailable_reason: str = ""
    data: _Data | None = None


@attrs.define
class _Answer:
    result: _Result | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _counts(user: _User) -> tuple[Count | None, Count | None, Count | None, Count | None]:
    """Followers, following, tweets and likes: each its chain's first hit across the eras."""
    legacy = user.legacy
    return (
        first(legacy.followers_count, user.followers, user.public_followers),
        first(legacy.friends_count, user.following, user.public_following),
        first(legacy.statuses_count, user.tweets, user.public_tweets),
        first(legacy.favourites_count, user.favorites, user.public_likes),
    )


@attrs.frozen(kw_only=True)
class Twitter241Adapter(Adapter):
    """The ``twitter`` platform: ``GET /user?username={screen_name}``.

    ``name`` is always ``"twitter"``; ``host`` and ``path`` may name a compatible relay.
    ``parse`` raises :class:`UsernameNotFound` only for twitter241's own answers: an empty
    ``result.data``; a ``UserUnavailable`` object anywhere under ``data`` (``user.result``,
    ``user_result_by_screen_name.result``, ...) or as the ``result`` itself (suspended,
    withheld: the reason is the error's ``reason`` and an exception note; see
    :func:`find_unavailable`); or ``{"error": true, "message": "No user matches ..."}`` (which
    comes with HTTP 404, so the transport's classify usually decides it first). Any other answer
    without a user and its follower count is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "twitter241"
    platform: str = attrs.field(default="twitter", init=False)
    host: str = "twitter241.p.rapidapi.com"
    path: str = "/user"

    _pattern, _rule, _param = _PATTERN, _RULE, "username"

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Each field through its chain across the three shapes."""
        if _is_not_found(payload):
            raise self._not_found(username)
        try:
            user = self._user(username, self._structure(payload, _Answer))
        except MalformedPayload:  # no user where one is expected: an unavailable one elsewhere?
            reason = find_unavailable(payload)
            if reason is None:
                raise
            raise self._unavailable(username, reason) from None
        followers, following, tweets, likes = _counts(user)
        legacy = user.legacy
        image = user.image_url or legacy.profile_image_url_https
        flags = (user.is_blue_verified, user.verified, legacy.verified)
        verified = next((flag for flag in flags if flag is not None), False)
        return Profile(
            platform=self.platform,
            username=self._username(user.screen_name or legacy.screen_name, username),
            followers=self._required(followers, "follower count"),
            display_name=user.name or legacy.name,
            profile_image=image.replace("_normal.", "_400x400."),
            bio=legacy.description or user.description,
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
        """Not found, with X's reason (suspended, withheld) as ``reason`` and a note."""
        return unavailable_error(self._not_found(username), reason)


def unavailable_error(error: UsernameNotFound, reason: str) -> UsernameNotFound:
    """``error`` (a not-found) carrying X's ``reason`` for the user being unavailable (the
    message stays the usual not-found one)."""
    if reason:  # the message stays the old frontend's; the reason goes beside it
        error.reason = reason
        error.add_note(f"twitter says the user is unavailable: {reason}")
    return error


_UNAVAILABLE_DEPTH: Final = 6  # data -> user_result_by_screen_name -> result: well within
_UNAVAILABLE_ITEMS: Final = 50  # keys or list items looked at per level


def find_unavailable(payload: object) -> str | None:
    """The reason of a ``"__typename": "UserUnavailable"`` object anywhere under an answer's
    ``data`` (twitter241 wraps it in ``result``; X's GraphQL uses ``user.result`` or
    ``user_result_by_screen_name.result``), or under ``result`` itself; ``""`` when it gives
    none, ``None`` when there is no such object. The walk is bounded in depth and breadth."""
    if not isinstance(payload, Mapping):
        return None
    result = payload.get("result")
    roots = [payload.get("data")]
    if isinstance(result, Mapping):
        roots += [result, result.get("data")]
    for root in roots:
        found = _unavailable_in(root, _UNAVAILABLE_DEPTH)
        if found is not None:
            return found
    return None


def _unavailable_in(value: object, depth: int) -> str | None:
    if depth <= 0:
        return None
    if isinstance(value, Mapping):
        if value.get("__typename") == "UserUnavailable":
            return _reason_of(value)
        children: list[object] = list(value.values())[:_UNAVAILABLE_ITEMS]
    elif isinstance(value, list):
        children = value[:_UNAVAILABLE_ITEMS]
    else:
        return None
    for child in children:
        if isinstance(child, Mapping | list):
            found = _unavailable_in(child, depth - 1)
            if found is not None:
                return found
    return None


def _reason_of(unavailable: Mapping[str, Any]) -> str:
    """X's reason for an unavailable user: ``reason``, ``unavailable_reason`` or ``message``."""
    for name in ("reason", "unavailable_reason", "message"):
        value = unavailable.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return ""


def _is_not_found(payload: Mapping[str, Any]) -> bool:
    """twitter241's own not-found answers: an empty ``result.data``, or the retired path's
    ``{"error": true, "message": "No user matches ..."}`` (HTTP 404, see the note in the class)."""
    result = payload.get("result")
    data = result.get("data") if isinstance(result, dict) else None
    if isinstance(data, dict) and not data:
        return True
    message = payload.get("message")
    return (
        payload.get("error") is True
        and isinstance(message, str)
        and message.startswith("No user matches")
    )


if TYPE_CHECKING:  # the old name, as type checkers see it; at run time it warns
    TwitterAdapter = Twitter241Adapter
else:
    __getattr__ = renamed(__name__, {"TwitterAdapter": "Twitter241Adapter"}, globals())
