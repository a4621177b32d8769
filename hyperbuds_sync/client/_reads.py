"""What the client reads of its parts: the history (every queued write done first), growth with
its anomalies, and whether the shared parts answer (readiness)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import attrs

from .._install import install_hint
from ..anomalies import Anomaly, AnomalySettings, HistoriesSource, all_anomalies, anomalies_of
from ..errors import ConfigError
from ..history import Growth, HistoryRecorder, HistoryStore
from ..platforms import Provider

__all__ = ["every_anomaly", "flushed", "growth_of", "readiness", "recorder_or_raise"]

Check = Callable[[], Awaitable[object]]


def recorder_or_raise(history: HistoryRecorder | None) -> HistoryRecorder:
    """The client's history recorder.

    Raises:
        ConfigError: no history is configured (the message says how to configure one).
    """
    if history is None:
        raise ConfigError(
            'no history is configured: pass SocialSync(history_url="default") (the '
            "embedded SQLite file) or a database URL, or set HYPERBUDS_HISTORY_URL; "
            f"needs {install_hint('history')}"
        )
    return history


async def flushed(
    recorder: HistoryRecorder, adapter: Provider, username: str
) -> tuple[HistoryStore, str, str]:
    """The history store with every queued write done, and the creator's platform and
    canonical username as the store keeps them."""
    name = adapter.canonical_username(username)
    await recorder.flush()
    return recorder.store, adapter.platform, name


async def growth_of(
    store: HistoryStore, platform: str, name: str, windows: Sequence[int]
) -> Growth:
    """The creator's growth over each window, with the anomalies of the longest one."""
    growth = await store.growth(platform, name, windows=windows)
    days = max((*windows, 1))
    found = await anomalies_of(store, platform, name, days=days, at=growth.end)
    return attrs.evolve(growth, anomalies=tuple(found))


async def every_anomaly(
    recorder: HistoryRecorder,
    platform: str | None,
    days: float,
    settings: AnomalySettings | None,
) -> dict[tuple[str, str], list[Anomaly]]:
    """See :meth:`SocialSync.all_anomalies`: every creator's anomalies, queued writes done first.

    Raises:
        ConfigError: the store cannot read every history at once (no ``histories()``).
    """
    await recorder.flush()
    if not isinstance(recorder.store, HistoriesSource):
        raise ConfigError(
            "all_anomalies needs a history store that reads every history at once "
            "(histories(), as the SQL stores have)"
        )
    return await all_anomalies(recorder.store, platform=platform, days=days, settings=settings)


async def readiness(
    ping_redis: Check | None, history: HistoryRecorder | None, within: float
) -> dict[str, bool]:
    """See :meth:`SocialSync.ready`: each configured part, whether it answered in time."""
    checks: dict[str, Check] = {}
    if ping_redis is not None:
        checks["redis"] = ping_redis
    store_ping = getattr(history.store, "ping", None) if history else None
    if store_ping is not None:
        checks["history"] = store_ping
    return {name: await _answers(check, within) for name, check in checks.items()}


async def _answers(check: Check, within: float) -> bool:
    """Whether ``check()`` returns in ``within`` seconds, neither raising nor giving ``False``."""
    try:
        async with asyncio.timeout(within):
            return await check() is not False
    except Exception:  # a readiness probe reports, it never raises
        return False
