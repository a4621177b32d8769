"""The records hyperbuds-sync returns and accepts.

All records are frozen, slotted attrs classes. :class:`PlatformData` converts to and from the old
frontend's camelCase JSON with :func:`to_dict` / :func:`from_dict`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, SupportsFloat, SupportsIndex

import attrs
import cattrs
from attrs import field, frozen
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import _display
from .errors import InvalidInput, InvalidStats

__all__ = [
    "KeyQuota",
    "ManualEntry",
    "PlatformData",
    "PlatformStats",
    "ProfileStats",
    "ProviderRequest",
    "ProviderState",
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
    (``fetch(..., allow_stale=True)``). Provenance: ``provider`` is the provider that answered
    (``"tiktok-api45"``), ``rounded`` is true when its counts are published rounded (YouTube
    subscribers, a TikTok answer without ``statsV2``), ``formula`` the engagement formula used.
    The engagement numbers are ``None`` where the provider gave nothing to compute them from
    (Twitch has no views since 2022, a hidden like count, a YouTube read without video stats).
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
    total_engagement: float | None = 0.0
    average_engagement: float | None = 0.0
    last_fetched: datetime = field(factory=_utcnow)
    raw: Mapping[str, Any] = field(factory=dict, eq=False, repr=False)
    stale: bool = False
    provider: str = ""
    rounded: bool = False
    formula: str = ""

    @property
    def age(self) -> timedelta:
        """How long ago the value was fetched upstream."""
        return _utcnow() - self.last_fetched

    def as_stale(self) -> PlatformData:
        """A copy marked stale."""
        return attrs.evolve(self, stale=True)

    def to_dict(self) -> dict[str, Any]:
        """The old frontend's camelCase dict, as :func:`to_dict` gives (``raw`` included)."""
        result: dict[str, Any] = _converter.unstructure(self)
        return result

    def to_record(self) -> dict[str, Any]:
        """A flat snake_case row for data tools: real datetimes, no ``raw``
        (see :func:`hyperbuds_sync.to_pandas`)."""
        return {
            a.name: getattr(self, a.name) for a in attrs.fields(PlatformData) if a.name != "raw"
        }

    def _repr_html_(self) -> str:
        return _display.record_table(f"{self.platform} @{self.username}", self.to_record())


def _check_followers(value: SupportsIndex) -> int:
    """``value`` as a plain int; any integral number (numpy's and pandas' too) but a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InvalidStats(f"followers must be an int >= 0, got {value!r}")
    return int(value)


def _check_engagement(value: SupportsFloat) -> float:
    """``value`` as a plain float; any real number (numpy's and pandas' too) but a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidStats(f"engagement must be a finite number >= 0, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidStats(f"engagement must be a finite number >= 0, got {value!r}")
    return number


def _check_optional_followers(value: SupportsIndex | None) -> int | None:
    return None if value is None else _check_followers(value)


def _check_optional_engagement(value: SupportsFloat | None) -> float | None:
    return None if value is None else _check_engagement(value)


@frozen
class ManualEntry:
    """Stats typed in by the creator, synced without any provider call.

    This is how a sync still works when the RapidAPI quota is gone.
    """

    # Any integral / real number (numpy.int64 included) is checked and stored as int / float.
    followers: int = field(converter=_check_followers)
    engagement: float | None = field(default=None, converter=_check_optional_engagement)


@frozen
class SyncPayload:
    """The exact body posted to the backend: ``{"followers": int, "engagement": float}``.

    Either field may be ``None``, and is then left out of the body. Construction validates:
    followers an int >= 0, engagement a finite number >= 0, else :class:`InvalidStats`.
    """

    followers: int | None = field(default=None, converter=_check_optional_followers)
    engagement: float | None = field(default=None, converter=_check_optional_engagement)

    def __attrs_post_init__(self) -> None:
        if self.followers is None and self.engagement is None:
            raise InvalidStats("nothing to sync: followers and engagement are both missing")

    @classmethod
    def of(cls, data: PlatformData | ManualEntry) -> SyncPayload:
        """The payload for fetched data (its average engagement, left out when ``None``) or a
        manual entry."""
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

    def to_record(self) -> dict[str, Any]:
        """A flat snake_case row: what was sent, the backend's message or the error."""
        data = self.data
        fetched = isinstance(data, PlatformData)
        engagement = data.average_engagement if isinstance(data, PlatformData) else None
        return {
            "platform": self.platform,
            "ok": self.ok,
            "followers": None if data is None else data.followers,
            "engagement": data.engagement if isinstance(data, ManualEntry) else engagement,
            "last_fetched": data.last_fetched if isinstance(data, PlatformData) else None,
            "stale": fetched and isinstance(data, PlatformData) and data.stale,
            "message": None if self.result is None else self.result.message,
            "error_type": None if self.error is None else type(self.error).__name__,
            "error": None if self.error is None else str(self.error),
        }

    def __repr__(self) -> str:
        return f"SyncOutcome({self.platform!r}, {self._summary()})"

    def _summary(self) -> str:
        """``ok: <message>`` or ``<ErrorClass>: <message>``, one line."""
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        return f"ok: {self.result.message}" if self.result is not None else "no result"


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

    def __repr__(self) -> str:
        lines = "".join(f"\n  {p}: {o._summary()}" for p, o in self.outcomes.items())
        return f"<SyncReport {len(self.succeeded)} of {len(self.outcomes)} synced{lines}>"

    def _repr_html_(self) -> str:
        title = f"SyncReport: {len(self.succeeded)} of {len(self.outcomes)} synced"
        rows = [o.to_record() for o in self.outcomes.values()]
        columns = ("platform", "ok", "followers", "engagement", "message", "error_type", "error")
        return _display.rows_table(title, columns, rows)


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

    def to_record(self) -> dict[str, Any]:
        """A flat snake_case row (``keys`` as their number)."""
        return {
            "host": self.host,
            "limit": self.limit,
            "remaining": self.remaining,
            "reset_at": self.reset_at,
            "keys": len(self.keys),
        }

    def _repr_html_(self) -> str:
        return _display.record_table(f"quota on {self.host}", self.to_record())


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
    """The inverse of :func:`to_dict`.

    Raises:
        InvalidInput: ``payload`` is not a mapping, or a field is missing or of the wrong type;
            the message names each bad field by its camelCase key.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput(f"from_dict takes a mapping, not {type(payload).__name__}")
    try:
        return _converter.structure(dict(payload), PlatformData)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        problems = "; ".join(_bad_field(line) for line in cattrs.transform_error(exc))
        raise InvalidInput(f"from_dict: {problems}") from None


def _bad_field(line: str) -> str:
    """``"expected int @ $.total_content"`` as ``"totalContent: expected int"``."""
    problem, _, path = line.rpartition(" @ $.")
    if not problem:
        return line
    name, dot, rest = path.partition(".")
    return f"{_CAMEL.get(name, name)}{dot}{rest}: {problem}"


@frozen
class ProviderRequest:
    """What to ask a provider: ``GET https://{host}{path}?{params}``.

    ``params`` values are passed as query parameters and percent-encoded by the transport.
    ``auth`` says which credentials the transport sends: ``"rapidapi"`` (the key headers),
    ``"x-bearer"`` (the X bearer token), ``"google-key"`` (``X-Goog-Api-Key``) or
    ``"twitch-app"`` (``Client-Id`` and a Helix app token).
    """

    host: str
    path: str
    params: Mapping[str, str] = field(factory=dict)
    auth: str = "rapidapi"


@frozen
class ProviderState:
    """One provider of a platform's chain, as :meth:`SocialSync.providers` shows it.

    ``available`` is false while the provider is benched: until ``benched_until`` for a spent
    quota, or for the client's lifetime (``benched_until`` ``None``) after it refused the
    credentials; ``reason`` says which.
    """

    provider: str
    platform: str
    available: bool
    benched_until: datetime | None = None
    reason: str = ""
