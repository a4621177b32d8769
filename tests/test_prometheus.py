"""PrometheusCollector: the SDK's counters and quota, scraped through prometheus_client."""

from __future__ import annotations

import builtins
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from hyperbuds_sync import ConfigError, SocialSync, UsernameNotFound
from hyperbuds_sync.metrics import Count, Metrics, PrometheusCollector
from hyperbuds_sync.testing import BackendEmulator, Fault, RapidAPIEmulator


def scrape(collector: PrometheusCollector) -> dict[str, float]:
    """``{'name{labels}': value}`` of what a scrape of a registry with ``collector`` returns."""
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return samples


def test_counts_are_labelled_rows_with_errors_split_by_class() -> None:
    metrics = Metrics()
    metrics.incr("upstream_calls", "tiktok", 2)
    metrics.error(UsernameNotFound("x"), "tiktok")
    metrics.set_provider("tiktok", "tiktok-scraper7")
    assert metrics.counts() == [
        Count("errors", "tiktok", 1, error="UsernameNotFound", provider="tiktok-scraper7"),
        Count("upstream_calls", "tiktok", 2, provider="tiktok-scraper7"),
    ]


async def test_a_scrape_after_real_fetches(
    rapidapi_emulator: RapidAPIEmulator, backend_emulator: BackendEmulator, no_backoff: None
) -> None:
    async with SocialSync(
        rapidapi_key="k",
        token="t",
        rapidapi_endpoint=rapidapi_emulator.url,
        api_url=backend_emulator.url,
        redis_url="",
    ) as sync:
        rapidapi_emulator.fail("pixelmaya", Fault.status(503), times=1)
        await sync.fetch("twitch", "pixelmaya")  # a miss, a retry, two upstream calls
        await sync.fetch("twitch", "pixelmaya")  # a hit
        with pytest.raises(UsernameNotFound):
            await sync.fetch("tiktok", "notfound_anyone")
        samples = scrape(PrometheusCollector(sync.metrics, quota=sync.quota))
        quota = sync.quota()

    twitch = '{platform="twitch",provider=""}'
    assert samples[f"hyperbuds_sync_upstream_calls_total{twitch}"] == 2
    assert samples[f"hyperbuds_sync_retries_total{twitch}"] == 1
    assert samples[f"hyperbuds_sync_cache_hits_total{twitch}"] == 1
    assert samples[f"hyperbuds_sync_cache_misses_total{twitch}"] == 1
    error = '{error="UsernameNotFound",platform="tiktok",provider=""}'
    assert samples[f"hyperbuds_sync_errors_total{error}"] == 1
    for host, status in quota.items():
        assert samples[f'hyperbuds_sync_quota_remaining{{host="{host}"}}'] == status.remaining
        assert samples[f'hyperbuds_sync_quota_limit{{host="{host}"}}'] == status.limit
    assert len(quota) == 2


def test_stale_serves_and_the_provider_label() -> None:
    metrics = Metrics()
    metrics.incr("stale_served", "instagram", 3)
    metrics.set_provider("instagram", "instagram-looter2")
    samples = scrape(PrometheusCollector(metrics))
    key = 'hyperbuds_sync_stale_served_total{platform="instagram",provider="instagram-looter2"}'
    assert samples[key] == 3
    assert not any("quota" in k for k in samples)  # no quota callable, no quota gauges


def test_without_prometheus_client_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_prometheus(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("prometheus_client"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_prometheus)
    with pytest.raises(ConfigError, match=r"hyperbuds-sync\[prometheus\]"):
        PrometheusCollector(Metrics())
