"""Twitter/X through the official X API v2 ``users/by/username``.

``GET https://api.x.com/2/users/by/username/{username}?user.fields=public_metrics,verified,
description,profile_image_url`` with ``Authorization: Bearer <X_BEARER_TOKEN>``. The answer is
``{"data": {"id", "name", "username", "verified", "description", "profile_image_url",
"public_metrics": {...}}}``. Not found (also a suspended account) is HTTP 200 with no ``data`` and
an ``errors`` list holding a ``.../problems/resource-not-found`` error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ..models import ProviderRequest
from .base import Adapter, Profile
from .reading import Count, Strict
from .twitter241 import _PATTERN, _RULE

__all__ = ["XApiAdapter"]

_FIELDS = "public_metrics,verified,description,profile_image_url"
_NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"


# --- the answer's shape --------------------------------------------------------------------------


@attrs.define
class _Metrics:
    followers_count: Count | None = None
    following_count: Count | None = None
    tweet_count: Count | None = None
    like_count: Count | None = None


@attrs.define
class _User(Strict):
    id: str = ""
    name: str = ""
    username: str = ""
    verified: bool = False
    description: str = ""
    profile_image_url: str = ""
    public_metrics: _Metrics | None = None


@attrs.define
class _Answer:
    data: _User | None = None


# --- the mapping ---------------------------------------------------------------------------------


def _is_not_found(payload: Mapping[str, Any]) -> bool:
    """X's own not-found answer: no ``data``, an ``errors`` item of the resource-not-found type."""
    errors = payload.get("errors")
    if "data" in payload or not isinstance(errors, list):
        return False
    return any(isinstance(e, Mapping) and e.get("type") == _NOT_FOUND_TYPE for e in errors)


@attrs.frozen(kw_only=True)
class XApiAdapter(Adapter):
    """The ``twitter`` platform through the official X API v2 (``x-api``).

    ``parse`` raises :class:`UsernameNotFound` only for X's resource-not-found answer; an answer
    without a ``data`` object holding ``public_metrics.followers_count`` (another error, a
    changed shape) is :class:`MalformedPayload`. ``likes`` is ``like_count``: likes the account
    gave, as twitter241's ``favourites_count``.
    """

    provider: ClassVar[str] = "x-api"
    auth: ClassVar[str] = "x-bearer"

    platform: str = attrs.field(default="twitter", init=False)
    host: str = "api.x.com"
    path: str = "/2/users/by/username/"

    _pattern, _rule, _param = _PATTERN, _RULE, "user.fields"

    def request(self, username: str) -> ProviderRequest:
        """``GET /2/users/by/username/{username}?user.fields=...`` (the name is in the path)."""
        name = self.canonical_username(username)
        base = super().request(name)
        return attrs.evolve(base, path=f"{self.path}{name}", params={"user.fields": _FIELDS})

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        if _is_not_found(payload):
            raise self._not_found(username)
        user = self._structure(payload, _Answer).data
        if user is None:
            raise self._malformed("twitter answer has no data object")
        metrics = user.public_metrics
        if metrics is None:
            raise self._malformed("twitter answer has no public_metrics")
        image = user.profile_image_url
        return Profile(
            platform=self.platform,
            username=self._username(user.username, username),
            followers=self._required(metrics.followers_count, "follower count"),
            display_name=user.name or user.username,
            profile_image=image.replace("_normal.", "_400x400.") if image else "",
            bio=user.description,
            verified=user.verified,
            following=self._optional(metrics.following_count) or 0,
            total_content=self._optional(metrics.tweet_count) or 0,
            likes=self._optional(metrics.like_count),
        )
