"""``hyperbuds-sync emulate``: the emulators of :mod:`hyperbuds_sync.testing` until Ctrl-C.

The RapidAPI emulator, the backend emulator and the official APIs' emulator (X API v2, Twitch
Helix and its token endpoint, the YouTube Data API; ``--official-port``, 8083 by default). Needs
no rich. Prints the variables that point the SDK (or this command) at them, as ``export`` lines
or, with ``--json``, as one JSON object: ``HYPERBUDS_ENDPOINTS`` sends the official APIs' hosts
to their emulator, and the test credentials turn those providers on.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys

from ..testing import (
    TEST_KEY,
    TEST_TOKEN,
    TEST_TWITCH_CLIENT_ID,
    TEST_TWITCH_CLIENT_SECRET,
    TEST_X_TOKEN,
    TEST_YOUTUBE_KEY,
    serve,
)
from ._exits import OK
from ._output import Output

__all__ = ["OFFICIAL_HOSTS", "official_env", "run_emulate"]

OFFICIAL_HOSTS = ("api.x.com", "api.twitch.tv", "id.twitch.tv", "www.googleapis.com")
"""The official APIs' hosts the official emulator answers for."""


def official_env(url: str) -> dict[str, str]:
    """The variables pointing the official providers at the emulator at ``url``, with the
    emulator's own test credentials (not secrets)."""
    return {
        "HYPERBUDS_ENDPOINTS": ",".join(f"{host}={url}" for host in OFFICIAL_HOSTS),
        "X_BEARER_TOKEN": TEST_X_TOKEN,
        "TWITCH_CLIENT_ID": TEST_TWITCH_CLIENT_ID,
        "TWITCH_CLIENT_SECRET": TEST_TWITCH_CLIENT_SECRET,
        "YOUTUBE_API_KEY": TEST_YOUTUBE_KEY,
    }


def run_emulate(args: argparse.Namespace) -> int:
    """Serve the emulators until Ctrl-C, after printing the variables that point the SDK there."""
    shown = Output(bool(getattr(args, "json", False)))
    official: dict[str, str] = {}

    def official_ready(url: str) -> None:
        official.update(OFFICIAL_URL=url, **official_env(url))

    def ready(rapidapi_url: str | None, backend_url: str | None) -> None:
        env = {
            "HYPERBUDS_RAPIDAPI_ENDPOINT": rapidapi_url,
            "HYPERBUDS_API_URL": backend_url,
            "RAPIDAPI_KEY": TEST_KEY,  # the emulators' own test values, not secrets
            "HYPERBUDS_TOKEN": TEST_TOKEN,
        }
        url = official.pop("OFFICIAL_URL", None)
        env |= official
        if shown.json:
            shown.emit({**env, "official_url": url} if url else env)
            return
        print("emulators running; point the SDK (or this command) at them with:")
        if url:
            print(f"# official APIs (X v2, Twitch Helix, YouTube Data API) at {url}")
        for name, value in env.items():
            print(f"export {name}={shlex.quote(value or '')}")
        print("Press Ctrl-C to stop.", flush=True)

    options = {
        "rapidapi_port": args.port,
        "backend_port": args.backend_port,
        "official_port": getattr(args, "official_port", None),
        "quota": args.quota,
    }
    try:
        asyncio.run(serve(args.host, ready=ready, official_ready=official_ready, **options))
    except KeyboardInterrupt:
        print("emulators stopped", file=sys.stderr if shown.json else sys.stdout, flush=True)
    return OK
