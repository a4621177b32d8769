"""``hyperbuds-sync status [--open]``: the service's status page, locally, over the emulators.

::

    hyperbuds-sync status [--host 127.0.0.1] [--port 8090] [--open]

Starts the RapidAPI emulator on a free loopback port, a :class:`~hyperbuds_sync.SocialSync` over
it recording history to a temporary file, a small roster, and the service (no caller keys: it
listens on loopback only); sends a few fetches through the service so every section has
something to show (one provider's quota runs out on the way); prints the page's URL and, with
``--open``, opens it in a browser. Runs until Ctrl-C or SIGTERM. ``demo --serve`` ends the same
way, over the demo's own client (:func:`serve_status`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .._install import install_hint
from ..errors import ConfigError
from ._exits import OK

if TYPE_CHECKING:
    from ..client import SocialSync
    from ..roster import Roster

__all__ = ["register", "run_status", "serve_status"]

Command = Callable[[str, str, str], argparse.ArgumentParser]
LOOPBACK = ("127.0.0.1", "::1", "localhost")
SEEDED = (
    ("twitch", "pixelmaya"),
    ("tiktok", "mayacooks"),
    ("tiktok", "mayacooks"),
    ("tiktok", "mayacooks"),
    ("instagram", "maya.cooks"),
    ("twitter", "mayacooks"),
)
"""The fetches sent through the service before the page is shown."""
BUDGETS = {"tiktok-api23": 3000, "twitch-scraper2": 600}


def register(command: Command) -> None:
    """Add ``status`` to the command's subparsers."""
    status = command(
        "status", "status:run_status", "the service's status page over the emulators' data"
    )
    status.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    status.add_argument("--port", type=int, default=8090, help="port to listen on (8090; 0: any)")
    status.add_argument("--open", action="store_true", help="open the page in a browser")


def run_status(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C or SIGTERM; 0 then."""
    if args.host not in LOOPBACK:
        raise ConfigError("status serves the emulators' data with no key: loopback only")
    try:
        import pygal  # type: ignore[import-untyped]  # noqa: F401  (the charts)

        from .. import service  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"status needs the service extra: {install_hint('service')} ({exc.name} is missing)"
        ) from None
    asyncio.run(_emulated(args.host, args.port, args.open))
    return OK


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _emulated(host: str, port: int, open_browser: bool) -> None:
    from ..client import SocialSync
    from ..roster import Roster
    from ..testing import TEST_KEY, RapidAPIEmulator

    with tempfile.TemporaryDirectory(prefix="hyperbuds-status-") as folder:
        async with (
            RapidAPIEmulator(quota=50, valid_keys={TEST_KEY}, autogenerate=True) as rapidapi,
            SocialSync(
                rapidapi_endpoint=rapidapi.url,
                rapidapi_key=TEST_KEY,
                redis_url="",
                history_url=str(Path(folder) / "history.db"),
            ) as sync,
            Roster(sync, budgets=BUDGETS, token_for=lambda _: None) as roster,  # not synced
        ):
            await roster.add("maya", {"tiktok": "mayacooks", "twitch": "pixelmaya"})
            await roster.add("duo", {"tiktok": "danceduo"}, priority=2)
            async with _served(sync, roster, host, port) as url:
                await roster.refresh("duo", "tiktok")  # one creator-platform fresh
                await _seed(url, lambda: rapidapi.set_quota(1))
                await _show(url, open_browser)


async def _seed(url: str, spend_quota: Callable[[], None]) -> None:
    """The seeded fetches, then twitch's quota runs out on a refresh (served stale)."""
    import aiohttp  # when the command runs: --version and --help stay light

    async with aiohttp.ClientSession() as http:

        async def fetch(platform: str, username: str, refresh: bool = False) -> None:
            body = {"platform": platform, "username": username, "refresh": refresh}
            async with http.post(f"{url}/api/v1/social/fetch", json=body) as answer:
                await answer.read()

        for platform, username in SEEDED:
            await fetch(platform, username)
        spend_quota()
        await fetch("twitch", "pixelmaya", refresh=True)


@asynccontextmanager
async def _served(
    sync: SocialSync, roster: Roster | None, host: str, port: int
) -> AsyncIterator[str]:
    """The service (no caller keys) over ``sync`` on ``host:port``; its base URL."""
    from aiohttp import web

    from ..service import create_app

    runner = web.AppRunner(create_app(sync, keys={}, roster=roster), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0][1]  # port 0: the free port the system chose
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{bound}"
    finally:
        await runner.cleanup()


async def _show(url: str, open_browser: bool) -> None:
    _say(f"the status page: {url}/status  (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(f"{url}/status")
    await _until_stopped()


async def _until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM (on Windows, for Ctrl-C as KeyboardInterrupt)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    with contextlib.suppress(NotImplementedError):
        for sig in signals:
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(NotImplementedError):
            for sig in signals:
                loop.remove_signal_handler(sig)


async def serve_status(
    sync: SocialSync,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = False,
    say: Callable[[str], None] = _say,
) -> None:
    """Serve the status page over ``sync`` on loopback (a free port by default) until Ctrl-C or
    SIGTERM (the demo's ending): prints the page's URL while it runs."""
    async with _served(sync, None, host, port) as url:
        say(f"the status page: {url}/status  (running; Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(f"{url}/status")
        await _until_stopped()
