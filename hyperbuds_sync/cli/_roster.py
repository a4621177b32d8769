"""The ``roster`` subcommand: a roster of creators kept in the history, and its runner.

::

    hyperbuds-sync roster add CREATOR_ID tiktok=mayacooks twitch=pixelmaya [--priority 2]
    hyperbuds-sync roster remove CREATOR_ID
    hyperbuds-sync roster list
    hyperbuds-sync roster plan --budget tiktok-api23=10000 [--budget twitch-scraper2=500/daily]
    hyperbuds-sync roster run --budget ... [--until SECONDS] [--tokens tokens.json]

Each reads ``--history-url``, else ``HYPERBUDS_HISTORY_URL``, else the embedded default file,
and takes ``--json``; ``--history-url``, ``--budget`` and ``--reserve`` go before the action or
after it. ``plan`` and ``run`` name every provider without a budget at once (exit 5).
``run`` shows a live table of due, done, failed and budget spent with rich
on a terminal, a plain line per ``--every`` seconds otherwise (NDJSON with ``--json``); Ctrl-C
stops it after the refreshes under way have finished.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..config import Settings
from ..errors import InvalidInput
from . import _output as out
from ._budgets import add_budget_flags, budgets_of, missing_budgets_error

if TYPE_CHECKING:  # imported when the command runs: --help and --version stay quick
    from ..history import CreatorRecord
    from ..roster import Plan, Roster, RosterStatus

__all__ = ["register", "run_roster"]

Command = Callable[[str, str, str], argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add ``roster add|remove|list|plan|run``."""
    roster = command("roster", "roster:run_roster", "creators kept fresh within a budget")
    roster.add_argument("--history-url", metavar="URL", help="overrides HYPERBUDS_HISTORY_URL")
    add_budget_flags(roster)
    actions = roster.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add or replace a creator")
    add.add_argument("creator_id", metavar="CREATOR_ID")
    add.add_argument("usernames", nargs="+", metavar="PLATFORM=USERNAME")
    add.add_argument("--priority", type=int, default=1)
    remove = actions.add_parser("remove", help="remove a creator")
    remove.add_argument("creator_id", metavar="CREATOR_ID")
    actions.add_parser("list", help="the creators and their refresh state")
    actions.add_parser("plan", help="each creator-platform's interval and next refresh")
    run = actions.add_parser("run", help="refresh creators when due, until Ctrl-C or --until")
    run.add_argument("--until", type=float, metavar="SECONDS", help="stop after this long")
    run.add_argument("--tokens", type=Path, metavar="FILE", help="JSON {creator_id: token}")
    run.add_argument("--every", type=float, default=2.0, metavar="SECONDS", help="status period")
    for action in (add, remove, run, *(actions.choices[name] for name in ("list", "plan"))):
        action.add_argument(  # also after the action; SUPPRESS keeps a --json given before it
            "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON"
        )
        action.add_argument(
            "--history-url", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        add_budget_flags(action, after=True)


def _usernames(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        platform, sep, username = pair.partition("=")
        if not sep or not platform or not username:
            raise InvalidInput(f"usernames are PLATFORM=USERNAME, got {pair!r}")
        found[platform] = username
    return found


def _tokens(path: Path | None) -> Callable[[str], str | None] | None:
    if path is None:
        return None
    tokens = json.loads(path.read_text())
    if not isinstance(tokens, dict):
        raise InvalidInput("--tokens is a JSON object of creator_id: token")
    return lambda creator_id: tokens.get(creator_id)


def run_roster(args: argparse.Namespace) -> int:
    """``roster ACTION``."""
    return asyncio.run(_with_roster(args, _ACTIONS[args.action]))


async def _with_roster(
    args: argparse.Namespace, action: Callable[[Roster, argparse.Namespace], Awaitable[int]]
) -> int:
    from ..client import SocialSync
    from ..history import DEFAULT
    from ..roster import Roster

    url = args.history_url or Settings.from_env().history_url or DEFAULT
    overrides: dict[str, Any] = {"history_url": url}
    if getattr(args, "endpoint", None):
        overrides["rapidapi_endpoint"] = args.endpoint
    if getattr(args, "api_url", None):
        overrides["api_url"] = args.api_url
    async with SocialSync.from_env(**overrides) as sync:
        roster = Roster(
            sync,
            budgets=dict(budgets_of(args)),
            reserve=args.reserve,
            token_for=_tokens(getattr(args, "tokens", None)),
        )
        async with roster:
            return await action(roster, args)


def _creator_json(creator: CreatorRecord) -> dict[str, Any]:
    return attrs.asdict(creator, value_serializer=lambda _i, _a, v: _iso(v))


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _creator_lines(creator: CreatorRecord) -> list[str]:
    lines = [f"{creator.creator_id}  priority {creator.priority}"]
    for state in creator.platforms.values():
        fetched = state.last_fetched_at.isoformat() if state.last_fetched_at else "never"
        failing = f"  failures {state.failures}" if state.failures else ""
        lines.append(f"  {state.platform:<10} {state.username:<24} fetched {fetched}{failing}")
    return lines


async def _add(roster: Roster, args: argparse.Namespace) -> int:
    creator = await roster.add(args.creator_id, _usernames(args.usernames), priority=args.priority)
    output = out.Output(args.json)
    if output.json:
        output.emit(_creator_json(creator))
    else:
        output.lines(_creator_lines(creator))
    return 0


async def _remove(roster: Roster, args: argparse.Namespace) -> int:
    removed = await roster.remove(args.creator_id)
    output = out.Output(args.json)
    if output.json:
        output.emit({"creator_id": args.creator_id, "removed": removed})
    else:
        output.lines([f"{args.creator_id}: {'removed' if removed else 'not on the roster'}"])
    return 0 if removed else 1


async def _list(roster: Roster, args: argparse.Namespace) -> int:
    output = out.Output(args.json)
    for creator in await roster.list():
        if output.json:
            output.emit(_creator_json(creator))
        else:
            output.lines(_creator_lines(creator))
    return 0


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready values."""
    return {
        "calls_per_period": plan.calls_per_period,
        "entries": [
            {
                "creator_id": e.creator_id,
                "platform": e.platform,
                "provider": e.provider,
                "interval_s": e.interval.total_seconds(),
                "next_at": e.next_at.isoformat(),
            }
            for e in plan.entries
        ],
    }


async def _check_budgets(roster: Roster) -> None:
    """Every provider without a budget named at once, before anything is planned or fetched."""
    missing = await roster.missing_budgets()
    if missing:
        raise missing_budgets_error(missing)


async def _plan(roster: Roster, args: argparse.Namespace) -> int:
    await _check_budgets(roster)
    plan = await roster.plan()
    output = out.Output(args.json)
    if output.json:
        output.emit(plan_json(plan))
        return 0
    lines = [f"{p}: {n:,} calls per period" for p, n in plan.calls_per_period.items()]
    lines += [
        f"{e.creator_id:<20} {e.platform:<10} {e.provider:<18} every {e.interval}  next "
        f"{e.next_at.isoformat(timespec='seconds')}"
        for e in plan.entries
    ]
    output.lines(lines)
    return 0


def status_json(status: RosterStatus) -> dict[str, Any]:
    """The status as JSON-ready values."""
    return attrs.asdict(status, value_serializer=lambda _i, _a, v: _iso(v))


def status_line(status: RosterStatus) -> str:
    """One plain line of a run's figures."""
    spent = ", ".join(f"{p} {status.spent.get(p, 0)}/{n}" for p, n in status.planned.items())
    return (
        f"due {status.due}  overdue {status.overdue}  done {status.synced + status.fetched}  "
        f"failed {status.failed}  spent {spent}"
    )


def _status_table(status: RosterStatus) -> Any:
    from rich.table import Table

    table = Table(title="roster run")
    for column in ("due", "overdue", "synced", "not synced", "failed", "budget spent"):
        table.add_column(column)
    spent = "\n".join(f"{p}: {status.spent.get(p, 0)} / {n}" for p, n in status.planned.items())
    table.add_row(
        *(str(n) for n in (status.due, status.overdue, status.synced, status.fetched)),
        str(status.failed),
        spent,
    )
    return table


async def _run(roster: Roster, args: argparse.Namespace) -> int:
    await _check_budgets(roster)
    output = out.Output(args.json)
    task = asyncio.create_task(roster.run(until=args.until))
    live = None
    if output.tables:
        from rich.live import Live

        live = Live(_status_table(await roster.status()), refresh_per_second=2)
        live.start()
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=args.every)
            if task.done():  # its outcome (or error) is the command's: no status of a failed run
                break
            status = await roster.status()
            if live is not None:
                live.update(_status_table(status))
            elif output.json:
                output.emit(status_json(status))
            else:
                output.lines([status_line(status)])
        await task
    finally:
        if not task.done():  # Ctrl-C: the runner lets refreshes under way finish
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        elif not task.cancelled():
            task.exception()  # retrieved: an error raised here first is the one reported
        if live is not None:
            live.stop()
    return 0


_ACTIONS: dict[str, Callable[[Roster, argparse.Namespace], Awaitable[int]]] = {
    "add": _add,
    "remove": _remove,
    "list": _list,
    "plan": _plan,
    "run": _run,
}
