"""The sudden-drop guard: a sync whose followers fell too far, too fast, is refused.

:class:`DropGuard` holds the thresholds and judges one sync against the last good value synced for
the same creator (keyed on the username, or the creator id the caller gives, or the backend profile
id its answers carried; never on the platform alone):
:meth:`HistoryRecorder.check_drop <hyperbuds_sync.history.HistoryRecorder.check_drop>` reads that
value from the store and asks it. The judgement is the growth-anomaly drop rule
(:func:`hyperbuds_sync.anomalies.sudden_drop`) with the guard's thresholds: the guard is one case
of it, on two synced values. It imports the SDK's public modules only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from attrs import frozen

from ..anomalies import AnomalySettings, sudden_drop
from ..errors import ConfigError, SuspiciousDrop
from ..models import ManualEntry, PlatformData, SyncPayload
from ._types import SyncRecord

__all__ = ["DropGuard"]


@frozen
class DropGuard:
    """The sudden-drop thresholds: a fall of more than ``ratio`` (0.9: 90%) within ``days`` of
    the last good synced value is suspicious; so is 0 over any good value."""

    ratio: float = 0.9
    days: float = 30.0

    def __attrs_post_init__(self) -> None:
        if not 0 < self.ratio <= 1:
            raise ConfigError(f"drop_guard_ratio is a fraction in (0, 1], got {self.ratio!r}")
        if not self.days > 0:
            raise ConfigError(f"drop_guard_days must be > 0, got {self.days!r}")

    @property
    def rule(self) -> AnomalySettings:
        """The anomaly drop rule at the guard's fall, for any account size (1 follower)."""
        return AnomalySettings(drop_change=min(self.ratio, 0.99), drop_followers=1)

    def reason(self, previous: SyncRecord, current: int, now: datetime) -> str | None:
        """Why ``current`` looks wrong after ``previous`` (a good sync), or ``None``."""
        before = previous.followers or 0
        when = previous.synced_at.date().isoformat()
        if current == 0:
            return f"followers read 0 where {before:,} were synced on {when}"
        if self.ratio >= 1 or now - previous.synced_at > timedelta(days=self.days):
            return None  # only 0 is refused, or an old value: a fall since then is not sudden
        drop = sudden_drop(before, previous.synced_at, current, now, settings=self.rule)
        if drop is None:
            return None
        return f"followers fell {-drop.change:.0%} ({before:,} on {when} -> {current:,})"

    def check(
        self,
        previous: SyncRecord | None,
        platform: str,
        data: PlatformData | ManualEntry,
        payload: SyncPayload,
    ) -> None:
        """Raise :class:`SuspiciousDrop` when ``payload`` would write a sudden drop over
        ``previous``, the same creator's last good sync on ``platform`` (``None``: nothing to
        compare with)."""
        if previous is None or payload.followers is None:
            return
        now = datetime.now(UTC)
        reason = self.reason(previous, payload.followers, now)
        if reason is None:
            return
        raise SuspiciousDrop(
            f"refusing to sync {platform} followers: {reason}; sync(..., force=True) sends it",
            platform=platform,
            username=data.username if isinstance(data, PlatformData) else None,
            previous=previous.followers,
            previous_at=previous.synced_at,
            current=payload.followers,
            current_at=data.last_fetched if isinstance(data, PlatformData) else now,
        )
