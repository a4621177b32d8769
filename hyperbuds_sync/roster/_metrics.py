"""The roster's figures as Prometheus families, for :class:`~hyperbuds_sync.PrometheusCollector`.

Imports ``prometheus_client`` when called: only the collector calls it, at a scrape.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._status import RosterStatus

__all__ = ["roster_families"]

_QUANTILES = {"p50": "0.5", "p90": "0.9", "p99": "0.99", "max": "1"}


def roster_families(status: RosterStatus, namespace: str = "hyperbuds_sync") -> Iterator[Any]:
    """``{ns}_roster_{entries,due,overdue,never_fetched}`` gauges; calls spent (a counter) and
    planned per budget period (a gauge) per ``provider``; refreshes by ``outcome`` (a counter);
    and ``{ns}_roster_freshness_seconds`` by ``quantile`` (0.5, 0.9, 0.99, and 1 for the max)."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    name = f"{namespace}_roster"
    counts = {
        "entries": (status.entries, "Creator-platforms on the roster."),
        "due": (status.due, "Creator-platforms whose refresh time has come."),
        "overdue": (status.overdue, "Creator-platforms late by more than 10% of their interval."),
        "never_fetched": (status.never_fetched, "Creator-platforms never fetched yet."),
    }
    for key, (value, help_text) in counts.items():
        yield GaugeMetricFamily(f"{name}_{key}", help_text, value=value)
    spent = CounterMetricFamily(
        f"{name}_calls_spent",
        "Upstream calls the roster spent in this process, retries included.",
        labels=["provider"],
    )
    for provider, value in sorted(status.spent.items()):
        spent.add_metric([provider], value)
    yield spent
    planned = GaugeMetricFamily(
        f"{name}_calls_planned", "Calls the plan spends per budget period.", labels=["provider"]
    )
    for provider, value in sorted(status.planned.items()):
        planned.add_metric([provider], value)
    yield planned
    refreshes = CounterMetricFamily(
        f"{name}_refreshes", "Refreshes in this process, by outcome.", labels=["outcome"]
    )
    for outcome in ("synced", "fetched", "failed", "interrupted"):
        refreshes.add_metric([outcome], getattr(status, outcome))
    yield refreshes
    freshness = GaugeMetricFamily(
        f"{name}_freshness_seconds",
        "Age of the last fetch across the roster, by quantile (1: the oldest).",
        labels=["quantile"],
    )
    for key, quantile in _QUANTILES.items():
        freshness.add_metric([quantile], status.freshness.get(key, 0.0))
    yield freshness
