"""An in-process emulator of the RapidAPI gateway and the profile providers behind it.

One base URL serves every provider (tiktok-api23 and -api45, twitter241, twitch-scraper2,
instagram-looter2 and -scraper-api2, youtube138), routed by the ``x-rapidapi-host`` header,
as the real gateway routes by host. The gateway part checks the key, the per-second limit and
the monthly quota and adds the ``x-ratelimit-requests-*`` headers; the provider part answers
creators in each provider's real shape, or its own not-found answer.
"""

from __future__ import annotations

import itertools
import random
import re
import secrets
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from aiohttp import web

from ._bodies import gateway_error_body
from ._book import CreatorBook
from ._creators import (
    AUTOGENERATE_PATTERN,
    PLATFORMS,
    Creator,
    canonical_username,
    generate_creator,
    starting_creators,
)
from ._faults import CannedAnswer, Fault, FaultRules, apply_fault, dumps
from ._gateway import CallCounts, add_rate_headers, gateway_headers, gateway_refusal, refusal
from ._limits import Spent
from ._renders import youtube_id
from ._server import EmulatorServer
from ._shapes import PROVIDERS, Provider, host_of

__all__ = ["DEFAULT_RANDOM_FAULTS", "TEST_KEY", "RapidAPIEmulator", "gateway_error_body"]

TEST_KEY = "test-rapidapi-key-0000"
"""A RapidAPI key for tests; the emulator accepts it (and, by default, any other)."""

DEFAULT_RANDOM_FAULTS: tuple[Fault, ...] = (Fault.status(502), Fault.status(503), Fault.status(504))
"""The faults ``fault_rate`` draws from when no ``faults`` are given."""

_CHANNEL_ID = re.compile(r"uc[a-z0-9_-]{22}")  # a YouTube channel id, lower-cased
_RENDER_CACHE_MAX = 100_000
_NOT_FOUND = {host: dumps(p.not_found) for host, p in PROVIDERS.items()}


def _check_fault_rate(fault_rate: float, faults: Sequence[Fault]) -> None:
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError("fault_rate must be within [0, 1]")
    if fault_rate and not faults:
        raise ValueError("fault_rate needs at least one fault to draw from")


class RapidAPIEmulator(EmulatorServer):
    """The RapidAPI gateway and its TikTok, Twitter, Twitch, Instagram and YouTube providers.

    Use ``async with RapidAPIEmulator() as emu:`` and point the SDK's RapidAPI endpoint at
    ``emu.url``. Requests name their provider in ``x-rapidapi-host``; the paths are
    ``/api/user/info?uniqueId=`` (tiktok-api23), ``/api/v1/user/detail?unique_id=``
    (tiktok-api45), ``/user?username=`` (twitter241), ``/api/channels/info?channel=``
    (twitch-scraper2), ``/profile?username=`` (instagram-looter2),
    ``/v1/info?username_or_id_or_url=`` (instagram-scraper-api2, not found: HTTP 404) and
    ``/channel/details/?id=@handle`` or ``?id=UC...`` (youtube138). The providers of one
    platform serve the same creators, so their counts agree; each host has its own quota
    (``quota_per_host``) and can have its own faults (``fail(..., provider=)``).

    Args:
        creators: creators per platform, added to (or, with ``sample_creators=False``, instead
            of) the sample creators.
        sample_creators: start with the sample creators (``mayacooks``, ``pixelmaya``,
            ``maya.cooks``, ...; see :func:`seed_creators`).
        autogenerate: invent a deterministic creator for unknown usernames matching
            :data:`AUTOGENERATE_PATTERN` (``True``) or a regular expression of your own (a ``str``).
        valid_keys: the keys subscribed to every provider; ``None`` accepts any non-empty key.
            A missing key answers 401, a key outside the set 403.
        quota: requests per scope and period before the MONTHLY-quota 429; ``None`` for no quota.
        quota_per_host: the scope of the quota (and of ``per_second``): a key on one host, as
            RapidAPI bills per application and API (default), or a key across all hosts.
        reset_after: the period in seconds (``x-ratelimit-requests-reset`` counts down to its end,
            then the quota refills); ``None`` for calendar months.
        per_second: requests per scope in any one second before the per-second 429.
        per_second_retry_after: send ``Retry-After`` with the per-second 429 (RapidAPI often
            does not).
        fault_rate: the probability that an answer is replaced by one of ``faults``.
        faults: what ``fault_rate`` draws from (default: 502, 503 and 504).
        seed: seeds the fault draws (``random.Random(seed)``), so a run is repeatable.
        plan: the plan name quoted in the 429 messages.
        clock: the monotonic clock of the quota period and the per-second windows; a test may
            pass its own to move time on instead of sleeping.

    Quota, per-second windows and call counts are kept per key; every request counts as a call,
    and every request that passes the key check, the per-second limit and the quota spends one
    unit of quota (provider not-found answers and injected faults included). Rate-limit headers
    are sent on every answer to a valid key; answers to unknown hosts and bad keys carry none.
    Rendered answers are cached as bytes per creator, and nothing random happens per request
    unless ``fault_rate`` is set, so the hot path is cheap enough for load tests.
    """

    def __init__(
        self,
        *,
        creators: Mapping[str, Iterable[Creator]] | None = None,
        sample_creators: bool = True,
        autogenerate: bool | str = False,
        valid_keys: Collection[str] | None = None,
        quota: int | None = None,
        quota_per_host: bool = True,
        reset_after: float | None = None,
        per_second: int | None = None,
        per_second_retry_after: bool = False,
        fault_rate: float = 0.0,
        faults: Sequence[Fault] = DEFAULT_RANDOM_FAULTS,
        seed: int | None = None,
        plan: str = "BASIC",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(host=host, port=port)
        _check_fault_rate(fault_rate, faults)
        self.valid_keys = None if valid_keys is None else frozenset(valid_keys)
        self.quota_per_host = quota_per_host
        self.per_second_retry_after = per_second_retry_after
        self.fault_rate = fault_rate
        self.faults = tuple(faults)
        self.plan = plan
        pattern = AUTOGENERATE_PATTERN if autogenerate is True else autogenerate or None
        self._pattern = re.compile(pattern) if pattern else None
        self._spent = Spent(
            quota=quota, per_second=per_second, reset_after=reset_after, clock=clock
        )
        self._rules = FaultRules()
        self._rng = random.Random(seed)  # not for security
        self._creators = CreatorBook()
        self._rendered: dict[tuple[str, str], bytes] = {}
        self._counts = CallCounts()
        self._id_prefix = secrets.token_hex(24)
        self._ids = itertools.count()
        for platform, creator in starting_creators(sample_creators, creators):
            self.add_creator(platform, creator)
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    # --- creators ---------------------------------------------------------------------------------

    def add_creator(self, platform: str, creator: Creator) -> None:
        """Serve ``creator`` on ``platform`` (replacing one with the same username)."""
        name = self._creators.add(platform, creator)
        self._rendered.pop((platform, name), None)

    def remove_creator(self, platform: str, username: str) -> None:
        """Stop serving a creator: the provider answers not-found (unless autogenerated)."""
        name = self._creators.remove(platform, username)
        self._rendered.pop((platform, name), None)

    def creator(self, platform: str, username: str) -> Creator | None:
        """The creator served for ``username`` on ``platform``, autogenerated if enabled."""
        name = canonical_username(username)
        if platform == "youtube" and _CHANNEL_ID.fullmatch(name):
            return self._creators.find("youtube", lambda c: youtube_id(c).lower() == name)
        found = self._creators.get(platform, name)
        if found is None and self._pattern is not None and name and self._pattern.fullmatch(name):
            found = generate_creator(platform, name)
        return found

    def prerender(self, platform: str, usernames: Iterable[str]) -> None:
        """Render and cache the answers for ``usernames`` now (a benchmark's warm-up).

        Answers are otherwise rendered on first request and cached as bytes.
        """
        provider = PROVIDERS[host_of(platform)]
        for username in usernames:
            self._body(provider, canonical_username(username))

    # --- faults and plan --------------------------------------------------------------------------

    def fail(
        self,
        username: str,
        fault: Fault,
        *,
        times: int | None = None,
        platform: str | None = None,
        provider: str | None = None,
    ) -> None:
        """Answer requests for ``username`` with ``fault``, ``times`` times (``None``: always).

        Applies on every platform unless ``platform`` is given, or on one provider only with
        ``provider`` (its name, ``"tiktok-api45"``, or its host). Faults apply after the
        gateway's key, rate and quota checks; the request spends quota as a real one would.
        """
        if platform is not None and platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}")
        scope = platform
        if provider is not None:
            scope = provider if "." in provider else f"{provider}.p.rapidapi.com"
            if scope not in PROVIDERS:
                raise ValueError(f"unknown provider {provider!r}")
        self._rules.add(canonical_username(username), fault, times=times, scope=scope)

    def clear_faults(self, username: str | None = None) -> None:
        """Forget the faults set with :meth:`fail` for ``username``, or all of them."""
        self._rules.clear(None if username is None else canonical_username(username))

    def set_quota(self, quota: int | None) -> None:
        """Change the quota at runtime; what was spent this period stays spent."""
        self._spent.set_quota(quota)

    def reset_quota(self, key: str | None = None) -> None:
        """Refill the quota (and per-second windows) of every key, or of one key."""
        self._spent.reset(key)

    # --- counting ---------------------------------------------------------------------------------

    @property
    def calls(self) -> int:
        """Requests received since start or :meth:`reset_counts`, rejected ones included."""
        return self._counts.total

    def calls_for(
        self,
        host: str | None = None,
        username: str | None = None,
        *,
        platform: str | None = None,
        key: str | None = None,
    ) -> int:
        """Requests received that match every filter given (``platform`` names its host)."""
        if platform is not None:
            host = host_of(platform)
        name = None if username is None else canonical_username(username)
        return self._counts.matching(host, name, key)

    def reset_counts(self) -> None:
        """Set all call counts to 0 (the quota is not touched: see :meth:`reset_quota`)."""
        self._counts.clear()

    # --- the request path -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = request.headers.get("x-rapidapi-host", "").strip().lower()
        key = request.headers.get("x-rapidapi-key", "").strip()
        provider = PROVIDERS.get(host)
        endpoint = (
            provider is not None and request.method == "GET" and request.path == provider.path
        )
        username = ""
        if provider is not None and endpoint:
            username = canonical_username(request.query.get(provider.param, ""))
        self._counts.count(host, username, key)
        headers = gateway_headers(f"{self._id_prefix}{next(self._ids):016x}")
        if provider is None:
            return gateway_refusal(404, {"message": "API doesn't exists"}, headers)
        if not key:
            return gateway_refusal(401, gateway_error_body(401), headers)
        if self.valid_keys is not None and key not in self.valid_keys:
            return gateway_refusal(403, gateway_error_body(403), headers)
        scope = (key, host if self.quota_per_host else "")
        if endpoint:
            refused = refusal(
                self._spent,
                provider,
                scope,
                plan=self.plan,
                retry_after=self.per_second_retry_after,
            )
        else:
            refused = 404, {"message": f"Endpoint '{request.path}' does not exist"}, {}
        add_rate_headers(headers, self._spent, scope)
        if refused is not None:
            status, body, extra = refused
            return CannedAnswer(status, dumps(body), {**headers, **extra}).response()
        return await self._answer(request, provider, username, headers)

    async def _answer(
        self, request: web.Request, provider: Provider, username: str, headers: dict[str, str]
    ) -> web.StreamResponse:
        rules = self._rules
        fault = rules.take(username, provider.platform, alias=provider.host) if rules else None
        if fault is None and self.fault_rate and self._rng.random() < self.fault_rate:
            fault = self._rng.choice(self.faults)

        def normal() -> CannedAnswer:
            body = self._body(provider, username)
            found = body is not _NOT_FOUND[provider.host]  # the shared not-found bytes
            return CannedAnswer(200 if found else provider.not_found_status, body, headers)

        if fault is None:
            return normal().response()
        return await apply_fault(fault, request, headers, normal, gateway_error_body)

    def _body(self, provider: Provider, username: str) -> bytes:
        cache_key = (provider.platform, username)
        body = self._rendered.get(cache_key)
        if body is not None:
            return body
        creator = self.creator(provider.platform, username) if username else None
        if creator is None:
            return _NOT_FOUND[provider.host]
        if len(self._rendered) >= _RENDER_CACHE_MAX:
            self._rendered.clear()
        body = self._rendered[cache_key] = dumps(provider.render(creator))
        return body
