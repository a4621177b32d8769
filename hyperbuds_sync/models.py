"""The records hyperbuds-sync returns and accepts.

All records are frozen, slotted attrs classes. :class:`PlatformData` converts to and from the old
frontend's camelCase JSON with :func:`to_dict` / :func:`from_dict`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import cattrs
from attrs import field, frozen
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .errors import InvalidStats

__all__ = [
    "KeyQuota",
    "ManualEntry",
    "PlatformData",
    "PlatformStats",
    "ProfileStats",
    "ProviderRequest",
    "QuotaStatus",
    "SyncOutcome",
    "SyncPayload",
    "SyncReport",
    "SyncResult",
    "from_dict",
    "to_dict",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@frozen
class PlatformData:
    """One creator's public stats on one platform, normalized.

    ``raw`` keeps the provider's JSON; it takes no part in equality or ``repr``. ``stale`` is true
    when the value was served from the stale window after an upstream failure
    (``fetch(..., allow_stale=True)``).
    """

    platform: str
    username: str
    display_name: str = ""
    profile_image: str = ""
    bio: str = ""
    verified: bool = False
    followers: int = 0
    following: int = 0
    total_content: int = 0
    total_engagement: float = 0.0
    average_engagement: float = 0.0
    last_fetched: datetime = field(factory=_utcnow)
    raw: Mapping[str, Any] = field(factory=dict, eq=False, repr=False)
    stale: bool = False

    @property
    def age(self) -> timedelta:
        """How long ago the value was fetched upstream."""
        return _utcnow() - self.last_fetched

    def as_stale(self) -> PlatformData:
        """A copy marked stale."""
        return attrs.evolve(self, stale=True)


def _slot_setters(cls: type) -> tuple[Callable[[object, Any], None], ...]:
    """The slot setters of a slotted attrs class's fields, in field order (for the trusted
    builders that skip ``__init__``; only for classes without validators or converters)."""
    return tuple(cls.__dict__[a.name].__set__ for a in attrs.fields(cls))


_SET_PLATFORM_DATA = _slot_setters(PlatformData)


def _platform_data(
    platform: str,
    username: str,
    display_name: str,
    profile_image: str,
    bio: str,
    verified: bool,
    followers: int,
    following: int,
    total_content: int,
    total_engagement: float,
    average_engagement: float,
    last_fetched: datetime,
    raw: Mapping[str, Any],
) -> PlatformData:
    """A fresh (not stale) :class:`PlatformData` of values already of their fields' types.

    The same record as ``PlatformData(...)`` with these arguments (it has no validators or
    converters; a test keeps it so), for :func:`hyperbuds_sync.engagement.normalize`: filling
    the slots directly skips the attrs ``__init__``'s bound-method call per field.
    """
    data: PlatformData = object.__new__(PlatformData)
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13) = _SET_PLATFORM_DATA
    s0(data, platform)
    s1(data, username)
    s2(data, display_name)
    s3(data, profile_image)
    s4(data, bio)
    s5(data, verified)
    s6(data, followers)
    s7(data, following)
    s8(data, total_content)
    s9(data, total_engagement)
    s10(data, average_engagement)
    s11(data, last_fetched)
    s12(data, raw)
    s13(data, False)  # stale
    return data


def _check_followers(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidStats(f"followers must be an int >= 0, got {value!r}")
    return value


def _check_engagement(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidStats(f"engagement must be a finite number >= 0, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidStats(f"engagement must be a finite number >= 0, got {value!r}")
    return number


@frozen
class ManualEntry:
    """Stats typed in by the creator, synced without any provider call.

    This is how a sync still works when the RapidAPI quota is gone.
    """

    followers: int
    engagement: float | None = None

    def __attrs_post_init__(self) -> None:
        _check_followers(self.followers)
        if self.engagement is not None:
            _check_engagement(self.engagement)


@frozen
class SyncPayload:
    """The exact body posted to the backend: ``{"followers": int, "engagement": float}``.

    Either field may be ``None``, and is then left out of the body. Construction validates:
    followers an int >= 0, engagement a finite number >= 0, else :class:`InvalidStats`.
    """

    followers: int | None = None
    engagement: float | None = None

    def __attrs_post_init__(self) -> None:
        if self.followers is None and self.engagement is None:
            raise InvalidStats("nothing to sync: followers and engagement are both missing")
        if self.followers is not None:
            _check_followers(self.followers)
        if self.engagement is not None:
            object.__setattr__(self, "engagement", _check_engagement(self.engagement))

    @classmethod
    def of(cls, data: PlatformData | ManualEntry) -> SyncPayload:
        """The payload for fetched data (its average engagement) or a manual entry."""
        if isinstance(data, PlatformData):
            return cls(followers=data.followers, engagement=data.average_engagement)
        return cls(followers=data.followers, engagement=data.engagement)

    def to_json(self) -> dict[str, int | float]:
        """The request body, with ``None`` fields left out."""
        body: dict[str, int | float] = {}
        if self.followers is not None:
            body["followers"] = self.followers
        if self.engagement is not None:
            body["engagement"] = self.engagement
        return body


@frozen
class PlatformStats:
    """One platform's entry in the backend's ``platformBreakdown``."""

    followers: int = 0
    engagement: float = 0.0
    extra: Mapping[str, Any] = field(factory=dict, eq=False)


@frozen
class ProfileStats:
    """The backend's aggregate after a sync."""

    platform_breakdown: Mapping[str, PlatformStats] = field(factory=dict)
    total_followers: int = 0
    avg_engagement: float = 0.0


@frozen
class SyncResult:
    """The backend's answer to one sync."""

    platform: str
    success: bool
    message: str
    stats: ProfileStats
    raw: Mapping[str, Any] = field(factory=dict, eq=False, repr=False)


@frozen
class SyncOutcome:
    """What happened to one platform in :meth:`SocialSync.sync_all`.

    Exactly one of ``result`` and ``error`` is set. ``data`` is the fetched or manual input, when
    there was one.
    """

    platform: str
    result: SyncResult | None = None
    error: Exception | None = None
    data: PlatformData | ManualEntry | None = None

    @property
    def ok(self) -> bool:
        """Whether the platform synced."""
        return self.error is None and self.result is not None


@frozen
class SyncReport:
    """One outcome per platform asked for."""

    outcomes: Mapping[str, SyncOutcome]

    @property
    def ok(self) -> bool:
        """True when at least one platform synced."""
        return any(o.ok for o in self.outcomes.values())

    @property
    def succeeded(self) -> dict[str, SyncOutcome]:
        """The platforms that synced."""
        return {p: o for p, o in self.outcomes.items() if o.ok}

    @property
    def failed(self) -> dict[str, SyncOutcome]:
        """The platforms that did not sync, with their errors."""
        return {p: o for p, o in self.outcomes.items() if not o.ok}

    def __getitem__(self, platform: str) -> SyncOutcome:
        return self.outcomes[platform]


@frozen
class KeyQuota:
    """Quota facts of one RapidAPI key on one host. Keys are shown by fingerprint only."""

    fingerprint: str
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    benched_until: datetime | None = None
    calls: int = 0


@frozen
class QuotaStatus:
    """The latest ``x-ratelimit-requests-*`` facts seen for one provider host."""

    host: str
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    keys: tuple[KeyQuota, ...] = ()


# --- camelCase conversion (the old frontend's UnifiedPlatformData) --------------------------------

_converter = cattrs.Converter()
_converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
_converter.register_structure_hook(datetime, lambda v, _: _parse_datetime(v))
_CAMEL = {
    "display_name": "displayName",
    "profile_image": "profileImage",
    "total_content": "totalContent",
    "total_engagement": "totalEngagement",
    "average_engagement": "averageEngagement",
    "last_fetched": "lastFetched",
}
_overrides = {name: override(rename=camel) for name, camel in _CAMEL.items()}
_converter.register_unstructure_hook(
    PlatformData,
    make_dict_unstructure_fn(PlatformData, _converter, **_overrides),  # type: ignore[arg-type]
)
_converter.register_structure_hook(
    PlatformData,
    make_dict_structure_fn(PlatformData, _converter, **_overrides),  # type: ignore[arg-type]
)


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_dict(data: PlatformData) -> dict[str, Any]:
    """``PlatformData`` as the old frontend's camelCase dict (``lastFetched`` in ISO 8601)."""
    result: dict[str, Any] = _converter.unstructure(data)
    return result


def from_dict(payload: Mapping[str, Any]) -> PlatformData:
    """The inverse of :func:`to_dict`. Raises ``cattrs`` errors on a wrong shape."""
    return _converter.structure(dict(payload), PlatformData)


@frozen
class ProviderRequest:
    """What to ask a RapidAPI provider: ``GET https://{host}{path}?{params}``.

    ``params`` values are passed as query parameters and percent-encoded by the transport.
    """

    host: str
    path: str
    params: Mapping[str, str] = field(factory=dict)
