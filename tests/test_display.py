"""Notebook display: short text reprs and escaped HTML tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hyperbuds_sync import (
    BackendValidationError,
    Growth,
    ManualEntry,
    Metrics,
    PlatformData,
    PlatformStats,
    ProfileStats,
    QuotaStatus,
    SyncOutcome,
    SyncReport,
    SyncResult,
)
from hyperbuds_sync.history import Snapshot
from hyperbuds_sync.history._types import growth_of

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
EVIL = "<script>alert('x')</script>"


def report(n: int = 3) -> SyncReport:
    breakdown = {f"p{i}": PlatformStats(followers=i) for i in range(n)}
    stats = ProfileStats(platform_breakdown=breakdown, total_followers=n)
    outcomes = {
        f"p{i}": SyncOutcome(
            f"p{i}", result=SyncResult(f"p{i}", True, f"p{i} stats synced", stats), data=None
        )
        for i in range(n)
    }
    outcomes["bad"] = SyncOutcome("bad", error=BackendValidationError(f"refused {EVIL}"))
    return SyncReport(outcomes)


def test_a_report_repr_is_one_line_per_platform_without_the_breakdown() -> None:
    text = repr(report(3))
    assert text.splitlines() == [
        "<SyncReport 3 of 4 synced",
        "  p0: ok: p0 stats synced",
        "  p1: ok: p1 stats synced",
        "  p2: ok: p2 stats synced",
        f"  bad: BackendValidationError: refused {EVIL}>",
    ]
    assert "platform_breakdown" not in text
    assert len(repr(report(40))) < 40 * 80  # grew linearly, not with the breakdown squared


def test_an_outcome_repr_is_one_line() -> None:
    assert repr(report(1)["p0"]) == "SyncOutcome('p0', ok: p0 stats synced)"


def test_metrics_repr_shows_the_counters() -> None:
    metrics = Metrics()
    assert repr(metrics) == "Metrics()"
    metrics.incr("upstream_calls", "tiktok", 2)
    metrics.incr("upstream_calls", "twitch")
    metrics.error(TimeoutError(), "twitch")
    assert repr(metrics) == "Metrics(errors.TimeoutError=1, upstream_calls=3)"


def test_platform_data_html_is_a_table_with_escaped_values() -> None:
    data = PlatformData(
        "tiktok", "maya", display_name=EVIL, bio="a & b", followers=1_204_377, last_fetched=WHEN
    )
    page = data._repr_html_()
    assert page.startswith("<table>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "a &amp; b" in page
    assert "1,204,377" in page
    assert "2026-11-24T09:30:00+00:00" in page
    assert "raw" not in page


def test_report_html_has_a_row_per_platform_and_escapes_errors() -> None:
    page = report(2)._repr_html_()
    assert page.count("<tr>") == 1 + 3  # the header and one row per platform
    assert "<script>" not in page
    assert "BackendValidationError" in page
    manual = SyncReport({"x": SyncOutcome("x", error=None, data=ManualEntry(followers=5))})
    assert "0 of 1 synced" in manual._repr_html_()


def test_quota_status_html() -> None:
    page = QuotaStatus(f"host{EVIL}", limit=500, remaining=42, reset_at=WHEN)._repr_html_()
    assert "<script>" not in page
    assert "<td>42</td>" in page
    assert "<td>500</td>" in page


# --- the history's records ------------------------------------------------------------------------


def _week() -> list[Snapshot]:
    return [
        Snapshot(
            platform="tiktok",
            username="mayacooks",
            fetched_at=WHEN + timedelta(days=day),
            followers=1000 + 100 * day,
            average_engagement=10.0 + day,
            provider=f"tiktok-api23{EVIL}",
            raw={"secret_shape": 1},
        )
        for day in range(8)
    ]


def _growth() -> Growth:
    week = _week()
    return growth_of("tiktok", f"maya{EVIL}", week[-1], {1: week[6], 7: week[0], 30: None})


def test_snapshot_repr_is_short_and_html_is_escaped() -> None:
    snapshot = _week()[0]
    assert repr(snapshot) == (
        "Snapshot('tiktok', 'mayacooks', 2026-11-24T09:30:00+00:00, followers=1000)"
    )
    page = snapshot._repr_html_()
    assert page.startswith("<table>")
    assert "<script>" not in page
    assert "tiktok-api23&lt;script&gt;" in page
    assert "<td>1,000</td>" in page
    assert "secret_shape" not in page


def test_growth_repr_is_one_line_per_window() -> None:
    assert repr(_growth()).splitlines() == [
        f"<Growth tiktok @maya{EVIL}: 1,700 followers",
        "  1 d: +100 followers (+6.25%), engagement +1.00",
        "  7 d: +700 followers (+70.00%), engagement +7.00",
        "  30 d: no snapshot that old>",
    ]
    assert repr(_growth().windows[7]) == (
        "GrowthWindow(7 d: +700 followers (+70.00%), engagement +7.00)"
    )


def test_growth_html_has_a_row_per_window_and_escapes() -> None:
    page = _growth()._repr_html_()
    assert page.count("<tr>") == 1 + 3
    assert "<script>" not in page
    assert "maya&lt;script&gt;" in page
    assert "<td>700</td>" in page
    assert "<td>70.00</td>" in page
