"""The creator's record (:class:`PlatformData`), the manual entry and the provider request.

:class:`PlatformData` converts to and from the old frontend's camelCase JSON with :func:`to_dict`
/ :func:`from_dict`.
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

from ..errors import InvalidInput, InvalidStats
from . import _display

__all__ = ["ManualEntry", "PlatformData", "ProviderRequest", "from_dict", "to_dict"]


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
