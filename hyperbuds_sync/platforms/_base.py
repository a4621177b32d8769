"""The Platform protocol and the pure helpers adapters share.

An adapter turns a username into a :class:`ProviderRequest` and a provider's JSON into a
:class:`Profile`. It never does I/O and never imports aiohttp. The engagement numbers are then
computed from the profile by a named formula (:mod:`hyperbuds_sync.engagement`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from ..errors import InvalidUsername, MalformedPayload

__all__ = [
    "MISSING",
    "Platform",
    "PostStats",
    "Profile",
    "ProviderRequest",
    "canonical",
    "dig",
    "first",
    "to_count",
]


@frozen
class ProviderRequest:
    """What to ask a RapidAPI provider: ``GET https://{host}{path}?{params}``.

    ``params`` values are passed as query parameters and percent-encoded by the transport.
    """

    host: str
    path: str
    params: Mapping[str, str] = field(factory=dict)


@frozen
class PostStats:
    """Interactions on one recent post, where the provider's answer lists posts."""

    likes: int = 0
    comments: int = 0
    views: int | None = None


@frozen
class Profile:
    """What an adapter reads from a provider answer, before engagement is computed.

    ``likes`` is the platform's like-type total (TikTok hearts received, Twitter favourites given),
    ``views`` a view total (Twitch channel views), ``posts`` recent posts with their counts.
    ``None`` means the answer did not say.
    """

    platform: str
    username: str
    followers: int
    display_name: str = ""
    profile_image: str = ""
    bio: str = ""
    verified: bool = False
    following: int = 0
    total_content: int = 0
    likes: int | None = None
    views: int | None = None
    posts: tuple[PostStats, ...] = ()


@runtime_checkable
class Platform(Protocol):
    """One social platform served through one RapidAPI provider. Pure: no I/O.

    Attributes:
        name: the registry name, e.g. ``"tiktok"``.
        host: the RapidAPI host (also sent as ``x-rapidapi-host``).
        path: the profile endpoint's path on that host.
    """

    @property
    def name(self) -> str:
        """The registry name."""
        ...

    @property
    def host(self) -> str:
        """The RapidAPI host."""
        ...

    @property
    def path(self) -> str:
        """The profile endpoint's path."""
        ...

    def canonical_username(self, username: str) -> str:
        """The username in canonical form, or :class:`InvalidUsername`."""
        ...

    def request(self, username: str) -> ProviderRequest:
        """The provider request for a canonical username."""
        ...

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a provider answer.

        Raises:
            UsernameNotFound: the answer is the provider's not-found answer.
            MalformedPayload: the answer lacks what a profile needs (followers above all).
        """
        ...


# --- helpers --------------------------------------------------------------------------------------


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def dig(obj: Any, *path: str | int) -> Any:
    """``obj[p0][p1]...``, or :data:`MISSING` as soon as a step is absent or of the wrong type."""
    for step in path:
        if type(obj) is dict and type(step) is str:  # the usual case, without the ABC check
            if step not in obj:
                return MISSING
            obj = obj[step]
            continue
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return MISSING
        elif not isinstance(obj, Mapping) or step not in obj:
            return MISSING
        obj = obj[step]
    return obj


def first(obj: Any, *paths: Sequence[str | int]) -> Any:
    """The first path of ``paths`` under ``obj`` whose value is present and not ``None``."""
    for path in paths:
        value = dig(obj, *path)
        if value is not MISSING and value is not None:
            return value
    return MISSING


_DIGITS = re.compile(r"^\s*[+]?(\d{1,19})(\.0{1,20})?\s*$")
_MAX_COUNT = 2**63 - 1


def to_count(value: Any, *, what: str, platform: str, host: str) -> int:
    """A non-negative count from an int, an integral float or a digit string.

    Raises:
        MalformedPayload: for anything else (booleans, negatives, words, NaN).
    """
    if type(value) is int and 0 <= value <= _MAX_COUNT:  # the usual case, checked first
        return value
    count: int | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        count = value
    elif isinstance(value, float):
        if value.is_integer() and 0 <= value <= _MAX_COUNT:
            count = int(value)
    elif isinstance(value, str) and (match := _DIGITS.match(value)):
        count = int(match.group(1))
    if count is not None and 0 <= count <= _MAX_COUNT:
        return count
    raise MalformedPayload(
        f"{platform} answer has a non-numeric {what}: {type(value).__name__}",
        platform=platform,
        host=host,
    )


def optional_count(value: Any, *, what: str, platform: str, host: str) -> int | None:
    """Like :func:`to_count`, but :data:`MISSING`/``None`` give ``None``."""
    if value is MISSING or value is None:
        return None
    return to_count(value, what=what, platform=platform, host=host)


def text(value: Any) -> str:
    """A string field, or ``""`` when absent or not a string."""
    return value if isinstance(value, str) else ""


def flag(value: Any) -> bool:
    """A boolean field: only ``True`` (or the string ``"true"``) counts as true."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def canonical(platform: str, username: object, pattern: re.Pattern[str], rule: str) -> str:
    """Trim, drop one leading ``@``, lowercase, then check ``pattern`` (a full match).

    Raises:
        InvalidUsername: with ``rule`` as the reason when the result does not match.
    """
    if not isinstance(username, str):
        raise InvalidUsername(platform, repr(username), "a username must be a string")
    name = username.strip()
    if name.startswith("@"):
        name = name[1:]
    name = name.lower()
    if not name:
        raise InvalidUsername(platform, username, "the username is empty")
    if not pattern.fullmatch(name):
        raise InvalidUsername(platform, username, rule)
    return name
