"""The ``serve`` subcommand: HyperBuds' ``/api/v1/social/fetch`` and the rest, over HTTP.

::

    hyperbuds-sync serve [--host 127.0.0.1] [--port 8080] [--workers N] [--formula NAME]
        [--rate-limit R] [--allow-anonymous] [--roster [--budget PROVIDER=N ...]] [--emulate]
        [--shutdown-timeout S]

Configuration comes from the environment as for every command (``RAPIDAPI_KEY``,
``HYPERBUDS_REDIS_URL``, ``HYPERBUDS_HISTORY_URL``, ...) plus the service's own variables
(``HYPERBUDS_SERVICE_KEYS``, ``HYPERBUDS_SERVICE_ORIGINS``, ``HYPERBUDS_FORMULA``, ...); the
options override them. ``--emulate`` starts the emulators of :mod:`hyperbuds_sync.testing` in
the service process and points the SDK at them: the service then answers with no key and no
internet. A refused configuration is one line on stderr and exit code 5. SIGTERM (or Ctrl-C)
stops the service after the requests in flight; it then exits 0.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from .._install import install_hint
from ..errors import ConfigError
from ._budgets import add_budget_flags, budgets_of  # one --budget parser, as roster's
from ._exits import OK

if TYPE_CHECKING:
    from ..service import ServeOptions

__all__ = ["emulated", "register", "run_serve"]

Command = Callable[[str, str, str], argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add ``serve`` to the command's subparsers."""
    serve = command("serve", "serve:run_serve", "serve the SDK over HTTP (the service extra)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes (gunicorn; N > 1 needs Redis)",
    )
    serve.add_argument("--formula", metavar="NAME", help="engagement formula (HYPERBUDS_FORMULA)")
    serve.add_argument(
        "--rate-limit", type=float, metavar="R", help="requests a second per caller, with a burst"
    )
    serve.add_argument(
        "--allow-anonymous", action="store_true", help="no caller keys, on any address (warned)"
    )
    serve.add_argument("--roster", action="store_true", help="run the roster in this process too")
    add_budget_flags(serve)  # the roster's budgets, as roster --budget
    serve.add_argument(
        "--emulate", action="store_true", help="put the emulators behind it: no key, no internet"
    )
    serve.add_argument(
        "--history-url", metavar="URL", help="overrides HYPERBUDS_HISTORY_URL (default: embedded)"
    )
    serve.add_argument(
        "--shutdown-timeout", type=float, default=30.0, metavar="S", help="SIGTERM grace (30 s)"
    )


@asynccontextmanager
async def emulated() -> AsyncIterator[Mapping[str, Any]]:
    """The RapidAPI, official-APIs and backend emulators on free loopback ports, for this
    process; yields the ``SocialSync`` arguments that point at them (test keys, not secrets)."""
    from ..testing import TEST_KEY, TEST_TOKEN, BackendEmulator, OfficialEmulator
    from ..testing import RapidAPIEmulator as RapidAPI
    from ._emulate import official_env

    async with AsyncExitStack() as stack:
        rapidapi = await stack.enter_async_context(RapidAPI(autogenerate=True))
        official = await stack.enter_async_context(OfficialEmulator())
        backend = await stack.enter_async_context(BackendEmulator(tokens={TEST_TOKEN}))
        env = official_env(official.url)
        hosts = dict(pair.split("=", 1) for pair in env["HYPERBUDS_ENDPOINTS"].split(","))
        yield {
            "rapidapi_key": TEST_KEY,
            "rapidapi_endpoint": rapidapi.url,
            "token": TEST_TOKEN,
            "api_url": backend.url,
            "endpoints": hosts,
            "x_bearer_token": env["X_BEARER_TOKEN"],
            "twitch_client_id": env["TWITCH_CLIENT_ID"],
            "twitch_client_secret": env["TWITCH_CLIENT_SECRET"],
            "youtube_api_key": env["YOUTUBE_API_KEY"],
        }


def _announcer(args: argparse.Namespace) -> Callable[[str], None]:
    """Where the service says it listens (stderr), with a request to try under ``--emulate``."""

    def announce(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
        if args.emulate:
            body = '{"platform": "tiktok", "username": "mayacooks"}'
            url = f"http://{args.host}:{args.port}/api/v1/social/fetch"
            print(
                "emulators behind it (no key, no internet); try:\n"
                f"  curl -s {url} -H 'Content-Type: application/json' -d '{body}'",
                file=sys.stderr,
                flush=True,
            )

    return announce


def _options(args: argparse.Namespace) -> ServeOptions:
    """The :class:`~hyperbuds_sync.service.ServeOptions` of ``args``."""
    from ..service import ServeOptions

    if args.emulate and args.workers > 1:
        raise ConfigError("--emulate runs the emulators in one process: use --workers 1")
    overrides: dict[str, Any] = {}
    if args.endpoint:
        overrides["rapidapi_endpoint"] = args.endpoint
    if args.api_url:
        overrides["api_url"] = args.api_url

    @asynccontextmanager
    async def given() -> AsyncIterator[Mapping[str, Any]]:
        yield overrides

    return ServeOptions(
        host=args.host,
        port=args.port,
        workers=args.workers,
        formula=args.formula,
        rate_limit=args.rate_limit,
        allow_anonymous=args.allow_anonymous,
        roster=args.roster,
        budgets=budgets_of(args),
        reserve=args.reserve,
        history_url=args.history_url,
        shutdown_timeout=args.shutdown_timeout,
        overrides=emulated if args.emulate else given,
    )


def run_serve(args: argparse.Namespace) -> int:
    """``serve``: until SIGTERM or Ctrl-C; 0 once the requests in flight are done."""
    try:
        from ..service import serve
    except ImportError as exc:
        raise ConfigError(
            f"serve needs the service extra: {install_hint('service')} ({exc.name} is missing)"
        ) from None
    options = _options(args)
    if not logging.getLogger().handlers:  # the service's JSON lines and warnings, on stderr
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    serve(options, announce=_announcer(args))
    return OK
