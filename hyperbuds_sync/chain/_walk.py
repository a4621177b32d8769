"""The walk: try a platform's providers in order until one answers."""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from attrs import define

from .._logging import logger
from ..errors import (
    ConfigError,
    HyperbudsSyncError,
    InvalidInput,
    ProviderAuthError,
    ProviderError,
    QuotaExceeded,
    UsernameNotFound,
)
from ..metrics import Metrics
from ..models import ProviderRequest, ProviderState, RawAnswer
from ..platforms import PlatformRegistry, Provider
from ..providers.base import Profile
from ..quota import AUTH, AUTH_BENCH_DEFAULT, Bench, ProviderBenches
from ..transport import Credentials, Reply
from ._resolve import chain_for

__all__ = ["Failover", "Served"]

QUOTA_BENCH_DEFAULT: Final = 3600.0  # a quota answer without a reset benches for an hour


class _Get(Protocol):
    def __call__(
        self, request: ProviderRequest, *, platform: str, username: str, provider: str
    ) -> Awaitable[Reply]: ...


@define
class Served:
    """What the walk gives back: who answered, the profile read and the answer's bytes (a
    value handed once from the walk to the fetch, so a plain slotted class)."""

    provider: str
    profile: Profile
    raw: RawAnswer


class Failover:
    """Walks a platform's chain: moves on quota, auth, outage, rate limit and shape errors.

    Args:
        get: the gateway's ``get`` (the JSON and its bytes).
        registry: the providers by name.
        chains: the named chains (platform -> provider names); others get the default chain.
        credentials: the official APIs' credentials (for the default chain).
        benches: where benches live (shared through Redis when configured).
        metrics: where parse errors are counted.
        clock: epoch seconds.
        auth_bench: seconds a provider that refused the credentials (``ProviderAuthError``) is
            benched; then the next fetch tries it once more, and a refusal benches it again.
    """

    def __init__(
        self,
        get: _Get,
        registry: PlatformRegistry,
        chains: Mapping[str, tuple[str, ...]],
        credentials: Credentials,
        benches: ProviderBenches,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        auth_bench: float = AUTH_BENCH_DEFAULT,
    ) -> None:
        self._get = get
        self._registry = registry
        self._chains = chains
        self._credentials = credentials
        self._present = frozenset(credentials.present())  # frozen: which default chains apply, once
        self._benches = benches
        self._metrics = metrics
        self._clock = clock
        self._auth_bench = auth_bench
        self._suspect: set[str] = set()  # auth-benched once: its next try is one probe
        self._probing: set[str] = set()  # a fetch of this process is trying it again now
        self._built: dict[str, tuple[tuple[str, Provider], ...]] = {}  # platform -> its chain
        self._built_at = registry.changes

    def chain(self, platform: str) -> tuple[Provider, ...]:
        """The providers tried for ``platform`` (a canonical name), in order."""
        return tuple(provider for _, provider in self._named(platform))

    def _named(self, platform: str) -> tuple[tuple[str, Provider], ...]:
        """The chain with each provider's public name: built once from the settings, again only
        after the registry changed (a provider registered later)."""
        if self._built_at != self._registry.changes:
            self._built.clear()
            self._built_at = self._registry.changes
        named = self._built.get(platform)
        if named is None:
            chain = chain_for(self._registry, self._chains, self._present, platform)
            named = self._built[platform] = tuple((p.provider, p) for p in chain)
        return named

    async def fetch(self, platform: str, username: str, only: str | None = None) -> Served:
        """The first answer along the chain (only ``only`` when given).

        Raises:
            UsernameNotFound, InvalidUsername: the answer, at once (a not-found is the answer).
            QuotaExceeded: every provider is out of quota; else the first provider's error.
            Both with ``attempts``: each provider tried with its error, in order.
        """
        if only is None:
            chain = self._named(platform)
        else:
            pinned = self._registry.provider(only)
            chain = ((pinned.provider, pinned),)
        benched = await self._benches.benched()
        attempts: list[tuple[str, HyperbudsSyncError]] = []
        for name, provider in chain:
            skipped = self._skip(name, benched, platform, username)
            if skipped is not None:
                attempts.append((name, skipped))
                continue
            probing, refused = name in self._probing, False
            try:
                with self._metrics.calls_for(name):  # a budget is charged to who was asked
                    return await self._ask(provider, name, username)
            except (UsernameNotFound, InvalidInput):
                raise
            except (ProviderError, ConfigError) as exc:
                refused = isinstance(exc, ProviderAuthError)
                await self._learn(name, exc)
                attempts.append((name, exc))
            finally:
                if probing:  # the probe is over: an answer clears the suspicion
                    self._probing.discard(name)
                    if not refused:
                        self._suspect.discard(name)
        raise _final(attempts)

    async def _ask(self, provider: Provider, name: str, username: str) -> Served:
        """One provider's answer (both answers for a two-step provider), read."""
        platform = provider.platform
        request = provider.request(username)
        first = await self._get(request, platform=platform, username=username, provider=name)
        payload, raw = first.value, RawAnswer(first.body)
        second_request = provider.follow_up(username, payload)
        if second_request is not None:
            second = await self._get(
                second_request, platform=platform, username=username, provider=name
            )
            payload, raw = [first.value, second.value], RawAnswer(first.body, second.body)
        try:
            profile = provider.parse(username, payload)
        except HyperbudsSyncError as exc:  # a reader knows no provider name: built with it
            error = exc.evolved(provider=name) if isinstance(exc, ProviderError) else exc
            self._metrics.error(error, platform)
            if error is exc:
                raise
            raise error from exc.__cause__
        return Served(name, profile, raw)

    def _skip(
        self, name: str, benched: Mapping[str, Bench], platform: str, username: str
    ) -> HyperbudsSyncError | None:
        """The error standing for a benched provider (no request is made), else ``None``.

        When an auth bench has ended, one fetch of this process tries the provider (the probe);
        the others skip it, as still benched, until that try is over.
        """
        bench = benched.get(name)
        facts: dict[str, Any] = {"platform": platform, "username": username, "provider": name}
        if bench is None or bench.until <= self._clock():
            if not self._suspect or name not in self._suspect:
                return None
            if name in self._probing:
                why = "its auth bench ended and another fetch is trying it again"
                return ProviderAuthError(f"{name} is benched: {why}", **facts)
            self._probing.add(name)
            return None
        reset_at = datetime.fromtimestamp(bench.until, UTC)
        if bench.kind == AUTH:
            self._suspect.add(name)
            back = f"{reset_at:%Y-%m-%d %H:%M:%S} UTC"
            why = bench.reason or "it refused the credentials"
            return ProviderAuthError(f"{name} is benched until {back}: {why}", **facts)
        return QuotaExceeded(
            f"{name} is out of quota (benched, no request made); it comes back at "
            f"{reset_at:%Y-%m-%d %H:%M:%S} UTC",
            reset_at=reset_at,
            **facts,
        )

    async def _learn(self, name: str, exc: HyperbudsSyncError) -> None:
        """Bench a provider whose quota is spent (until its reset) or that refused us (for
        ``auth_bench`` seconds, with one warning per bench)."""
        if isinstance(exc, QuotaExceeded):
            reset = exc.reset_at.timestamp() if exc.reset_at is not None else None
            until = reset if reset is not None else self._clock() + QUOTA_BENCH_DEFAULT
            await self._benches.bench(name, max(until, self._clock() + 1.0))
        elif isinstance(exc, ProviderAuthError):
            self._suspect.add(name)
            until = self._clock() + self._auth_bench
            await self._benches.bench(name, until, kind=AUTH, reason=exc.message)
            logger.warning(
                "provider %s refused the credentials; benched for %g s: %s",
                name,
                self._auth_bench,
                exc.message,
            )

    async def states(self, platforms: list[str]) -> dict[str, list[ProviderState]]:
        """Per platform, each provider of its chain with its state."""
        benched = await self._benches.benched()
        now = self._clock()
        out: dict[str, list[ProviderState]] = {}
        for platform in platforms:
            rows = []
            for name, _provider in self._named(platform):
                bench = benched.get(name)
                if bench is not None and bench.until > now:
                    when = datetime.fromtimestamp(bench.until, UTC)
                    why = "quota exceeded" if bench.kind != AUTH else bench.reason or "auth"
                    rows.append(ProviderState(name, platform, False, when, why))
                else:
                    rows.append(ProviderState(name, platform, True, None, ""))
            out[platform] = rows
        return out


def _final(attempts: list[tuple[str, HyperbudsSyncError]]) -> HyperbudsSyncError:
    """The most telling error: a ``QuotaExceeded`` when every provider is out of quota (the
    earliest back), else the first provider's; a copy carrying ``attempts``."""
    errors = [e for _, e in attempts]
    if all(isinstance(e, QuotaExceeded) for e in errors):
        quotas = [e for e in errors if isinstance(e, QuotaExceeded)]
        resets = [e.reset_at for e in quotas if e.reset_at is not None]
        chosen: HyperbudsSyncError = quotas[0]
        if resets:
            chosen = quotas[0].evolved(reset_at=min(resets))
    else:
        chosen = errors[0]
    if isinstance(chosen, ProviderError):
        chosen = chosen.evolved(attempts=tuple(attempts))
    else:  # a ConfigError (no RapidAPI key): the facts go on a copy all the same
        chosen = copy.copy(chosen)
        chosen.attempts = tuple(attempts)  # type: ignore[attr-defined]
    chosen.__cause__ = None
    return chosen
