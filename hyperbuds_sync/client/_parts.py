"""Building the client's parts from its arguments and its settings: an explicit argument wins,
else the :class:`~hyperbuds_sync.Settings` (the environment) fills it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import metrics as m
from ..cache import Cache, MemoryCache
from ..config import Settings
from ..errors import ConfigError
from ..history import DropGuard, HistoryRecorder, HistoryStore, recorder_for
from ..transport import Credentials, MemoryRateLimiter, RateLimiter
from ._shared import SharedParts

__all__ = ["cache_of", "credentials_of", "limiter_of", "pick_keys", "recorder_of"]


def pick_keys(
    key: str | None, keys: Sequence[str] | None, env_keys: tuple[str, ...]
) -> tuple[str, ...]:
    """The RapidAPI keys: ``keys`` and ``key`` (stripped, each once), else the environment's.

    Raises:
        ConfigError: ``keys`` is one string, not a list of keys.
    """
    if isinstance(keys, str):
        raise ConfigError(  # never the value: it is a key
            "rapidapi_keys takes a list of keys (rapidapi_keys=[key1, key2]); "
            "use rapidapi_key= for one"
        )
    chosen = [*(keys or ()), *([key] if key else [])]
    if not chosen:
        return env_keys
    return tuple(dict.fromkeys(k.strip() for k in chosen if k and k.strip()))


def credentials_of(
    env: Settings,
    *,
    x_bearer_token: str | None,
    youtube_api_key: str | None,
    twitch_client_id: str | None,
    twitch_client_secret: str | None,
) -> Credentials:
    """The official APIs' credentials: each argument given, else the settings'."""
    return Credentials(
        x_bearer_token=x_bearer_token or env.x_bearer_token,
        youtube_api_key=youtube_api_key or env.youtube_api_key,
        twitch_client_id=twitch_client_id or env.twitch_client_id,
        twitch_client_secret=twitch_client_secret or env.twitch_client_secret,
    )


def cache_of(
    cache: Cache | None,
    shared: SharedParts,
    ttl: float,
    maxsize: int,
    stale_window: float,
    metrics: m.Metrics,
) -> Cache:
    """The cache given, else the shared one, else a :class:`MemoryCache`."""
    if cache is not None:  # not `cache or ...`: a cache with a __len__ is falsy when empty
        return cache
    return shared.get("cache") or MemoryCache(
        ttl, maxsize=maxsize, stale_window=stale_window, metrics=metrics
    )


def limiter_of(
    shared: SharedParts, rate_limit: float | Mapping[str, float] | None
) -> RateLimiter | None:
    """The shared rate limiter, else one in memory when ``rate_limit`` is set, else none."""
    limiter = shared.get("limiter")
    if limiter is None and rate_limit is not None:
        limiter = MemoryRateLimiter(rate_limit)
    return limiter


def recorder_of(
    env: Settings,
    url: str | None,
    store: HistoryStore | None,
    keep_raw: bool,
    ratio: float | None,
    days: float | None,
) -> HistoryRecorder | None:
    """The history recorder from the arguments, the settings filling what is ``None``."""
    guard = DropGuard(
        env.drop_guard_ratio if ratio is None else ratio,
        env.drop_guard_days if days is None else days,
    )
    return recorder_for(
        env.history_url if url is None else url, store, keep_raw=keep_raw, guard=guard
    )
