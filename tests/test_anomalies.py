"""The growth-anomaly rules, each pinned on a small hand-made series (no I/O)."""

from __future__ import annotations

import math
import pickle
from datetime import UTC, datetime, timedelta

import pytest

from hyperbuds_sync import Anomaly, AnomalySettings, ConfigError
from hyperbuds_sync.anomalies import detect, revealed, sudden_drop
from hyperbuds_sync.history import Snapshot

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def snap(day: float, followers: int, engagement: float | None, **kw: object) -> Snapshot:
    return Snapshot(
        platform=str(kw.pop("platform", "tiktok")),
        username="maya",
        fetched_at=T0 + timedelta(days=day),
        followers=followers,
        total_engagement=engagement,
        total_content=int(day),
        rounded=bool(kw.pop("rounded", False)),
    )


def organic(days: int = 40, start: float = 100_000, rate: float = 0.01) -> list[Snapshot]:
    """Daily snapshots: followers +1%/day with a little wobble, likes +2%/day."""
    out = []
    f, e = start, start * 20
    for d in range(days):
        out.append(snap(d, round(f), round(e)))
        f *= 1 + rate * (1 + 0.2 * math.sin(d))
        e *= 1 + 0.02 * (1 + 0.2 * math.cos(d))
    return out


def with_jump(series: list[Snapshot], day: int, factor: float, engagement: float = 1.0) -> list:
    """From ``day`` on, followers (and engagement by ``engagement``) multiplied."""
    return [
        s
        if s.fetched_at < T0 + timedelta(days=day)
        else snap(
            (s.fetched_at - T0).days,
            round(s.followers * factor),
            s.total_engagement * engagement,  # type: ignore[operator]
        )
        for s in series
    ]


def test_a_steady_fast_grower_is_judged_against_itself() -> None:
    assert detect(organic(rate=0.05)) == []  # +5% a day, every day: its normal


def test_a_bought_spike_with_flat_engagement_is_a_spike_and_explained() -> None:
    found = detect(with_jump(organic(), 30, 1.38))
    assert [a.kind for a in found] == ["spike"]
    spike = found[0]
    assert spike.start == T0 + timedelta(days=29)
    assert spike.end == T0 + timedelta(days=30)
    assert spike.change == pytest.approx(1.38 * 1.01 - 1, abs=0.01)
    assert spike.score >= AnomalySettings().spike_score
    assert spike.explain == (
        "followers +39% in 1 day, 39x the account's usual daily change, while total likes rose 1.7%"
    )


def test_an_organic_viral_burst_raises_engagement_too_and_is_no_spike() -> None:
    assert detect(with_jump(organic(), 30, 1.38, engagement=1.5)) == []


def test_a_small_rise_under_the_floor_is_no_spike() -> None:
    assert detect(with_jump(organic(), 30, 1.03)) == []  # far beyond normal, but under 4%


def test_no_engagement_known_means_no_spike_claimed() -> None:
    series = [snap(d, s.followers, None) for d, s in enumerate(with_jump(organic(), 30, 1.5))]
    assert detect(series) == []


def test_a_purge_is_a_drop() -> None:
    found = detect(with_jump(organic(), 30, 0.88))
    assert [a.kind for a in found] == ["drop"]
    assert found[0].change == pytest.approx(0.88 * 1.01 - 1, abs=0.01)
    assert found[0].explain.startswith("followers -11% in 1 day")


def test_a_wrong_answer_corrected_is_a_drop_and_not_a_spike() -> None:
    series = organic()
    wrong = snap(30.5, series[30].followers // 2, series[30].total_engagement)
    found = detect([*series[:31], wrong, *series[31:]])
    assert [a.kind for a in found] == ["drop"]


def test_never_across_a_gap_longer_than_the_maximum() -> None:
    series = with_jump(organic(), 30, 1.5)
    gapped = [s for s in series if not 14 <= (s.fetched_at - T0).days < 30]  # 16 days apart
    assert detect(gapped) == []
    assert [a.kind for a in detect(gapped, AnomalySettings(max_gap_days=17))] == ["spike"]


def level(days: int = 40, start: float = 100_000) -> list[Snapshot]:
    """Daily snapshots of an account whose engagement is a level (the recent posts'
    interactions, about 30% of followers, up and down by 5%): followers +1%/day."""
    out, f = [], start
    for d in range(days):
        wobble = 1 + 0.05 * math.sin(d * 1.7)
        out.append(snap(d, round(f), round(f * 0.3 * wobble), platform="instagram"))
        f *= 1.01
    return out


def level_jump(followers: float, interactions: float, day: int = 30) -> list[Snapshot]:
    """:func:`level`, with followers and interactions multiplied from ``day`` on."""
    out = []
    for d, s in enumerate(level()):
        if d >= day:
            engagement = s.total_engagement * interactions  # type: ignore[operator]
            s = snap(d, round(s.followers * followers), engagement, platform="instagram")
        out.append(s)
    return out


def test_a_missed_week_hides_a_viral_post_from_a_level_not_from_a_total() -> None:
    # One weekly refresh missed (10 days between snapshots) around a purchase of +50%: a
    # cumulative total would still hold a viral moment's likes, so the spike is judged; a level
    # may have forgotten a viral post in 10 days, so it is not.
    def gapped(series: list[Snapshot]) -> list[Snapshot]:
        return [s for s in series if not 21 <= (s.fetched_at - T0).days < 30]

    total = gapped(with_jump(organic(), 30, 1.5))
    assert [a.kind for a in detect(total)] == ["spike"]
    bought = level_jump(1.5, 1.0)
    assert [a.kind for a in detect(bought)] == ["spike"]  # seen daily: a spike
    assert detect(gapped(bought)) == []
    wider = AnomalySettings(level_gap_days=12)
    assert [a.kind for a in detect(gapped(bought), wider)] == ["spike"]


def test_a_big_purchase_beside_a_small_viral_moment_is_still_a_spike() -> None:
    # Likes rose 2.5% beyond their usual 2% a day: far beyond their own noise, but a tenth of the
    # followers' +40% is needed before the followers are taken as organic.
    found = detect(with_jump(organic(), 30, 1.4, engagement=1.025))
    assert [(a.kind, a.start, a.end) for a in found] == [
        ("spike", T0 + timedelta(days=29), T0 + timedelta(days=30))
    ]
    assert detect(with_jump(organic(), 30, 1.4, engagement=1.06)) == []


def test_a_level_rises_with_organic_followers_only_when_it_rises_more_than_they_do() -> None:
    assert detect(level()) == []
    assert [a.kind for a in detect(level_jump(1.5, 1.5))] == ["spike"]  # per follower: flat
    assert detect(level_jump(1.5, 3.0)) == []  # a viral post: interactions far beyond the followers


def test_rounding_never_makes_an_anomaly() -> None:
    # 12.3M, rounded to 3 figures: flat for days, then one step (0.8%) on a flat account
    series = [snap(d, 12_300_000, 1e9 + d * 1e6, rounded=True) for d in range(30)]
    series += [snap(d, 12_400_000, 1e9 + d * 1e6, rounded=True) for d in range(30, 40)]
    assert detect(series) == []


def test_stale_repeats_are_dropped_so_the_change_spreads_over_the_real_time() -> None:
    # a provider serving its cache for 6 days, then the real value: +12% over a week is no spike
    series = [snap(d, 100_000 + 100 * d, 2e6 + 1e4 * d) for d in range(30)]
    series += [snap(d, 100_000 + 100 * 29, 2e6 + 1e4 * 29) for d in range(30, 36)]
    series += [snap(36, 103_000, 2.07e6)]
    assert detect(series) == []


def test_a_divergence_followers_up_engagement_per_follower_down() -> None:
    series = []
    f, e = 100_000.0, 2e6
    for d in range(120):
        bought = d >= 80
        f *= 1.012 if bought else 1.002
        e += f * (0.004 if bought else 0.02) * (1 + 0.1 * math.sin(d))
        series.append(snap(d, round(f), round(e)))
    found = detect(series)
    assert [a.kind for a in found] == ["divergence"]
    assert found[0].start >= T0 + timedelta(days=60)
    assert "engagement per follower fell" in found[0].explain


def test_revealed_reports_an_anomaly_once_at_the_snapshot_that_shows_it() -> None:
    series = with_jump(organic(), 30, 1.38)
    assert [a.kind for a in revealed(series[:31])] == ["spike"]
    assert revealed(series[:32]) == []
    assert revealed(series[:30]) == []


def test_since_keeps_the_recent_ones() -> None:
    series = with_jump(organic(), 20, 1.38)
    assert detect(series, since=T0 + timedelta(days=25)) == []
    assert len(detect(series, since=T0 + timedelta(days=15))) == 1


def test_sudden_drop_on_two_bare_values_for_the_guard() -> None:
    now = T0 + timedelta(days=1)
    fell = sudden_drop(10_000, T0, 7_000, now)
    assert fell is not None
    assert fell.kind == "drop"
    assert fell.change == pytest.approx(-0.3)
    assert sudden_drop(10_000, T0, 9_990, now) is None
    zero = sudden_drop(10_000, T0, 0, now)
    assert zero is not None
    assert zero.explain == "followers fell to 0 in 1 day"


def test_the_record_is_frozen_picklable_and_aware_utc() -> None:
    anomaly = detect(with_jump(organic(), 30, 1.38))[0]
    assert pickle.loads(pickle.dumps(anomaly)) == anomaly  # noqa: S301 - our own bytes
    assert anomaly.start.tzinfo is UTC
    with pytest.raises(AttributeError):
        anomaly.score = 0  # type: ignore[misc]
    assert set(anomaly.to_record()) == {
        "kind", "start", "end", "before", "after", "change", "score", "explain"
    }  # fmt: skip
    with pytest.raises(Exception, match="timezone-aware"):
        Anomaly(
            kind="spike", start=datetime(2026, 1, 1), end=T0, before=1, after=2, change=1.0,
            score=1.0, explain="",
        )  # fmt: skip


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ConfigError):
        AnomalySettings(spike_score=0)
    with pytest.raises(ConfigError):
        AnomalySettings(divergence_share=1.5)
