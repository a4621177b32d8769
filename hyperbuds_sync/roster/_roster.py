""":class:`Roster`: creators kept fresh within each provider's budget, stored in the history.

The roster's creators and their refresh state live in the history database (schema 3), so a
stopped runner resumes where it was, and a fleet shares one roster through PostgreSQL.
:meth:`Roster.refresh` is the one refresh the runner and the fleet's worker both call.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from async_lru import alru_cache

from .. import webhooks
from ..anomalies import AnomalySettings
from ..errors import ConfigError, InvalidInput
from ..history import CreatorRecord, PlatformState, roster_store
from ._budget import Budget, ProviderQuota
from ._creators import checked_usernames
from ._due import due_keys
from ._due import retry_at as _retry_at
from ._hooks import DEFAULT_MAX_REPLAYS, ChangeHooks, OnAnomaly, OnChange
from ._ledgers import Ledger, ledger_for
from ._planner import Clock, Plan, Planner, RosterEntry, utc_now
from ._providers import provider_for, provider_of_host
from ._record import MAX_BACKOFF, record_outcome
from ._refresh import RefreshOutcome, TokenFor, fetch_and_sync
from ._runner import Runner
from ._spending import Spending
from ._status import RosterStatus, RunCounters, status_of

if TYPE_CHECKING:
    from ..history import RosterStore
    from ._sdk import SocialSyncLike

__all__ = ["MAX_BACKOFF", "Roster"]

PLAN_TTL = timedelta(seconds=60)
"""How long a fleet worker spends by one plan before making a new one."""


def _roster_store_of(sync: SocialSyncLike) -> RosterStore:
    try:
        history = sync.history_store
    except ConfigError:
        raise ConfigError(
            'a Roster is kept in the history: build SocialSync(history_url="default") (the '
            "embedded SQLite file) or a postgresql+asyncpg:// URL for a fleet"
        ) from None
    return roster_store(history)


class Roster:
    """Many creators kept as fresh as each provider's budget allows, never over it.

    Args:
        sync: a :class:`~hyperbuds_sync.SocialSync` with an SQL history (``history_url``): the
            roster is stored there.
        budgets: calls per period per provider (``{"tiktok-api23": 10_000}``, monthly, or a
            :class:`Budget` with ``period="daily"``); a provider not named uses the
            ``x-ratelimit-requests-limit`` its answers carry.
        reserve: the fraction of each budget kept back for on-demand fetches.
        token_for: ``creator_id -> token`` (sync or async) the backend syncs each creator with;
            ``None`` for a creator means fetched and recorded, not synced. Without ``token_for``
            the client's own token is used.
        on_change: ``on_change(creator_id, platform, before, after)`` after a sync that moved
            followers by ``followers_pct`` % or engagement by ``engagement_pct`` % or more.
        webhook_url: POST those changes there as signed JSON events, at least once, each with
            its id (``X-HyperBuds-Event-Id``); https, or http to loopback only (see
            ``allow_insecure_webhooks``), never a link-local or metadata address.
        webhook_secret: the secret (or secrets, while one rotates) the events are signed with.
        allow_insecure_webhooks: allow a plain-http ``webhook_url`` that is not loopback.
        webhook_max_replays: a kept delivery is replayed (one try per
            :meth:`replay_webhooks`) at most this many times, then dropped with a WARNING
            (default 10).
        on_anomaly: ``on_anomaly(creator_id, platform, anomaly)`` once for each growth anomaly
            a fresh fetch reveals (the webhook gets an ``anomaly.detected`` event too); the SDK
            reports, what to do with a creator is the caller's rule.
        anomaly_settings: the anomaly thresholds (:class:`~hyperbuds_sync.AnomalySettings`).
        retry_base: seconds before the first retry of a failed refresh, doubled per failure
            (at most :data:`MAX_BACKOFF`), and always within the budget.
        ledger: the :class:`~hyperbuds_sync.roster.Ledger` every refresh spends through; by
            default a :class:`~hyperbuds_sync.roster.RedisBudgetLedger` when ``sync`` has a
            ``redis_url`` (shared by every process of a fleet), else a
            :class:`~hyperbuds_sync.roster.StoreLedger` in the roster's history database
            (kept across restarts, shared by the processes on that database).
        clock: the time (tests pass their own).
    """

    def __init__(
        self,
        sync: SocialSyncLike,
        *,
        budgets: Mapping[str, int | Budget] | None = None,
        reserve: float = 0.2,
        token_for: TokenFor | None = None,
        on_change: OnChange | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | Sequence[str] | None = None,
        followers_pct: float = 1.0,
        engagement_pct: float = 5.0,
        webhook_waits: Sequence[float] = webhooks.DEFAULT_WAITS,
        allow_insecure_webhooks: bool = False,
        webhook_max_replays: int = DEFAULT_MAX_REPLAYS,
        retry_base: float = 60.0,
        ledger: Ledger | None = None,
        clock: Clock = utc_now,
        on_anomaly: OnAnomaly | None = None,
        anomaly_settings: AnomalySettings | None = None,
    ) -> None:
        self.sync = sync
        self.store = _roster_store_of(sync)
        self.budgets = dict(budgets or {})
        self.planner = Planner(reserve=reserve, clock=clock)
        self.token_for = token_for
        self.hooks = ChangeHooks(
            self.store,
            on_change=on_change,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            followers_pct=followers_pct,
            engagement_pct=engagement_pct,
            waits=webhook_waits,
            allow_insecure_webhooks=allow_insecure_webhooks,
            max_replays=webhook_max_replays,
            requests=sync.requests,
            on_anomaly=on_anomaly,
            anomaly_settings=anomaly_settings,
        )
        self.retry_base = retry_base
        self.clock = clock
        self.counters = RunCounters()
        self.ledger = ledger if ledger is not None else ledger_for(sync, clock=clock)
        self.spending = Spending(self.ledger, self.counters)
        self._plan: Plan | None = None
        self._granted: dict[tuple[str, str], str] = {}  # take_budget's provider, till refreshed
        self._last_status: RosterStatus | None = None
        # A fleet worker's refreshes ask for the plan together when it goes stale: async-lru's
        # single flight makes that one read of the roster, kept PLAN_TTL, errors not kept.
        self._shared_plan = alru_cache(maxsize=1, ttl=PLAN_TTL.total_seconds())(self._replan)

    def __repr__(self) -> str:
        return f"Roster(budgets={self.budgets!r}, reserve={self.planner.reserve!r})"

    # --- the creators ----------------------------------------------------------------------------

    async def add(
        self, creator_id: str, usernames: Mapping[str, str], *, priority: int = 1
    ) -> CreatorRecord:
        """Add a creator (or replace their usernames and priority). Every username is checked
        by its platform first: nothing is written when one is invalid.

        Raises:
            InvalidInput: a bad id or priority; UnknownPlatform, InvalidUsername: a bad entry.
        """
        canonical = checked_usernames(self.sync.platforms, creator_id, usernames, priority)
        await self.store.put(creator_id, canonical, priority)
        found = await self.get(creator_id)
        assert found is not None
        return found

    async def remove(self, creator_id: str) -> bool:
        """Remove a creator; whether they were on the roster."""
        return await self.store.remove(creator_id)

    async def get(self, creator_id: str) -> CreatorRecord | None:
        """A creator and their platforms' refresh state, or ``None``."""
        found = await self.store.creators(creator_id)
        return found[0] if found else None

    async def list(self) -> builtins.list[CreatorRecord]:
        """Every creator, ordered by id."""
        return await self.store.creators()

    # --- planning --------------------------------------------------------------------------------

    def _quota_facts(self) -> tuple[dict[str, int], dict[str, ProviderQuota]]:
        """Learned limits and remaining quotas per provider, from the client's quota facts."""
        learned: dict[str, int] = {}
        quotas: dict[str, ProviderQuota] = {}
        for host, status in self.sync.quota().items():
            provider = provider_of_host(host)
            if status.limit is not None:
                learned[provider] = status.limit
            if status.remaining is not None:
                quotas[provider] = ProviderQuota(status.remaining, status.reset_at)
        return learned, quotas

    async def _chains(self) -> dict[str, tuple[str, ...]]:
        """Each platform's chain of providers, in order, as the client walks it."""
        return {
            platform: tuple(s.provider for s in states)
            for platform, states in (await self.sync.providers()).items()
        }

    async def benched(self) -> set[str]:
        """The providers benched now (their quota spent, or they refused us): never spent on."""
        states = await self.sync.providers()
        return {s.provider for rows in states.values() for s in rows if not s.available}

    async def entries(self) -> builtins.list[tuple[RosterEntry, PlatformState]]:
        """The planner's entries (each with its platform's chain) with each one's stored state."""
        chains = await self._chains()
        rows = []
        for creator in await self.store.creators():
            for state in creator.platforms.values():
                chain = chains.get(state.platform, ())
                entry = RosterEntry(
                    creator.creator_id,
                    state.platform,
                    chain[0] if chain else provider_for(state.platform, stored=state.provider),
                    creator.priority,
                    state.last_fetched_at,
                    chain if len(chain) > 1 else (),
                )
                rows.append((entry, state))
        return rows

    async def plan(self) -> Plan:
        """The plan now: an interval and a next refresh time for every creator-platform.

        Raises:
            InvalidInput: a provider has no budget (none set, none learned yet).
        """
        rows = await self.entries()
        learned, quotas = self._quota_facts()
        self._plan = self.planner.plan(
            [entry for entry, _ in rows], self.budgets, quotas=quotas, learned_limits=learned
        )
        return self._plan

    async def missing_budgets(self) -> builtins.list[str]:
        """The providers of the roster's entries with no budget, set or learned: :meth:`plan`
        refuses them. Sorted; empty when the plan can be made."""
        learned, _ = self._quota_facts()
        providers = {entry.provider for entry, _ in await self.entries()}
        return sorted(p for p in providers if p not in self.budgets and p not in learned)

    async def needs_replan(self, plan: Plan) -> bool:
        """Whether the roster, a budget or a learned limit changed, or a quota drifted."""
        rows = await self.entries()
        learned, quotas = self._quota_facts()
        entries = [entry for entry, _ in rows]
        return self.planner.needs_replan(
            plan, entries, self.budgets, quotas=quotas, learned_limits=learned
        )

    # --- refreshing ------------------------------------------------------------------------------

    async def refresh(self, creator_id: str, platform: str) -> RefreshOutcome:
        """Refresh one creator-platform now: fetch (single flight; the history records it), sync
        with the creator's token (the drop guard applies; stale data is never synced), fire the
        change hooks, and store the new state: a failure counts towards the next backoff.

        It spends no budget itself and walks the whole chain: the runner and the fleet's worker
        spend first and refresh through :meth:`refresh_spending` instead.

        Raises:
            InvalidInput: the creator is not on the roster on ``platform``.
        """
        state = await self._state(creator_id, platform)
        outcome = await fetch_and_sync(
            self.sync, creator_id, state.platform, state.username, self.token_for
        )
        await self._record(state, outcome)
        self.counters.count(outcome)
        return outcome

    async def refresh_spending(
        self, creator_id: str, platform: str, provider: str
    ) -> RefreshOutcome:
        """:meth:`refresh` through ``provider``, one call already spent on it; when it fails
        over, through the chain's next providers the ledger has room for, each spent first. The
        calls made are charged to the providers that made them.

        Raises:
            InvalidInput: the creator is not on the roster on ``platform``.
        """
        state = await self._state(creator_id, platform)
        entry = self.spending.entry(creator_id, state.platform)
        chain = entry.providers if entry is not None else (provider,)

        async def ask(name: str) -> RefreshOutcome:
            return await fetch_and_sync(
                self.sync,
                creator_id,
                state.platform,
                state.username,
                self.token_for,
                provider=name,
            )

        outcome = await self.spending.walk(chain, provider, await self.benched(), ask)
        await self._record(state, outcome)
        self.counters.count(outcome)
        return outcome

    async def _state(self, creator_id: str, platform: str) -> PlatformState:
        creator = await self.get(creator_id)
        canonical = self.sync.platforms.get(platform).platform
        state = None if creator is None else creator.platforms.get(canonical)
        if state is None:
            raise InvalidInput(f"{creator_id!r} is not on the roster on {platform!r}")
        return state

    async def _record(self, state: PlatformState, outcome: RefreshOutcome) -> None:
        await record_outcome(
            self.store, self.hooks, state, outcome, now=self.clock(), retry_base=self.retry_base
        )
        await self.hooks.after_refresh(self.sync, state, outcome)

    # --- spending --------------------------------------------------------------------------------

    async def take_budget(self, creator_id: str, platform: str) -> datetime | None:
        """For the fleet's worker: spend one call on the first provider of this
        creator-platform's chain that has room; ``None`` when spent (then
        :meth:`refresh_within_budget` asks that provider), else when to try again (the worker
        puts its refresh back till then)."""
        plan = self._plan
        if plan is None or self.clock() - plan.made_at > PLAN_TTL:
            plan = await self._shared_plan()
        taken = await self.spending.take(
            plan, creator_id, platform, self.plan, await self.benched()
        )
        if isinstance(taken, datetime):
            return taken
        self._granted[creator_id, platform] = taken
        return None

    async def _replan(self) -> Plan:
        return await self.plan()

    async def refresh_within_budget(self, creator_id: str, platform: str) -> RefreshOutcome:
        """After :meth:`take_budget` said go: :meth:`refresh_spending` through the provider it
        spent on (without it, :meth:`refresh`, its calls charged after)."""
        granted = self._granted.pop((creator_id, platform), None)
        if granted is not None:
            return await self.refresh_spending(creator_id, platform, granted)
        outcome = await self.refresh(creator_id, platform)
        await self.spending.settle_for(creator_id, outcome)
        return outcome

    def retry_at(self, state: PlatformState) -> datetime | None:
        """When a failing creator-platform may be tried again (``None``: not failing)."""
        return _retry_at(state)

    async def due(self, now: datetime) -> builtins.list[tuple[str, str]]:
        """The ``(creator_id, platform)`` due at ``now``: planned by then and, when failing,
        past their back-off. The fleet's planner asks this; the runner keeps the same rule."""
        plan = await self.plan()
        states = {(e.creator_id, s.platform): s for e, s in await self.entries()}
        return due_keys(plan, states, now)

    # --- the rest --------------------------------------------------------------------------------

    async def run(self, until: datetime | float | None = None) -> RosterStatus:
        """Refresh every creator-platform when due, within the budgets, until ``until`` (an
        aware datetime, or seconds from now; ``None``: until cancelled). Stopping loses no work:
        refreshes under way finish (or, cancelled twice, are left due, their state untouched).
        Returns the status at the end."""
        await Runner(self, until).run()
        return await self.status()

    async def status(self) -> RosterStatus:
        """Due and overdue counts, calls spent against the plan, freshness percentiles."""
        plan = self._plan if self._plan is not None else await self.plan()
        rows = await self.entries()
        self._last_status = status_of(plan, rows, self.counters, self.clock())
        return self._last_status

    def last_status(self) -> RosterStatus | None:
        """The status :meth:`status` last computed (the runner does at each re-plan check), or
        ``None``: what ``PrometheusCollector(..., roster=roster.last_status)`` reads."""
        return self._last_status

    async def replay_webhooks(self) -> int:
        """Send the failed webhook deliveries again, one try each; how many got through (see
        :meth:`ChangeHooks.replay` for what is dropped)."""
        return await self.hooks.replay()

    async def aclose(self) -> None:
        """Wait for webhook deliveries under way and close their session and the ledger's
        link (not the client)."""
        await self.hooks.aclose()
        await self.ledger.aclose()
        await self._shared_plan.cache_close()

    async def __aenter__(self) -> Roster:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
