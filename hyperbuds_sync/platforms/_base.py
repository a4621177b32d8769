"""The Platform protocol and the pure helpers adapters share.

An adapter turns a username into a :class:`ProviderRequest` and a provider's JSON into a
:class:`Profile`. It never does I/O and never imports aiohttp. The engagement numbers are then
computed from the profile by a named formula (:mod:`hyperbuds_sync.engagement`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from attrs import frozen

from ..errors import InvalidUsername, MalformedPayload
from ..models import ProviderRequest, _slot_setters

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


# --- the built-in adapters' shared behaviour ------------------------------------------------------


class _Fallback(Exception):
    """The fast reader met something it does not handle; the defensive reader decides."""


# What the fast readers raise to hand over: a missing key, a wrong type (indexing a list or a
# string with a key), or _Fallback for a value they do not read themselves.
_FAST_MISSES = (KeyError, TypeError, _Fallback)


def _fast_count(value: Any) -> int:
    """A plain in-range ``int`` or a short decimal string as a count; else :class:`_Fallback`.

    Only values :func:`to_count` reads to the same number are taken, so the fast readers agree
    with the defensive ones: ``str.isdecimal`` is exactly the regex's ``\\d`` (Unicode ``Nd``,
    which ``int`` reads too), and 18 digits cannot pass the int64 bound. Booleans, negatives,
    floats, padded or signed strings go to the defensive reader.
    """
    if type(value) is int:
        if 0 <= value <= _MAX_COUNT:
            return value
    elif type(value) is str and value.isdecimal() and len(value) < 19:
        return int(value)
    raise _Fallback


_new = object.__new__


_SET_POST = _slot_setters(PostStats)
_SET_PROFILE = _slot_setters(Profile)


def _post(likes: int, comments: int, views: int | None) -> PostStats:
    """A :class:`PostStats` of counts a fast reader checked (the class has no validators)."""
    post: PostStats = _new(PostStats)
    set_likes, set_comments, set_views = _SET_POST
    set_likes(post, likes)
    set_comments(post, comments)
    set_views(post, views)
    return post


def _profile(
    platform: str,
    username: str,
    followers: int,
    display_name: str,
    profile_image: str,
    bio: str,
    verified: bool,
    following: int,
    total_content: int,
    likes: int | None,
    views: int | None,
    posts: tuple[PostStats, ...],
) -> Profile:
    """A :class:`Profile` of values a fast reader checked, every field given, in field order.

    The same record as ``Profile(...)`` with these arguments (the class has no validators or
    converters; a test keeps it so): filling the slots directly skips the attrs ``__init__``'s
    bound-method call per field.
    """
    profile: Profile = _new(Profile)
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11) = _SET_PROFILE
    s0(profile, platform)
    s1(profile, username)
    s2(profile, followers)
    s3(profile, display_name)
    s4(profile, profile_image)
    s5(profile, bio)
    s6(profile, verified)
    s7(profile, following)
    s8(profile, total_content)
    s9(profile, likes)
    s10(profile, views)
    s11(profile, posts)
    return profile


class _Adapter:
    """What the built-in adapters share: usernames, requests, reading counts, the two readers.

    A subclass is a frozen attrs class with ``name``, ``host`` and ``path`` fields; it sets
    ``_pattern``/``_rule`` (the username rule) and ``_param`` (the query parameter carrying the
    username), implements ``_read`` (the defensive reader of any JSON object) and may implement
    ``_read_fast``, a reader of the usual well-formed answer that must return what ``_read``
    returns or raise one of ``_FAST_MISSES``.
    """

    __slots__ = ()

    name: str
    host: str
    path: str
    _pattern: ClassVar[re.Pattern[str]]
    _rule: ClassVar[str]
    _param: ClassVar[str]

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.name, username, self._pattern, self._rule)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        params = {self._param: self.canonical_username(username)}
        return ProviderRequest(self.host, self.path, params)

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a provider answer into a :class:`Profile`.

        Raises:
            UsernameNotFound: the answer is the provider's not-found answer (see the class).
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if type(payload) is dict:
            try:
                return self._read_fast(username, payload)
            except _FAST_MISSES:
                pass
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.name} answer is a {type(payload).__name__}, not an object"
            )
        return self._read(username, payload)

    def _read_fast(self, username: str, payload: dict[str, Any]) -> Profile:
        """The usual answer, read directly; raises one of ``_FAST_MISSES`` for anything else."""
        raise _Fallback

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """Any JSON object, read defensively: every field through its fallback chain."""
        raise NotImplementedError

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
