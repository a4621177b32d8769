"""``SyncClient``: the only code that talks to the HyperBuds backend.

One attempt is a POST with a bearer token read afresh (a callable token is re-read on each attempt,
so a refreshed token is picked up on retry). Every failure becomes a :class:`BackendError` through
one function, ``_answers.error_for``; only :class:`BackendUnavailable` (5xx, network faults) is
retried. The token never reaches a log record, a ``repr`` or an error message. Reading the answers
lives in ``_answers``; the token and the base URL checks in ``_credentials``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote

import aiohttp

from ..config import DEFAULT_API_URL
from ..errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
)
from ..metrics import Metrics
from ..models import ProfileStats, SyncPayload, SyncResult
from ..transport import (
    ERROR_BODY_CAP,
    RetryPolicy,
    SessionHolder,
    attempt_timeout,
    read_capped,
    retry_logger,
    retrying,
)
from . import _answers as answers
from ._credentials import TokenSource, acting_for, check_base_url, resolve_token

__all__ = ["DEFAULT_API_URL", "SyncClient", "TokenSource", "acting_for"]

_SYNC_PATH: Final = "profiles/social-sync"
_BATCH: Final = "batch"

_log = logging.getLogger("hyperbuds_sync")


class SyncClient:
    """Posts creators' stats to the HyperBuds backend and parses its answers.

    Args:
        base_url: the API root; ``https`` unless the host is loopback or ``allow_insecure_http``.
        token: the bearer token, or a (sync or async) callable returning it. The environment
            (``HYPERBUDS_TOKEN``) is read by :class:`~hyperbuds_sync.config.Settings`, not here. A
            missing token raises :class:`BackendConfigError` at the first post, before any request.
        session: an ``aiohttp.ClientSession`` (or a ``SessionHolder``) to borrow, never closed
            here; by default one is created lazily inside the running loop and closed by
            :meth:`aclose`.
        timeout: seconds per attempt for the backend to answer (the socket connect at most 5 s
            of it; see :func:`~hyperbuds_sync.transport.attempt_timeout`), applied per request,
            borrowed session included. Waiting for a free pooled connection is not counted.
        retry: how :class:`BackendUnavailable` is retried.
        allow_insecure_http: permit plain ``http`` to a non-loopback host.
        metrics: counters to update (``retries``); a private one by default.
        use_batch: try ``POST .../social-sync/batch`` in :meth:`post_batch` (the real backend has
            none: any answer that is not a batch answer makes this client post each platform
            instead, for the rest of its life).
        max_body_bytes: a 2xx answer larger than this (decoded bytes, whatever its
            ``Content-Encoding``) is refused with :class:`BackendError` without being read
            whole; an error answer is read up to 64 KiB. The transport's one capped reader, so
            the backend's answers are held to the same cap as providers' (default 4 MiB).
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
        use_batch: bool = False,
        max_body_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        if max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be > 0")
        self._base = check_base_url(base_url, allow_insecure_http)
        self._max_body = max_body_bytes
        self._token = token
        self._http = SessionHolder(session, limit=50, limit_per_host=10)
        self._timeout = attempt_timeout(timeout)
        self._metrics = metrics if metrics is not None else Metrics()
        # None: not probed yet; False: the backend has no batch endpoint (kept for our lifetime).
        self._batch_supported: bool | None = None if use_batch else False
        self._probe_lock = asyncio.Lock()
        on_retry = retry_logger(self._metrics, _log, "backend sync")
        self._retried = retrying(retry, (BackendUnavailable,), on_retry=on_retry)(self._attempt)

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
            AuthenticationError: 401 (with a callable token: 401 again after one refresh).
            BackendValidationError: 400/422, or ``success: false`` in the answer.
            BackendUnavailable: 5xx or a network fault, after retries.
            BackendError: any other failure, an unreadable answer included.
        """
        status, answer = await self._send(quote(platform, safe=""), payload.to_json(), platform)
        if answers.is_false(answer.get("success")):
            raise answers.refusal(status, answer, platform)
        return answers.result(
            platform, answer, answer, answers.parse_stats(answer, status, platform)
        )

    async def post_batch(
        self, payloads: Mapping[str, SyncPayload]
    ) -> dict[str, SyncResult | BackendError]:
        """Sync several platforms at once: one outcome per platform, in the order given.

        Posts each platform concurrently, as the real backend expects. With ``use_batch=True`` it
        tries the batch endpoint first; any answer that is not a batch answer (a 4xx but 401, a
        2xx without per-platform ``results``) means there is none, and this client posts each
        platform instead, for the rest of its life. A failure of one platform is returned as its
        :class:`BackendError` (a per-platform post's 401 included); a 401 to the batch request is
        raised as :class:`AuthenticationError`, and a missing token as
        :class:`BackendConfigError`.
        """
        if not payloads:
            return {}
        results = await self._batch_or_none(payloads)
        if results is None:
            results = await self._post_each(payloads)
        return results

    async def aclose(self) -> None:
        """Close the session this client created (a borrowed one is left open)."""
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
            if _not_a_batch_answer(exc.status):
                self._no_batch(exc.status)
                return None
            return {platform: answers.for_platform(exc, platform) for platform in payloads}
        if not isinstance(answer.get("results"), Mapping):
            self._no_batch(status)
            return None
        self._batch_supported = True
        stats: ProfileStats | BackendError
        try:  # parsed once: every platform's result shares it
            stats = answers.parse_stats(answer, status, None)
        except BackendError as exc:
            stats = exc
        return {p: answers.batch_entry(p, answer, status, stats) for p in payloads}

    def _no_batch(self, status: int | None) -> None:
        """Remember for this client's lifetime that the backend has no batch endpoint."""
        _log.debug("no batch endpoint (HTTP %s to the batch): posting each platform", status)
        self._batch_supported = False

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

    # --- sending --------------------------------------------------------------------------------

    async def _send(
        self, path: str, body: Mapping[str, Any], platform: str
    ) -> tuple[int, dict[str, Any]]:
        """The retried POST; after a 401, a callable token is asked once more and the POST sent
        once more (the token may have expired since it was read)."""
        try:
            return await self._retried(path, body, platform)
        except AuthenticationError:
            if not callable(self._token):
                raise
            _log.debug("token refused for %s: asking the token callable for a fresh one", platform)
            return await self._retried(path, body, platform)

    # --- one attempt -----------------------------------------------------------------------------

    async def _attempt(
        self, path: str, body: Mapping[str, Any], platform: str
    ) -> tuple[int, dict[str, Any]]:
        """POST once; the parsed 2xx answer, or the mapped error raised."""
        token = await resolve_token(self._token)
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
                status = resp.status
                cap = self._max_body if 200 <= status < 300 else ERROR_BODY_CAP
                text = await read_capped(resp, cap)
        except (aiohttp.ClientError, TimeoutError) as exc:
            elapsed = time.monotonic() - started
            _log.debug("POST %s failed after %.3fs: %s", url.path, elapsed, type(exc).__name__)
            fault = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            message = f"cannot reach the HyperBuds backend: {fault}"[: answers.MAX_MESSAGE]
            raise answers.error_for(None, message, platform) from exc
        _log.debug("POST %s -> %s in %.3fs", url.path, status, time.monotonic() - started)
        if text is None and 200 <= status < 300:
            raise BackendError(
                f"HyperBuds backend answer is larger than {self._max_body} bytes (HTTP {status})",
                status=status,
                platform=platform,
            )
        answer = answers.decode(text) if text is not None else None
        if not 200 <= status < 300:
            raise answers.refusal(status, answer, platform)
        if answer is None:
            raise BackendError(
                f"HyperBuds backend answered HTTP {status} without a JSON object",
                status=status,
                platform=platform,
            )
        return status, answer


def _not_a_batch_answer(status: int | None) -> bool:
    """A batch answered so (a 2xx without results, a 4xx but 401) reached no batch endpoint."""
    return status is not None and (200 <= status < 300 or 400 <= status < 500)
