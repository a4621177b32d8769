"""Counters a service can read or export.

``SocialSync.metrics`` counts, per platform: upstream calls, cache hits and misses, coalesced waits
(callers that shared another caller's in-flight fetch), retries, and errors by class name.
``totals()`` gives a plain dict for a log line, ``counts()`` labelled rows, and
:class:`PrometheusCollector` exports them to prometheus_client (the extra
``hyperbuds-sync[prometheus]``), with a roster's figures when given its ``status``.

``Metrics.tally()`` counts the events of one piece of work (a refresh, its retries included):
what is counted inside the ``with`` block, in this task and the tasks it starts, goes to the tally
too. The roster charges its budget ledger with it, so the transport never hears of budgets.
"""

from __future__ import annotations

import inspect
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ._install import install_hint
from .errors import ConfigError

if TYPE_CHECKING:
    from .models import QuotaStatus, RosterStatus

__all__ = ["Count", "Metrics", "PrometheusCollector", "Tally", "roster_families"]

UPSTREAM_CALLS = "upstream_calls"
CACHE_HITS = "cache_hits"
CACHE_MISSES = "cache_misses"
COALESCED = "coalesced"
RETRIES = "retries"
STALE_SERVED = "stale_served"
ERRORS = "errors"


@frozen
class Count:
    """One counter's value for one platform, with its labels (see :meth:`Metrics.counts`)."""

    name: str  # e.g. "upstream_calls"; "errors" for every error class
    platform: str
    value: int
    error: str = ""  # the error's class name, for "errors"
    provider: str = ""  # the provider serving the platform, when known


class Tally:
    """The events one piece of work caused, counted beside its :class:`Metrics`; and its
    upstream calls by the provider they went to (:meth:`provider_calls`).

    A context manager (what :meth:`Metrics.tally` returns): counting starts at ``with`` and stops
    at the block's end. A plain class rather than a generator, and two plain dicts, because the
    service opens one per request to tell a cache hit from a miss.
    """

    __slots__ = ("_by_provider", "_counts", "_token", "metrics")

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._counts: dict[tuple[str, str], int] = {}
        self._by_provider: dict[str, int] = {}
        self._token: Token[tuple[Tally, ...]] | None = None

    def __enter__(self) -> Tally:
        self._token = _TALLIES.set((*_TALLIES.get(), self))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _TALLIES.reset(self._token)
            self._token = None

    def provider_calls(self) -> dict[str, int]:
        """Upstream calls by provider (those a :meth:`Metrics.calls_for` block attributed):
        what each provider's budget was really charged."""
        return {name: n for name, n in self._by_provider.items() if n}

    def add(self, name: str, platform: str, n: int) -> None:
        """Count ``n`` more ``name`` events for ``platform``."""
        self._counts[name, platform] = self._counts.get((name, platform), 0) + n

    def get(self, name: str, platform: str | None = None) -> int:
        """One counter; with ``platform=None`` the sum over all platforms."""
        if platform is not None:
            return self._counts.get((name, platform), 0)
        return sum(v for (n, _), v in self._counts.items() if n == name)

    def __repr__(self) -> str:
        return f"Tally({self._counts!r})"


_TALLIES: ContextVar[tuple[Tally, ...]] = ContextVar("hyperbuds_sync_tallies", default=())


class Metrics:
    """In-process counters keyed by name and platform. Cheap: one dict increment per event
    (and one context lookup, for :meth:`tally`)."""

    __slots__ = ("_counts", "_gauges", "_providers")

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self._gauges: dict[str, float] = {}
        self._providers: dict[str, str] = {}

    def set_gauge(self, name: str, value: float) -> None:
        """Set gauge ``name`` (a level, not a count: e.g. ``history_pending``, records the
        history keeps for a database that is away)."""
        self._gauges[name] = value

    def gauge(self, name: str) -> float:
        """One gauge's value (0 when never set)."""
        return self._gauges.get(name, 0)

    def gauges(self) -> dict[str, float]:
        """Every gauge, a copy."""
        return dict(self._gauges)

    def set_provider(self, platform: str, provider: str) -> None:
        """Record which provider serves ``platform``, for the ``provider`` label of exports."""
        self._providers[platform] = provider

    def counts(self) -> list[Count]:
        """Every counter as a labelled :class:`Count`, errors split by class; a copy."""
        out = []
        for (name, platform), value in sorted(self._counts.items()):
            base, _, error = (
                name.partition(".") if name.startswith(ERRORS + ".") else (name, "", "")
            )
            provider = self._providers.get(platform, "")
            out.append(Count(base, platform, value, error=error, provider=provider))
        return out

    def incr(self, name: str, platform: str = "", n: int = 1) -> None:
        """Add ``n`` to counter ``name`` for ``platform`` (``""`` for platform-less events)."""
        self._counts[name, platform] += n
        for tally in _TALLIES.get():
            if tally.metrics is self:
                tally.add(name, platform, n)

    def tally(self) -> Tally:
        """Count, beside the totals, the events of the work done inside the block: in this task
        and in the tasks it starts (they inherit the context), not in other callers' tasks.

        ::

            with sync.metrics.tally() as seen:
                await sync.fetch("tiktok", "mayacooks", refresh=True)
            seen.get(UPSTREAM_CALLS)  # that fetch's attempts, retries included
        """
        return Tally(self)

    @contextmanager
    def calls_for(self, provider: str) -> Iterator[None]:
        """Attribute the upstream calls made inside the block to ``provider`` in every open
        tally of these metrics (the chain's walk wraps each provider it asks; a provider it skips
        makes no call and is charged nothing). Nothing is done when nobody is counting."""
        outer = tuple(t for t in _TALLIES.get() if t.metrics is self)
        if not outer:
            yield
            return
        with self.tally() as inner:
            try:
                yield
            finally:
                calls = inner.get(UPSTREAM_CALLS)
                for tally in outer:
                    tally._by_provider[provider] = tally._by_provider.get(provider, 0) + calls

    def error(self, exc: BaseException, platform: str = "") -> None:
        """Count an error under ``errors.<ClassName>``."""
        self._counts[f"{ERRORS}.{type(exc).__name__}", platform] += 1

    def get(self, name: str, platform: str | None = None) -> int:
        """One counter; with ``platform=None`` the sum over all platforms."""
        if platform is not None:
            return self._counts[name, platform]
        return sum(v for (n, _), v in self._counts.items() if n == name)

    def totals(self) -> dict[str, dict[str, int]]:
        """``{counter: {platform: value}}``, a copy."""
        out: dict[str, dict[str, int]] = {}
        for (name, platform), value in sorted(self._counts.items()):
            out.setdefault(name, {})[platform] = value
        return out

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Deprecated, use :meth:`totals` (a snapshot is a fetch the history keeps)."""
        warnings.warn(
            "Metrics.snapshot is deprecated, use Metrics.totals", DeprecationWarning, stacklevel=2
        )
        return self.totals()

    def reset(self) -> None:
        """Zero every counter."""
        self._counts.clear()

    def __repr__(self) -> str:
        totals: Counter[str] = Counter()
        for (name, _platform), value in self._counts.items():
            totals[name] += value
        shown = ", ".join(f"{name}={value}" for name, value in sorted(totals.items()))
        return f"Metrics({shown})"


# --- Prometheus -----------------------------------------------------------------------------------

_HELP = {
    UPSTREAM_CALLS: "Provider calls sent upstream (RapidAPI), retries included.",
    CACHE_HITS: "Fetches served from the cache.",
    CACHE_MISSES: "Fetches that had to load from upstream.",
    COALESCED: "Fetches that shared another caller's in-flight load.",
    RETRIES: "Retried attempts, providers and backend.",
    STALE_SERVED: "Stale values served after an upstream failure (allow_stale=True).",
    ERRORS: "Errors, by class.",
}


PROMETHEUS_MISSING = f"PrometheusCollector needs prometheus_client: {install_hint('prometheus')}"


class PrometheusCollector:
    """A prometheus_client collector over a :class:`Metrics` (and, optionally, quota status).

    ::

        from prometheus_client import REGISTRY
        REGISTRY.register(PrometheusCollector(sync.metrics, quota=sync.quota))

    Exports ``hyperbuds_sync_<counter>_total`` counters labelled ``platform`` and ``provider``
    (empty when unknown), errors with an ``error`` label (the class name), and, given ``quota``
    (a callable returning ``sync.quota()``'s mapping), ``hyperbuds_sync_quota_remaining`` and
    ``hyperbuds_sync_quota_limit`` gauges per provider ``host``. Given ``roster`` (a callable
    returning a :class:`~hyperbuds_sync.roster.RosterStatus` or ``None``, e.g.
    ``roster.last_status``), the roster's figures too (see
    :func:`roster_families`). Values are read at each scrape.

    Raises:
        ConfigError: prometheus_client is not installed (the ``prometheus`` extra), or
            ``roster`` is a coroutine function (a scrape cannot await: pass ``roster.last_status``).
    """

    def __init__(
        self,
        metrics: Metrics,
        *,
        quota: Callable[[], Mapping[str, QuotaStatus]] | None = None,
        roster: Callable[[], RosterStatus | None] | None = None,
        namespace: str = "hyperbuds_sync",
    ) -> None:
        try:
            import prometheus_client  # noqa: F401
        except ImportError:
            raise ConfigError(PROMETHEUS_MISSING) from None
        if roster is not None and inspect.iscoroutinefunction(roster):
            raise ConfigError(
                "roster= takes a plain callable read at each scrape, such as roster.last_status "
                "(roster.status is a coroutine)"
            )
        self.metrics = metrics
        self.quota = quota
        self.roster = roster
        self.namespace = namespace

    def describe(self) -> list[Any]:
        """Nothing up front: the families depend on what was counted (read at each scrape)."""
        return []

    def collect(self) -> Iterator[Any]:
        """The metric families, as prometheus_client's registry asks for them."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families: dict[str, CounterMetricFamily] = {}
        for name, help_text in _HELP.items():
            labels = ["platform", "provider", *(["error"] if name == ERRORS else [])]
            families[name] = CounterMetricFamily(
                f"{self.namespace}_{name}", help_text, labels=labels
            )
        for count in self.metrics.counts():
            family = families.get(count.name)
            if family is None:  # a counter this exporter does not know: still exported
                family = families[count.name] = CounterMetricFamily(
                    f"{self.namespace}_{count.name}", count.name, labels=["platform", "provider"]
                )
            labels = [count.platform, count.provider]
            family.add_metric(
                [*labels, count.error] if count.name == ERRORS else labels, count.value
            )
        yield from families.values()
        for name, value in sorted(self.metrics.gauges().items()):
            yield GaugeMetricFamily(f"{self.namespace}_{name}", name, value=value)
        if self.quota is not None:
            yield from self._quota_families(GaugeMetricFamily)
        status = self.roster() if self.roster is not None else None
        if status is not None:
            yield from roster_families(status, self.namespace)

    def _quota_families(self, gauge: Any) -> Iterator[Any]:
        assert self.quota is not None
        remaining = gauge(
            f"{self.namespace}_quota_remaining",
            "RapidAPI requests left, per host.",
            labels=["host"],
        )
        limit = gauge(
            f"{self.namespace}_quota_limit", "RapidAPI plan size, per host.", labels=["host"]
        )
        for host, status in sorted(self.quota().items()):
            if status.remaining is not None:
                remaining.add_metric([host], status.remaining)
            if status.limit is not None:
                limit.add_metric([host], status.limit)
        yield remaining
        yield limit


_QUANTILES = {"p50": "0.5", "p90": "0.9", "p99": "0.99", "max": "1"}


def roster_families(status: RosterStatus, namespace: str = "hyperbuds_sync") -> Iterator[Any]:
    """``{ns}_roster_{entries,due,overdue,never_fetched}`` gauges; calls spent (a counter) and
    planned per budget period (a gauge) per ``provider``; refreshes by ``outcome`` (a counter);
    and ``{ns}_roster_freshness_seconds`` by ``quantile`` (0.5, 0.9, 0.99, and 1 for the max)."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily  # extra

    name = f"{namespace}_roster"
    counts = {
        "entries": (status.entries, "Creator-platforms on the roster."),
        "due": (status.due, "Creator-platforms whose refresh time has come."),
        "overdue": (status.overdue, "Creator-platforms late by more than 10% of their interval."),
        "never_fetched": (status.never_fetched, "Creator-platforms never fetched yet."),
    }
    for key, (value, help_text) in counts.items():
        yield GaugeMetricFamily(f"{name}_{key}", help_text, value=value)
    spent = CounterMetricFamily(
        f"{name}_calls_spent",
        "Upstream calls the roster spent in this process, retries included.",
        labels=["provider"],
    )
    for provider, value in sorted(status.spent.items()):
        spent.add_metric([provider], value)
    yield spent
    planned = GaugeMetricFamily(
        f"{name}_calls_planned", "Calls the plan spends per budget period.", labels=["provider"]
    )
    for provider, value in sorted(status.planned.items()):
        planned.add_metric([provider], value)
    yield planned
    refreshes = CounterMetricFamily(
        f"{name}_refreshes", "Refreshes in this process, by outcome.", labels=["outcome"]
    )
    for outcome in ("synced", "fetched", "failed", "interrupted"):
        refreshes.add_metric([outcome], getattr(status, outcome))
    yield refreshes
    freshness = GaugeMetricFamily(
        f"{name}_freshness_seconds",
        "Age of the last fetch across the roster, by quantile (1: the oldest).",
        labels=["quantile"],
    )
    for key, quantile in _QUANTILES.items():
        freshness.add_metric([quantile], status.freshness.get(key, 0.0))
    yield freshness
