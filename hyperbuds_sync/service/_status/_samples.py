"""What the status page needs over time and the SDK only knows as totals: a bounded log of samples.

The SDK keeps its quota facts and upstream calls as running totals (``sync.quota()``,
``sync.metrics``). The burn-down chart, "calls spent today" and "upstream calls in the last hour"
need those totals at earlier moments, so a :class:`Samples` log reads them once a minute (and at
every status read) and keeps two bounded windows: every sample of the last day, and one an hour
for the 31 days before (a monthly quota period fits). Nothing here calls a provider.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

import attrs

from ...metrics import UPSTREAM_CALLS, Metrics
from ...models import QuotaStatus

__all__ = ["HostSample", "Sample", "Samples"]

RECENT = timedelta(days=1)
"""Every sample is kept this long."""
HOURLY = timedelta(days=31)
"""Past :data:`RECENT`, one sample an hour is kept this long."""
MIN_GAP = timedelta(seconds=30)
"""A sample is kept only this long after the last one kept: a page reloaded by many browsers
reads fresh totals without growing the log (at most ~3,000 samples a day)."""


@attrs.frozen
class HostSample:
    """One provider host's quota facts at one moment: ``calls`` sent by this pool (or fleet),
    summed over its keys; ``limit`` and ``remaining`` as the provider last said."""

    calls: int
    limit: int | None
    remaining: int | None


@attrs.frozen
class Sample:
    """The totals at ``at``: per host its quota facts, per platform its upstream calls."""

    at: datetime
    hosts: Mapping[str, HostSample]
    upstream: Mapping[str, int]


def _host_sample(status: QuotaStatus) -> HostSample:
    return HostSample(sum(key.calls for key in status.keys), status.limit, status.remaining)


class Samples:
    """A bounded log of :class:`Sample` s, oldest first.

    Args:
        metrics: the client's counters (upstream calls per platform).
        clock: the time, aware UTC (tests pass their own).
    """

    def __init__(
        self, metrics: Metrics, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.metrics = metrics
        self.clock = clock
        self._recent: deque[Sample] = deque()
        self._hourly: deque[Sample] = deque()

    def __repr__(self) -> str:
        return f"Samples(recent={len(self._recent)}, hourly={len(self._hourly)})"

    def take(self, quota: Mapping[str, QuotaStatus]) -> Sample:
        """The totals now, given the client's quota facts; kept in the log when the last one
        kept is :data:`MIN_GAP` old or more."""
        upstream = {
            count.platform: count.value
            for count in self.metrics.counts()
            if count.name == UPSTREAM_CALLS and count.platform
        }
        hosts = {host: _host_sample(status) for host, status in quota.items()}
        sample = Sample(self.clock(), hosts, upstream)
        if not self._recent or sample.at - self._recent[-1].at >= MIN_GAP:
            self._recent.append(sample)
            self._age(sample.at)
        return sample

    def _age(self, now: datetime) -> None:
        """Move samples older than a day to the hourly window (one an hour), drop the oldest."""
        while self._recent and now - self._recent[0].at > RECENT:
            old = self._recent.popleft()
            if not self._hourly or old.at - self._hourly[-1].at >= timedelta(hours=1):
                self._hourly.append(old)
        while self._hourly and now - self._hourly[0].at > HOURLY:
            self._hourly.popleft()

    def all(self) -> list[Sample]:
        """Every sample kept, oldest first."""
        return [*self._hourly, *self._recent]

    def since(self, moment: datetime) -> list[Sample]:
        """The samples taken at or after ``moment``, oldest first."""
        return [s for s in self.all() if s.at >= moment]

    def first_since(self, moment: datetime) -> Sample | None:
        """The first sample taken at or after ``moment`` (the baseline of a window)."""
        for sample in self.all():
            if sample.at >= moment:
                return sample
        return None


def delta(samples: Iterable[Sample], now: Sample, read: Callable[[Sample], int | None]) -> int:
    """How much ``read`` grew from the first of ``samples`` to ``now`` (0 without a baseline;
    never negative: a counter reset by a quota period counts from 0)."""
    first = next(iter(samples), None)
    if first is None:
        return 0
    before, after = read(first), read(now)
    if before is None or after is None:
        return 0
    return after - before if after >= before else after
