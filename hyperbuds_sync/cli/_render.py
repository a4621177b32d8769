"""Rich tables for the ``hyperbuds-sync`` command. Pure: records in, renderables out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..models import ManualEntry, PlatformData, ProviderState, QuotaStatus, SyncReport, SyncResult
from ._exits import describe

__all__ = [
    "count",
    "metrics_table",
    "number",
    "platform_table",
    "quota_table",
    "report_table",
    "result_table",
    "sync_view",
    "until",
    "when",
]


def count(value: int | None) -> str:
    """A count with thousands separators, ``-`` when unknown."""
    return "-" if value is None else f"{value:,}"


def number(value: float | None) -> str:
    """A float with two decimals, ``-`` when unknown."""
    return "-" if value is None else f"{value:,.2f}"


def when(value: datetime | None) -> str:
    """A UTC timestamp to the second, ``-`` when unknown."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def until(value: datetime | None) -> str:
    """How long until ``value``, compactly (``3d 04h``, ``12m 05s``); ``-`` when unknown."""
    if value is None:
        return "-"
    seconds = max(0, int((value - datetime.now(UTC)).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"in {days}d {hours:02d}h"
    if hours:
        return f"in {hours}h {minutes:02d}m"
    return f"in {minutes}m {seconds:02d}s"


def platform_table(data: PlatformData) -> Table:
    """One creator's :class:`PlatformData`, one field a row."""
    title = f"{data.platform} @{data.username}" + (" (stale)" if data.stale else "")
    table = Table("field", "value", title=title, title_justify="left")
    rows = (
        ("provider", data.provider + (" (rounded counts)" if data.rounded else "")),
        ("display name", data.display_name),
        ("verified", "yes" if data.verified else "no"),
        ("followers", count(data.followers)),
        ("following", count(data.following)),
        ("total content", count(data.total_content)),
        ("total engagement", number(data.total_engagement)),
        ("average engagement", number(data.average_engagement)),
        ("bio", data.bio),
        ("profile image", data.profile_image),
        ("last fetched", when(data.last_fetched)),
    )
    for name, value in rows:
        table.add_row(name, escape(value))  # provider text is data, not markup
    return table


def result_table(result: SyncResult, *, titled: bool = True) -> Table:
    """The backend's profile after a sync: one row per platform, totals in the footer; titled
    with the backend's message unless the caller says it already."""
    stats = result.stats
    table = Table(
        "platform",
        "followers",
        "engagement",
        title=f"backend: {escape(result.message)}" if titled else None,
        title_justify="left",
        show_footer=True,
    )
    for platform, entry in sorted(stats.platform_breakdown.items()):
        table.add_row(platform, count(entry.followers), number(entry.engagement))
    table.columns[0].footer = "total"
    table.columns[1].footer = count(stats.total_followers)
    table.columns[2].footer = f"{number(stats.avg_engagement)} avg"
    return table


def sync_view(result: SyncResult, sent: PlatformData | ManualEntry) -> Group:
    """What ``sync`` shows on a terminal: what was sent, the backend's word, then its profile."""
    if isinstance(sent, PlatformData):
        what = f"followers {count(sent.followers)}, engagement {number(sent.average_engagement)}"
    else:
        what = f"followers {count(sent.followers)}, engagement {number(sent.engagement)}"
        what += " (manual entry)"
    stats = result.stats
    totals = f"profile totals: {count(stats.total_followers)} followers, "
    totals += f"{number(stats.avg_engagement)} average engagement"
    lines = (f"synced {result.platform}: {what}", f"backend: {result.message}", totals)
    return Group(*(Text(line) for line in lines), result_table(result, titled=False))


def report_table(report: SyncReport) -> Table:
    """One row per platform of a :class:`SyncReport`: what was sent, and what happened."""
    table = Table("platform", "followers", "engagement", "result", title="sync-all")
    for platform, outcome in report.outcomes.items():
        followers: int | None = None
        engagement: float | None = None
        if isinstance(outcome.data, PlatformData):
            followers, engagement = outcome.data.followers, outcome.data.average_engagement
        elif outcome.data is not None:
            followers, engagement = outcome.data.followers, outcome.data.engagement
        if outcome.result is not None:
            status = f"[green]ok[/]: {escape(outcome.result.message)}"
        else:
            error = outcome.error or RuntimeError("no result")
            status = f"[red]{type(error).__name__}[/]: {escape(describe(error))}"
        table.add_row(platform, count(followers), number(engagement), status)
    return table


def quota_table(quota: Mapping[str, QuotaStatus]) -> Group:
    """``SocialSync.quota()``: a row per host, then a row per key (by fingerprint only)."""
    hosts = Table("host", "limit", "remaining", "resets", title="RapidAPI quota")
    keys = Table("host", "key", "remaining", "calls", "benched", title="keys")
    for column in (hosts.columns[0], keys.columns[0], keys.columns[1]):
        column.no_wrap = True
    for host, status in sorted(quota.items()):
        name = host.removesuffix(".p.rapidapi.com")
        hosts.add_row(name, count(status.limit), count(status.remaining), until(status.reset_at))
        for key in status.keys:
            benched = "-" if key.benched_until is None else until(key.benched_until)
            keys.add_row(name, key.fingerprint, count(key.remaining), count(key.calls), benched)
    return Group(hosts, keys) if keys.row_count else Group(hosts)


def metrics_table(snapshot: Mapping[str, Mapping[str, int]]) -> Table:
    """``Metrics.totals()``: one row per counter, one column per platform."""
    platforms = sorted({p for per in snapshot.values() for p in per})
    table = Table("counter", *(p or "(any)" for p in platforms), "total", title="metrics")
    for name, per in sorted(snapshot.items()):
        cells = [count(per[p]) if p in per else "" for p in platforms]
        table.add_row(name, *cells, count(sum(per.values())))
    return table


def providers_table(states: Mapping[str, Sequence[ProviderState]]) -> Table:
    """Each platform's chain, one provider a row, in the order tried."""
    table = Table("platform", "provider", "state", "benched until", "reason", title="providers")
    for platform, rows in states.items():
        for s in rows:
            state = "[green]available[/]" if s.available else "[red]benched[/]"
            table.add_row(platform, s.provider, state, until(s.benched_until), escape(s.reason))
    return table
