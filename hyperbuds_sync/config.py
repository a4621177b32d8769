"""Settings: environment variables -> typed, frozen configuration.

| variable | meaning |
|---|---|
| ``RAPIDAPI_KEY`` | the RapidAPI key (``NEXT_PUBLIC_RAPIDAPI_KEY`` as fallback) |
| ``RAPIDAPI_KEYS`` | several keys, comma-separated (a key pool) |
| ``HYPERBUDS_API_URL`` | the backend base URL (default ``DEFAULT_API_URL``) |
| ``HYPERBUDS_TOKEN`` | the backend Bearer token |
| ``HYPERBUDS_RAPIDAPI_ENDPOINT`` | one base URL for every provider call (a proxy, an emulator) |
| ``HYPERBUDS_REDIS_URL`` | share cache, single flight, quota and rate limit in Redis |
| ``HYPERBUDS_HISTORY_URL`` | record snapshots and syncs (``default``: the embedded SQLite file) |
| ``HYPERBUDS_DROP_GUARD_RATIO`` | a fall above this fraction is a suspicious drop (default 0.9) |
| ``HYPERBUDS_DROP_GUARD_DAYS`` | ... within this many days of the last good sync (default 30) |
| ``HYPERBUDS_AUTH_BENCH_SECONDS`` | seconds a provider refusing the credentials is benched (900) |
| ``HYPERBUDS_PROVIDERS`` | chains: ``twitch=twitch-scraper2,twitch-helix;youtube=...`` |
| ``HYPERBUDS_ENDPOINTS`` | per host base URLs: ``api.twitch.tv=http://127.0.0.1:9000,host=url`` |
| ``TWITCH_CLIENT_ID`` / ``TWITCH_CLIENT_SECRET`` | the Twitch app (Helix, ``twitch-helix``) |
| ``YOUTUBE_API_KEY`` | the YouTube Data API v3 key (``youtube-data-api``) |
| ``X_BEARER_TOKEN`` | the X API v2 bearer token (``x-api``) |
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from attrs import field, frozen

from .errors import ConfigError
from .quota import AUTH_BENCH_DEFAULT

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_AUTH_BENCH",
    "ENV",
    "Settings",
    "check_auth_bench",
    "parse_endpoints",
    "parse_providers",
]

DEFAULT_API_URL = "https://api-hyperbuds-backend.onrender.com/api/v1"
DEFAULT_AUTH_BENCH: Final = AUTH_BENCH_DEFAULT
"""Seconds a provider that refused the credentials is benched before it is tried again."""

ENV = {
    "key": "RAPIDAPI_KEY",
    "key_fallback": "NEXT_PUBLIC_RAPIDAPI_KEY",
    "keys": "RAPIDAPI_KEYS",
    "api_url": "HYPERBUDS_API_URL",
    "token": "HYPERBUDS_TOKEN",
    "endpoint": "HYPERBUDS_RAPIDAPI_ENDPOINT",
    "redis_url": "HYPERBUDS_REDIS_URL",
    "history_url": "HYPERBUDS_HISTORY_URL",
    "drop_guard_ratio": "HYPERBUDS_DROP_GUARD_RATIO",
    "drop_guard_days": "HYPERBUDS_DROP_GUARD_DAYS",
    "auth_bench_seconds": "HYPERBUDS_AUTH_BENCH_SECONDS",
    "providers": "HYPERBUDS_PROVIDERS",
    "endpoints": "HYPERBUDS_ENDPOINTS",
    "twitch_client_id": "TWITCH_CLIENT_ID",
    "twitch_client_secret": "TWITCH_CLIENT_SECRET",
    "youtube_api_key": "YOUTUBE_API_KEY",
    "x_bearer_token": "X_BEARER_TOKEN",
}


def _keys_repr(keys: tuple[str, ...]) -> str:
    return f"<{len(keys)} key{'s' if len(keys) != 1 else ''}>"


def _secret_repr(value: object) -> str:
    return "<set>" if value else "None"


@frozen
class Settings:
    """What the environment says. Secrets never show in the ``repr``."""

    rapidapi_keys: tuple[str, ...] = field(default=(), repr=_keys_repr)
    api_url: str = DEFAULT_API_URL
    token: str | None = field(default=None, repr=_secret_repr)
    rapidapi_endpoint: str | None = None
    redis_url: str | None = field(default=None, repr=_secret_repr)
    history_url: str | None = field(default=None, repr=_secret_repr)
    drop_guard_ratio: float = 0.9
    drop_guard_days: float = 30.0
    auth_bench_seconds: float = DEFAULT_AUTH_BENCH
    providers: Mapping[str, tuple[str, ...]] = field(factory=dict)
    endpoints: Mapping[str, str] = field(factory=dict)
    twitch_client_id: str | None = field(default=None, repr=_secret_repr)
    twitch_client_secret: str | None = field(default=None, repr=_secret_repr)
    youtube_api_key: str | None = field(default=None, repr=_secret_repr)
    x_bearer_token: str | None = field(default=None, repr=_secret_repr)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the variables above from ``environ`` (``os.environ`` by default).

        Empty values count as unset. ``RAPIDAPI_KEYS`` and ``RAPIDAPI_KEY`` add up, without
        duplicates, in that order.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        keys = [k.strip() for k in (get(ENV["keys"]) or "").split(",") if k.strip()]
        single = get(ENV["key"]) or get(ENV["key_fallback"])
        if single:
            keys.append(single)
        return cls(
            rapidapi_keys=tuple(dict.fromkeys(keys)),
            api_url=get(ENV["api_url"]) or DEFAULT_API_URL,
            token=get(ENV["token"]),
            rapidapi_endpoint=get(ENV["endpoint"]),
            redis_url=get(ENV["redis_url"]),
            history_url=get(ENV["history_url"]),
            drop_guard_ratio=_number(get, "drop_guard_ratio", 0.9),
            drop_guard_days=_number(get, "drop_guard_days", 30.0),
            auth_bench_seconds=_number(get, "auth_bench_seconds", DEFAULT_AUTH_BENCH),
            providers=parse_providers(get(ENV["providers"]) or ""),
            endpoints=parse_endpoints(get(ENV["endpoints"]) or ""),
            twitch_client_id=get(ENV["twitch_client_id"]),
            twitch_client_secret=get(ENV["twitch_client_secret"]),
            youtube_api_key=get(ENV["youtube_api_key"]),
            x_bearer_token=get(ENV["x_bearer_token"]),
        )


PROVIDERS_EXAMPLE = "twitch=twitch-scraper2,twitch-helix;youtube=youtube-data-api"
ENDPOINTS_EXAMPLE = "api.twitch.tv=http://127.0.0.1:9000,www.googleapis.com=http://127.0.0.1:9001"


def _shown(entry: str) -> str:
    """A bad entry as an error shows it: its first 40 characters, no URL credentials."""
    entry = entry.strip()
    if "@" in entry:  # user:password@host: show none of it
        return "<an entry with credentials>"
    return repr(entry if len(entry) <= 40 else f"{entry[:40]}...")


def parse_providers(
    value: str | Mapping[str, Sequence[str]],
) -> dict[str, tuple[str, ...]]:
    """Chains from ``"twitch=twitch-scraper2,twitch-helix;youtube=youtube-data-api"`` or a
    mapping of platform -> provider names; names lowercased, order kept.

    Raises:
        ConfigError: an entry without ``=``, a platform without providers, or a provider name
            given as one string instead of a list; the message names the variable (or argument),
            the entry found and a valid example.
    """
    if isinstance(value, str):
        where = ENV["providers"]
        for entry in (p for p in value.split(";") if p.strip()):
            platform, eq, listed = entry.partition("=")
            if not eq or not platform.strip():
                raise ConfigError(
                    f"{where}: {_shown(entry)} is not platform=provider,provider "
                    f"(example: {where}='{PROVIDERS_EXAMPLE}')"
                )
            if not any(n.strip() for n in listed.split(",")):
                raise ConfigError(
                    f"{where}: {_shown(entry)} names no provider "
                    f"(example: {where}='{PROVIDERS_EXAMPLE}')"
                )
        pairs = [p.partition("=") for p in value.split(";") if p.strip()]
        value = {k: [n for n in v.split(",") if n.strip()] for k, _, v in pairs}
    chains: dict[str, tuple[str, ...]] = {}
    for platform, names in value.items():
        if isinstance(names, str):
            raise ConfigError(
                f"providers[{platform!r}] takes a list of provider names "
                f"(example: providers={{{platform!r}: [{names!r}]}})"
            )
        chain = tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
        if not chain:
            raise ConfigError(f"providers[{platform!r}] names no provider")
        chains[platform.strip().lower()] = chain
    return chains


def parse_endpoints(value: str | Mapping[str, str]) -> dict[str, str]:
    """Per host base URLs from ``"api.twitch.tv=http://127.0.0.1:9000,host=url"`` or a
    mapping; each replaces the scheme, host and port of calls to that host (the path stays).

    Raises:
        ConfigError: an entry without ``=`` or a URL that is not ``http(s)://``; the message
            names the variable, the entry found (never its credentials) and a valid example.
    """
    where = ENV["endpoints"]
    example = f"(example: {where}='{ENDPOINTS_EXAMPLE}')"
    if isinstance(value, str):
        pairs = [p.partition("=") for p in value.split(",") if p.strip()]
        for host, eq, url in pairs:
            if not eq or not host.strip():
                raise ConfigError(f"{where}: {_shown(host + eq + url)} is not host=url {example}")
        value = {k: v for k, _, v in pairs}
    endpoints: dict[str, str] = {}
    for host, url in value.items():
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}: the endpoint for {host.strip()!r} must be an http(s) URL, "
                f"not {_shown(url)} {example}"
            )
        endpoints[host.strip().lower()] = url
    return endpoints


def _number(get: Callable[[str], str | None], name: str, default: float) -> float:
    """A float variable, ``default`` when unset; a clear :class:`ConfigError` when not a number."""
    value = get(ENV[name])
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(
            f"{ENV[name]} must be a number, not {_shown(value)} (example: {ENV[name]}={default})"
        ) from None


def check_auth_bench(seconds: float) -> float:
    """``seconds`` as a bench length: a finite number > 0.

    Raises:
        ConfigError: anything else (0, a negative, NaN, infinity, not a number).
    """
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(
            f"auth_bench_seconds ({ENV['auth_bench_seconds']}) must be a finite number of "
            f"seconds > 0, got {seconds!r}"
        )
    return value
