"""The ``fetch``, ``sync``, ``sync-all`` and ``quota`` subcommands.

Each ``run_*`` takes the parsed arguments and returns an exit code; errors propagate to
:func:`hyperbuds_sync.cli.main`, which turns them into one line and an exit code. Output goes
through :class:`~._output.Output`: ``--json``, tables on a terminal, plain lines when piped.
Nothing here imports rich; ``_render`` does, and only for a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from types import ModuleType
from typing import Any

from ..backend import for_creator
from ..client import SocialSync
from ..config import DEFAULT_API_URL
from ..errors import HyperbudsSyncError
from ..history import quota_memory
from ..models import ManualEntry, PlatformData, SyncOutcome, SyncReport
from . import _output as out
from ._exits import OK, UsageError, describe, exit_code
from ._exits import report as report_error
from ._history import history_url
from ._waiting import waiting

__all__ = ["client", "run_fetch", "run_quota", "run_sync", "run_sync_all"]


@asynccontextmanager
async def client(args: argparse.Namespace, *, syncs: bool = True) -> AsyncIterator[SocialSync]:
    """A :class:`SocialSync` from the environment, with ``--endpoint``/``--api-url`` on top,
    recording to :func:`history_url`, open for the block.

    With a history, the client starts from the provider benches and quota facts the previous
    commands kept there, and keeps its own when the block ends, even by an error (a quota error
    is when a bench is learned): consecutive commands agree on what is spent. ``--no-history``
    keeps nothing. A command that never syncs (``syncs=False``) does not read the backend URL,
    so a URL the SDK would refuse (plain http to a remote host) cannot stop a fetch.
    """
    overrides: dict[str, Any] = {"history_url": history_url(args)}
    for name in ("timeout", "max_tries"):  # --timeout, --max-tries
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    if getattr(args, "endpoint", None):
        overrides["rapidapi_endpoint"] = args.endpoint
    if not syncs:
        overrides["api_url"] = DEFAULT_API_URL
    elif getattr(args, "api_url", None):
        overrides["api_url"] = args.api_url
    async with SocialSync.from_env(**overrides) as sync:
        memory = quota_memory(sync.history_store) if overrides["history_url"] else None
        if memory is not None:
            kept = await memory.load()
            await sync.recall_quota(kept.quota, kept.benches)
        try:
            yield sync
        finally:
            if memory is not None:
                await memory.save(sync.quota(), await _benches(sync))


async def _benches(sync: SocialSync) -> dict[str, datetime]:
    """The providers benched now (for their quota), with their until."""
    states = await sync.providers()
    rows = [s for platform in states.values() for s in platform]
    return {s.provider: s.benched_until for s in rows if s.benched_until is not None}


def _output(args: argparse.Namespace) -> out.Output:
    return out.Output(bool(getattr(args, "json", False)))


def _tables() -> ModuleType:
    """The rich tables (``_render``), imported only when a terminal shows them."""
    return importlib.import_module(f"{__package__}._render")


# --- fetch ---------------------------------------------------------------------------------------


def run_fetch(args: argparse.Namespace) -> int:
    """``fetch PLATFORM USERNAME [--json] [--refresh] [--formula NAME] [--provider NAME]``."""
    return asyncio.run(_fetch(args))


async def _fetch(args: argparse.Namespace) -> int:
    shown = _output(args)
    async with (
        client(args, syncs=False) as sync,
        waiting(f"fetching {args.platform} {args.username}", enabled=not shown.json),
    ):
        data = await sync.fetch(
            args.platform,
            args.username,
            refresh=args.refresh,
            formula=args.formula,
            provider=getattr(args, "provider", None),
        )
    if shown.json:
        shown.emit(out.platform_json(data))
    else:
        shown.show(lambda: _tables().platform_table(data), out.platform_lines(data))
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
    shown = _output(args)
    what = f"syncing {args.platform}" + (f" {args.username}" if args.username else "")
    async with client(args) as sync, waiting(what, enabled=not shown.json):
        sent: PlatformData | ManualEntry
        sent = entry if entry is not None else await sync.fetch(args.platform, args.username)
        with contextlib.ExitStack() as stack:
            if getattr(args, "creator", None):
                stack.enter_context(for_creator(args.creator))
            result = await sync.sync(args.platform, sent, force=args.force)
    if shown.json:
        shown.emit(out.result_json(result, sent))
    else:
        shown.show(lambda: _tables().sync_view(result, sent), out.result_lines(result, sent))
    return OK


# --- sync-all ------------------------------------------------------------------------------------


def run_sync_all(args: argparse.Namespace) -> int:
    """``sync-all --tiktok A --twitter B ...``: exit 0 when any platform synced.

    With ``--json``, one NDJSON line per platform, in the order asked.
    """
    asked = {p: getattr(args, f"sync_{p}") for p in args.sync_platforms}
    wanted = {p: u for p, u in asked.items() if u}
    if not wanted:
        flags = ", ".join(f"--{p}" for p in asked)
        raise UsageError(f"sync-all needs at least one of {flags}")
    shown = _output(args)
    report = asyncio.run(_sync_all(args, wanted, progress=shown.tables))
    if shown.json:
        for outcome in report.outcomes.values():
            shown.emit(out.outcome_json(outcome))
    else:
        lines = [out.outcome_line(o) for o in report.outcomes.values()]
        shown.show(lambda: _tables().report_table(report), lines)
    if report.ok:
        return OK
    first = next(o.error for o in report.outcomes.values() if o.error is not None)
    platform = next(p for p, o in report.outcomes.items() if o.error is first)
    if shown.json:
        return report_error(first, as_json=True)  # its facts name the platform
    print(f"error: {platform}: {describe(first)}", file=sys.stderr)  # one line, never wrapped
    return exit_code(first)


async def _sync_all(
    args: argparse.Namespace, wanted: Mapping[str, str], *, progress: bool
) -> SyncReport:
    """Fetch each username (advancing a progress bar on a terminal), then sync what came back.

    The CLI fetches by itself, rather than handing usernames to ``sync_all``, only so that the bar
    moves as each platform answers; ``sync_all`` then gets records and makes no upstream call.
    """
    async with client(args) as sync:
        with out.progress_bar(len(wanted) + 1, enabled=progress and sys.stderr.isatty()) as advance:

            async def one(platform: str, username: str) -> PlatformData | HyperbudsSyncError:
                try:
                    return await sync.fetch(platform, username)
                except HyperbudsSyncError as exc:
                    return exc
                finally:
                    advance()

            answers = await asyncio.gather(*(one(p, u) for p, u in wanted.items()))
            fetched = dict(zip(wanted, answers, strict=True))
            ready = {p: d for p, d in fetched.items() if isinstance(d, PlatformData)}
            synced = await sync.sync_all(ready, force=args.force) if ready else SyncReport({})
            advance()
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
    failure: HyperbudsSyncError | None = None
    shown = _output(args)
    async with client(args, syncs=False) as sync:
        if args.probe:
            platform, username = args.probe
            try:
                async with waiting(f"probing {platform} {username}", enabled=not shown.json):
                    await sync.fetch(platform, username)
            except HyperbudsSyncError as exc:  # a 429 still teaches us the quota: show it
                failure = exc
        quota = sync.quota()
    if shown.json:
        shown.emit(out.quota_json(quota))
    elif quota:
        shown.show(lambda: _tables().quota_table(quota), out.quota_lines(quota))
    else:
        hint = "" if args.probe else " (try: quota --probe PLATFORM USERNAME)"
        shown.lines([f"no quota facts yet{hint}"])
    if failure is not None:
        raise failure
    return OK
