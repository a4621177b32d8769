"""Instructions per cold fetch with history off and on: ``python bench/history_instructions.py``.

The steady figure beside ``history_bench.py --cold``, whose times move with the machine's load:
the client runs under ``valgrind --tool=callgrind`` (every thread counted, the SQLite writer's
included), the emulators in an uncounted child process. Each side runs 200 and then 1,200
fetches of new creators, 64 in flight, and the difference over 1,000 is the figure per fetch
(start-up costs cancel out).

Under valgrind the client is some 50 times slower while the commit delay is wall-clock time, so
a group would hold a record or two, not the 20 to 35 it holds at full speed. ``--delay``
(default 0.25 s) stretches the delay by about that factor so groups are the size they are at
full speed; the mean group size is printed, and the per-snapshot and per-group parts can be
told apart by running two delays.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import history_bench  # noqa: E402


def _child(endpoint: str, side: str, fetches: int, delay: float) -> None:
    """One round of ``fetches`` (run under valgrind); prints the mean group size."""
    with tempfile.TemporaryDirectory(prefix="hyperbuds-instructions-") as tmp:
        url = str(Path(tmp) / "history.db") if side == "on" else ""
        asyncio.run(history_bench._cold_round(endpoint, url, f"{side}{fetches}x", fetches, delay))
    if history_bench.GROUPS:
        print(f"groups of {history_bench.GROUPS[-1]:.1f}")


def _instructions(endpoint: str, side: str, fetches: int, delay: float, out: Path) -> int:
    """The client's instruction count for one round under callgrind."""
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--child",
        side,
        "--endpoint",
        endpoint,
        "--fetches",
        str(fetches),
        "--delay",
        str(delay),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        print(f"    {side} {fetches}: {line}")
    found = re.search(r"^summary: (\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no summary in {out}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    """Both sides, 200 and 1,200 fetches each; print instructions per fetch and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("on", "off"), help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--fetches", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.25, help="commit delay, seconds")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.endpoint, args.child, args.fetches, args.delay)
        return 0
    from _server import EmulatorProcess

    per_fetch = {}
    with EmulatorProcess() as emu, tempfile.TemporaryDirectory() as tmp:
        for side in ("off", "on"):
            small, large = (
                _instructions(emu.rapidapi, side, n, args.delay, Path(tmp) / f"{side}{n}.out")
                for n in (200, 1_200)
            )
            per_fetch[side] = (large - small) / 1_000
            print(f"history {side}: {per_fetch[side] / 1000:,.1f}k instructions a fetch")
    print(f"instructions a fetch, off / on: {per_fetch['off'] / per_fetch['on']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
