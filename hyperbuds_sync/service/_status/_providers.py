"""The status page's Providers facts: each chain in order, benches, quota per key, spending.

Read from the SDK's public calls only (``sync.providers()``, ``sync.quota()`` or
``sync.shared_quota()``, the platform registry) and the :class:`~._samples.Samples` log. Keys are
shown by their last 4 characters when the service knows the key (its environment), else by the
SDK's fingerprint: never more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ... import Settings
from ...models import KeyQuota, ProviderState, QuotaStatus
from ...quota import fingerprint
from ...roster import MONTH, Budget
from ._samples import Sample, Samples, delta

if TYPE_CHECKING:
    from ...client import SocialSync

__all__ = ["key_labels", "providers_facts", "quota_of"]

SHOWN_TAIL = 4
"""Characters of a key shown: the last four."""
MIN_KEY_FOR_TAIL = 16
"""Shorter keys (tests, typos) are shown by fingerprint only: 4 characters would be too many."""


def iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC, to the second (``None`` stays ``None``)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def key_labels(keys: Iterable[str] | None = None) -> dict[str, str]:
    """``{fingerprint: "…abcd"}`` for the RapidAPI keys given (default: the environment's)."""
    found = Settings.from_env().rapidapi_keys if keys is None else tuple(keys)
    return {
        fingerprint(key): "…" + key[-SHOWN_TAIL:] for key in found if len(key) >= MIN_KEY_FOR_TAIL
    }


def _key(key: KeyQuota, labels: Mapping[str, str]) -> dict[str, Any]:
    return {
        "key": labels.get(key.fingerprint, key.fingerprint),
        "limit": key.limit,
        "remaining": key.remaining,
        "resetAt": iso(key.reset_at),
        "benchedUntil": iso(key.benched_until),
        "calls": key.calls,
    }


def _budget_of(provider: str, budgets: Mapping[str, int | Budget]) -> Budget | None:
    value = budgets.get(provider)
    if value is None:
        return None
    return value if isinstance(value, Budget) else Budget(value)


def _spent(
    host: str, status: QuotaStatus | None, budget: Budget | None, samples: Samples, now: Sample
) -> dict[str, Any]:
    """Calls spent today (UTC) and this period, against the budget (the roster's, else the
    provider's own limit), and the burn-down's points."""
    midnight = now.at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = lambda s: s.hosts[host].calls if host in s.hosts else 0  # noqa: E731
    today = delta(samples.since(midnight), now, calls)
    limit = None if status is None else status.limit
    remaining = None if status is None else status.remaining
    period = limit - remaining if limit is not None and remaining is not None else None
    length = budget.length if budget is not None else MONTH
    calls_budget = budget.calls if budget is not None else limit
    return {
        "today": today,
        "todaySince": iso(max(midnight, _first_at(samples, now))),
        "period": period,
        "budget": calls_budget,
        "budgetFrom": "roster" if budget is not None else ("quota" if limit else None),
        "periodDays": round(length / timedelta(days=1)),
        "burnDown": _burn_down(host, status, length, calls_budget, [*samples.all(), now]),
    }


def _first_at(samples: Samples, now: Sample) -> datetime:
    kept = samples.all()
    return kept[0].at if kept else now.at


def _burn_down(
    host: str,
    status: QuotaStatus | None,
    length: timedelta,
    budget: int | None,
    samples: list[Sample],
) -> dict[str, Any] | None:
    """The period's spending as the provider counted it (limit - remaining) at each sample,
    and the even pace from 0 at the period's start to the budget at its reset."""
    if status is None or status.reset_at is None or budget is None:
        return None
    start = status.reset_at - length
    points = [
        {"at": iso(s.at), "spent": h.limit - h.remaining}
        for n, s in enumerate(samples)
        if s.at >= start and (n == 0 or s.at != samples[n - 1].at)
        if (h := s.hosts.get(host)) is not None and h.limit is not None and h.remaining is not None
    ]
    return {
        "periodStart": iso(start),
        "periodEnd": iso(status.reset_at),
        "budget": budget,
        "points": points,
    }


def _provider(
    state: ProviderState,
    position: int,
    host: str,
    quota: Mapping[str, QuotaStatus],
    context: _Context,
) -> dict[str, Any]:
    status = quota.get(host)
    budget = _budget_of(state.provider, context.budgets)
    return {
        "provider": state.provider,
        "position": position,
        "host": host,
        "available": state.available,
        "benchedUntil": iso(state.benched_until),
        "reason": state.reason,
        "quota": None
        if status is None
        else {
            "limit": status.limit,
            "remaining": status.remaining,
            "resetAt": iso(status.reset_at),
        },
        "keys": [] if status is None else [_key(k, context.labels) for k in status.keys],
        "spent": _spent(host, status, budget, context.samples, context.now),
    }


class _Context:
    """What every provider's facts are read against."""

    def __init__(
        self,
        samples: Samples,
        now: Sample,
        budgets: Mapping[str, int | Budget],
        labels: Mapping[str, str],
    ) -> None:
        self.samples = samples
        self.now = now
        self.budgets = budgets
        self.labels = labels


async def quota_of(sync: SocialSync) -> dict[str, QuotaStatus]:
    """The client's quota facts: the fleet's with Redis, else this process's."""
    return await sync.shared_quota() if sync.redis_url else sync.quota()


async def providers_facts(
    sync: SocialSync,
    samples: Samples,
    now: Sample,
    quota: Mapping[str, QuotaStatus],
    *,
    budgets: Mapping[str, int | Budget] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Providers section: per platform, its chain in order with each provider's facts,
    ``now`` being the sample of ``quota`` just taken."""
    context = _Context(samples, now, budgets or {}, key_labels() if labels is None else labels)
    chains = await sync.providers()
    platforms = []
    for platform, states in chains.items():
        chain = [
            _provider(state, n, sync.platforms.provider(state.provider).host, quota, context)
            for n, state in enumerate(states, start=1)
        ]
        platforms.append({"platform": platform, "chain": chain})
    return {"at": iso(now.at), "platforms": platforms}
