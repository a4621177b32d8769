"""What a sync sends (:class:`SyncPayload`) and what comes back: results and outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from ..errors import InvalidStats
from . import _display
from ._records import (
    ManualEntry,
    PlatformData,
    _check_optional_engagement,
    _check_optional_followers,
)

__all__ = [
    "PlatformStats",
    "ProfileStats",
    "SyncOutcome",
    "SyncPayload",
    "SyncReport",
    "SyncResult",
]


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
