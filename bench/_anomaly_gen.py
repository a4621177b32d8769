"""The labelled generator of ``bench/anomalies.py``: creators' histories with injected anomalies.

Everything is drawn from one seeded ``random.Random``; the parameters are the module constants
below, recorded in docs/benchmarks.md ("Anomalies"). The detector never sees the labels.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hyperbuds_sync.history import Snapshot

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 180
SIZES = (1_000, 50_000_000)  # followers at day 0, log-uniform
PLATFORMS = (("tiktok", 0.4), ("youtube", 0.3), ("instagram", 0.3))
INTERVALS = (0.25, 0.5, 1, 1, 2, 2, 3, 5, 7)  # the creator's base refresh interval, days
# At the budgets of bench/roster_sim.py a 10,000-creator roster refreshes each creator about 9.4
# times a month (every 3.2 days on average): the speed test's density.
ROSTER_INTERVALS = (1, 2, 2, 3, 3, 4, 5, 7)
JITTER = 0.4  # each interval x U(1 - JITTER, 1 + JITTER), at most 7.5 days
MISSED = 0.05  # a refresh that failed (no snapshot)
STALE = 0.03  # a snapshot repeating the previous answer (the provider's cache)
OUTAGE = 0.10  # creators with one 8-14 day gap (no snapshot across it)
VIRAL_PER_DAY = 1 / 90  # organic viral bursts, Poisson
VIRAL_SIZE = (0.02, 0.40)  # followers gained by a burst, log-uniform, over 1-4 days
SPIKE_SHARE = 0.25  # creators given one bought spike (5-50% within 2-20 hours, engagement flat)
SPIKE_SIZE = (0.05, 0.50)
PURGE_SHARE = 0.15  # creators given one purge (2-20% within a day)
PURGE_SIZE = (0.02, 0.20)
DIVERGENCE_SHARE = 0.10  # creators given a divergence (see _divergence)
EVENTS_FROM = 30  # injected events start between this day and DAYS - 5


@dataclass
class Label:
    kind: str
    start: float  # days since T0
    end: float
    size: float  # the change as a fraction (positive for a purge's fall)


@dataclass
class Creator:
    name: str
    platform: str
    size: int
    snapshots: list[Snapshot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    @property
    def organic(self) -> bool:
        return not self.labels


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for name, weight in weighted:
        total += weight
        if roll < total:
            return name
    return weighted[-1][0]


def _loguniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


@dataclass
class _Daily:
    """Per-day multiplicative factors applied on top of organic growth."""

    follower_add: list[float]  # followers added on the day as a fraction of the day's level
    engagement_mult: list[float]  # level engagement (instagram) multiplier on the day
    flow_mult: list[float]  # cumulative engagement flow multiplier on the day
    flow_extra: list[float]  # extra engagement gained on the day, per follower gained


def _events(rng: random.Random, creator: Creator, daily: _Daily, cumulative: bool) -> None:
    """Organic viral bursts, and the injected spikes, purges and divergences (labelled)."""
    day = rng.expovariate(VIRAL_PER_DAY)
    while day < DAYS - 1:
        size, length = _loguniform(rng, *VIRAL_SIZE), rng.randint(1, 4)
        for k in range(length):
            d = int(day) + k
            if d < DAYS:
                share = 2 ** -(k + 1) / (1 - 2**-length)  # front-loaded
                daily.follower_add[d] += size * share
                daily.flow_extra[d] = (
                    rng.uniform(5, 30) if creator.platform == "tiktok" else rng.uniform(50, 300)
                )
                lift = 1 + size * share * rng.uniform(10, 40)
                for later in range(d, min(DAYS, d + 14)):
                    daily.engagement_mult[later] *= 1 + (lift - 1) * (1 - (later - d) / 14)
        day += length + rng.expovariate(VIRAL_PER_DAY)
    taken: list[float] = []

    def free_day() -> float:
        for _ in range(50):
            t = rng.uniform(EVENTS_FROM, DAYS - 5)
            if all(abs(t - o) > 20 for o in taken):
                taken.append(t)
                return t
        return -1.0

    if rng.random() < SPIKE_SHARE and (t := free_day()) > 0:
        creator.labels.append(
            Label("spike", t, t + rng.uniform(2, 20) / 24, rng.uniform(*SPIKE_SIZE))
        )
    if rng.random() < PURGE_SHARE and (t := free_day()) > 0:
        creator.labels.append(
            Label("drop", t, t + rng.uniform(1, 20) / 24, rng.uniform(*PURGE_SIZE))
        )
    if rng.random() < DIVERGENCE_SHARE:
        t = rng.uniform(EVENTS_FROM + 20, DAYS - 30)
        if all(abs(t - o) > 35 for o in taken):
            _divergence(rng, creator, daily, t)


def _divergence(rng: random.Random, creator: Creator, daily: _Daily, t: float) -> None:
    """Followers +15-60% spread over 30 days while engagement (its flow, or its level) falls to
    35-70% of what it was, from the start of the window on."""
    growth, keep = rng.uniform(0.15, 0.60), rng.uniform(0.35, 0.70)
    start = int(t)
    for d in range(start, DAYS):
        if d < start + 30:
            daily.follower_add[d] += growth / 30
        daily.flow_mult[d] *= keep
        daily.engagement_mult[d] *= keep
    creator.labels.append(Label("divergence", float(start), float(start + 30), growth))


def _series(
    rng: random.Random, creator: Creator, daily: _Daily, cumulative: bool
) -> tuple[list[float], list[float]]:
    """Followers and engagement at the end of each day (index 0: day 0's start)."""
    f = float(creator.size)
    rate = _loguniform(rng, 0.5, 2.0) * 0.003 * (f / 1e5) ** -0.2
    if rng.random() < 0.1:
        rate = -rng.uniform(0, 0.0005)  # a stagnant account, losing a little
    noise = 0.001 * (f / 1e4) ** -0.3
    phase = rng.uniform(0, 2 * math.pi)
    per_follower = (
        rng.uniform(0.005, 0.05) if creator.platform == "tiktok" else rng.uniform(0.02, 0.2)
    )
    e = f * (rng.uniform(10, 40) if creator.platform == "tiktok" else rng.uniform(100, 400))
    level_rate = rng.uniform(0.005, 0.05) * 12
    level_noise = 0.0
    followers, engagement = [f], [e if cumulative else f * level_rate]
    for d in range(DAYS):
        rhythm = 1 + 0.3 * math.sin(2 * math.pi * d / 7 + phase)
        gained = f * (rate * rhythm * math.exp(rng.gauss(0, 0.4)) + rng.gauss(0, noise))
        burst = f * daily.follower_add[d]
        f = max(1.0, f + gained + burst)
        if cumulative:
            flow = f * per_follower * rhythm * math.exp(rng.gauss(0, 0.3)) * daily.flow_mult[d]
            e += flow + burst * daily.flow_extra[d]
            engagement.append(e)
        else:
            level_noise = 0.7 * level_noise + rng.gauss(0, 0.15)
            engagement.append(f * level_rate * math.exp(level_noise) * daily.engagement_mult[d])
        followers.append(f)
    return followers, engagement


def _three_figures(value: float) -> int:
    if value < 1000:
        return round(value)
    step = 10 ** (int(math.log10(value)) - 2)
    return int(round(value / step) * step)


def _at(series: list[float], t: float) -> float:
    d = min(int(t), DAYS - 1)
    return series[d] + (series[d + 1] - series[d]) * (t - d)


def _injected(labels: list[Label], t: float) -> float:
    """The factor the labelled spikes and purges put on followers at ``t``."""
    factor = 1.0
    for label in labels:
        if label.kind not in ("spike", "drop") or t <= label.start:
            continue
        done = min(1.0, (t - label.start) / (label.end - label.start))
        factor *= 1 + done * (label.size if label.kind == "spike" else -label.size)
    return factor


def _times(rng: random.Random, intervals: tuple[float, ...]) -> list[float]:
    base = rng.choice(intervals)
    outage = rng.uniform(10, DAYS - 20) if rng.random() < OUTAGE else -100.0
    outage_end = outage + rng.uniform(8, 14)
    times, t = [], rng.uniform(0, min(base, 1.0))
    while t < DAYS:
        if not outage <= t <= outage_end and rng.random() >= MISSED:
            times.append(t)
        t += min(7.5, base * rng.uniform(1 - JITTER, 1 + JITTER))
    return times


def creator(rng: random.Random, index: int, intervals: tuple[float, ...] = INTERVALS) -> Creator:
    """One creator: organic history, events, sampled like a roster samples."""
    platform = _pick(rng, PLATFORMS)
    made = Creator(f"creator{index}", platform, int(_loguniform(rng, *SIZES)))
    cumulative = platform != "instagram"
    ones = [1.0] * DAYS
    daily = _Daily([0.0] * DAYS, list(ones), list(ones), [0.0] * DAYS)
    _events(rng, made, daily, cumulative)
    followers, engagement = _series(rng, made, daily, cumulative)
    tiktok_rounded = platform == "tiktok" and made.size >= 1_000_000 and rng.random() < 0.5
    previous: Snapshot | None = None
    for t in _times(rng, intervals):
        at = T0 + timedelta(days=t)
        if previous is not None and rng.random() < STALE:
            made.snapshots.append(_again(previous, at))
            continue
        f = _at(followers, t) * _injected(made.labels, t)
        e = _at(engagement, t)
        rounded = tiktok_rounded or (platform == "youtube" and f >= 1000)
        previous = Snapshot(
            platform=platform,
            username=made.name,
            provider=f"{platform}-bench",
            fetched_at=at,
            followers=_three_figures(f) if rounded else round(f),
            total_content=100 + int(t) // 3,
            total_engagement=float(_three_figures(e) if tiktok_rounded else round(e)),
            rounded=rounded,
        )
        made.snapshots.append(previous)
    return made


def _again(previous: Snapshot, at: datetime) -> Snapshot:
    return Snapshot(
        platform=previous.platform,
        username=previous.username,
        provider=previous.provider,
        fetched_at=at,
        followers=previous.followers,
        total_content=previous.total_content,
        total_engagement=previous.total_engagement,
        rounded=previous.rounded,
    )


def creators(count: int, seed: int = 24, intervals: tuple[float, ...] = INTERVALS) -> list[Creator]:
    """``count`` creators from one seed."""
    rng = random.Random(seed)  # not for security
    return [creator(rng, i, intervals) for i in range(count)]
