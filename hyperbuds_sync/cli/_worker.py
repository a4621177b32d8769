"""The ``worker`` subcommand: one process of a roster fleet, on SAQ.

::

    hyperbuds-sync worker [--queue-url URL] [--concurrency N] [--plan-every S]
        [--web [--web-host 127.0.0.1] [--web-port 8080]] [--budget PROVIDER=N ...]
        [--reserve 0.2] [--refresher MODULE:FACTORY] [--json]

The queue lives at ``--queue-url``, else ``HYPERBUDS_REDIS_URL`` (the Redis the SDK shares its
cache, benches and key state through); ``postgres://...`` puts it on Postgres. Start as many
workers as you like on one queue: SAQ queues each refresh once. ``--json`` prints one JSON line
per event. Ctrl-C (or SIGTERM) stops the worker after the refreshes in flight.

By default the worker refreshes the ``Roster`` kept in the configured history store
(``HYPERBUDS_HISTORY_URL``, Postgres for a fleet), with ``--budget`` and ``--reserve``: see
:func:`default_refresher`. Each refresh first spends from the budget ledger every worker shares
in Redis; one with no budget left is put back in the queue for when there is (``deferred``).
Before it starts, the worker checks that every provider of the roster has a budget (``--budget``,
or learned): one missing is one line naming them all, and exit code 5.
``--refresher MODULE:FACTORY`` names instead a callable returning an
async context manager of a :class:`~hyperbuds_sync.roster.Refresher`. The factory reads
its configuration from the environment (``SocialSync.from_env()``); ``--endpoint`` and
``--api-url`` are put there for it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..config import ENV, Settings
from ..errors import ConfigError, InvalidInput
from ._budgets import add_budget_flags, budgets_of, missing_budgets_error

if TYPE_CHECKING:  # imported when the command runs: --help and --version stay quick
    from ..roster import Budget, Refresher, RefresherFactory

__all__ = ["default_refresher", "register", "run_worker_command"]

Command = Callable[[str, str, str], argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add ``worker`` to the command's subparsers."""
    worker = command("worker", "worker:run_worker_command", "run one worker of a roster fleet")
    worker.add_argument("--queue-url", metavar="URL", help="overrides HYPERBUDS_REDIS_URL")
    worker.add_argument("--concurrency", type=int, default=10, metavar="N", help="default 10")
    worker.add_argument("--plan-every", type=int, default=5, metavar="S", help="default 5 s")
    worker.add_argument("--web", action="store_true", help="serve SAQ's web UI too")
    worker.add_argument("--web-host", default="127.0.0.1", help="web UI address")
    worker.add_argument("--web-port", type=int, default=8080, help="web UI port")
    add_budget_flags(worker)
    worker.add_argument(
        "--refresher", metavar="MODULE:FACTORY", help="what refreshes (default: the roster)"
    )


def default_refresher(budgets: Mapping[str, int | Budget], reserve: float) -> RefresherFactory:
    """The ``Roster`` of the configured history store as a refresher, over
    ``SocialSync.from_env()`` (its ``redis_url`` shares the state, its history holds the roster).
    """
    roster_class = getattr(importlib.import_module("hyperbuds_sync.roster"), "Roster", None)
    if roster_class is None:
        raise ConfigError("this build has no Roster: pass --refresher MODULE:FACTORY")

    @asynccontextmanager
    async def open_roster() -> AsyncIterator[Refresher]:
        from ..client import SocialSync
        from ..roster import roster_refresher

        history = Settings.from_env().history_url or "default"
        async with (
            SocialSync.from_env(history_url=history) as sync,
            roster_class(sync, budgets=dict(budgets), reserve=reserve) as roster,
        ):  # the roster spends through the fleet's Redis budget ledger, closed with it
            yield roster_refresher(roster)

    return open_roster


async def check_roster(budgets: Mapping[str, int | Budget], reserve: float) -> None:
    """What the default refresher needs, checked before the worker starts: its history store
    opens and every provider of the roster has a budget (all named at once).

    Raises:
        ConfigError: a provider without a budget, or a history that cannot be opened.
    """
    from ..client import SocialSync
    from ..roster import Roster

    history = Settings.from_env().history_url or "default"
    async with (
        SocialSync.from_env(history_url=history) as sync,
        Roster(sync, budgets=dict(budgets), reserve=reserve) as roster,
    ):
        missing = await roster.missing_budgets()
    if missing:
        raise missing_budgets_error(missing)


def _factory(args: argparse.Namespace) -> RefresherFactory:
    spec: str | None = args.refresher
    if not spec:
        asyncio.run(check_roster(budgets_of(args), args.reserve))  # before SAQ starts: one line
        return default_refresher(budgets_of(args), args.reserve)
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise InvalidInput(f"--refresher takes MODULE:FACTORY, not {spec!r}")
    try:
        found: RefresherFactory = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"--refresher {spec}: {exc}") from None
    return found


def _printer(as_json: bool) -> Callable[[dict[str, Any]], None]:
    def show(event: dict[str, Any]) -> None:
        if as_json:
            line = json.dumps(event, ensure_ascii=False)
        else:
            rest = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "pid"))
            line = f"{event['event']:<10} {rest}".rstrip()
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    return show


def run_worker_command(args: argparse.Namespace) -> int:
    """``worker``: run until Ctrl-C or SIGTERM; 0 once stopped cleanly."""
    from ..roster import FleetSettings, run_worker

    url = args.queue_url or Settings.from_env().redis_url
    if not url:
        raise ConfigError("hyperbuds-sync worker needs --queue-url or HYPERBUDS_REDIS_URL")
    for option, setting in (("endpoint", "endpoint"), ("api_url", "api_url")):
        if getattr(args, option, None):  # for the factory's SocialSync.from_env()
            os.environ[ENV[setting]] = getattr(args, option)
    settings = FleetSettings(
        queue_url=url,
        make_refresher=_factory(args),
        concurrency=args.concurrency,
        plan_every=args.plan_every,
        on_event=_printer(args.json),
    )
    web = (args.web_host, args.web_port) if args.web else None
    asyncio.run(run_worker(settings, web_address=web))
    return 0
