"""The provider transport: the only place that talks to RapidAPI and the official APIs.

Every request goes through the client's :class:`~._loop.RequestLoop` (its session, its capped
send, its retry loop) with the providers' retry policy. The gateway adds the headers of the
request's auth kind (``x-rapidapi-*`` with a key from the :class:`~hyperbuds_sync.quota.KeyPool`,
or an official API's credential, ``_auth``), the URL (``_targets``), an optional client-side
rate limit, and for an answer off the plain path the verdict (``_verdict``: the error from
``classify``, the books kept). Every error is built once with its facts (platform, provider,
username, host, status) and never edited after.

The gateway never knows which platform it serves beyond the ``platform`` name it is given for
errors and metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

import aiohttp
from attrs import frozen

from .. import _logging
from .._logging import logger
from ..errors import (
    HyperbudsSyncError,
    ProviderAuthError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
)
from ..metrics import UPSTREAM_CALLS, Metrics
from ..models import ProviderRequest, QuotaStatus
from ..quota import KeyPool
from ._auth import (
    OAUTH_HOST,
    OAUTH_PATH,
    Credentials,
    TwitchAppToken,
    auth_headers,
    rapidapi_headers,
)
from ._classify import network_error
from ._headers import quota_values
from ._loop import NETWORK_FAULTS, Exchange, RequestLoop, Sleep
from ._official import OfficialQuota
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, retry_logger
from ._session import SessionHolder, attempt_timeout
from ._targets import Targets
from ._verdict import Answer, official_verdict, rapidapi_verdict
from ._wire import Reply, decode, plain_success

__all__ = ["Gateway"]

_RETRY_ON: Final = (RateLimited, ProviderUnavailable)


@frozen
class _Call:
    """One ``get``: the request and the facts every error about it is built with."""

    request: ProviderRequest
    platform: str
    username: str
    provider: str | None


# --- the gateway ---------------------------------------------------------------------------------


class Gateway:
    """Sends ``GET`` requests to the providers (RapidAPI and the official APIs) and returns
    their JSON.

    Args:
        keys: RapidAPI keys (ignored when ``key_pool`` is given, which must then hold them).
        endpoint: a base URL (emulator or proxy) to send to instead of ``https://{host}``;
            ``x-rapidapi-host`` is still the provider host.
        session: the :class:`RequestLoop` to send through (a client's, shared with its backend
            and webhooks), or a session or holder to borrow; never closed here.
        timeout: seconds per attempt for the provider to answer (see :func:`attempt_timeout`);
            the wait for a pooled connection or the rate limiter is not part of it.
        retry: the providers' retry policy for :class:`RateLimited` and
            :class:`ProviderUnavailable`.
        metrics: where ``upstream_calls``, ``retries`` and ``errors.*`` are counted.
        key_pool: a configured :class:`KeyPool` (reserve, alert hook, shared state).
        limiter: a client-side :class:`RateLimiter`; ``None`` means no limit.
        max_body_bytes: a larger answer is refused with :class:`MalformedPayload` unread.
        connector_limit, connector_limit_per_host: an owned session's connection limits.
        sleep: how an owned loop waits between retries (tests pass one that does not wait).

    Redirects are not followed: a redirect would carry the key to another host. On a quota
    answer the same call moves to the next usable key (not a retry); a 401/403 key is preferred
    last from then on (:meth:`KeyPool.mark_bad`) but the error is raised, not retried with
    another key.
    """

    def __init__(
        self,
        *,
        keys: Sequence[str] = (),
        endpoint: str | None = None,
        session: aiohttp.ClientSession | SessionHolder | RequestLoop | None = None,
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
        sleep: Sleep | None = None,
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
        self._loop = RequestLoop(
            session,
            limit=connector_limit,
            limit_per_host=connector_limit_per_host,
            sleep=sleep,
        )
        self._timeout = attempt_timeout(timeout)
        self._retry = retry
        self._metrics = metrics if metrics is not None else Metrics()
        self._limiter = limiter
        self._max_body = max_body_bytes
        self._on_retry = retry_logger(self._metrics, logger, "provider call")
        self._credentials = credentials if credentials is not None else Credentials()
        self._official = OfficialQuota()
        token_url = f"{self._targets.base_for(OAUTH_HOST, 'twitch-app')}{OAUTH_PATH}"
        self._twitch = TwitchAppToken(self._credentials, self._loop, token_url, self._timeout)

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

    async def aclose(self) -> None:
        """Close the session if this gateway created it; a borrowed one stays open."""
        await self._loop.aclose()

    async def get(
        self, request: ProviderRequest, *, platform: str, username: str, provider: str = ""
    ) -> Reply:
        """``GET`` the request, retried per the policy: the decoded JSON with the body's bytes.

        ``provider`` (the public provider name) is one of the facts every error is built with.

        Raises:
            ApiConfigError: no RapidAPI key is configured (a RapidAPI request).
            QuotaExceeded, RateLimited, UsernameNotFound, ProviderAuthError,
            ProviderUnavailable, MalformedPayload, ProviderError: see :func:`classify`.
        """
        call = _Call(request, platform, username, provider or None)
        attempt = self._attempt if request.auth == "rapidapi" else self._official_attempt
        try:  # an empty key pool raises ApiConfigError on the first acquire, before any request
            return await self._loop.call(
                self._retry, _RETRY_ON, attempt, call, on_retry=self._on_retry
            )
        except HyperbudsSyncError as exc:
            self._metrics.error(exc, platform)
            logger.debug("provider call for %s on %s failed: %r", platform, request.host, exc)
            raise

    async def _official_attempt(self, call: _Call) -> Reply:
        """One policy attempt on an official API; for Helix a 401 fetches a new app token once
        and sends again."""
        auth = call.request.auth
        for turn in (1, 2):
            token = await self._twitch.get(call.provider) if auth == "twitch-app" else None
            headers = auth_headers(auth, self._credentials, token)
            try:
                return await self._send(call, headers, None)
            except ProviderAuthError as exc:
                if token is None or exc.status != 401 or turn == 2:
                    raise
                self._twitch.forget(token)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, call: _Call) -> Reply:
        """One policy attempt: on a quota answer, the same call moves to the next usable key."""
        host = call.request.host
        spent: QuotaExceeded | None = None
        for _ in range(len(self._pool) + 1):
            try:
                key = await self._pool.acquire(host)
            except QuotaExceeded as every_key:
                raise _every_key_spent(call, every_key, spent) from None
            try:
                return await self._send(call, rapidapi_headers(key, host), key)
            except QuotaExceeded as exc:
                spent = exc
        assert spent is not None  # each turn benched a key; the pool ran out
        raise spent

    async def _send(self, call: _Call, headers: dict[str, str], key: str | None) -> Reply:
        """Send one request with ``headers`` (``key``: the RapidAPI key in them, ``None`` for an
        official API); return the JSON and its bytes, or raise the classified error."""
        request = call.request
        if self._limiter is not None:
            await self._limiter.acquire(request.host)
        self._metrics.incr(UPSTREAM_CALLS, call.platform)
        try:
            answer = await self._loop.send(
                "GET",
                self._targets.url(request),
                params=dict(request.params),
                headers=headers,
                cap=self._max_body,
                timeout=self._timeout,
            )
        except NETWORK_FAULTS as exc:
            error = network_error(
                exc,
                host=request.host,
                platform=call.platform,
                username=call.username,
                provider=call.provider,
            )
            cause = None if isinstance(exc, aiohttp.ClientResponseError) else exc  # holds headers
            raise error from cause
        return await self._answer(call, key, answer)

    async def _answer(self, call: _Call, key: str | None, exchange: Exchange) -> Reply:
        """The books kept on an answer, then its JSON and bytes, or the classified error."""
        request, host, status = call.request, call.request.host, exchange.status
        if key is None:
            self._official.record(host, exchange.headers)
        else:
            limit, remaining, reset_in = quota_values(exchange.headers)  # all None: ignored
            await self._pool.record(host, key, limit=limit, remaining=remaining, reset_in=reset_in)
        if logger.isEnabledFor(logging.DEBUG):
            request_id = exchange.headers.get("x-rapidapi-request-id")
            log = "GET %s%s for %s -> %d (request id %s)"
            logger.debug(log, host, request.path, call.platform, status, request_id)
        raw = exchange.body
        body, parsed = decode(raw) if raw is not None else ("", False)
        if plain_success(status, body):  # a 2xx JSON object classify would pass
            if key is not None:
                self._pool.mark_ok(host, key)
            return Reply(body, raw or b"")
        facts: dict[str, Any] = {"platform": call.platform, "host": host, "username": call.username}
        facts.update(status=status, provider=call.provider)
        facts["request_id"] = exchange.headers.get("x-rapidapi-request-id")
        answer = Answer(status, exchange.headers, raw, body, parsed, facts)
        if key is None:
            value = official_verdict(request, answer, self._official, self._max_body)
        else:
            value = await rapidapi_verdict(request, answer, self._pool, key, self._max_body)
        return Reply(value, raw or b"")


def _every_key_spent(
    call: _Call, every_key: QuotaExceeded, spent: QuotaExceeded | None
) -> QuotaExceeded:
    """The error for a pool with no usable key left: the pool's own (before any request) or
    the last key's quota answer with when the first key comes back, built with the call's
    facts."""
    if spent is None:  # the guard: no request at all
        facts = every_key.facts()
        facts.update(platform=call.platform, username=call.username, provider=call.provider)
        return QuotaExceeded(every_key.message, reset_at=every_key.reset_at, **facts)
    message = spent.message
    if every_key.reset_at is not None:
        back = f"{every_key.reset_at:%Y-%m-%d %H:%M:%S} UTC"
        message = f"{message} (every key spent; first back at {back})"
    return QuotaExceeded(message, reset_at=every_key.reset_at, **spent.facts())
