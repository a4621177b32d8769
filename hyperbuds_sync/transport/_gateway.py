"""The provider transport: the only place that talks to RapidAPI and the official APIs.

One lazily created ``aiohttp.ClientSession`` (or a borrowed one, never closed here), the
headers of the request's auth kind (``x-rapidapi-*`` with a key from the
:class:`~hyperbuds_sync.quota.KeyPool`, or an official API's credential, ``_auth``), the URL
(``_targets``), an optional client-side rate limit, retries through
:func:`~._retry.call_with_retries`, a capped body read, and for an answer off the plain path
the verdict (``_verdict``: the error from ``classify``, the books kept).

The gateway never knows which platform it serves beyond the ``platform`` name it is given for
errors and metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from multidict import CIMultiDictProxy

from .. import _logging
from .._logging import logger
from ..errors import (
    HyperbudsSyncError,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from ..metrics import UPSTREAM_CALLS, Metrics
from ..models import QuotaStatus
from ..quota import KeyPool
from ._auth import (
    OAUTH_HOST,
    OAUTH_PATH,
    Credentials,
    RapidAPIHeaders,
    TwitchAppToken,
    auth_headers,
)
from ._classify import network_error
from ._headers import Headers, quota_values
from ._official import OfficialQuota
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, call_with_retries, retry_logger
from ._session import SessionHolder, attempt_timeout
from ._targets import Targets
from ._verdict import Answer, official_verdict, rapidapi_verdict
from ._wire import ERROR_BODY_CAP, Reply, decode, plain_success, read_capped

if TYPE_CHECKING:
    from ..models import ProviderRequest

__all__ = ["Gateway"]

_RETRY_ON: Final = (RateLimited, ProviderUnavailable)
# --- the gateway ---------------------------------------------------------------------------------


class Gateway:
    """Sends ``GET`` requests to RapidAPI providers and returns their JSON.

    Args:
        keys: RapidAPI keys (ignored when ``key_pool`` is given, which must then hold them).
        endpoint: a base URL (emulator or proxy) to send to instead of ``https://{host}``;
            ``x-rapidapi-host`` is still the provider host.
        session: a session to borrow; it is used as is and never closed here.
        timeout: seconds per attempt for the provider to answer (see :func:`attempt_timeout`);
            the wait for a pooled connection or the rate limiter is not part of it.
        retry: the retry policy for :class:`RateLimited` and :class:`ProviderUnavailable`.
        metrics: where ``upstream_calls``, ``retries`` and ``errors.*`` are counted.
        key_pool: a configured :class:`KeyPool` (reserve, alert hook, shared state).
        limiter: a client-side :class:`RateLimiter`; ``None`` means no limit.
        max_body_bytes: a larger answer is refused with :class:`MalformedPayload` unread.
        connector_limit, connector_limit_per_host: the owned session's connection limits.

    Redirects are not followed (``allow_redirects=False``): a redirect would carry the key to
    another host. On a quota answer the same call moves to the next usable key (not a retry);
    a 401/403 key is preferred last from then on (:meth:`KeyPool.mark_bad`) but the error is
    raised, not retried with another key.
    """

    def __init__(
        self,
        *,
        keys: Sequence[str] = (),
        endpoint: str | None = None,
        session: aiohttp.ClientSession | SessionHolder | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, safe to share
        metrics: Metrics | None = None,
        key_pool: KeyPool | None = None,
        limiter: RateLimiter | None = None,
        max_body_bytes: int = 4 * 1024 * 1024,
        connector_limit: int = 100,
        connector_limit_per_host: int = 20,
        credentials: Credentials | None = None,
        endpoints: Mapping[str, str] | None = None,
    ) -> None:
        if timeout <= 0 or max_body_bytes <= 0:
            raise ValueError("timeout and max_body_bytes must be > 0")
        _logging.install()
        if key_pool is None:
            key_pool = KeyPool(keys)
        elif any(k.strip() and k.strip() not in key_pool for k in keys):
            raise ValueError("pass keys or a key_pool holding them, not both")
        self._pool = key_pool
        self._targets = Targets(endpoint, endpoints)
        self._http = SessionHolder(
            session, limit=connector_limit, limit_per_host=connector_limit_per_host
        )
        self._timeout = attempt_timeout(timeout)
        self._retry = retry
        self._metrics = metrics if metrics is not None else Metrics()
        self._limiter = limiter
        self._max_body = max_body_bytes
        self._on_retry = retry_logger(self._metrics, logger, "RapidAPI call")
        self._headers = RapidAPIHeaders()
        self._credentials = credentials if credentials is not None else Credentials()
        self._official = OfficialQuota()
        token_url = f"{self._targets.base_for(OAUTH_HOST, 'twitch-app')}{OAUTH_PATH}"
        self._twitch = TwitchAppToken(self._credentials, self._http, token_url, self._timeout)

    def __repr__(self) -> str:
        where = self._targets.endpoint or "https://{host}"
        return f"Gateway(keys={list(self._pool.fingerprints)!r}, endpoint={where!r})"

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def metrics(self) -> Metrics:
        """The counters this gateway updates."""
        return self._metrics

    def quota(self) -> dict[str, QuotaStatus]:
        """Per host, the quota facts seen by this process (see :meth:`KeyPool.status`), the
        official APIs' limits included."""
        return {**self._pool.status(), **self._official.status()}

    @property
    def twitch_token(self) -> TwitchAppToken:
        """The Helix app token holder (one per gateway)."""
        return self._twitch

    async def aclose(self) -> None:
        """Close the session if this gateway created it; a borrowed one stays open."""
        await self._http.aclose()

    async def get_json(
        self, request: ProviderRequest, *, platform: str, username: str, provider: str = ""
    ) -> Any:
        """``GET`` the request and return the decoded JSON body (see :meth:`get`)."""
        reply = await self.get(request, platform=platform, username=username, provider=provider)
        return reply.value

    async def get(
        self, request: ProviderRequest, *, platform: str, username: str, provider: str = ""
    ) -> Reply:
        """``GET`` the request, retried per the policy: the decoded JSON with the body's bytes.

        ``provider`` (the public provider name) is set on every error raised.

        Raises:
            ApiConfigError: no RapidAPI key is configured (a RapidAPI request).
            QuotaExceeded, RateLimited, UsernameNotFound, ProviderAuthError,
            ProviderUnavailable, MalformedPayload, ProviderError: see :func:`classify`.
        """
        try:  # an empty key pool raises ApiConfigError on the first acquire, before any request
            return await call_with_retries(
                self._retry,
                _RETRY_ON,
                self._attempt if request.auth == "rapidapi" else self._official_attempt,
                request,
                platform,
                username,
                on_retry=self._on_retry,
            )
        except HyperbudsSyncError as exc:
            if provider and isinstance(exc, ProviderError) and not exc.provider:
                exc.provider = provider
            self._metrics.error(exc, platform)
            logger.debug("provider call for %s on %s failed: %r", platform, request.host, exc)
            raise

    async def _official_attempt(
        self, request: ProviderRequest, platform: str, username: str
    ) -> Reply:
        """One policy attempt on an official API; for Helix a 401 fetches a new app token once
        and sends again."""
        for turn in (1, 2):
            token = await self._twitch.get() if request.auth == "twitch-app" else None
            headers = auth_headers(request.auth, self._credentials, token)
            try:
                return await self._send(None, request, platform, username, headers)
            except ProviderAuthError as exc:
                if token is None or exc.status != 401 or turn == 2:
                    raise
                self._twitch.forget(token)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, request: ProviderRequest, platform: str, username: str) -> Reply:
        """One policy attempt: on a quota answer, the same call moves to the next usable key."""
        spent: QuotaExceeded | None = None
        for _ in range(len(self._pool) + 1):
            try:
                key = await self._pool.acquire(request.host)
            except QuotaExceeded as every_key:
                if spent is None:  # the guard: no request at all
                    every_key.platform, every_key.username = platform, username
                    raise
                spent.reset_at = every_key.reset_at  # when the first key comes back
                if every_key.reset_at is not None:
                    back = f"{every_key.reset_at:%Y-%m-%d %H:%M:%S} UTC"
                    spent.message = f"{spent.message} (every key spent; first back at {back})"
                raise spent from None
            try:
                return await self._send(key, request, platform, username)
            except QuotaExceeded as exc:
                spent = exc
        assert spent is not None  # each turn benched a key; the pool ran out
        raise spent

    async def _send(
        self,
        key: str | None,
        request: ProviderRequest,
        platform: str,
        username: str,
        official: CIMultiDictProxy[str] | None = None,
    ) -> Reply:
        """Send one HTTP request with a RapidAPI ``key``, or the ``official`` headers when
        ``key`` is ``None``; return the JSON and its bytes, or raise the classified error.

        The exchange is awaited here, not in a coroutine of its own, so the waits for the
        connection and the answer pass through one layer fewer; the answer is read (the body
        capped) inside the response, judged by :meth:`_answer` once it is released.
        """
        host = request.host
        headers = official if key is None else self._headers(key, host)
        session = self._http.get()
        if self._limiter is not None:
            await self._limiter.acquire(host)
        url, params = self._targets.target(request)
        self._metrics.incr(UPSTREAM_CALLS, platform)
        try:
            async with session.get(
                url, params=params, headers=headers, timeout=self._timeout, allow_redirects=False
            ) as resp:
                status = resp.status
                ok = 200 <= status < 300
                raw = await read_capped(resp, self._max_body if ok else ERROR_BODY_CAP)
                answer_headers = resp.headers
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = network_error(exc, host=host, platform=platform, username=username)
            cause = None if isinstance(exc, aiohttp.ClientResponseError) else exc  # holds headers
            raise error from cause
        return await self._answer(key, request, platform, username, status, answer_headers, raw)

    async def _answer(
        self,
        key: str | None,
        request: ProviderRequest,
        platform: str,
        username: str,
        status: int,
        answer_headers: Headers,
        raw: bytes | None,
    ) -> Reply:
        """The books kept on an answer (``raw`` is ``None`` when the body was over the cap),
        then its JSON and bytes, or the classified error."""
        host = request.host
        if key is None:  # the response is released: the books are kept after the read
            self._official.record(host, answer_headers)
        else:
            limit, remaining, reset_in = quota_values(answer_headers)  # all None: ignored
            await self._pool.record(host, key, limit=limit, remaining=remaining, reset_in=reset_in)
        if logger.isEnabledFor(logging.DEBUG):
            request_id = answer_headers.get("x-rapidapi-request-id")
            log = "RapidAPI GET %s%s for %s -> %d (request id %s)"
            logger.debug(log, host, request.path, platform, status, request_id)
        body, parsed = decode(raw) if raw is not None else ("", False)
        if plain_success(status, body):  # a 2xx JSON object classify would pass
            if key is not None:
                self._pool.mark_ok(host, key)
            return Reply(body, raw or b"")
        facts = {"platform": platform, "host": host, "username": username, "status": status}
        facts["request_id"] = answer_headers.get("x-rapidapi-request-id")
        answer = Answer(status, answer_headers, raw, body, parsed, facts)
        if key is None:
            value = official_verdict(request, answer, self._official, self._max_body)
        else:
            value = await rapidapi_verdict(request, answer, self._pool, key, self._max_body)
        return Reply(value, raw or b"")
