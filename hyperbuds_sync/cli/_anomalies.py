"""The ``anomalies`` subcommand: a creator's growth anomalies from the recorded history.

::

    hyperbuds-sync anomalies PLATFORM USERNAME [--days 90] [--history-url URL] [--json]

Reads ``--history-url``, else ``HYPERBUDS_HISTORY_URL``, else the embedded default file; no key
needed. Piped or on a terminal: one tab-separated line per anomaly (kind, start, end, change,
score, explanation); ``--json``: one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..config import Settings

if TYPE_CHECKING:  # imported when the command runs: --help and --version stay quick
    from ..anomalies import Anomaly

__all__ = ["anomalies_json", "register", "run_anomalies"]

Command = Callable[[str, str, str], argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add ``anomalies`` to the command's subparsers."""
    parser = command(
        "anomalies", "anomalies:run_anomalies", "a creator's growth anomalies (spikes, drops)"
    )
    parser.add_argument("platform", metavar="PLATFORM")
    parser.add_argument("username", metavar="USERNAME")
    parser.add_argument("--days", type=float, default=90, help="the last N days (default 90)")
    parser.add_argument(
        "--history-url", metavar="URL", help="overrides HYPERBUDS_HISTORY_URL (else: default)"
    )


def anomalies_json(platform: str, username: str, found: list[Anomaly]) -> dict[str, Any]:
    """The anomalies as JSON-ready values (moments in ISO 8601)."""
    rows = []
    for anomaly in found:
        row = anomaly.to_record()
        row["start"], row["end"] = anomaly.start.isoformat(), anomaly.end.isoformat()
        rows.append(row)
    return {"platform": platform, "username": username, "anomalies": rows}


def run_anomalies(args: argparse.Namespace) -> int:
    """``anomalies PLATFORM USERNAME``: lines or JSON."""
    from ..anomalies import anomalies_of
    from ..history import DEFAULT, open_store
    from ..platforms import get as platform_adapter

    adapter = platform_adapter(args.platform)
    platform, username = adapter.platform, adapter.canonical_username(args.username)
    url = args.history_url or Settings.from_env().history_url or DEFAULT

    async def read() -> list[Anomaly]:
        store = open_store(url)
        try:
            return await anomalies_of(store, platform, username, days=args.days)
        finally:
            await store.aclose()

    found = asyncio.run(read())
    if args.json:
        body = anomalies_json(platform, username, found)
        sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not found:
        sys.stdout.write(f"no anomalies for {platform} @{username} in {args.days:g} days\n")
    for a in found:
        sys.stdout.write(
            f"{a.kind}\t{a.start.isoformat()}\t{a.end.isoformat()}\t{a.change:+.2%}"
            f"\t{a.score:.1f}\t{a.explain}\n"
        )
    return 0
