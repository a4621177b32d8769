"""The ``hyperbuds-sync`` command: fetch, sync and inspect creators' stats from a shell.

::

    hyperbuds-sync fetch tiktok mayacooks [--json] [--refresh] [--formula rate]
    hyperbuds-sync sync twitch pixelmaya
    hyperbuds-sync sync instagram --followers 93518 --engagement 4.2    # manual entry, no key
    hyperbuds-sync sync-all --tiktok mayacooks --twitch pixelmaya
    hyperbuds-sync fetch youtube @mayacooks --provider youtube-data-api   # one provider only
    hyperbuds-sync providers [--json]      # each platform's chain of providers and its benches
    hyperbuds-sync quota [--probe tiktok mayacooks]
    hyperbuds-sync history tiktok mayacooks [--json]    # recorded snapshots (history extra)
    hyperbuds-sync growth tiktok mayacooks [--json]     # growth over 1, 7, 30, 90 days
    hyperbuds-sync anomalies tiktok mayacooks [--days 90] [--json]   # spikes, drops, divergences
    hyperbuds-sync worker [--queue-url URL] [--web] [--concurrency N]   # a fleet, on SAQ
    hyperbuds-sync emulate [--host 127.0.0.1] [--port 8081] [--backend-port 8082] [--quota N]
    hyperbuds-sync demo [--serve]          # both emulators in-process: no key, no internet
    hyperbuds-sync status [--open]         # the service's status page over the emulators
    hyperbuds-sync serve [--port 8080] [--workers N] [--emulate]   # the HTTP service

Configuration comes from the environment (``RAPIDAPI_KEY``, ``HYPERBUDS_TOKEN``,
``HYPERBUDS_API_URL``, ``HYPERBUDS_RAPIDAPI_ENDPOINT``, see :mod:`hyperbuds_sync.config`);
``--endpoint`` and ``--api-url`` override it. ``--debug`` adds DEBUG logging and full tracebacks on
stderr; otherwise an error is one line, ``error: <message>``, on stderr. No key or token is ever
printed. ``--json`` prints JSON; otherwise tables on a terminal (with rich,
``pip install "hyperbuds-sync[cli]"``) and plain tab-separated lines when piped. Only ``demo``
needs rich.

The exit codes are one table, ``CODES`` in ``_exits``, shown by ``--help``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any, NoReturn

from .. import _logging
from .._install import install_hint
from ..config import ENV, Settings
from ._exits import INTERRUPTED, TABLE, USAGE, report
from ._output import has_rich
from ._waiting import add_wait_flags

__all__ = ["build_parser", "main"]

NEEDS_RICH = f"hyperbuds-sync demo needs rich: {install_hint('cli')}"

# What each variable of config.ENV is for; --help lists them all.
_ENV_HELP = {
    "key": "RapidAPI key",
    "key_fallback": "RapidAPI key, read when RAPIDAPI_KEY is unset",
    "keys": "several RapidAPI keys, comma-separated",
    "token": "backend bearer token",
    "api_url": "backend base URL (--api-url overrides; fetch and quota ignore it)",
    "endpoint": "one base URL for provider calls (--endpoint overrides)",
    "redis_url": "share the cache, key pool and rate limits through Redis",
    "history_url": "history store URL to record to and read (default: the embedded file)",
    "drop_guard_ratio": "sudden-drop guard: the fall refused, as a fraction (default 0.9)",
    "drop_guard_days": "sudden-drop guard: days a good value counts (default 30)",
    "auth_bench_seconds": "seconds a provider refusing the credentials is benched (900)",
    "providers": "provider chains: platform=provider,provider;platform=provider",
    "endpoints": "per host base URLs: host=url,host=url (emulators, proxies)",
    "twitch_client_id": "Twitch app client id (twitch-helix)",
    "twitch_client_secret": "Twitch app client secret (twitch-helix)",
    "youtube_api_key": "YouTube Data API v3 key (youtube-data-api)",
    "x_bearer_token": "X API v2 bearer token (x-api)",
}
_ENVIRONMENT = "environment:\n" + "".join(
    f"  {name:<28} {_ENV_HELP[setting]}\n" for setting, name in ENV.items()
)
_NEEDS_RICH = frozenset({"demo"})

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit code 2 (one JSON object when
    the command line asks for ``--json``)."""

    json_errors = False  # set by main() for the run, before parsing

    def error(self, message: str) -> NoReturn:
        """Print ``error: <message>`` (or its JSON) and exit with the usage code."""
        text = f"{message} (see: {self.prog} --help)"
        if _Parser.json_errors:
            body = {"error": "UsageError", "message": text, "exit_code": USAGE}
            self.exit(USAGE, json.dumps(body) + "\n")
        self.exit(USAGE, f"error: {text}\n")


def _version() -> str:
    try:
        return version("hyperbuds-sync")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _add_common(parser: argparse.ArgumentParser, default: Any) -> None:
    """Options accepted before and after the subcommand (``default=SUPPRESS`` on the latter)."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="DEBUG logging and full tracebacks on stderr",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="print JSON: one object, or one line per record (NDJSON) for sync-all",
    )
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        default=default,
        help="base URL for provider calls (overrides HYPERBUDS_RAPIDAPI_ENDPOINT)",
    )
    parser.add_argument(
        "--api-url",
        metavar="URL",
        default=default,
        help="backend base URL (overrides HYPERBUDS_API_URL)",
    )


_Command = Callable[[str, str, str], argparse.ArgumentParser]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hyperbuds-sync``."""
    epilog = f"{_ENVIRONMENT}\n{TABLE}"
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="hyperbuds-sync",
        description="Fetch creators' social stats through RapidAPI and sync them to HyperBuds.",
        epilog=epilog,
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _add_common(parser, None)
    common = _Parser(add_help=False)
    _add_common(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: str, text: str) -> argparse.ArgumentParser:
        found: argparse.ArgumentParser = sub.add_parser(
            name, parents=[common], help=text, description=text, epilog=epilog, formatter_class=raw
        )
        found.set_defaults(handler=handler)
        return found

    from ._history import add_history_flags, register  # history, growth; --no-history

    for recording in _sdk_commands(command):
        add_history_flags(recording)
    register(command)
    from ._anomalies import register as anomaly_commands  # anomalies

    anomaly_commands(command)
    from ._roster import register as roster_commands  # roster add|remove|list|plan|run

    roster_commands(command)
    from ._worker import register as worker_commands  # worker (fleet extra)

    worker_commands(command)
    from ._serve import register as serve_command  # serve (service extra)

    serve_command(command)
    from ._status import register as status_command  # status [--open] (service extra)

    status_command(command)
    _emulator_commands(command)
    return parser


def _sdk_commands(command: _Command) -> list[argparse.ArgumentParser]:
    """``fetch``, ``sync``, ``sync-all``, ``quota`` and ``providers``: the SDK's calls (returned:
    they record, and keep benches and quota facts, in the history)."""
    from ..platforms import names  # pure adapters: cheap, and no rich needed

    platforms = ", ".join(names())
    fetch = command("fetch", "commands:run_fetch", "show one creator's stats")
    fetch.add_argument("platform", metavar="PLATFORM", help=platforms)
    fetch.add_argument("username", metavar="USERNAME")
    fetch.add_argument("--refresh", action="store_true", help="bypass the cache")
    fetch.add_argument("--formula", metavar="NAME", help="engagement formula (default: legacy)")
    fetch.add_argument("--provider", metavar="NAME", help="ask this provider only (past the cache)")

    sync = command("sync", "commands:run_sync", "fetch and sync one creator, or sync by hand")
    sync.add_argument("platform", metavar="PLATFORM", help=platforms)
    sync.add_argument("username", metavar="USERNAME", nargs="?", help="fetch this creator")
    sync.add_argument("--followers", type=int, metavar="N", help="manual entry: no fetch, no key")
    sync.add_argument("--engagement", type=float, metavar="X", help="manual entry's engagement")
    sync.add_argument("--force", action="store_true", help="sync even a sudden drop")
    sync.add_argument(
        "--creator", metavar="ID", help="whose sync: the drop guard compares with theirs"
    )

    every = command("sync-all", "commands:run_sync_all", "fetch and sync several platforms")
    for platform in names():
        every.add_argument(
            f"--{platform}", dest=f"sync_{platform}", metavar="USERNAME", help=f"on {platform}"
        )
    every.add_argument("--force", action="store_true", help="sync even a sudden drop")
    every.set_defaults(sync_platforms=tuple(names()))

    providers = command(
        "providers", "providers:run_providers", "show each platform's providers and benches"
    )
    quota = command("quota", "commands:run_quota", "show the RapidAPI quota facts seen")
    quota.add_argument(
        "--probe", nargs=2, metavar=("PLATFORM", "USERNAME"), help="fetch once first"
    )
    for fetching in (fetch, sync, every, quota):
        add_wait_flags(fetching)
    return [fetch, sync, every, quota, providers]


def _emulator_commands(command: _Command) -> None:
    """``emulate`` and ``demo``: the emulators of :mod:`hyperbuds_sync.testing`."""
    emulate = command("emulate", "emulate:run_emulate", "run both emulators until Ctrl-C")
    emulate.add_argument("--host", default="127.0.0.1", help="address to listen on")
    emulate.add_argument("--port", type=int, default=8081, help="RapidAPI emulator port")
    emulate.add_argument("--backend-port", type=int, default=8082, help="backend emulator port")
    emulate.add_argument("--quota", type=int, metavar="N", help="requests before the 429")
    emulate.add_argument(
        "--official-port", type=int, default=8083, help="X v2, Helix, YouTube emulator port"
    )
    demo = command("demo", "demo:run_demo", "a tour on in-process emulators: no key, no internet")
    demo.add_argument(
        "--serve", action="store_true", help="then serve the status page until Ctrl-C"
    )


def _handler(spec: str) -> Handler:
    """``"module:function"`` of this folder (``_module``), imported now that rich is known."""
    module, _, name = spec.partition(":")
    found: Handler = getattr(importlib.import_module(f"{__package__}._{module}"), name)
    return found


@contextmanager
def _debug_logging(enabled: bool) -> Iterator[None]:
    """DEBUG records of the SDK's logger on stderr, redacted, for the duration."""
    if not enabled:
        yield
        return
    logger = _logging.logger
    _logging.install()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _register_secrets() -> None:
    """Mask the configured key(s) and token in anything the command logs or prints."""
    settings = Settings.from_env()
    for secret in (*settings.rapidapi_keys, settings.token):
        _logging.register_secret(secret)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``hyperbuds-sync`` with ``argv`` (``sys.argv[1:]`` by default); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _Parser.json_errors = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else USAGE
    finally:
        _Parser.json_errors = False
    if args.command in _NEEDS_RICH and not has_rich():
        print(NEEDS_RICH, file=sys.stderr)
        return USAGE
    with _debug_logging(args.debug):
        try:
            _register_secrets()  # reads the environment: a bad variable is a ConfigError here
            return _handler(args.handler)(args)
        except KeyboardInterrupt as exc:
            return report(exc, as_json=args.json, code=INTERRUPTED)
        except Exception as exc:
            if args.debug:
                traceback.print_exc()
            return report(exc, as_json=args.json)
