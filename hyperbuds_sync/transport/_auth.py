"""Credentials of the official APIs and the headers each auth kind sends (RapidAPI's included).

:class:`Credentials` holds the X bearer token, the YouTube API key and the Twitch client id and
secret; its ``repr`` shows only whether each is set. :class:`TwitchAppToken` fetches the Helix app
token by client credentials once, reuses it until shortly before it expires, and is told to
forget it on a 401 (the gateway then fetches a new one once). Every secret and every token is
registered with the log redaction filter, and no error built here carries one: the token request
sends the secret in the POST body, never in the URL aiohttp would quote in its errors.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import aiohttp
from attrs import field, frozen
from multidict import CIMultiDict, CIMultiDictProxy

from .._logging import register_secret
from ..errors import MalformedPayload, ProviderAuthError, ProviderError, ProviderUnavailable
from ._session import SessionHolder
from ._wire import decode, read_capped

__all__ = [
    "AUTH_KINDS",
    "OAUTH_HOST",
    "TOKEN_BODY_CAP",
    "Credentials",
    "RapidAPIHeaders",
    "TwitchAppToken",
    "auth_headers",
]

AUTH_KINDS: Final = ("rapidapi", "x-bearer", "google-key", "twitch-app")
OAUTH_HOST: Final = "id.twitch.tv"
OAUTH_PATH: Final = "/oauth2/token"
TOKEN_MARGIN: Final = 60.0  # a token is renewed this many seconds before it expires
TOKEN_BODY_CAP: Final = 16 * 1024
"""Decoded bytes a token answer may have (a token, its lifetime and its type): read by the
transport's one capped reader, as every provider answer is."""


def _shown(value: object) -> str:
    return "<set>" if value else "None"


@frozen
class Credentials:
    """The official APIs' credentials. ``repr`` says only which are set.

    Attributes:
        x_bearer_token: the X API v2 app bearer token (``X_BEARER_TOKEN``).
        youtube_api_key: the YouTube Data API key (``YOUTUBE_API_KEY``).
        twitch_client_id: the Twitch application's client id (``TWITCH_CLIENT_ID``).
        twitch_client_secret: its client secret (``TWITCH_CLIENT_SECRET``).
    """

    x_bearer_token: str | None = field(default=None, repr=_shown)
    youtube_api_key: str | None = field(default=None, repr=_shown)
    twitch_client_id: str | None = field(default=None, repr=_shown)
    twitch_client_secret: str | None = field(default=None, repr=_shown)

    def __attrs_post_init__(self) -> None:
        for secret in (self.x_bearer_token, self.youtube_api_key, self.twitch_client_secret):
            if secret:
                register_secret(secret)

    def missing(self, auth: str) -> tuple[str, ...]:
        """The environment variables ``auth`` needs that are not set (``()`` when ready)."""
        needs = {
            "x-bearer": {"X_BEARER_TOKEN": self.x_bearer_token},
            "google-key": {"YOUTUBE_API_KEY": self.youtube_api_key},
            "twitch-app": {
                "TWITCH_CLIENT_ID": self.twitch_client_id,
                "TWITCH_CLIENT_SECRET": self.twitch_client_secret,
            },
        }.get(auth, {})
        return tuple(name for name, value in needs.items() if not value)

    def present(self) -> tuple[str, ...]:
        """The variables that are set, for choosing default chains."""
        every = ("X_BEARER_TOKEN", "YOUTUBE_API_KEY", "TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET")
        gone = {*self.missing("x-bearer"), *self.missing("google-key")}
        gone |= set(self.missing("twitch-app"))
        return tuple(name for name in every if name not in gone)


def auth_headers(auth: str, credentials: Credentials, token: str | None) -> CIMultiDictProxy[str]:
    """The headers of an official API call (``token``: the Helix app token for twitch-app)."""
    headers: dict[str, str] = {"accept": "application/json"}
    if auth == "x-bearer":
        headers["Authorization"] = f"Bearer {credentials.x_bearer_token}"
    elif auth == "google-key":
        headers["X-Goog-Api-Key"] = credentials.youtube_api_key or ""
    elif auth == "twitch-app":
        headers["Client-Id"] = credentials.twitch_client_id or ""
        headers["Authorization"] = f"Bearer {token}"
    else:
        raise ValueError(f"unknown auth kind {auth!r}; known: {', '.join(AUTH_KINDS)}")
    return CIMultiDictProxy(CIMultiDict(headers))


class RapidAPIHeaders:
    """The ``x-rapidapi-*`` headers per key and host, each set built once (read-only, so
    aiohttp's copy is the only one ever changed)."""

    def __init__(self) -> None:
        self._sets: dict[tuple[str, str], CIMultiDictProxy[str]] = {}

    def __call__(self, key: str, host: str) -> CIMultiDictProxy[str]:
        """The headers for ``key`` on ``host``."""
        headers = self._sets.get((key, host))
        if headers is None:
            built = CIMultiDict(
                {"x-rapidapi-key": key, "x-rapidapi-host": host, "accept": "application/json"}
            )
            headers = self._sets[key, host] = CIMultiDictProxy(built)
        return headers


class TwitchAppToken:
    """The Helix app access token, by client credentials, shared by every call of a client.

    Args:
        credentials: the Twitch client id and secret.
        session: the client's session holder.
        url: the token URL (``https://id.twitch.tv/oauth2/token`` or its ``endpoints`` entry).
        timeout: the per-attempt timeout.
        clock: seconds on a monotonic clock, which the token's lifetime is counted on (tests pass
            a fake one): a wall-clock jump neither expires nor prolongs it.
    """

    def __init__(
        self,
        credentials: Credentials,
        session: SessionHolder,
        url: str,
        timeout: aiohttp.ClientTimeout,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._http = session
        self._url = url
        self._timeout = timeout
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetched = 0  # how many tokens were fetched (tests read it)

    def __repr__(self) -> str:
        return f"TwitchAppToken(url={self._url!r}, token={_shown(self._token)})"

    async def get(self) -> str:
        """A valid token: the held one, else a new one (one fetch for concurrent callers)."""
        if self._token is not None and self._clock() < self._expires:
            return self._token
        async with self._lock:
            if self._token is None or self._clock() >= self._expires:
                await self._fetch()
            assert self._token is not None
            return self._token

    def forget(self, token: str) -> None:
        """``token`` was refused (401): the next :meth:`get` fetches a new one."""
        if self._token == token:
            self._token = None

    async def _fetch(self) -> None:
        form = {
            "client_id": self._credentials.twitch_client_id or "",
            "client_secret": self._credentials.twitch_client_secret or "",
            "grant_type": "client_credentials",
        }
        facts: dict[str, Any] = {"platform": "twitch", "host": OAUTH_HOST}
        try:
            async with self._http.get().post(
                self._url, data=form, timeout=self._timeout, allow_redirects=False
            ) as resp:
                status = resp.status
                raw = await read_capped(resp, TOKEN_BODY_CAP)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            what = type(exc).__name__
            raise ProviderUnavailable(
                f"the Twitch token endpoint could not be reached ({what})", **facts
            ) from None
        if raw is None and 200 <= status < 300:  # over the cap: closed, the rest never read
            raise MalformedPayload(
                f"the Twitch token answer is larger than {TOKEN_BODY_CAP} bytes (HTTP {status})",
                status=status,
                **facts,
            )
        body, _parsed = decode(raw) if raw is not None else ("", False)
        self._learn(status, body, facts)

    def _learn(self, status: int, body: object, facts: dict[str, Any]) -> None:
        if status in (400, 401, 403):
            raise ProviderAuthError(
                f"Twitch refused the client credentials (HTTP {status}): check "
                "TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET",
                status=status,
                **facts,
            )
        if status >= 500:
            raise ProviderUnavailable(f"the Twitch token endpoint answered {status}", **facts)
        token = body.get("access_token") if isinstance(body, Mapping) else None
        expires = body.get("expires_in") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token or status != 200:
            raise ProviderError(f"the Twitch token answer has no token (HTTP {status})", **facts)
        register_secret(token)
        life = float(expires) if isinstance(expires, int | float) and expires > 0 else 3600.0
        self._token = token
        self._expires = self._clock() + max(life - TOKEN_MARGIN, 1.0)
        self.fetched += 1
