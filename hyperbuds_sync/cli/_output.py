"""How a command prints: one JSON object (or NDJSON), rich tables on a terminal, or plain lines.

Needs no rich: tables are asked for through :meth:`Output.table` with a function that builds the
renderable, called (and rich imported) only when stdout is a terminal and rich is installed.
Plain lines are tab-separated, one record a line, so ``cut`` and ``awk`` read them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

import attrs

from ..models import ManualEntry, PlatformData, QuotaStatus, SyncOutcome, SyncResult, to_dict
from ._exits import describe

__all__ = [
    "Output",
    "has_rich",
    "outcome_json",
    "outcome_line",
    "platform_json",
    "platform_lines",
    "progress_bar",
    "quota_json",
    "quota_lines",
    "result_json",
    "result_lines",
]


def has_rich() -> bool:
    """Whether rich can be imported (``sys.modules['rich'] = None`` counts as missing)."""
    try:
        return importlib.util.find_spec("rich") is not None
    except (ImportError, ValueError):
        return False


class Output:
    """The chosen way of printing for one run of the command."""

    def __init__(self, as_json: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.json = as_json
        self.tables = not as_json and _is_terminal(self.stream) and has_rich()

    def emit(self, body: Mapping[str, Any]) -> None:
        """One JSON object on one line (a stream of them is NDJSON)."""
        self.stream.write(json.dumps(body, ensure_ascii=False, default=_default) + "\n")
        self.stream.flush()

    def lines(self, lines: Iterable[str]) -> None:
        """Plain lines, as they are."""
        for line in lines:
            self.stream.write(line + "\n")
        self.stream.flush()

    def show(self, table: Callable[[], Any], lines: Iterable[str]) -> None:
        """A rich table on a terminal, else the plain ``lines``."""
        if self.tables:
            from rich.console import Console

            Console(file=self.stream).print(table())
        else:
            self.lines(lines)


@contextmanager
def progress_bar(total: int, *, enabled: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr while the block runs; yields "advance one step".

    Disabled (no terminal, ``--json``, or no rich), it shows nothing.
    """
    if not enabled or not has_rich():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("syncing", total=total)
        yield lambda: progress.advance(task)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return " ".join(str(value).split())  # one line, whatever the provider sent


# --- records as JSON and as plain lines ---------------------------------------------------------


def platform_json(data: PlatformData) -> dict[str, Any]:
    """The camelCase record of ``to_dict()``, with ``platform`` and ``stale``."""
    body = to_dict(data)
    body["platform"] = data.platform
    body["stale"] = data.stale
    return body


def platform_lines(data: PlatformData) -> list[str]:
    """``field<TAB>value`` lines of one creator's record."""
    fields = {k: v for k, v in platform_json(data).items() if k != "raw"}
    return [f"{name}\t{_cell(value)}" for name, value in fields.items()]


def result_json(result: SyncResult, sent: PlatformData | ManualEntry) -> dict[str, Any]:
    """A sync's outcome: what was sent and the backend's profile stats (its raw answer left out)."""
    return {
        "platform": result.platform,
        "success": result.success,
        "message": result.message,
        "sent": _sent(sent),
        "stats": attrs.asdict(result.stats),
    }


def result_lines(result: SyncResult, sent: PlatformData | ManualEntry) -> list[str]:
    """The sync on one line, then ``platform<TAB>followers<TAB>engagement`` per platform."""
    what = _sent(sent)
    sent_line = f"synced\t{result.platform}\t{_cell(what['followers'])}"
    sent_line += f"\t{_cell(what['engagement'])}" + ("\tmanual" if what["manual"] else "")
    lines = [sent_line]
    lines.append(f"backend\t{_cell(result.message)}")
    for platform, entry in sorted(result.stats.platform_breakdown.items()):
        lines.append(f"{platform}\t{entry.followers}\t{_cell(entry.engagement)}")
    stats = result.stats
    lines.append(f"total\t{stats.total_followers}\t{_cell(stats.avg_engagement)}")
    return lines


def outcome_json(outcome: SyncOutcome) -> dict[str, Any]:
    """One platform of ``sync-all``: one NDJSON line."""
    body: dict[str, Any] = {"platform": outcome.platform, "ok": outcome.result is not None}
    if outcome.data is not None:
        body.update(_sent(outcome.data))
    if outcome.result is not None:
        body["message"] = outcome.result.message
    elif outcome.error is not None:
        body["error"] = {"type": type(outcome.error).__name__, "message": describe(outcome.error)}
    return body


def outcome_line(outcome: SyncOutcome) -> str:
    """``platform<TAB>followers<TAB>engagement<TAB>ok: message | ErrorType: message``."""
    body = outcome_json(outcome)
    if outcome.result is not None:
        result = f"ok: {_cell(outcome.result.message)}"
    else:
        result = f"{body['error']['type']}: {body['error']['message']}" if "error" in body else "-"
    followers, engagement = _cell(body.get("followers")), _cell(body.get("engagement"))
    return f"{outcome.platform}\t{followers}\t{engagement}\t{result}"


def quota_json(quota: Mapping[str, QuotaStatus]) -> dict[str, Any]:
    """``SocialSync.quota()`` by host (keys by fingerprint only)."""
    return {"quota": {host: attrs.asdict(status) for host, status in sorted(quota.items())}}


def quota_lines(quota: Mapping[str, QuotaStatus]) -> list[str]:
    """``host<TAB>limit<TAB>remaining<TAB>reset_at`` per host, then a line per key."""
    lines = []
    for host, status in sorted(quota.items()):
        reset = status.reset_at.isoformat() if status.reset_at else "-"
        lines.append(f"{host}\t{_cell(status.limit)}\t{_cell(status.remaining)}\t{reset}")
        for key in status.keys:
            benched = key.benched_until.isoformat() if key.benched_until else "-"
            lines.append(f"{host}\tkey {key.fingerprint}\t{_cell(key.remaining)}\t{benched}")
    return lines


def _sent(data: PlatformData | ManualEntry) -> dict[str, Any]:
    if isinstance(data, PlatformData):
        return {"followers": data.followers, "engagement": data.average_engagement, "manual": False}
    return {"followers": data.followers, "engagement": data.engagement, "manual": True}
