"""``hyperbuds-sync demo``: the SDK against its own emulators.

The demo needs no key and no internet: it starts the RapidAPI and backend emulators of
:mod:`hyperbuds_sync.testing` on free loopback ports, points a :class:`SocialSync` at them, and
walks through a normal sync, a spent monthly quota, and the graceful ways around it. Each step is
checked; the exit code is 0 only when every step behaved as expected.
"""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from .. import transport
from ..client import SocialSync
from ..errors import QuotaExceeded
from ..metrics import CACHE_HITS, UPSTREAM_CALLS
from ..models import ManualEntry, SyncResult
from ..testing import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator, set_testing
from . import _render as render
from ._exits import OK, UNEXPECTED, describe
from ._output import Output

__all__ = ["QUOTA_MESSAGE", "run_demo"]

QUOTA_MESSAGE = "API quota exceeded. You can still save this username and sync it later."
"""What the old frontend told a creator when the RapidAPI quota was gone, word for word."""

CREATORS = {
    "tiktok": "mayacooks",
    "twitter": "mayacooks",
    "twitch": "pixelmaya",
    "instagram": "maya.cooks",
    "youtube": "mayacooks",
}
"""One seeded creator per platform (see ``hyperbuds_sync.testing._creators``)."""

FRESH = ("instagram", "emptyfeed")
"""A seeded creator the demo has not fetched yet, so its fetch must go upstream."""

FAILOVER = "danceduo"
"""A TikTok creator fetched in the failover step, through the second provider."""

MANUAL = ManualEntry(followers=310, engagement=1.5)
"""What the creator types in when the quota is gone."""


class _Checks:
    """The demo's expectations: each prints a tick or a cross; any cross fails the demo."""

    def __init__(self, console: Console, out: Output | None = None) -> None:
        self.console = console
        self.out = out
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str) -> None:
        """Record and print one expectation (with ``--json``, one NDJSON line)."""
        if not ok:
            self.failed.append(what)
        if self.out is not None:
            self.out.emit({"ok": ok, "check": what})
        elif ok:
            self.console.print(f"[green]✓[/] {what}")
        else:
            self.console.print(f"[red]✗ {what}[/]")


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo; 0 when every step behaved as expected, 1 otherwise."""
    as_json = bool(getattr(args, "json", False))
    console = Console(quiet=as_json)  # with --json, only the checks are printed
    previous = transport.sleeps_enabled()
    set_testing(True)  # no backoff sleeps: the demo must take about a second
    try:
        serve = bool(getattr(args, "serve", False))
        checks = asyncio.run(_demo(console, Output(True) if as_json else None, serve))
    finally:
        transport.set_sleeps(previous)
    console.print(Rule())
    if checks.failed:
        console.print(f"[red]demo failed:[/] {len(checks.failed)} step(s) did not behave")
        return UNEXPECTED
    console.print("[green]demo finished: every step behaved as expected[/]")
    return OK


async def _demo(console: Console, out: Output | None, serve: bool = False) -> _Checks:
    checks = _Checks(console, out)
    async with (
        RapidAPIEmulator(quota=500, valid_keys={TEST_KEY}) as rapidapi,
        BackendEmulator(tokens={TEST_TOKEN}) as backend,
        SocialSync(
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
            rapidapi_key=TEST_KEY,
            token=TEST_TOKEN,
            redis_url="",  # the demo's state stays in this process, whatever the environment
        ) as sync,
    ):
        console.print(f"RapidAPI emulator on {rapidapi.url}, backend emulator on {backend.url}")
        await _sync_everything(sync, console, checks)
        result = await _quota_runs_out(sync, rapidapi, console, checks)
        await _degrade_gracefully(sync, console, checks)
        await _failover(rapidapi, backend, console, checks)
        console.print(Rule("state at the end"))
        if result is not None:
            console.print(render.result_table(result))
        console.print(render.metrics_table(sync.metrics.totals()))
        console.print(render.quota_table(sync.quota()))
        console.print(f"the RapidAPI emulator saw {rapidapi.calls} request(s) in all")
        if serve:  # --serve: the status page over this client, its URL printed, until Ctrl-C
            from ._status import serve_status

            await serve_status(sync)
    return checks


async def _sync_everything(sync: SocialSync, console: Console, checks: _Checks) -> None:
    """Step 1: fetch a creator on each platform and sync them all in one batch."""
    console.print(Rule("1. fetch and sync one creator per platform"))
    report = await sync.sync_all(CREATORS)
    console.print(render.report_table(report))
    checks.expect(
        len(report.succeeded) == len(CREATORS), f"{len(report.succeeded)}/{len(CREATORS)} synced"
    )


async def _quota_runs_out(
    sync: SocialSync, rapidapi: RapidAPIEmulator, console: Console, checks: _Checks
) -> SyncResult | None:
    """Step 2: the monthly quota is gone; a fresh creator is synced by hand instead."""
    platform, username = FRESH
    console.print(Rule("2. the monthly quota runs out"))
    rapidapi.set_quota(1)  # one request per host is already spent: the next one gets the 429
    console.print(f"the plan now allows 1 request per host; fetching {platform} @{username}")
    try:
        data = await sync.fetch(platform, username)
    except QuotaExceeded as exc:
        console.print(f"[yellow]{type(exc).__name__}[/]: {escape(describe(exc))}")
        console.print(f"[bold]{QUOTA_MESSAGE}[/]")
        checks.expect(True, "QuotaExceeded raised, never retried")
    else:
        checks.expect(False, f"QuotaExceeded expected, got {data.followers} followers")
        return None
    checks.expect(
        rapidapi.calls_for(platform=platform, username=username) == 1,
        "the 429 came from the (emulated) gateway, in one request",
    )
    console.print(f"syncing {platform} with a manual entry: {MANUAL.followers} followers")
    result = await sync.sync(platform, MANUAL)
    synced = result.stats.platform_breakdown.get(platform)
    checks.expect(
        synced is not None and synced.followers == MANUAL.followers,
        f"manual entry synced without a provider call: {result.message}",
    )
    return result


async def _degrade_gracefully(sync: SocialSync, console: Console, checks: _Checks) -> None:
    """Step 3: cached creators still answer; a forced refresh falls back to the stale value."""
    console.print(Rule("3. what still works without quota"))
    upstream = sync.metrics.get(UPSTREAM_CALLS)
    hits = sync.metrics.get(CACHE_HITS)
    cached = await sync.fetch("twitch", CREATORS["twitch"])
    checks.expect(
        sync.metrics.get(CACHE_HITS) > hits and sync.metrics.get(UPSTREAM_CALLS) == upstream,
        f"twitch @{cached.username} served from the cache: {cached.followers:,} followers",
    )
    stale = await sync.fetch("tiktok", CREATORS["tiktok"], refresh=True, allow_stale=True)
    checks.expect(
        stale.stale,
        f"tiktok @{stale.username}: refresh refused for quota, the last value served, "
        f"marked stale ({stale.followers:,} followers, fetched {render.when(stale.last_fetched)})",
    )


async def _failover(
    rapidapi: RapidAPIEmulator, backend: BackendEmulator, console: Console, checks: _Checks
) -> None:
    """Step 4: a chain of two TikTok providers; tiktok-api23's quota is gone, tiktok-api45
    answers, and the record says so."""
    console.print(Rule("4. failover: a second provider answers"))
    chain = {"tiktok": ["tiktok-api23", "tiktok-api45"]}
    console.print(f"a client with the chain {chain['tiktok']}; fetching tiktok @{FAILOVER}")
    async with SocialSync(
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        redis_url="",
        providers=chain,
    ) as chained:
        data = await chained.fetch("tiktok", FAILOVER)
        console.print(render.platform_table(data))
        asked = rapidapi.calls_for("tiktok-api23.p.rapidapi.com")
        console.print("a forced refresh of the same creator:")
        await chained.fetch("tiktok", FAILOVER, refresh=True, allow_stale=True)
        states = await chained.providers()
    console.print(render.providers_table({"tiktok": states["tiktok"]}))
    console.print(
        "why tiktok-api45 is benched too: the emulated plan allows 1 request per host since "
        "step 2; its answer above used it and said 0 remaining, so the refresh asked no one "
        "and served the last value, stale"
    )
    checks.expect(
        data.provider == "tiktok-api45", f"answered by {data.provider}, not the spent one"
    )
    checks.expect(
        rapidapi.calls_for("tiktok-api23.p.rapidapi.com") == asked,
        "tiktok-api23 benched until its reset: the next fetch made no request to it",
    )
    benched = {s.provider for s in states["tiktok"] if not s.available}
    checks.expect(
        benched == {"tiktok-api23", "tiktok-api45"}
        and rapidapi.calls_for("tiktok-api45.p.rapidapi.com") == 1,
        "tiktok-api45 benched by its own answer (0 remaining), without a second request",
    )
