"""An in-process emulator of the official APIs: X API v2, Twitch Helix (with its token
endpoint) and the YouTube Data API v3, on one loopback port.

Each API checks its own credentials, keeps its own limit and sends its own limit headers:
X ``x-rate-limit-*`` (a window per token, 429 when spent), Helix ``Ratelimit-*`` (a bucket of
points per client id a minute, 429 when spent; 401 for a missing, unknown or expired token) and
YouTube's daily units (403 ``quotaExceeded`` when spent, back at midnight Pacific time). Their
not-found answers are their own: X's 200 ``errors`` list, Helix ``{"data": []}`` and YouTube's
channel list without items. Paths are the real ones, so the SDK's ``endpoints`` setting can
point ``api.x.com``, ``api.twitch.tv``, ``id.twitch.tv`` and ``www.googleapis.com`` here.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from aiohttp import web

from . import _bodies as bodies
from ._book import CreatorBook
from ._creators import Creator, canonical_username, starting_creators
from ._faults import JSON_TYPE, CannedAnswer, Fault, FaultRules, apply_fault, dumps
from ._helix import HelixTokens
from ._limits import Window, seconds_to_pacific_midnight
from ._renders import (
    helix_followers,
    helix_id,
    helix_user,
    x_not_found,
    x_user,
    youtube_channel,
    youtube_id,
)
from ._server import EmulatorServer

__all__ = [
    "TEST_TWITCH_CLIENT_ID",
    "TEST_TWITCH_CLIENT_SECRET",
    "TEST_X_TOKEN",
    "TEST_YOUTUBE_KEY",
    "OfficialEmulator",
]

TEST_X_TOKEN = "test-x-bearer-token-0000"
"""An X API bearer token the emulator accepts by default."""
TEST_TWITCH_CLIENT_ID = "test-twitch-client-id-0000"
"""A Twitch client id the emulator accepts by default (with :data:`TEST_TWITCH_CLIENT_SECRET`)."""
TEST_TWITCH_CLIENT_SECRET = "test-twitch-client-secret-0000"
"""The Twitch client secret that goes with :data:`TEST_TWITCH_CLIENT_ID`."""
TEST_YOUTUBE_KEY = "test-youtube-api-key-0000"
"""A YouTube Data API key the emulator accepts by default."""

_TEST_CLIENTS = {TEST_TWITCH_CLIENT_ID: TEST_TWITCH_CLIENT_SECRET}
_X_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
_HELIX_HEADERS = ("Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset")
APIS = ("x", "helix", "youtube")
"""The APIs the emulator serves, as named in :meth:`OfficialEmulator.fail` and its counts."""


class OfficialEmulator(EmulatorServer):
    """X API v2, Twitch Helix and YouTube Data API v3 on one loopback port.

    Routes: ``GET /2/users/by/username/{username}`` (``Authorization: Bearer``),
    ``POST /oauth2/token`` (client credentials), ``GET /helix/users?login=`` and
    ``GET /helix/channels/followers?broadcaster_id=`` (``Client-Id`` and an app token),
    ``GET /youtube/v3/channels?part=snippet,statistics&forHandle=@h`` or ``&id=UC...``
    (``X-Goog-Api-Key``; a ``key`` query parameter works too, and is counted in
    :attr:`keys_in_url` so tests can check the SDK never sends one).

    Args:
        creators: creators per platform (``twitter``, ``twitch``, ``youtube``), added to (or,
            with ``sample_creators=False``, instead of) the sample creators.
        x_tokens: bearer tokens X accepts; ``None`` accepts any non-empty one.
        twitch_clients: client id -> secret pairs the token endpoint accepts; ``None`` any.
        youtube_keys: API keys YouTube accepts; ``None`` any non-empty one.
        x_limit: requests per token per ``x_window`` seconds before X's 429.
        helix_points: points per client id a minute before Helix's 429 (one per request).
        youtube_units: units per key and Pacific day before the 403 ``quotaExceeded``.
        token_ttl: ``expires_in`` of the Helix app tokens, in seconds.
        clock: the epoch clock (tests may pass their own).
    """

    def __init__(
        self,
        *,
        creators: Mapping[str, Iterable[Creator]] | None = None,
        sample_creators: bool = True,
        x_tokens: Collection[str] | None = (TEST_X_TOKEN,),
        twitch_clients: Mapping[str, str] | None = _TEST_CLIENTS,
        youtube_keys: Collection[str] | None = (TEST_YOUTUBE_KEY,),
        x_limit: int = 300,
        x_window: float = 900.0,
        helix_points: int = 800,
        youtube_units: int = 10_000,
        token_ttl: int = 5_011_271,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.x_tokens = None if x_tokens is None else frozenset(x_tokens)
        self.twitch_clients = None if twitch_clients is None else dict(twitch_clients)
        self.youtube_keys = None if youtube_keys is None else frozenset(youtube_keys)
        self.token_ttl = token_ttl
        self._limits = {
            "x": Window(x_limit, lambda _: x_window, clock),
            "helix": Window(helix_points, lambda _: 60.0, clock),
            "youtube": Window(youtube_units, seconds_to_pacific_midnight, clock),
        }
        self._tokens = HelixTokens(clock)
        self._creators = CreatorBook()
        self._rules = FaultRules()
        self._calls: Counter[tuple[str, str]] = Counter()
        self.token_requests = 0
        """Requests to the token endpoint."""
        self.keys_in_url = 0
        """YouTube requests that carried the key in the ``key`` query parameter."""
        for platform, creator in starting_creators(sample_creators, creators):
            self.add_creator(platform, creator)
        self._add_routes()

    def _add_routes(self) -> None:
        self.app.router.add_post("/oauth2/token", self._token)
        self.app.router.add_get("/2/users/by/username/{username}", self._x)
        self.app.router.add_get("/helix/users", self._helix_users)
        self.app.router.add_get("/helix/channels/followers", self._helix_followers)
        self.app.router.add_get("/youtube/v3/channels", self._youtube)

    # --- creators, faults, limits, counts ---------------------------------------------------------

    def add_creator(self, platform: str, creator: Creator) -> None:
        """Serve ``creator`` on ``platform`` (replacing one with the same username)."""
        self._creators.add(platform, creator)

    def remove_creator(self, platform: str, username: str) -> None:
        """Stop serving a creator: the API answers its not-found."""
        self._creators.remove(platform, username)

    def fail(
        self, username: str, fault: Fault, *, times: int | None = None, api: str | None = None
    ) -> None:
        """Answer requests for ``username`` with ``fault`` (``times`` times; ``None``: always),
        on every API or on ``api`` (``"x"``, ``"helix"`` or ``"youtube"``) only. Use the
        username ``"*token*"`` for the Helix token endpoint. Faults apply after the
        credential and limit checks."""
        if api is not None and api not in APIS:
            raise ValueError(f"unknown api {api!r}; expected one of {APIS}")
        self._rules.add(canonical_username(username), fault, times=times, scope=api)

    def clear_faults(self) -> None:
        """Forget every fault set with :meth:`fail`."""
        self._rules.clear()

    def expire_tokens(self) -> None:
        """Make every Helix token issued so far invalid (the next Helix call answers 401)."""
        self._tokens.clear()

    def reset_quota(self, api: str | None = None) -> None:
        """Refill the limit of ``api``, or of every API."""
        for name, window in self._limits.items():
            if api in (None, name):
                window.refill()

    def calls_for(self, api: str | None = None, username: str | None = None) -> int:
        """Requests received (rejected ones included) matching ``api`` and ``username``."""
        name = None if username is None else canonical_username(username)
        return sum(n for (a, u), n in self._calls.items() if api in (None, a) and name in (None, u))

    # --- Helix's token endpoint -------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        self.token_requests += 1
        form = await request.post()
        client, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"status": 400, "message": "unsupported grant type"})
        known = self.twitch_clients
        if not client or (known is not None and client not in known):
            return _json(400, {"status": 400, "message": "invalid client"})
        if not secret or (known is not None and known[client] != secret):
            return _json(403, {"status": 403, "message": "invalid client secret"})
        fault = self._rules.take("*token*", "helix") if self._rules else None
        if fault is not None:
            return await apply_fault(
                fault, request, {}, _no_answer, bodies.official_error_body("helix")
            )
        token = self._tokens.issue(client, self.token_ttl)
        body = {"access_token": token, "expires_in": self.token_ttl, "token_type": "bearer"}
        return _json(200, body)

    # --- X API v2 ---------------------------------------------------------------------------------

    async def _x(self, request: web.Request) -> web.StreamResponse:
        username = canonical_username(request.match_info["username"])
        self._calls[("x", username)] += 1
        token = _bearer(request)
        if not token or (self.x_tokens is not None and token not in self.x_tokens):
            return _json(401, bodies.X_UNAUTHORIZED)
        window = self._limits["x"]
        spent = window.spend(token)
        headers = window.headers(token, _X_HEADERS)
        if not spent:
            return _json(429, bodies.X_TOO_MANY, headers)
        creator = self._creators.get("twitter", username)
        answer = x_user(creator) if creator else x_not_found(request.match_info["username"])
        return await self._answer(request, "x", username, answer, headers)

    # --- Twitch Helix -----------------------------------------------------------------------------

    def _helix_refusal(self, request: web.Request) -> tuple[web.Response | None, dict[str, str]]:
        """The 401 or 429 for a Helix request (or ``None``), and the rate-limit headers."""
        token, client = _bearer(request), request.headers.get("Client-Id", "")
        message = self._tokens.refusal(token, client)
        if message:
            return _json(401, bodies.helix_error(401, "Unauthorized", message)), {}
        window = self._limits["helix"]
        spent = window.spend(client)
        headers = window.headers(client, _HELIX_HEADERS)
        if not spent:
            body = bodies.helix_error(429, "Too Many Requests", "Too Many Requests")
            return _json(429, body, headers), headers
        return None, headers

    async def _helix_users(self, request: web.Request) -> web.StreamResponse:
        login = canonical_username(request.query.get("login", ""))
        self._calls[("helix", login)] += 1
        refusal, headers = self._helix_refusal(request)
        if refusal is not None:
            return refusal
        creator = self._creators.get("twitch", login)
        answer = {"data": [helix_user(creator)] if creator else []}
        return await self._answer(request, "helix", login, answer, headers)

    async def _helix_followers(self, request: web.Request) -> web.StreamResponse:
        wanted = request.query.get("broadcaster_id", "")
        creator = self._creators.find("twitch", lambda c: helix_id(c) == wanted)
        login = canonical_username(creator.username) if creator else ""
        self._calls[("helix", login)] += 1
        refusal, headers = self._helix_refusal(request)
        if refusal is not None:
            return refusal
        if creator is None:
            body = bodies.helix_error(400, "Bad Request", "Invalid broadcaster_id")
            return _json(400, body, headers)
        return await self._answer(request, "helix", login, helix_followers(creator), headers)

    # --- YouTube Data API v3 ----------------------------------------------------------------------

    async def _youtube(self, request: web.Request) -> web.StreamResponse:
        handle, channel = request.query.get("forHandle", ""), request.query.get("id", "")
        creator = self._channel(handle, channel)
        name = canonical_username(creator.username) if creator else canonical_username(handle)
        self._calls[("youtube", name)] += 1
        self.keys_in_url += "key" in request.query
        key = request.headers.get("X-Goog-Api-Key", "") or request.query.get("key", "")
        if not key or (self.youtube_keys is not None and key not in self.youtube_keys):
            return _json(400, bodies.youtube_error(400, "badRequest", bodies.YOUTUBE_BAD_KEY))
        if not self._limits["youtube"].spend(key):
            body = bodies.youtube_error(
                403, "quotaExceeded", bodies.YOUTUBE_QUOTA_MESSAGE, "youtube.quota"
            )
            return _json(403, body)
        page = {"totalResults": 1 if creator else 0, "resultsPerPage": 5}
        answer: dict[str, Any] = {"kind": "youtube#channelListResponse", "etag": "emulated"}
        answer["pageInfo"] = page
        if creator is not None:
            answer["items"] = [youtube_channel(creator)]
        return await self._answer(request, "youtube", name, answer, {})

    def _channel(self, handle: str, channel: str) -> Creator | None:
        if handle:
            return self._creators.get("youtube", canonical_username(handle))
        return self._creators.find("youtube", lambda c: bool(channel) and youtube_id(c) == channel)

    # --- answering --------------------------------------------------------------------------------

    async def _answer(
        self, request: web.Request, api: str, username: str, body: Any, headers: dict[str, str]
    ) -> web.StreamResponse:
        headers = {"Content-Type": JSON_TYPE, **headers}
        fault = self._rules.take(username, api) if self._rules else None

        def normal() -> CannedAnswer:
            return CannedAnswer(200, dumps(body), headers)

        if fault is None:
            return normal().response()
        return await apply_fault(fault, request, headers, normal, bodies.official_error_body(api))


def _bearer(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    return CannedAnswer(
        status, dumps(body), {"Content-Type": JSON_TYPE, **(headers or {})}
    ).response()


def _no_answer() -> CannedAnswer:
    return CannedAnswer(200, dumps({}), {"Content-Type": JSON_TYPE})
