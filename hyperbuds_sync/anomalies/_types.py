"""The records of the anomalies folder: :class:`Anomaly` and :class:`AnomalySettings`.

Plain frozen attrs records, picklable, no I/O: the detector (``_detect``) fills them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import attrs
from attrs import field, frozen

from ..errors import ConfigError, InvalidInput

__all__ = ["Anomaly", "AnomalySettings", "Kind"]

Kind = Literal["spike", "drop", "divergence"]
KINDS: tuple[Kind, ...] = ("spike", "drop", "divergence")


def _aware_utc(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"an anomaly's moments are timezone-aware datetimes, got {value!r}")
    return value.astimezone(UTC)


@frozen(kw_only=True)
class Anomaly:
    """One stretch of a creator's history that is far outside the creator's own normal.

    ``kind``: ``"spike"`` (followers rose far beyond the account's usual day-normalised change
    while engagement did not rise with them), ``"drop"`` (followers fell sharply) or
    ``"divergence"`` (over a window, followers grew while engagement per follower fell).
    ``start`` and ``end`` are the snapshots around it (aware UTC); ``before`` and ``after`` the
    followers there; ``change`` the fraction ``after / before - 1``; ``score`` how far outside
    the creator's normal, in robust units (median absolute deviations, see docs/anomalies.md);
    ``explain`` one sentence a person can read.
    """

    kind: Kind
    start: datetime = field(converter=_aware_utc)
    end: datetime = field(converter=_aware_utc)
    before: int
    after: int
    change: float
    score: float
    explain: str

    def __attrs_post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"an anomaly's kind is one of {KINDS}, got {self.kind!r}")

    def to_record(self) -> dict[str, Any]:
        """A flat row (``start``/``end`` real datetimes), for JSON and data tools."""
        return attrs.asdict(self)

    def overlaps(self, other: Anomaly) -> bool:
        """Whether ``other`` is the same kind over a stretch that touches this one's."""
        return self.kind == other.kind and self.start <= other.end and other.start <= self.end

    def __repr__(self) -> str:
        day = f"{self.start:%Y-%m-%d %H:%M}..{self.end:%Y-%m-%d %H:%M}"
        return f"Anomaly({self.kind}, {day}, {self.change:+.1%}, score={self.score:.1f})"


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value > 0:
        raise ConfigError(f"AnomalySettings.{attribute.name} must be > 0, got {value!r}")


def _fraction(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 < value < 1:
        raise ConfigError(
            f"AnomalySettings.{attribute.name} is a fraction in (0, 1), got {value!r}"
        )


@frozen(kw_only=True)
class AnomalySettings:
    """The thresholds of the three rules; the defaults are reasoned in docs/anomalies.md.

    Scores are in the creator's own robust units: the change beyond the account's median
    day-normalised change, divided by the median absolute deviation (MAD) of those changes
    scaled to the span's length (``MAD x sqrt(days)``), the MAD never below ``mad_floor``.
    """

    spike_score: float = field(default=10.0, validator=_positive)
    """A spike is at least this many MADs above the account's usual change..."""
    spike_change: float = field(default=0.04, validator=_positive)
    """...and rose at least this fraction (4%) beyond the account's usual growth over the span..."""
    spike_followers: int = field(default=100, validator=_positive)
    """...and at least this many followers."""
    engagement_score: float = field(default=2.5, validator=_positive)
    """A cumulative engagement total (likes, views) "rose with" the followers when its change
    is this many of its MADs above its usual change..."""
    engagement_share: float = field(default=0.1, validator=_positive)
    """...and at least this share of the followers' excess change (relative)."""
    engagement_match: float = field(default=1.5, validator=_positive)
    """A level (the recent posts' interactions) "rose with" the followers when it rose at least
    this many times as much as they did (relative)."""
    drop_score: float = field(default=10.0, validator=_positive)
    """A drop is at least this many MADs below the account's usual change..."""
    drop_change: float = field(default=0.02, validator=_fraction)
    """...and a fall of at least this fraction (2%)..."""
    drop_followers: int = field(default=50, validator=_positive)
    """...and of at least this many followers."""
    divergence_days: float = field(default=30.0, validator=_positive)
    """The divergence window."""
    divergence_growth: float = field(default=0.05, validator=_positive)
    """Followers grew at least this fraction over the window..."""
    divergence_share: float = field(default=0.3, validator=_fraction)
    """...while engagement per follower fell by more than this share of its level before..."""
    divergence_score: float = field(default=3.0, validator=_positive)
    """...and by at least this many MADs of the windows before."""
    divergence_mad_floor: float = field(default=0.05, validator=_positive)
    """The smallest MAD of the log of engagement per follower across windows (5%)."""
    sustained: float = field(default=0.5, validator=_positive)
    """A step beside a spike rising this share of the spike threshold or more (in MADs) makes
    the growth sustained, not a jump (bought followers that arrive over weeks are a divergence)."""
    span_days: float = field(default=2.0, validator=_positive)
    """Snapshots closer than this are also judged together, so a burst split over several
    fetches within two days is seen whole."""
    max_gap_days: float = field(default=15.0, validator=_positive)
    """Never flag across a gap between snapshots (or over a stretch) longer than this: a weekly
    refresh that failed once passes, two do not. A cumulative total keeps a viral moment's
    engagement for good, so a spike on it is judged across such a gap..."""
    level_gap_days: float = field(default=8.0, validator=_positive)
    """...but a spike judged on a level (the recent posts' interactions) is never flagged across
    a gap longer than this (a weekly refresh and its jitter): a level forgets a viral post in
    about two weeks, so a burst inside a longer gap could look bought."""
    mad_floor: float = field(default=0.002, validator=_positive)
    """The smallest MAD of the daily log change (0.2%): a very steady account is not judged
    against a normal of zero."""
    min_steps: int = field(default=6, validator=_positive)
    """Day-long steps the history needs before spikes and divergences are judged at all."""
    lookback_days: float = field(default=60.0, validator=_positive)
    """History read before the reported period, for the creator's normal."""
