"""Notebook display: short text reprs and escaped HTML tables."""

from __future__ import annotations

from datetime import UTC, datetime

from hyperbuds_sync import (
    BackendValidationError,
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
