"""SocialSync: the one object people hold. It builds the parts from settings and wires them."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp

from .. import engagement
from .. import metrics as m
from ..anomalies import Anomaly, AnomalySettings, anomalies_of
from ..backend import SyncClient, Syncer, TokenSource, acting_for
from ..cache import DEFAULT_MAXSIZE, Cache
from ..chain import Failover, Fetcher, NameMemo, check_chains
from ..config import Settings, check_auth_bench, parse_endpoints, parse_providers
from ..history import DEFAULT_WINDOWS, Growth, HistoryRecorder, HistoryStore, Snapshot
from ..models import (
    ManualEntry,
    PlatformData,
    ProviderState,
    QuotaStatus,
    SyncReport,
    SyncResult,
)
from ..platforms import PlatformRegistry, default_registry
from ..quota import KeyPool, MemoryProviderBenches
from ..roster import Item, ManyReport, OnProgress, TokenFor
from ..roster import sync_many as roster_sync_many
from ..transport import Gateway, RequestLoop, RetryPolicy
from ._parts import cache_of, credentials_of, limiter_of, pick_keys, recorder_of
from ._reads import every_anomaly, flushed, growth_of, readiness, recorder_or_raise
from ._shared import shared_parts

__all__ = ["SocialSync"]

QuotaHook = Callable[[QuotaStatus], object]


class SocialSync:
    """Fetch creators' public stats and sync them to HyperBuds.

    Each setting is taken, first found: the explicit argument, else ``settings`` when given, else
    its environment variable (see :mod:`hyperbuds_sync.config`). With ``settings`` the environment
    is not read at all: pass ``Settings.from_env()`` (or an edited copy) to start from it.
    Nothing is checked for presence at construction: a missing RapidAPI key raises
    :class:`~hyperbuds_sync.ApiConfigError` at the first fetch, a missing token a
    :class:`~hyperbuds_sync.BackendConfigError` at the first sync.

    Args:
        rapidapi_key: one RapidAPI key (``RAPIDAPI_KEY``).
        rapidapi_keys: several keys, spread over calls and benched when spent (``RAPIDAPI_KEYS``).
        api_url: the backend base URL (``HYPERBUDS_API_URL``).
        token: the backend Bearer token, or a sync or async callable re-read on each attempt
            (``HYPERBUDS_TOKEN``).
        rapidapi_endpoint: one base URL for every provider call, e.g. an emulator
            (``HYPERBUDS_RAPIDAPI_ENDPOINT``).
        session: an aiohttp session to use, or a
            :class:`~hyperbuds_sync.transport.RequestLoop` to send through (a test passes one
            built with a ``sleep`` that does not wait, or a ``clock`` it moves on: fresh records
            are stamped with the loop's clock); either is never closed by ``SocialSync``.
        cache: a :class:`~hyperbuds_sync.cache.Cache`; by default a :class:`MemoryCache`.
        cache_ttl: seconds a fetched record stays fresh (default cache only).
        cache_maxsize: records the default in-memory cache keeps, fresh or stale, about 3.5 KB
            each (default 4,096; not used with Redis or your own ``cache``).
        platforms: a :class:`~hyperbuds_sync.platforms.PlatformRegistry`.
        backend: a :class:`~hyperbuds_sync.SyncClient` to use instead of building one.
        formula: the default engagement formula name.
        timeout: seconds per HTTP attempt for the server to answer (the socket connect at most
            5 s of it); waiting for a free connection or the rate limiter is not counted.
        max_tries: attempts per call for retryable faults, the first included.
        allow_insecure_http: allow a plain-http backend URL that is not loopback.
        redis_url: share state across processes through Redis (``HYPERBUDS_REDIS_URL``);
            ``""`` keeps everything in memory whatever the environment says.
        quota_reserve: stop using a key when its remaining quota is at or below this.
        quota_low_threshold: call ``on_quota_low`` when remaining falls below this.
        on_quota_low: a callable given the host's :class:`~hyperbuds_sync.QuotaStatus`.
        rate_limit: requests per second per provider host (``None``: no client-side limit).
        stale_window: seconds an old record may be served with ``allow_stale=True``.
        metrics: a :class:`~hyperbuds_sync.Metrics` to count into.
        max_body_bytes: a provider answer larger than this is refused as
            :class:`~hyperbuds_sync.MalformedPayload` without being read whole (default 4 MiB);
            a backend answer larger than this as :class:`~hyperbuds_sync.BackendError`.
        use_batch: let :meth:`sync_all` try the backend's batch endpoint first (the real backend
            has none; see :class:`~hyperbuds_sync.SyncClient`). Default: one post per platform.
        max_connections: open connections at most, all hosts together (default 100).
        max_connections_per_host: open connections at most to one host (default 20); more
            concurrent calls queue for a connection, and the queueing spends no try.
            Neither applies to a ``session`` you pass: its connector sets its own limits.
        history_url: record every fresh fetch and every sync (``HYPERBUDS_HISTORY_URL``):
            ``"default"`` (the embedded SQLite file), a path, ``sqlite+aiosqlite://...`` or
            ``postgresql+asyncpg://...``; ``""`` records nothing whatever the environment says.
        history_store: a :class:`~hyperbuds_sync.history.HistoryStore` to record to instead
            (not closed by ``SocialSync``).
        history_keep_raw: keep each answer's raw JSON in its snapshot.
        drop_guard_ratio: a sync whose followers fell by more than this fraction within
            ``drop_guard_days`` of the last good synced value raises ``SuspiciousDrop``
            (``HYPERBUDS_DROP_GUARD_RATIO``, default 0.9; ``HYPERBUDS_DROP_GUARD_DAYS``, 30).
        providers: per platform, the providers to try in order, e.g.
            ``{"twitch": ["twitch-scraper2", "twitch-helix"]}`` (``HYPERBUDS_PROVIDERS``). By
            default: the official provider first when its credentials are set, then the first
            RapidAPI provider. A provider named without its credentials is a ``ConfigError``.
        endpoints: per host base URLs, e.g. ``{"api.twitch.tv": "http://127.0.0.1:9000"}``
            (``HYPERBUDS_ENDPOINTS``): scheme, host and port replaced, the path kept.
        twitch_client_id: the Twitch app's client id, for Helix (``TWITCH_CLIENT_ID``).
        twitch_client_secret: its client secret (``TWITCH_CLIENT_SECRET``).
        youtube_api_key: the YouTube Data API key (``YOUTUBE_API_KEY``).
        x_bearer_token: the X API v2 bearer token (``X_BEARER_TOKEN``).
        auth_bench_seconds: how long a provider that refused the credentials (a 401/403,
            :class:`~hyperbuds_sync.ProviderAuthError`) is benched before the next fetch tries
            it once more; a refusal then benches it again (``HYPERBUDS_AUTH_BENCH_SECONDS``,
            default 900: 15 minutes). Shared by a fleet through Redis, as quota benches are.
        settings: a :class:`~hyperbuds_sync.Settings` to read instead of the environment; an
            explicit argument still wins over it.
    """

    def __init__(
        self,
        *,
        rapidapi_key: str | None = None,
        rapidapi_keys: Sequence[str] | None = None,
        api_url: str | None = None,
        token: TokenSource | None = None,
        rapidapi_endpoint: str | None = None,
        session: aiohttp.ClientSession | RequestLoop | None = None,
        cache: Cache | None = None,
        cache_ttl: float = 300.0,
        cache_maxsize: int = DEFAULT_MAXSIZE,
        platforms: PlatformRegistry | None = None,
        backend: SyncClient | None = None,
        formula: str = engagement.DEFAULT,
        timeout: float = 10.0,
        max_tries: int = 3,
        allow_insecure_http: bool = False,
        redis_url: str | None = None,
        quota_reserve: int = 0,
        quota_low_threshold: int | None = None,
        on_quota_low: QuotaHook | None = None,
        rate_limit: float | Mapping[str, float] | None = None,
        stale_window: float = 86_400.0,
        metrics: m.Metrics | None = None,
        max_body_bytes: int = 4 * 1024 * 1024,
        use_batch: bool = False,
        max_connections: int = 100,
        max_connections_per_host: int = 20,
        history_url: str | None = None,
        history_store: HistoryStore | None = None,
        history_keep_raw: bool = False,
        drop_guard_ratio: float | None = None,
        drop_guard_days: float | None = None,
        providers: Mapping[str, Sequence[str]] | None = None,
        endpoints: Mapping[str, str] | None = None,
        twitch_client_id: str | None = None,
        twitch_client_secret: str | None = None,
        youtube_api_key: str | None = None,
        x_bearer_token: str | None = None,
        auth_bench_seconds: float | None = None,
        settings: Settings | None = None,
    ) -> None:
        env = settings if settings is not None else Settings.from_env()
        engagement.get(formula)  # an unknown default formula fails here, not at first fetch
        auth_bench = check_auth_bench(  # before anything is opened
            env.auth_bench_seconds if auth_bench_seconds is None else auth_bench_seconds
        )
        self.metrics = metrics if metrics is not None else m.Metrics()
        self.formula = formula
        self.platforms = platforms if platforms is not None else default_registry.copy()
        self._redis_url = env.redis_url if redis_url is None else redis_url
        shared = shared_parts(self._redis_url, cache_ttl, stale_window, rate_limit, self.metrics)
        self._close_shared = shared.get("close")
        self._ping_redis = shared.get("ping")
        self.cache: Cache = cache_of(
            cache, shared, cache_ttl, cache_maxsize, stale_window, self.metrics
        )
        keys = pick_keys(rapidapi_key, rapidapi_keys, env.rapidapi_keys)
        self._key_pool = KeyPool(
            keys,
            state=shared.get("key_state"),
            quota_reserve=quota_reserve,
            quota_low_threshold=quota_low_threshold,
            on_quota_low=on_quota_low,
        )
        self._requests = RequestLoop(  # one loop for providers, token, backend and webhooks
            session, limit=max_connections, limit_per_host=max_connections_per_host
        )
        credentials = credentials_of(
            env,
            x_bearer_token=x_bearer_token,
            youtube_api_key=youtube_api_key,
            twitch_client_id=twitch_client_id,
            twitch_client_secret=twitch_client_secret,
        )
        chains = env.providers if providers is None else parse_providers(providers)
        check_chains(self.platforms, chains, credentials)
        retry = RetryPolicy(max_tries=max_tries)
        self._gateway = Gateway(
            keys=keys,
            endpoint=rapidapi_endpoint or env.rapidapi_endpoint,
            session=self._requests,
            timeout=timeout,
            retry=retry,
            metrics=self.metrics,
            key_pool=self._key_pool,
            limiter=limiter_of(shared, rate_limit),
            max_body_bytes=max_body_bytes,
            credentials=credentials,
            endpoints=env.endpoints if endpoints is None else parse_endpoints(endpoints),
        )
        self._benches = shared.get("provider_benches") or MemoryProviderBenches()
        self._failover = Failover(
            self._gateway.get,
            self.platforms,
            chains,
            credentials,
            self._benches,
            self.metrics,
            auth_bench=auth_bench,
        )
        self._owns_backend = backend is None
        self.backend = backend or SyncClient(
            api_url or env.api_url,
            token if token is not None else env.token,
            session=self._requests,
            timeout=timeout,
            retry=retry,
            allow_insecure_http=allow_insecure_http,
            metrics=self.metrics,
            use_batch=use_batch,
            max_body_bytes=max_body_bytes,
        )
        self._history = recorder_of(
            env, history_url, history_store, history_keep_raw, drop_guard_ratio, drop_guard_days
        )
        if self._history is not None:  # its pending, kept and dropped records are counted here
            self._history.commits.metrics = self.metrics
        self._wire()
        self._closed = False

    def _wire(self) -> None:
        """The fetch path (cache, names, failover, history) and the sync path over it."""
        self._names = NameMemo()  # canonical usernames and cache keys of recent fetches
        self._fetcher = Fetcher(
            registry=self.platforms,
            failover=self._failover,
            cache=self.cache,
            names=self._names,
            metrics=self.metrics,
            formula=self.formula,
            history=self._history,
            clock=self._requests.clock,
        )
        self._syncer = Syncer(
            self.backend, lambda name: self.platforms.get(name).platform, self.fetch, self._history
        )

    @classmethod
    def from_env(cls, **overrides: Any) -> SocialSync:
        """A client configured from the environment; keyword arguments override it."""
        return cls(**overrides)

    def __repr__(self) -> str:
        return f"SocialSync(platforms={self.platforms.names()!r}, formula={self.formula!r})"

    # --- fetching --------------------------------------------------------------------------------

    async def fetch(
        self,
        platform: str,
        username: str,
        *,
        refresh: bool = False,
        formula: str | None = None,
        allow_stale: bool = False,
        provider: str | None = None,
    ) -> PlatformData:
        """One creator's normalized stats on ``platform``, from the first provider of its chain
        that answers (``data.provider`` says which).

        Served from the cache when fresh; ``refresh=True`` bypasses and replaces the entry.
        ``formula`` picks an engagement formula for this call. With ``allow_stale=True``, a quota,
        rate-limit or outage error returns the last value within the stale window instead,
        marked ``stale``. ``provider`` asks that one provider only, past the cache.

        Raises:
            UnknownPlatform, InvalidUsername, UnknownFormula: before any I/O.
            ApiConfigError: no RapidAPI key is configured.
            ProviderError: one of its subclasses, for what went wrong upstream; when the whole
                chain failed, with ``attempts`` (each provider tried and its error).
        """
        return await self._fetcher.fetch(
            platform,
            username,
            refresh=refresh,
            formula=formula,
            allow_stale=allow_stale,
            provider=provider,
        )

    async def providers(self) -> dict[str, list[ProviderState]]:
        """Per platform, each provider of its chain with its state (``available``,
        ``benched_until``, ``reason``); benches are the fleet's when Redis is shared."""
        return await self._failover.states(self.platforms.names())

    # --- syncing ---------------------------------------------------------------------------------

    async def sync(
        self,
        platform: str,
        data: PlatformData | ManualEntry | str,
        *,
        force: bool = False,
        token: str | None = None,
    ) -> SyncResult:
        """Send one platform's followers and engagement to the backend.

        ``data`` is a fetched :class:`PlatformData` (its average engagement is sent), a username
        to :meth:`fetch` first (as :meth:`sync_all` takes), or a :class:`ManualEntry`, which needs
        no provider call and so works when the quota is gone. With a history, a sudden drop is
        refused unless ``force=True``: followers at 0, or fallen by more than
        ``drop_guard_ratio`` within ``drop_guard_days`` of the last good synced value.
        ``token`` posts this one sync with that Bearer token (a creator's own, as a service
        forwards it) instead of the client's.

        Raises:
            UnknownPlatform, InvalidStats: before any request.
            ProviderError: when fetching a username failed; nothing is sent.
            SuspiciousDrop: followers at 0, or fallen too far, over the last good synced value.
            BackendConfigError, BackendError: see :class:`~hyperbuds_sync.SyncClient`.
        """
        if token is None:
            return await self._syncer.sync(platform, data, force=force)
        with acting_for(token):
            return await self._syncer.sync(platform, data, force=force)

    async def fetch_and_sync(
        self,
        platform: str,
        username: str,
        *,
        refresh: bool = False,
        formula: str | None = None,
        force: bool = False,
    ) -> SyncResult:
        """:meth:`fetch` then :meth:`sync` (``force=True`` sends even a sudden drop)."""
        data = await self.fetch(platform, username, refresh=refresh, formula=formula)
        return await self.sync(platform, data, force=force)

    async def sync_all(
        self,
        items: Mapping[str, PlatformData | ManualEntry | str],
        *,
        refresh: bool = False,
        allow_stale: bool = False,
        force: bool = False,
    ) -> SyncReport:
        """Fetch (where given a username) and sync many platforms at once.

        Values are a :class:`PlatformData`, a :class:`ManualEntry` or a username to fetch first.
        Fetches run in parallel, then one sync per platform, in parallel (with ``use_batch=True``,
        the batch endpoint first, when the backend has one). Every platform gets an outcome, a
        result or a typed error; nothing raises for one platform's failure (a ``SuspiciousDrop``
        included, unless ``force=True``).
        """
        return await self._syncer.sync_all(
            items, refresh=refresh, allow_stale=allow_stale, force=force
        )

    async def sync_many(
        self,
        items: Iterable[Item] | AsyncIterable[Item],
        *,
        concurrency: int = 16,
        token_for: TokenFor | None = None,
        on_progress: OnProgress | None = None,
        refresh: bool = False,
    ) -> ManyReport:
        """Fetch and sync many creators, ``concurrency`` at a time, for one-off backfills.

        ``items`` (an iterable or async iterable, read as it goes) are ``(creator_id, platform,
        username | PlatformData | ManualEntry)``. Each creator is synced with
        ``token_for(creator_id)`` (sync or async; ``None``: fetched, not synced; no
        ``token_for``: this client's token). Outcomes are streamed: each
        :class:`~hyperbuds_sync.roster.RefreshOutcome` goes to ``on_progress`` as it completes,
        and is not kept; the returned :class:`~hyperbuds_sync.roster.ManyReport` has the counts.
        """
        return await roster_sync_many(
            self,
            items,
            concurrency=concurrency,
            token_for=token_for,
            on_progress=on_progress,
            refresh=refresh,
        )

    @property
    def requests(self) -> RequestLoop:
        """The request loop every HTTP call of this client goes through (providers, the Twitch
        token, the backend); a :class:`~hyperbuds_sync.roster.Roster` sends its webhooks
        through it too. Closed with the client."""
        return self._requests

    # --- history ---------------------------------------------------------------------------------

    @property
    def redis_url(self) -> str | None:
        """The Redis this client shares its state through (``None``: none); a roster over it
        spends through the fleet's shared budget ledger there."""
        return self._redis_url or None

    @property
    def history_store(self) -> HistoryStore:
        """The history store (``add`` to backfill, ``prune(older_than=...)`` for retention).

        Raises:
            ConfigError: no history is configured.
        """
        return self._recorder().store

    def _recorder(self) -> HistoryRecorder:
        return recorder_or_raise(self._history)

    async def history(
        self,
        platform: str,
        username: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[Snapshot]:
        """The creator's recorded snapshots, oldest first (``limit``: the most recent ones).

        Raises:
            ConfigError: no history is configured.
        """
        store, platform, name = await self._flushed(platform, username)
        return await store.snapshots(platform, name, since=since, until=until, limit=limit)

    async def growth(
        self, platform: str, username: str, *, windows: Sequence[int] = DEFAULT_WINDOWS
    ) -> Growth:
        """Followers and engagement change over each window (days), from the history.

        For each window the start is the latest snapshot at or before *end - days*, the end the
        latest snapshot.

        Raises:
            ConfigError: no history is configured.
        """
        store, platform, name = await self._flushed(platform, username)
        return await growth_of(store, platform, name, windows)

    async def anomalies(
        self,
        platform: str,
        username: str,
        days: float = 90,
        *,
        settings: AnomalySettings | None = None,
    ) -> list[Anomaly]:
        """The growth anomalies (spikes, drops, divergences) of the last ``days``, oldest
        first, judged against the creator's own history (see docs/anomalies.md).

        Raises:
            ConfigError: no history is configured.
        """
        store, platform, name = await self._flushed(platform, username)
        return await anomalies_of(store, platform, name, days=days, settings=settings)

    async def all_anomalies(
        self,
        days: float = 90,
        *,
        platform: str | None = None,
        settings: AnomalySettings | None = None,
    ) -> dict[tuple[str, str], list[Anomaly]]:
        """Every recorded creator's growth anomalies of the last ``days`` (on ``platform``
        when given), each judged as :meth:`anomalies` judges one, from one read of the
        history: ``{(platform, username): anomalies}``, creators with none left out.

        Raises:
            ConfigError: no history is configured, or its store cannot read every history at
                once (a store of your own without ``histories()``).
        """
        name = None if platform is None else self.platforms.get(platform).platform
        return await every_anomaly(self._recorder(), name, days, settings)

    async def _flushed(self, platform: str, username: str) -> tuple[HistoryStore, str, str]:
        """The history store with every queued write done, and the creator's platform and
        canonical username as the store keeps them."""
        return await flushed(self._recorder(), self.platforms.get(platform), username)

    # --- state -----------------------------------------------------------------------------------

    async def ready(self, within: float = 2.0) -> dict[str, bool]:
        """Whether the shared parts this client uses answer now, for a readiness probe:
        ``"redis"`` (with a ``redis_url``) and ``"history"`` (with a history whose store has a
        ``ping()``, as the SQL stores do), each ``True`` when it answered within ``within``
        seconds. Parts not configured are absent; nothing raises."""
        return await readiness(self._ping_redis, self._history, within)

    def quota(self) -> dict[str, QuotaStatus]:
        """The latest quota facts per provider host (keys shown by fingerprint only).

        This process's view; with Redis, :meth:`shared_quota` reads the whole fleet's.
        """
        return self._gateway.quota()

    async def recall_quota(
        self, quota: Mapping[str, QuotaStatus], benches: Mapping[str, datetime]
    ) -> None:
        """Take what an earlier process learned: ``quota`` as :meth:`quota` gave it (facts and
        key benches of this client's keys) and provider ``benches`` (name -> until, as
        :meth:`providers` showed them). A bench or a reset already over is skipped. The
        command line does this between commands (its history keeps them); a long-lived
        process learns by itself."""
        await self._key_pool.recall(quota)
        now = self._requests.clock()
        for provider, until in benches.items():
            if until > now:
                await self._benches.bench(provider, until.timestamp())

    async def shared_quota(self) -> dict[str, QuotaStatus]:
        """The quota facts of every process sharing this client's state (Redis), per host."""
        return await self._key_pool.shared_status()

    async def aclose(self) -> None:
        """Close what this client opened: sessions it created, the cache's loads, Redis."""
        if self._closed:
            return
        self._closed = True
        if self._history is not None:  # first: what is queued is written before anything closes
            await self._history.aclose()
        await self.cache.aclose()
        await self._key_pool.aclose()  # the on_quota_low calls still running
        if self._close_shared is not None:
            await self._close_shared()
        await self._gateway.aclose()
        if self._owns_backend:
            await self.backend.aclose()
        await self._requests.aclose()

    async def __aenter__(self) -> SocialSync:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
