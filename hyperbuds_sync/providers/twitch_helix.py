"""Twitch through the official Helix API (``twitch-helix``): two requests per profile.

With an app token (client credentials) and ``Client-Id``: first ``GET /helix/users?login=``
(``{"data": [{"id", "login", "display_name", "broadcaster_type", "description",
"profile_image_url", ...}]}``), then ``GET /helix/channels/followers?broadcaster_id={id}``
(``{"total": n, "data": [], ...}``: an app token gets the total). ``parse`` receives both answers
as a list. Not found is ``{"data": []}`` from ``/helix/users``; no second request is made then.
Helix's ``view_count`` is deprecated (always 0), so the profile has no views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from ..models import ProviderRequest
from .base import Adapter, Profile
from .reading import Count
from .twitch_scraper2 import _PATTERN, _RULE

__all__ = ["TwitchHelixAdapter"]


# --- the answers' shapes -------------------------------------------------------------------------


@attrs.define
class _User:
    id: str = ""
    login: str = ""
    display_name: str = ""
    broadcaster_type: str = ""
    description: str = ""
    profile_image_url: str = ""


@attrs.define
class _Users:
    data: tuple[_User, ...] = ()


@attrs.define
class _Followers:
    total: Count | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _is_not_found(users: Any) -> bool:
    """Helix's own not-found answer: ``data`` is an empty list."""
    return isinstance(users, Mapping) and users.get("data") == []


@attrs.frozen(kw_only=True)
class TwitchHelixAdapter(Adapter):
    """The ``twitch`` platform through Helix: ``/helix/users`` then ``/helix/channels/followers``.

    ``parse(username, [users, followers])`` raises :class:`UsernameNotFound` only when the users
    answer is ``{"data": []}``; a users answer without a user holding an ``id``, or a missing or
    unreadable followers ``total``, is :class:`MalformedPayload`.
    """

    provider: ClassVar[str] = "twitch-helix"
    auth: ClassVar[str] = "twitch-app"

    platform: str = attrs.field(default="twitch", init=False)
    host: str = "api.twitch.tv"
    path: str = "/helix/users"
    followers_path: str = "/helix/channels/followers"

    _pattern, _rule, _param = _PATTERN, _RULE, "login"

    def follow_up(self, username: str, answer: Any) -> ProviderRequest | None:
        """The followers request for the user in ``answer``; ``None`` when there is none to ask
        about (the not-found answer, or a malformed one: ``parse`` then says which)."""
        if not isinstance(answer, Mapping) or _is_not_found(answer):
            return None
        users = self._structure(dict(answer), _Users).data
        if not users or not users[0].id:
            return None
        base = self.request(username)
        return attrs.evolve(base, path=self.followers_path, params={"broadcaster_id": users[0].id})

    def parse(self, username: str, payload: Any) -> Profile:
        """Read ``[users_answer, followers_answer]`` (or ``[users_answer]`` when not found)."""
        if not isinstance(payload, Sequence) or isinstance(payload, str | bytes) or not payload:
            raise self._malformed("twitch answer is not a list of the two Helix answers")
        if _is_not_found(payload[0]):
            raise self._not_found(username)
        return super().parse(username, {"users": payload[0], "followers": payload[1:]})

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        users, rest = payload["users"], payload["followers"]
        if not isinstance(users, Mapping):
            raise self._malformed("twitch users answer is not an object")
        found = self._structure(dict(users), _Users).data
        if not found or not found[0].id:
            raise self._malformed("twitch users answer has no user with an id")
        if not rest or not isinstance(rest[0], Mapping):
            raise self._malformed("twitch answer has no followers object")
        user, followers = found[0], self._structure(dict(rest[0]), _Followers)
        return Profile(
            platform=self.platform,
            username=self._username(user.login, username),
            followers=self._required(followers.total, "follower count"),
            display_name=user.display_name or user.login,
            profile_image=user.profile_image_url,
            bio=user.description,
            verified=user.broadcaster_type == "partner",
        )
