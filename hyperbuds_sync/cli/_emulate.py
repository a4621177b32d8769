"""``hyperbuds-sync emulate``: both emulators of :mod:`hyperbuds_sync.testing` until Ctrl-C.

Needs no rich. Prints the variables that point the SDK (or this command) at the emulators, as
``export`` lines or, with ``--json``, as one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys

from ..testing import TEST_KEY, TEST_TOKEN, serve
from ._exits import OK
from ._output import Output

__all__ = ["run_emulate"]


def run_emulate(args: argparse.Namespace) -> int:
    """Serve both emulators until Ctrl-C, after printing the variables that point the SDK there."""
    shown = Output(bool(getattr(args, "json", False)))

    def ready(rapidapi_url: str | None, backend_url: str | None) -> None:
        env = {
            "HYPERBUDS_RAPIDAPI_ENDPOINT": rapidapi_url,
            "HYPERBUDS_API_URL": backend_url,
            "RAPIDAPI_KEY": TEST_KEY,  # the emulators' own test values, not secrets
            "HYPERBUDS_TOKEN": TEST_TOKEN,
        }
        if shown.json:
            shown.emit(env)
            return
        print("emulators running; point the SDK (or this command) at them with:")
        for name, value in env.items():
            print(f"export {name}={shlex.quote(value or '')}")
        print("Press Ctrl-C to stop.", flush=True)

    options = {"rapidapi_port": args.port, "backend_port": args.backend_port, "quota": args.quota}
    try:
        asyncio.run(serve(args.host, ready=ready, **options))
    except KeyboardInterrupt:
        print("emulators stopped", file=sys.stderr if shown.json else sys.stdout, flush=True)
    return OK
