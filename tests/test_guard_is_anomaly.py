"""The sudden-drop guard is one case of the growth-anomaly drop rule (issue 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hyperbuds_sync.anomalies import sudden_drop
from hyperbuds_sync.history import DropGuard, SyncRecord

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _synced(followers: int, days_ago: float) -> SyncRecord:
    return SyncRecord(
        platform="tiktok",
        username="mayacooks",
        followers=followers,
        engagement=None,
        synced_at=NOW - timedelta(days=days_ago),
        total_followers=None,
        avg_engagement=None,
    )


@pytest.mark.parametrize(
    ("before", "after", "days_ago", "refused"),
    [
        (93_518, 100, 1, True),  # a 99.9% fall overnight
        (93_518, 9_000, 3, True),  # 90.4%
        (93_518, 10_000, 3, False),  # 89.3%: under the guard's 90%
        (100, 5, 0.1, True),  # small accounts too: the guard has no follower floor
        (93_518, 100, 45, False),  # older than drop_guard_days: not sudden
        (93_518, 120_000, 1, False),  # a rise is never a drop
    ],
)
def test_the_guard_refuses_what_the_drop_rule_calls_a_drop(
    before: int, after: int, days_ago: float, refused: bool
) -> None:
    guard = DropGuard()
    previous = _synced(before, days_ago)
    reason = guard.reason(previous, after, NOW)
    assert (reason is not None) is refused
    if days_ago <= guard.days:  # within the window the guard's answer is the rule's
        drop = sudden_drop(before, previous.synced_at, after, NOW, settings=guard.rule)
        assert (drop is not None) is refused


def test_zero_is_always_refused_and_ratio_one_refuses_only_zero() -> None:
    assert DropGuard().reason(_synced(5, 400), 0, NOW) is not None
    only_zero = DropGuard(ratio=1.0)
    assert only_zero.reason(_synced(93_518, 1), 1, NOW) is None
    assert only_zero.reason(_synced(93_518, 1), 0, NOW) is not None
