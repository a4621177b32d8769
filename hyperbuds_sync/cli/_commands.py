"""The ``fetch``, ``sync``, ``sync-all`` and ``quota`` subcommands.

Each ``run_*`` takes the parsed arguments and returns an exit code; errors propagate to
:func:`hyperbuds_sync.cli.main`, which turns them into one line and an exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from .._facade import SocialSync
from ..errors import HyperbudsSyncError
from ..models import ManualEntry, PlatformData, SyncOutcome, SyncReport, to_dict
from . import _render as render
from ._exits import OK, UsageError, describe, exit_code

__all__ = ["client", "run_fetch", "run_quota", "run_sync", "run_sync_all"]


def client(args: argparse.Namespace) -> SocialSync:
    """A :class:`SocialSync` from the environment, with ``--endpoint``/``--api-url`` on top."""
    overrides: dict[str, Any] = {}
    if getattr(args, "endpoint", None):
        overrides["rapidapi_endpoint"] = args.endpoint
    if getattr(args, "api_url", None):
        overrides["api_url"] = args.api_url
    return SocialSync.from_env(**overrides)


# --- fetch ---------------------------------------------------------------------------------------


def run_fetch(args: argparse.Namespace) -> int:
    """``fetch PLATFORM USERNAME [--json] [--refresh] [--formula NAME]``."""
    return asyncio.run(_fetch(args))


async def _fetch(args: argparse.Namespace) -> int:
    async with client(args) as sync:
        data = await sync.fetch(
            args.platform, args.username, refresh=args.refresh, formula=args.formula
        )
    if args.json:
        body = to_dict(data)
        body["platform"] = data.platform
        body["stale"] = data.stale
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        Console().print(render.platform_table(data))
    return OK


# --- sync ----------------------------------------------------------------------------------------


def run_sync(args: argparse.Namespace) -> int:
    """``sync PLATFORM USERNAME`` or ``sync PLATFORM --followers N [--engagement X]``."""
    return asyncio.run(_sync(args))


def _manual_entry(args: argparse.Namespace) -> ManualEntry | None:
    """The manual entry the arguments describe, or ``None`` to fetch ``USERNAME`` instead."""
    if args.username is not None and args.followers is not None:
        raise UsageError("give a USERNAME to fetch or --followers to enter by hand, not both")
    if args.followers is None:
        if args.engagement is not None:
            raise UsageError("--engagement goes with --followers (a manual entry)")
        if args.username is None:
            raise UsageError("sync needs a USERNAME, or --followers N for a manual entry")
        return None
    return ManualEntry(followers=args.followers, engagement=args.engagement)


async def _sync(args: argparse.Namespace) -> int:
    entry = _manual_entry(args)  # bad numbers fail here, before any I/O
    console = Console()
    async with client(args) as sync:
        if entry is None:
            data = await sync.fetch(args.platform, args.username)
            sent = f"followers {render.count(data.followers)}, "
            sent += f"engagement {render.number(data.average_engagement)}"
            result = await sync.sync(args.platform, data)
        else:
            sent = f"followers {render.count(entry.followers)}, "
            sent += f"engagement {render.number(entry.engagement)} (manual entry)"
            result = await sync.sync(args.platform, entry)
    console.print(f"synced {result.platform}: {sent}")
    console.print(f"backend: {result.message}", markup=False)
    console.print(
        f"profile totals: {render.count(result.stats.total_followers)} followers, "
        f"{render.number(result.stats.avg_engagement)} average engagement"
    )
    console.print(render.result_table(result))
    return OK


# --- sync-all ------------------------------------------------------------------------------------


def run_sync_all(args: argparse.Namespace) -> int:
    """``sync-all --tiktok A --twitter B ...``: exit 0 when any platform synced."""
    asked = {p: getattr(args, f"sync_{p}") for p in args.sync_platforms}
    wanted = {p: u for p, u in asked.items() if u}
    if not wanted:
        flags = ", ".join(f"--{p}" for p in asked)
        raise UsageError(f"sync-all needs at least one of {flags}")
    report = asyncio.run(_sync_all(args, wanted))
    Console().print(render.report_table(report))
    if report.ok:
        return OK
    first = next(o.error for o in report.outcomes.values() if o.error is not None)
    platform = next(p for p, o in report.outcomes.items() if o.error is first)
    print(f"error: {platform}: {describe(first)}", file=sys.stderr)  # one line, never wrapped
    return exit_code(first)


async def _sync_all(args: argparse.Namespace, wanted: Mapping[str, str]) -> SyncReport:
    """Fetch each username (advancing a progress bar), then sync what came back in one batch.

    The CLI fetches by itself, rather than handing usernames to ``sync_all``, only so that the bar
    moves as each platform answers; ``sync_all`` then gets records and makes no upstream call.
    """
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    async with client(args) as sync:
        with progress:
            task = progress.add_task("fetching", total=len(wanted) + 1)

            async def one(platform: str, username: str) -> PlatformData | HyperbudsSyncError:
                try:
                    return await sync.fetch(platform, username)
                except HyperbudsSyncError as exc:
                    return exc
                finally:
                    progress.advance(task)

            answers = await asyncio.gather(*(one(p, u) for p, u in wanted.items()))
            fetched = dict(zip(wanted, answers, strict=True))
            progress.update(task, description="syncing")
            ready = {p: d for p, d in fetched.items() if isinstance(d, PlatformData)}
            synced = await sync.sync_all(ready) if ready else SyncReport({})
            progress.advance(task)
    outcomes: dict[str, SyncOutcome] = {}
    for platform, value in fetched.items():  # in the order asked, fetch errors included
        if isinstance(value, HyperbudsSyncError):
            outcomes[platform] = SyncOutcome(platform, error=value)
        else:
            outcomes[platform] = synced.outcomes[platform]
    return SyncReport(outcomes)


# --- quota ---------------------------------------------------------------------------------------


def run_quota(args: argparse.Namespace) -> int:
    """``quota [--probe PLATFORM USERNAME]``."""
    return asyncio.run(_quota(args))


async def _quota(args: argparse.Namespace) -> int:
    console = Console()
    failure: HyperbudsSyncError | None = None
    async with client(args) as sync:
        if args.probe:
            platform, username = args.probe
            try:
                await sync.fetch(platform, username)
            except HyperbudsSyncError as exc:  # a 429 still teaches us the quota: show it
                failure = exc
        quota = sync.quota()
    if quota:
        console.print(render.quota_table(quota))
    else:
        hint = "" if args.probe else " (try: quota --probe PLATFORM USERNAME)"
        console.print(f"no quota facts yet in this process{hint}", markup=False)
    if failure is not None:
        raise failure
    return OK
