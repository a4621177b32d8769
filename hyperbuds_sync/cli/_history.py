"""The ``history`` and ``growth`` subcommands: read the recorded history, no key needed.

::

    hyperbuds-sync history PLATFORM USERNAME [--since ISO] [--until ISO] [--limit N] [--json]
    hyperbuds-sync growth PLATFORM USERNAME [--windows 1,7,30,90] [--json]

Both read ``--history-url``, else ``HYPERBUDS_HISTORY_URL``, else the embedded default file.
On a terminal: a table and a followers-over-time chart (rich); piped: tab-separated lines;
``--json``: one JSON document. :func:`register` needs neither rich nor SQLAlchemy; the handlers
import them when they run. :func:`history_url` and :func:`add_history_flags` give ``fetch``,
``sync`` and ``sync-all`` the same choice of store, recording to the embedded default.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..config import Settings
from ..errors import InvalidInput
from . import _output as out

if TYPE_CHECKING:  # imported when the command runs: --help and --version stay quick
    from ..history import Growth, Snapshot

DEFAULT = "default"
"""The history URL of the embedded file (``hyperbuds_sync.history.DEFAULT``)."""

__all__ = [
    "add_history_flags",
    "followers_chart",
    "history_url",
    "moment",
    "register",
    "run_growth",
    "run_history",
]

Command = Callable[[str, str, str], argparse.ArgumentParser]

# What the embedded default history needs (the ``history`` extra); SQLAlchemy's asyncio, greenlet.
_HISTORY_MODULES = ("sqlalchemy", "aiosqlite", "platformdirs", "greenlet")


def add_history_flags(parser: argparse.ArgumentParser) -> None:
    """``--history-url URL`` and ``--no-history`` on a command that fetches or syncs."""
    parser.add_argument(
        "--history-url",
        metavar="URL",
        help="record to this history (overrides HYPERBUDS_HISTORY_URL; default: the embedded file)",
    )
    parser.add_argument("--no-history", action="store_true", help="record nothing in the history")


def history_url(args: argparse.Namespace) -> str:
    """Where the command records: ``--history-url``, else ``HYPERBUDS_HISTORY_URL``, else the
    embedded default file; ``""`` (nothing) with ``--no-history``.

    A history URL that was asked for fails loudly when its extra is missing; the embedded
    default, which nobody asked for, is skipped instead, so the command works without the
    ``history`` extra.
    """
    if getattr(args, "no_history", False):
        return ""
    asked = getattr(args, "history_url", None) or Settings.from_env().history_url
    if asked:
        return str(asked)
    return DEFAULT if all(map(_importable, _HISTORY_MODULES)) else ""


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


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
    when = "an ISO UTC time (2025-03-01, 2025-03-01T12:00), today, yesterday or an age (7d, 12h)"
    history.add_argument("--since", type=moment, metavar="WHEN", help=f"from {when}")
    history.add_argument("--until", type=moment, metavar="WHEN", help="up to WHEN")
    history.add_argument("--limit", type=int, metavar="N", help="the N most recent")
    growth.add_argument("--windows", type=_windows, default=(1, 7, 30, 90), metavar="D,D,...")


_AGES = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}


def moment(text: str, *, now: datetime | None = None) -> datetime:
    """``--since``/``--until``: an ISO time (UTC when it names no zone), ``now``, ``today``
    (midnight UTC), ``yesterday`` (the midnight before) or an age before now (``7d``, ``12h``,
    ``30m``, ``2w``).

    Raises:
        argparse.ArgumentTypeError: anything else, with what is accepted.
    """
    now = now or datetime.now(UTC)
    word = text.strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"now": now, "today": midnight, "yesterday": midnight - timedelta(days=1)}
    if word in named:
        return named[word]
    if word[:-1].isdigit() and word[-1:] in _AGES:
        return now - timedelta(**{_AGES[word[-1]]: int(word[:-1])})
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: give an ISO time (2025-03-01 or 2025-03-01T12:00), "
            "now, today, yesterday or an age (7d, 12h)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _windows(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of days: give whole numbers, comma-separated (1,7,30)"
        ) from None


def _url(args: argparse.Namespace) -> str:
    return args.history_url or Settings.from_env().history_url or DEFAULT


def _creator(args: argparse.Namespace) -> tuple[str, str]:
    from ..platforms import get as platform_adapter

    adapter = platform_adapter(args.platform)
    return adapter.platform, adapter.canonical_username(args.username)


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
    """``history PLATFORM USERNAME``: a table and a followers-over-time chart, lines, or JSON."""
    platform, username = _creator(args)

    async def read() -> list[Snapshot]:
        from ..history import open_store

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
        shown = out.Output(False)
        shown.show(lambda: _history_view(platform, username, found), _history_lines(found))
    return 0


def run_growth(args: argparse.Namespace) -> int:
    """``growth PLATFORM USERNAME``: the windows as a table, lines, or JSON."""
    platform, username = _creator(args)
    if not args.windows:
        raise InvalidInput("--windows needs at least one number of days")

    async def read() -> Growth:
        from ..history import open_store

        store = open_store(_url(args))
        try:
            return await store.growth(platform, username, windows=args.windows)
        finally:
            await store.aclose()

    growth = asyncio.run(read())
    if args.json:
        _print_json(growth_json(growth))
    else:
        out.Output(False).show(lambda: _growth_table(growth), _growth_lines(growth))
    return 0


def _print_json(value: object) -> None:
    """One line, as every other command prints its JSON."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def _dash(value: object, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def _history_lines(snapshots: Sequence[Snapshot]) -> list[str]:
    """``fetched_at<TAB>followers<TAB>following<TAB>content<TAB>avg engagement<TAB>provider``."""
    return [
        f"{s.fetched_at.isoformat()}\t{s.followers}\t{s.following}\t{s.total_content}"
        f"\t{_dash(s.average_engagement, '.2f')}\t{s.provider or '-'}"
        for s in snapshots
    ]


def _growth_lines(growth: Growth) -> list[str]:
    """``days<TAB>since<TAB>change<TAB>change %<TAB>engagement change``, one window a line."""
    lines = []
    for days, w in growth.windows.items():
        since = "-" if w.start is None else w.start.fetched_at.isoformat()
        pct, eng = _dash(w.followers_change_pct, ".2f"), _dash(w.engagement_change, ".2f")
        lines.append(f"{days}\t{since}\t{_dash(w.followers_change)}\t{pct}\t{eng}")
    return lines


_LEVELS = " ▁▂▃▄▅▆▇█"  # eighths of one row


def followers_chart(snapshots: Sequence[Snapshot], width: int = 60, height: int = 8) -> list[str]:
    """Followers over time as text: ``width`` columns spread evenly over the time the snapshots
    span (each showing the last value known then), ``height`` rows between the lowest and the
    highest count, a y axis labelled with both and an x axis with the first and last dates."""
    if not snapshots:
        return []
    first, last = snapshots[0].fetched_at, snapshots[-1].fetched_at
    span = (last - first).total_seconds()
    columns = 1 if span == 0 else min(width, max(len(snapshots), 2))
    values: list[int] = []
    index = 0
    for column in range(columns):
        moment = first.timestamp() + (span * column / (columns - 1) if columns > 1 else 0)
        while index + 1 < len(snapshots) and snapshots[index + 1].fetched_at.timestamp() <= moment:
            index += 1
        values.append(snapshots[index].followers)
    low, high = min(values), max(values)
    steps = height * 8
    levels = [
        steps if high == low else 1 + round((v - low) / (high - low) * (steps - 1)) for v in values
    ]
    labels = [f"{high:,}", *[""] * (height - 2), f"{low:,}"] if height > 1 else [f"{high:,}"]
    pad = max(len(label) for label in labels)
    rows = []
    for row in range(height):
        floor = (height - 1 - row) * 8
        bars = "".join(_LEVELS[max(0, min(8, level - floor))] for level in levels)
        rows.append(f"{labels[row]:>{pad}} ┤{bars}")
    start, end = first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")
    rows.append(" " * pad + " └" + "─" * columns)
    gap = max(1, columns - len(start) - len(end))
    rows.append(" " * (pad + 2) + (start if start == end else start + " " * gap + end))
    return rows


def _history_view(platform: str, username: str, snapshots: Sequence[Snapshot]) -> Any:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    table = _history_table(platform, username, snapshots)
    if not snapshots:
        return table
    chart = Text("\n".join(followers_chart(snapshots)), style="cyan", no_wrap=True)
    return Group(table, Panel(chart, title="followers over time", expand=False))


def _history_table(platform: str, username: str, snapshots: Sequence[Snapshot]) -> Any:
    from rich.table import Table

    table = Table(title=f"{platform} {username}: {len(snapshots)} snapshots")
    for name in ("fetched (UTC)", "followers", "following", "avg engagement", "provider"):
        table.add_column(name, justify="left" if name == "provider" else "right")
    for s in snapshots:
        engagement = _dash(s.average_engagement, ",.2f")
        when = s.fetched_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(when, f"{s.followers:,}", f"{s.following:,}", engagement, s.provider or "-")
    return table


def _growth_table(growth: Growth) -> Any:
    from rich.table import Table

    latest = "-" if growth.end is None else f"{growth.end.followers:,}"
    table = Table(title=f"{growth.platform} {growth.username}: {latest} followers")
    for name in ("window", "since", "followers", "change %", "engagement"):
        table.add_column(name, justify="right")
    for days, w in growth.windows.items():
        since = "-" if w.start is None else w.start.fetched_at.strftime("%Y-%m-%d")
        change = _dash(w.followers_change, "+,")
        pct = "-" if w.followers_change_pct is None else f"{w.followers_change_pct:+.2f}%"
        table.add_row(f"{days} d", since, change, pct, _dash(w.engagement_change, "+,.2f"))
    return table
