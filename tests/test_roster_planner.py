"""The roster planner, the budget ledger and the virtual runner, on a virtual clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hyperbuds_sync.errors import InvalidInput
from hyperbuds_sync.roster import (
    DAY,
    MONTH,
    Budget,
    BudgetLedger,
    Planner,
    ProviderQuota,
    RosterEntry,
)
from hyperbuds_sync.roster._simulate import VirtualClock, simulate

START = datetime(2025, 1, 1, tzinfo=UTC)
PROVIDERS = {
    "tiktok": "tiktok-api23",
    "twitter": "twitter241",
    "twitch": "twitch-scraper2",
    "instagram": "instagram-looter2",
    "youtube": "youtube138",
}


def roster(n: int, provider: str = "tiktok-api23", **kw: object) -> list[RosterEntry]:
    return [RosterEntry(f"c{i}", "tiktok", provider, **kw) for i in range(n)]  # type: ignore[arg-type]


def planner(**kw: object) -> tuple[Planner, VirtualClock]:
    clock = VirtualClock(START)
    return Planner(clock=clock, **kw), clock  # type: ignore[arg-type]


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", [0, -1, True, 1.5, "2"])
def test_bad_priority_is_invalid_input(priority: object) -> None:
    p, _ = planner()
    with pytest.raises(InvalidInput, match="priority"):
        p.plan(roster(1, priority=priority), {"tiktok-api23": 100})


@pytest.mark.parametrize("budget", [-1, True, "100", 1.5, Budget(10, "weekly")])  # type: ignore[arg-type]
def test_bad_budget_is_invalid_input(budget: object) -> None:
    p, _ = planner()
    with pytest.raises(InvalidInput, match="budget"):
        p.plan(roster(1), {"tiktok-api23": budget})  # type: ignore[dict-item]


@pytest.mark.parametrize("reserve", [1, 1.5, -0.1, True, "0.2"])
def test_bad_reserve_is_invalid_input(reserve: object) -> None:
    with pytest.raises(InvalidInput, match="reserve"):
        Planner(reserve=reserve)  # type: ignore[arg-type]


def test_other_bad_inputs() -> None:
    p, _ = planner()
    with pytest.raises(InvalidInput, match="no budget for provider 'tiktok-api23'"):
        p.plan(roster(1), {})
    with pytest.raises(InvalidInput, match="no calls after the reserve"):
        p.plan(roster(1), {"tiktok-api23": 1})
    with pytest.raises(InvalidInput, match="rate limit"):
        p.plan(roster(1), {"tiktok-api23": 100}, rate_limits={"tiktok-api23": 0})
    with pytest.raises(InvalidInput, match="twice"):
        p.plan(roster(1) * 2, {"tiktok-api23": 100})
    naive = [RosterEntry("a", "tiktok", "tiktok-api23", last_fetch=datetime(2025, 1, 1))]
    with pytest.raises(InvalidInput, match="timezone-aware"):
        p.plan(naive, {"tiktok-api23": 100})


# --- the plan ------------------------------------------------------------------------------------


def test_calls_stay_within_budget_after_reserve() -> None:
    p, _ = planner(reserve=0.2)
    plan = p.plan(roster(500), {"tiktok-api23": 10_000})
    assert plan.paces["tiktok-api23"].available == 8_000
    assert 0.98 * 8_000 <= plan.calls_per_period["tiktok-api23"] <= 8_000
    total = sum(MONTH / e.interval for e in plan.entries)
    assert total <= 8_000
    assert all(e.next_at.tzinfo is UTC for e in plan.entries)


def test_priority_shortens_interval_in_proportion() -> None:
    p, _ = planner()
    entries = [
        RosterEntry(f"c{i}", "tiktok", "tiktok-api23", priority=1 + i % 4) for i in range(400)
    ]
    plan = p.plan(entries, {"tiktok-api23": 20_000})
    by_priority = {1 + i % 4: e.interval for i, e in enumerate(plan.entries)}
    for priority, interval in by_priority.items():
        ratio = by_priority[1] / interval
        assert ratio == pytest.approx(priority, rel=1e-4)
    assert plan.calls_per_period["tiktok-api23"] <= 16_000


def test_new_entries_are_spread_not_burnt_at_the_start() -> None:
    p, _ = planner(burst_fraction=0.01)
    plan = p.plan(roster(1_000), {"tiktok-api23": 10_000})
    interval = plan.entries[0].interval
    offsets = sorted((e.next_at - START) / interval for e in plan.entries)
    at_once = sum(1 for o in offsets if o == 0)
    assert at_once == plan.paces["tiktok-api23"].burst == 80
    assert max(offsets) < 1
    tenths = [sum(1 for o in offsets if k / 10 < o <= (k + 1) / 10) for k in range(10)]
    assert all(85 <= n <= 100 for n in tenths), tenths


def test_a_new_entry_is_due_at_once_when_the_budget_has_room() -> None:
    p, _ = planner()
    fetched = [
        RosterEntry(f"c{i}", "tiktok", "tiktok-api23", last_fetch=START - timedelta(hours=1))
        for i in range(100)
    ]
    plan = p.plan([*fetched, RosterEntry("new", "tiktok", "tiktok-api23")], {"tiktok-api23": 5000})
    by_id = {e.creator_id: e for e in plan.entries}
    assert by_id["new"].next_at == START
    assert by_id["c0"].next_at == START - timedelta(hours=1) + by_id["c0"].interval


def test_overdue_entries_are_spread_too() -> None:
    p, _ = planner()
    old = START - timedelta(days=60)
    plan = p.plan(roster(1_000, last_fetch=old), {"tiktok-api23": 10_000})
    first_day = sum(1 for e in plan.entries if e.next_at < START + DAY)
    # 80 at once, then an even share of one interval (3.75 days): about 80 + 920 / 3.75
    assert 250 < first_day < 420


def test_daily_budget_and_learned_limit() -> None:
    p, _ = planner(reserve=0.5)
    plan = p.plan(roster(10), {"tiktok-api23": Budget(100, "daily")})
    assert plan.calls_per_period["tiktok-api23"] <= 50
    assert plan.entries[0].interval < timedelta(hours=6)
    learned = p.plan(roster(10), {}, learned_limits={"tiktok-api23": 1000})
    assert learned.paces["tiktok-api23"].budget == Budget(1000)
    both = p.plan(roster(10), {"tiktok-api23": 200}, learned_limits={"tiktok-api23": 1000})
    assert both.paces["tiktok-api23"].budget == Budget(200)  # settings win


def test_rate_limit_caps_the_pace() -> None:
    p, _ = planner(reserve=0.0)
    plan = p.plan(roster(50), {"tiktok-api23": Budget(1_000_000, "daily")},
                  rate_limits={"tiktok-api23": 2.0})  # fmt: skip
    assert plan.paces["tiktok-api23"].available == 2 * 86_400
    at_once = sorted(e.next_at for e in plan.entries if e.next_at - START < timedelta(minutes=1))
    gaps = [b - a for a, b in itertools.pairwise(at_once)]
    assert gaps
    assert min(gaps) >= timedelta(seconds=0.5)


def test_drift_slows_the_provider_down_and_asks_for_a_replan() -> None:
    p, clock = planner(reserve=0.2)
    budgets = {"tiktok-api23": 10_000}
    entries = roster(100)
    plan = p.plan(entries, budgets)
    clock.advance(timedelta(days=15))
    reset = START + MONTH
    on_pace = ProviderQuota(remaining=10_000 - 4_000 - 1_000, reset_at=reset)
    assert p.drifted(plan, {"tiktok-api23": on_pace}) == []
    assert not p.needs_replan(plan, entries, budgets, quotas={"tiktok-api23": on_pace})
    behind = ProviderQuota(remaining=3_000, reset_at=reset)  # someone else spent our calls
    assert p.drifted(plan, {"tiktok-api23": behind}) == ["tiktok-api23"]
    assert p.needs_replan(plan, entries, budgets, quotas={"tiktok-api23": behind})
    slower = p.plan(entries, budgets, quotas={"tiktok-api23": behind})
    # (3000 - 0.2 x 10000 x 15/30) calls over the 15 days left: 2000 per 15 days, 4000 a month
    assert slower.paces["tiktok-api23"].available == 4_000
    assert slower.entries[0].interval > plan.entries[0].interval * 1.9


def test_replan_when_roster_or_budget_changes() -> None:
    p, _ = planner()
    budgets = {"tiktok-api23": 10_000}
    entries = roster(10)
    plan = p.plan(entries, budgets)
    assert not p.needs_replan(plan, entries, budgets)
    assert p.needs_replan(plan, entries[:-1], budgets)
    assert p.needs_replan(plan, entries, {"tiktok-api23": 9_000})
    bumped = [*entries[:-1], RosterEntry("c9", "tiktok", "tiktok-api23", priority=3)]
    assert p.needs_replan(plan, bumped, budgets)


# --- the ledger ----------------------------------------------------------------------------------


def test_ledger_never_spends_beyond_a_period_even_when_pushed() -> None:
    p, clock = planner(reserve=0.2, burst_fraction=0.05)
    plan = p.plan(roster(10), {"tiktok-api23": Budget(1_000, "daily")})
    ledger = BudgetLedger(plan, clock=clock)
    spent_at = []
    for _ in range(3 * 86_400 // 20):  # a greedy caller (retries included) asks every 20 s
        if ledger.try_spend("tiktok-api23"):
            spent_at.append(clock.now)
        clock.advance(timedelta(seconds=20))
    assert ledger.spent("tiktok-api23") == len(spent_at)
    for k, first in enumerate(spent_at):  # every sliding window of one day
        window = sum(1 for t in spent_at[k:] if t < first + DAY)
        assert window <= 800
    assert len(spent_at) >= 3 * 760


def test_ledger_burst_next_allowed_and_unknown_provider() -> None:
    p, clock = planner(burst_fraction=0.01)
    plan = p.plan(roster(10), {"tiktok-api23": 1_000})
    ledger = BudgetLedger(plan, clock=clock)
    assert [ledger.try_spend("tiktok-api23") for _ in range(9)] == [True] * 8 + [False]
    nxt = ledger.next_allowed("tiktok-api23")
    assert nxt is not None
    assert nxt > clock.now
    clock.set(nxt)
    assert ledger.try_spend("tiktok-api23")
    with pytest.raises(InvalidInput, match="no budget"):
        ledger.try_spend("other")


def test_ledger_rate_limit_spaces_calls() -> None:
    p, clock = planner()
    plan = p.plan(roster(10), {"tiktok-api23": 10**9}, rate_limits={"tiktok-api23": 1.0})
    ledger = BudgetLedger(plan, clock=clock)
    assert ledger.try_spend("tiktok-api23")
    assert not ledger.try_spend("tiktok-api23")
    clock.advance(timedelta(seconds=1))
    assert ledger.try_spend("tiktok-api23")


def test_ledger_keeps_its_debt_across_a_replan() -> None:
    p, clock = planner(burst_fraction=0.01)
    budgets = {"tiktok-api23": 1_000}
    ledger = BudgetLedger(p.plan(roster(10), budgets), clock=clock)
    while ledger.try_spend("tiktok-api23"):
        pass
    ledger.apply(p.plan(roster(11), budgets))  # the roster grew: same pace, no refill
    assert not ledger.try_spend("tiktok-api23")


# --- the virtual runner: the figures on a smaller roster ---------------------------------


def test_simulated_month_meets_the_targets() -> None:
    n = 500
    entries = [RosterEntry(f"c{i}", pl, pr) for i in range(n) for pl, pr in PROVIDERS.items()]
    budgets = dict(zip(PROVIDERS.values(), (5_000, 2_500, 10_000, 1_500, 7_500), strict=True))
    result = simulate(entries, budgets, days=30)
    for run in result.providers.values():
        assert run.entries == n
        assert run.over_budget == 0
        assert run.calls >= 0.97 * run.available
        assert run.max_staleness_days <= 1.1 * run.theoretical_min_days
        assert run.busiest_day_share <= 1.5


def test_simulated_failures_never_spend_beyond_budget() -> None:
    entries = [RosterEntry(f"c{i}", "tiktok", "tiktok-api23") for i in range(300)]
    result = simulate(entries, {"tiktok-api23": 3_000}, failure_rate=0.3, seed=7)
    run = result.providers["tiktok-api23"]
    assert run.failures > 500
    assert run.calls <= run.available
    assert run.busiest_day_share <= 1.5
