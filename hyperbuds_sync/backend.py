"""``SyncClient``: the only module that talks to the HyperBuds backend.

One attempt is a POST with a bearer token read afresh (a callable token is re-read on each attempt,
so a refreshed token is picked up on retry). Every failure becomes a :class:`BackendError` through
one function, :func:`_error_for`; only :class:`BackendUnavailable` (5xx, network faults) is retried.
The token never reaches a log record, a ``repr`` or an error message.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from ._retry import RetryPolicy, retrying
from ._session import SessionHolder
from .config import DEFAULT_API_URL
from .errors import (
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
)
from .metrics import RETRIES, Metrics
from .models import PlatformStats, ProfileStats, SyncPayload, SyncResult

__all__ = ["DEFAULT_API_URL", "SyncClient", "TokenSource"]

TokenSource = str | Callable[[], str | Awaitable[str]]
"""A bearer token, or a sync or async callable returning one (called on every attempt)."""

_SYNC_PATH: Final = "profiles/social-sync"
_BATCH: Final = "batch"
_NO_BATCH_STATUSES: Final = frozenset({404, 405})
_MAX_MESSAGE: Final = 500

_log = logging.getLogger("hyperbuds_sync")


class SyncClient:
    """Posts creators' stats to the HyperBuds backend and parses its answers.

    Args:
        base_url: the API root; ``https`` unless the host is loopback or ``allow_insecure_http``.
        token: the bearer token, or a (sync or async) callable returning it. The environment
            (``HYPERBUDS_TOKEN``) is read by :class:`~hyperbuds_sync.config.Settings`, not here. A
            missing token raises :class:`BackendConfigError` at the first post, before any request.
        session: an ``aiohttp.ClientSession`` to borrow (never closed here); by default one is
            created lazily inside the running loop and closed by :meth:`aclose`.
        timeout: total seconds per attempt (applied per request, borrowed session included).
        retry: how :class:`BackendUnavailable` is retried.
        allow_insecure_http: permit plain ``http`` to a non-loopback host.
        metrics: counters to update (``retries``); a private one by default.
        use_batch: try ``POST .../social-sync/batch`` in :meth:`post_batch`.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_API_URL,
        token: TokenSource | None = None,
        *,
        session: aiohttp.ClientSession | SessionHolder | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so a shared default is safe
        allow_insecure_http: bool = False,
        metrics: Metrics | None = None,
        use_batch: bool = True,
    ) -> None:
        self._base = _check_base_url(base_url, allow_insecure_http)
        self._token = token
        if isinstance(session, SessionHolder):
            self._http, self._owns_http = session, False
        else:
            self._http, self._owns_http = SessionHolder(session, limit=50, limit_per_host=10), True
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._metrics = metrics if metrics is not None else Metrics()
        # None: not probed yet; False: the backend has no batch endpoint (kept for our lifetime).
        self._batch_supported: bool | None = None if use_batch else False
        self._probe_lock = asyncio.Lock()
        self._send = retrying(retry, (BackendUnavailable,), on_retry=self._on_retry)(self._attempt)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self._base.with_user(None))!r})"

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return str(self._base)

    @property
    def metrics(self) -> Metrics:
        """The counters this client updates."""
        return self._metrics

    async def post(self, platform: str, payload: SyncPayload) -> SyncResult:
        """Sync one platform's stats and return the backend's profile stats.

        Raises:
            BackendConfigError: no token.
            AuthenticationError: 401.
            BackendValidationError: 400/422, or ``success: false`` in the answer.
            BackendUnavailable: 5xx or a network fault, after retries.
            BackendError: any other failure, an unreadable answer included.
        """
        status, answer = await self._send(quote(platform, safe=""), payload.to_json(), platform)
        if _is_false(answer.get("success")):
            raise _error_for(status, _message_of(answer), platform)
        return _result(platform, answer, answer, _parse_stats(answer, status, platform))

    async def post_batch(
        self, payloads: Mapping[str, SyncPayload]
    ) -> dict[str, SyncResult | BackendError]:
        """Sync several platforms at once: one outcome per platform, in the order given.

        Uses the backend's batch endpoint when it has one; after a 404/405 from it, this client
        posts each platform concurrently instead (for the rest of its life). A failure of one
        platform is returned as its :class:`BackendError` (a per-platform post's 401 included);
        a 401 to the batch request is raised as :class:`AuthenticationError`, and a missing token
        as :class:`BackendConfigError`.
        """
        if not payloads:
            return {}
        results = await self._batch_or_none(payloads)
        if results is None:
            results = await self._post_each(payloads)
        return results

    async def aclose(self) -> None:
        """Close the session this client created (a borrowed one is left open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> SyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # --- batch -----------------------------------------------------------------------------------

    async def _batch_or_none(
        self, payloads: Mapping[str, SyncPayload]
    ) -> dict[str, SyncResult | BackendError] | None:
        """Batch results, or ``None`` when the backend has no batch endpoint."""
        if self._batch_supported is None:
            async with self._probe_lock:  # one caller probes; the others wait for its verdict
                if self._batch_supported is None:
                    return await self._batch(payloads)
        if self._batch_supported:
            return await self._batch(payloads)
        return None

    async def _batch(
        self, payloads: Mapping[str, SyncPayload]
    ) -> dict[str, SyncResult | BackendError] | None:
        body = {platform: payload.to_json() for platform, payload in payloads.items()}
        try:
            status, answer = await self._send(_BATCH, body, ",".join(payloads))
        except AuthenticationError:
            raise
        except BackendError as exc:
            if exc.status in _NO_BATCH_STATUSES:
                _log.debug("backend has no batch endpoint (HTTP %s): posting each", exc.status)
                self._batch_supported = False
                return None
            return {platform: _for_platform(exc, platform) for platform in payloads}
        self._batch_supported = True
        stats: ProfileStats | BackendError
        try:  # parsed once: every platform's result shares it
            stats = _parse_stats(answer, status, None)
        except BackendError as exc:
            stats = exc
        return {p: _batch_entry(p, answer, status, stats) for p in payloads}

    async def _post_each(
        self, payloads: Mapping[str, SyncPayload]
    ) -> dict[str, SyncResult | BackendError]:
        platforms = list(payloads)
        outcomes = await asyncio.gather(
            *(self.post(p, payloads[p]) for p in platforms), return_exceptions=True
        )
        results: dict[str, SyncResult | BackendError] = {}
        for platform, outcome in zip(platforms, outcomes, strict=True):
            if isinstance(outcome, SyncResult | BackendError):
                results[platform] = outcome
            else:  # a config error, a cancellation or a bug: not a per-platform outcome
                raise outcome
        return results

    # --- one attempt -----------------------------------------------------------------------------

    async def _attempt(
        self, path: str, body: Mapping[str, Any], platform: str
    ) -> tuple[int, dict[str, Any]]:
        """POST once; the parsed 2xx answer, or the mapped error raised."""
        token = await self._resolve_token()
        url = self._base.joinpath(_SYNC_PATH, path, encoded=True)
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        started = time.monotonic()
        try:
            async with self._http.get().post(
                url, json=body, headers=headers, timeout=self._timeout
            ) as resp:
                status, text = resp.status, await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            elapsed = time.monotonic() - started
            _log.debug("POST %s failed after %.3fs: %s", url.path, elapsed, type(exc).__name__)
            fault = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            message = f"cannot reach the HyperBuds backend: {fault}"[:_MAX_MESSAGE]
            raise _error_for(None, message, platform) from exc
        _log.debug("POST %s -> %s in %.3fs", url.path, status, time.monotonic() - started)
        answer = _decode(text)
        if not 200 <= status < 300:
            raise _error_for(status, _message_of(answer), platform)
        if answer is None:
            raise BackendError(
                f"HyperBuds backend answered HTTP {status} without a JSON object",
                status=status,
                platform=platform,
            )
        return status, answer

    async def _resolve_token(self) -> str:
        source = self._token
        token: object = source() if callable(source) else source
        if inspect.isawaitable(token):
            token = await token
        if not isinstance(token, str) or not token.strip():
            raise BackendConfigError("No HyperBuds token: set HYPERBUDS_TOKEN or pass token=")
        return token.strip()

    def _on_retry(self, details: Mapping[str, Any]) -> None:
        exc = details.get("exception")
        platform = getattr(exc, "platform", None) or ""
        self._metrics.incr(RETRIES, platform)
        _log.debug("retrying %s after %r (try %s)", platform, exc, details.get("tries"))


# --- configuration -------------------------------------------------------------------------------


def _check_base_url(base_url: str, allow_insecure_http: bool) -> URL:
    try:
        url = URL(base_url.strip().rstrip("/"))
    except (TypeError, ValueError) as exc:
        raise BackendConfigError(f"Invalid HyperBuds base URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise BackendConfigError("HyperBuds base URL needs an http(s) scheme and a host")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise BackendConfigError(
            f"Refusing plain http to {url.host}: use https or pass allow_insecure_http=True"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- answers -------------------------------------------------------------------------------------


def _error_for(status: int | None, message: str, platform: str) -> BackendError:
    """The one mapping from an HTTP status (``None``: a network fault) to an error class.

    A 2xx here means the body said ``success: false``.
    """
    cls: type[BackendError]
    if status is None or status >= 500:
        cls = BackendUnavailable
    elif status == 401:
        cls = AuthenticationError
    elif status in (400, 422) or 200 <= status < 300:
        cls = BackendValidationError
    else:
        cls = BackendError
    if not message:
        message = f"HyperBuds backend answered HTTP {status}"
    return cls(message, status=status, platform=platform)


def _for_platform(exc: BackendError, platform: str) -> BackendError:
    """A whole-batch failure as one platform's error (same class, message and status)."""
    error = type(exc)(exc.message, status=exc.status, platform=platform)
    error.__cause__ = exc
    return error


def _decode(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` when it is not one."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _message_of(answer: Mapping[str, Any] | None) -> str:
    if not answer:
        return ""
    for key in ("message", "error"):
        value = answer.get(key)
        if isinstance(value, Mapping):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()[:_MAX_MESSAGE]
    return ""


def _is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _batch_entry(
    platform: str, answer: dict[str, Any], status: int, stats: ProfileStats | BackendError
) -> SyncResult | BackendError:
    """One platform's outcome in a batch answer."""
    results = answer.get("results")
    entry = results.get(platform) if isinstance(results, Mapping) else None
    if not isinstance(entry, Mapping):
        if _is_false(answer.get("success")):
            return _error_for(status, _message_of(answer), platform)
        missing = "HyperBuds batch answer has no result for this platform"
        return BackendError(missing, status=status, platform=platform)
    if _is_false(entry.get("success")):
        own = entry.get("status")
        own_status = own if isinstance(own, int) and not isinstance(own, bool) else status
        return _error_for(own_status, _message_of(entry), platform)
    if isinstance(stats, BackendError):
        return _for_platform(stats, platform)
    return _result(platform, entry, answer, stats)


def _parse_stats(answer: Mapping[str, Any], status: int, platform: str | None) -> ProfileStats:
    """The answer's profile stats; a wrong shape raises :class:`BackendError`."""
    try:
        return _profile_stats(answer)
    except (TypeError, ValueError, OverflowError) as exc:
        message = f"HyperBuds backend sent unreadable profile stats: {exc}"[:_MAX_MESSAGE]
        raise BackendError(message, status=status, platform=platform) from exc


def _result(
    platform: str, outcome: Mapping[str, Any], answer: dict[str, Any], stats: ProfileStats
) -> SyncResult:
    """A :class:`SyncResult` from a success ``outcome`` and the answer's shared ``stats``."""
    message = outcome.get("message")
    return SyncResult(
        platform=platform,
        success=True,
        message=message if isinstance(message, str) else "",
        stats=stats,
        raw=answer,
    )


def _profile_stats(answer: Mapping[str, Any]) -> ProfileStats:
    profile = _mapping(answer.get("profile"), "profile")
    stats = _mapping(profile.get("stats"), "profile.stats")
    breakdown = _mapping(stats.get("platformBreakdown"), "platformBreakdown")
    platforms: dict[str, PlatformStats] = {}
    for name, entry in breakdown.items():
        fields = _mapping(entry, f"platformBreakdown.{name}")
        platforms[str(name)] = PlatformStats(
            followers=_int(fields.get("followers"), "followers"),
            engagement=_float(fields.get("engagement"), "engagement"),
            extra={k: v for k, v in fields.items() if k not in ("followers", "engagement")},
        )
    return ProfileStats(
        platform_breakdown=platforms,
        total_followers=_int(stats.get("totalFollowers"), "totalFollowers"),
        avg_engagement=_float(stats.get("avgEngagement"), "avgEngagement"),
    )


def _mapping(value: object, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} is a {type(value).__name__}, not an object")
    return value


def _float(value: object, name: str) -> float:
    """A finite number from a number or a numeric string; ``None`` gives 0.0."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{name} is a {type(value).__name__}, not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} is not finite")
    return number


def _int(value: object, name: str) -> int:
    """An integer from a number or a numeric string (``"12.0"`` included); ``None`` gives 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return round(_float(value, name))
