"""The Provider protocol, the records a provider reads into, and the helpers providers share.

A provider turns a username into a :class:`ProviderRequest` and the provider's JSON into a
:class:`Profile`. It never does I/O and never imports aiohttp. The engagement numbers are then
computed from the profile by a named formula (:mod:`hyperbuds_sync.engagement`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from attrs import frozen

from ..errors import InvalidUsername, MalformedPayload, UsernameNotFound
from ..models import ProviderRequest
from ._renamed import renamed
from .reading import Count, Unreadable, count_of, structure

__all__ = [
    "Adapter",
    "PostStats",
    "Profile",
    "Provider",
    "ProviderRequest",
    "canonical",
    "to_count",
    "youtube_username",
]

T = TypeVar("T")


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
    rounded: bool = False  # the provider publishes the counts rounded (YouTube subscribers)


@runtime_checkable
class Provider(Protocol):
    """One social platform served through one provider (RapidAPI or official). Pure: no I/O.

    Every member is required. An adapter written before ``platform`` (with ``name`` for it) or
    before ``provider``, ``auth`` and ``follow_up`` is still taken by the registry, with a
    ``DeprecationWarning``, what it lacks defaulted: the provider is its platform, the auth
    ``rapidapi``, and it makes one request.

    Attributes:
        platform: the platform it serves, e.g. ``"tiktok"``.
        provider: the public provider name, e.g. ``"tiktok-api23"`` (settings, records, CLI).
        auth: how the transport authenticates the call (:class:`ProviderRequest` ``auth``).
        host: the provider host (for RapidAPI also sent as ``x-rapidapi-host``).
        path: the profile endpoint's path on that host.
    """

    @property
    def provider(self) -> str:
        """The public provider name."""
        ...

    @property
    def auth(self) -> str:
        """The auth kind: ``rapidapi``, ``x-bearer``, ``google-key`` or ``twitch-app``."""
        ...

    @property
    def platform(self) -> str:
        """The platform it serves."""
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

    def follow_up(self, username: str, answer: Any) -> ProviderRequest | None:
        """The second request of a two-step provider, given the first answer; ``None`` for one
        request. A two-step provider's ``parse`` then gets the list of both answers."""
        ...

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a provider answer.

        Raises:
            UsernameNotFound: the answer is the provider's not-found answer.
            MalformedPayload: the answer lacks what a profile needs (followers above all).
        """
        ...


_DEPRECATED: dict[str, str] = {"Platform": "Provider"}
"""Old name -> new name: the protocol was called ``Platform`` (one provider serves a platform)."""


if TYPE_CHECKING:  # type checkers see the old names as aliases; at run time they warn
    Platform = Provider
else:
    __getattr__ = renamed(__name__, _DEPRECATED, globals())


# --- helpers --------------------------------------------------------------------------------------


def to_count(value: Any, *, what: str, platform: str, host: str) -> int:
    """A non-negative count from an int, an integral float or a digit string.

    Raises:
        MalformedPayload: for anything else (booleans, negatives, words, NaN).
    """
    count = count_of(value)
    if count is None:
        raise MalformedPayload(
            f"{platform} answer has a non-numeric {what}: {type(value).__name__}",
            platform=platform,
            host=host,
        )
    return count


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


_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_YOUTUBE_HANDLE = re.compile(r"[a-z0-9._-]{3,30}")
_YOUTUBE_RULE = (
    "use a handle of 3 to 30 letters, digits, '.', '_' or '-' (with or without '@'), "
    "or a channel id: 'UC' and 22 letters, digits, '_' or '-'"
)


def youtube_username(value: object) -> str:
    """A YouTube channel as the providers take it: a channel id (``UC`` + 22 characters) as is,
    else a handle, trimmed, without one leading ``@``, lowercased.

    Raises:
        InvalidUsername: for anything else.
    """
    if isinstance(value, str) and _YOUTUBE_CHANNEL_ID.fullmatch(value.strip()):
        return value.strip()
    return canonical("youtube", value, _YOUTUBE_HANDLE, _YOUTUBE_RULE)


class Adapter:
    """What the built-in providers share: usernames, requests, and reading counts.

    A subclass is a frozen attrs class with ``platform``, ``host`` and ``path`` fields; it sets
    ``_pattern``/``_rule`` (the username rule) and ``_param`` (the query parameter carrying the
    username) and implements ``_read``: its one reader, structuring the answer into its shape
    (:func:`~hyperbuds_sync.providers.reading.structure`) and mapping that to a :class:`Profile`.
    """

    __slots__ = ()

    platform: str
    host: str
    path: str
    provider: ClassVar[str]
    auth: ClassVar[str] = "rapidapi"
    _pattern: ClassVar[re.Pattern[str]]
    _rule: ClassVar[str]
    _param: ClassVar[str]

    @property
    def name(self) -> str:
        """Deprecated, use :attr:`platform` (``name`` read as the provider's name)."""
        warnings.warn(
            f"{type(self).__name__}.name is deprecated, use .platform",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.platform

    def canonical_username(self, username: str) -> str:
        """Trimmed, without one leading ``@``, lowercased; else :class:`InvalidUsername`."""
        return canonical(self.platform, username, self._pattern, self._rule)

    def request(self, username: str) -> ProviderRequest:
        """The profile request; ``username`` is canonicalized again, so it is safe to send."""
        params = {self._param: self.canonical_username(username)}
        return ProviderRequest(self.host, self.path, params, auth=self.auth)

    def follow_up(self, username: str, answer: Any) -> ProviderRequest | None:
        """One request is enough: no follow-up (two-step providers override this)."""
        return None

    def parse(self, username: str, payload: Any) -> Profile:
        """Read a provider answer into a :class:`Profile`.

        Raises:
            UsernameNotFound: the answer is the provider's not-found answer (see the class).
            MalformedPayload: the answer is not an object, or has no numeric follower count.
        """
        if isinstance(payload, dict):  # a decoded JSON object: the plain case
            return self._read(username, payload)
        if not isinstance(payload, Mapping):
            raise self._malformed(
                f"{self.platform} answer is a {type(payload).__name__}, not an object"
            )
        return self._read(username, dict(payload))

    def _read(self, username: str, payload: Mapping[str, Any]) -> Profile:
        """The provider's one reader."""
        raise NotImplementedError

    def _structure(self, payload: Any, shape: type[T]) -> T:
        """``payload`` as ``shape``, or :class:`MalformedPayload` naming the field."""
        return structure(payload, shape, platform=self.platform, host=self.host)

    def _username(self, value: str, requested: str) -> str:
        """The provider's username when it is a valid one, else the requested one."""
        try:
            return self.canonical_username(value)
        except InvalidUsername:
            return requested

    def _required(self, value: Count | None, what: str) -> int:
        """A required count (a chain's first hit), else :class:`MalformedPayload`."""
        if value is None:
            raise self._malformed(f"{self.platform} answer has no {what}")
        if isinstance(value, Unreadable):
            raise self._malformed(f"{self.platform} answer has an unreadable {what}")
        return value

    @staticmethod
    def _optional(value: Count | None) -> int | None:
        """An optional count; absent or unreadable is unknown (it must not cost the profile)."""
        return None if isinstance(value, Unreadable) else value

    def _not_found(self, username: str) -> UsernameNotFound:
        return UsernameNotFound.for_user(self.platform, username, host=self.host)

    def _malformed(self, message: str) -> MalformedPayload:
        return MalformedPayload(message, platform=self.platform, host=self.host)
