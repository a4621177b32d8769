"""The ``history`` and ``growth`` subcommands: read the recorded history, no key needed.

::

    hyperbuds-sync history PLATFORM USERNAME [--since ISO] [--until ISO] [--limit N] [--json]
    hyperbuds-sync growth PLATFORM USERNAME [--windows 1,7,30,90] [--json]

Both read ``--history-url``, else ``HYPERBUDS_HISTORY_URL``, else the embedded default file.
:func:`register` needs neither rich nor SQLAlchemy; the handlers import them when they run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from ..config import Settings
from ..errors import InvalidInput
from ..history import DEFAULT, Growth, Snapshot, open_store
from ..platforms import get as platform_adapter

__all__ = ["register", "run_growth", "run_history"]

Command = Callable[[str, str, str], argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add ``history`` and ``growth`` to the command's subparsers."""
    history = command("history", "history:run_history", "a creator's recorded snapshots")
    growth = command("growth", "history:run_growth", "a creator's growth over 1, 7, 30, 90 days")
    for parser in (history, growth):
        parser.add_argument("platform", metavar="PLATFORM")
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument(
            "--history-url", metavar="URL", help="overrides HYPERBUDS_HISTORY_URL (else: default)"
        )
    history.add_argument("--since", type=_moment, metavar="ISO", help="from this UTC time")
    history.add_argument("--until", type=_moment, metavar="ISO", help="up to this UTC time")
    history.add_argument("--limit", type=int, metavar="N", help="the N most recent")
    growth.add_argument("--windows", type=_windows, default=(1, 7, 30, 90), metavar="D,D,...")


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _windows(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _url(args: argparse.Namespace) -> str:
    return args.history_url or Settings.from_env().history_url or DEFAULT


def _creator(args: argparse.Namespace) -> tuple[str, str]:
    adapter = platform_adapter(args.platform)
    return adapter.name, adapter.canonical_username(args.username)


def snapshot_json(snapshot: Snapshot | None) -> dict[str, Any] | None:
    """A snapshot as JSON-ready values (``raw`` left out)."""
    if snapshot is None:
        return None
    body = attrs.asdict(snapshot, filter=lambda field, _value: field.name != "raw")
    body["fetched_at"] = snapshot.fetched_at.isoformat()
    return body


def growth_json(growth: Growth) -> dict[str, Any]:
    """A growth as JSON-ready values, windows keyed by their days."""
    windows = {}
    for days, window in growth.windows.items():
        windows[str(days)] = {
            "start": snapshot_json(window.start),
            "end": snapshot_json(window.end),
            "followers_change": window.followers_change,
            "followers_change_pct": window.followers_change_pct,
            "engagement_change": window.engagement_change,
        }
    return {"platform": growth.platform, "username": growth.username, "windows": windows}


def run_history(args: argparse.Namespace) -> int:
    """``history PLATFORM USERNAME``: a table and a followers-over-time bar chart, or JSON."""
    platform, username = _creator(args)

    async def read() -> list[Snapshot]:
        store = open_store(_url(args))
        try:
            return await store.snapshots(
                platform, username, since=args.since, until=args.until, limit=args.limit
            )
        finally:
            await store.aclose()

    found = asyncio.run(read())
    if args.json:
        _print_json([snapshot_json(s) for s in found])
    else:
        from rich.console import Console

        Console().print(_history_table(platform, username, found))
    return 0


def run_growth(args: argparse.Namespace) -> int:
    """``growth PLATFORM USERNAME``: the windows as a table, or JSON."""
    platform, username = _creator(args)
    if not args.windows:
        raise InvalidInput("--windows needs at least one number of days")

    async def read() -> Growth:
        store = open_store(_url(args))
        try:
            return await store.growth(platform, username, windows=args.windows)
        finally:
            await store.aclose()

    growth = asyncio.run(read())
    if args.json:
        _print_json(growth_json(growth))
    else:
        from rich.console import Console

        Console().print(_growth_table(growth))
    return 0


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _history_table(platform: str, username: str, snapshots: Sequence[Snapshot]) -> Any:
    from rich.table import Table

    table = Table(title=f"{platform} {username}: {len(snapshots)} snapshots")
    for name in ("fetched (UTC)", "followers", "", "avg engagement", "provider"):
        table.add_column(name, justify="left" if name in ("", "provider") else "right")
    top = max((s.followers for s in snapshots), default=0) or 1
    for s in snapshots:
        bar = "█" * max(1, round(s.followers / top * 30)) if s.followers else ""
        engagement = "-" if s.average_engagement is None else f"{s.average_engagement:,.2f}"
        when = s.fetched_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(when, f"{s.followers:,}", bar, engagement, s.provider or "-")
    return table


def _growth_table(growth: Growth) -> Any:
    from rich.table import Table

    latest = "-" if growth.end is None else f"{growth.end.followers:,}"
    table = Table(title=f"{growth.platform} {growth.username}: {latest} followers")
    for name in ("window", "since", "followers", "change %", "engagement"):
        table.add_column(name, justify="right")
    for days, w in growth.windows.items():
        since = "-" if w.start is None else w.start.fetched_at.strftime("%Y-%m-%d")
        change = "-" if w.followers_change is None else f"{w.followers_change:+,}"
        pct = "-" if w.followers_change_pct is None else f"{w.followers_change_pct:+.2f}%"
        eng = "-" if w.engagement_change is None else f"{w.engagement_change:+,.2f}"
        table.add_row(f"{days} d", since, change, pct, eng)
    return table
