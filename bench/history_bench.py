"""History benchmarks: ``python bench/history_bench.py [--quick]`` (also run by bench/run.py).

Printed beside their targets:

1. write throughput on SQLite: 10,000 creators x 100 snapshots added in the recorder's batches
   (500), in snapshots per second (target >= 5,000/s);
2. growth over four windows (1, 7, 30, 90 days) for one creator among those 1,000,000
   snapshots, the median over random creators (target < 5 ms, the creator-time index);
3. a cold fetch with history on and off, side by side in one run (interleaved rounds of
   ``refresh=True`` fetches of new creators at 64 in flight against the emulators): the
   throughput ratio (target >= 0.9: each fetch now returns once its snapshot is committed, by
   group commit), and the ratio of the client's CPU per fetch, writes included (information:
   on a shared machine it moves less than throughput does);
4. durability (``bench/durability_bench.py``): kill -9 after fetches, a PostgreSQL outage, a
   roster in a crash loop.

``--quick`` uses 1,000 creators and fewer fetches. ``--cold`` runs the on/off comparison alone
(``--fetches``, ``--rounds``) and prints every round with the load average when it ended, the
garbage collector's pauses inside the timed window and the emulators' CPU a fetch (both cores are
busy when the client's is: time added anywhere on the machine costs throughput), and the ratio of
the best rounds beside the ratio of medians (a shared machine only ever slows a round down).
Each timed window starts after a full collection, on both sides, so neither pays for the
garbage the rounds before it left (start-up objects, the other side's client).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import durability_bench  # noqa: E402

from hyperbuds_sync import SocialSync  # noqa: E402
from hyperbuds_sync.history import Snapshot, open_store  # noqa: E402

KEY = "bench-key-0123456789abcdef0123456789abcdef0123456789"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
Row = tuple[str, str, str, bool | None]


def _snapshots(creator: int, per_creator: int) -> list[Snapshot]:
    name = f"creator{creator}"
    return [
        Snapshot(
            platform="tiktok",
            username=name,
            provider="tiktok-api23",
            fetched_at=T0 + timedelta(days=day),
            followers=10_000 + creator + 37 * day,
            following=10,
            total_content=day,
            total_engagement=float(day * 100),
            average_engagement=1.5 + day / 100,
            formula="legacy",
        )
        for day in range(per_creator)
    ]


async def write_and_growth(path: Path, creators: int, per_creator: int) -> tuple[float, float]:
    """Snapshots written per second, and the median ms of a four-window growth."""
    store = open_store(str(path))
    try:
        await store.setup()
        batch: list[Snapshot] = []
        spent = 0.0
        for creator in range(creators):
            batch += _snapshots(creator, per_creator)
            if len(batch) >= 500 or creator == creators - 1:
                started = time.perf_counter()
                await store.add(batch)
                spent += time.perf_counter() - started
                batch = []
        rate = creators * per_creator / spent
        rng = random.Random(7)  # not for security
        samples = []
        for _ in range(300):
            name = f"creator{rng.randrange(creators)}"
            started = time.perf_counter()
            growth = await store.growth("tiktok", name, windows=(1, 7, 30, 90))
            samples.append(time.perf_counter() - started)
            assert growth.windows[90].start is not None
    finally:
        await store.aclose()
    return rate, statistics.median(samples) * 1000


GROUPS: list[float] = []
"""The mean group size of each round with history (records a transaction)."""
PAUSES: list[float] = []
"""Each round's garbage-collector pauses inside its timed window, in microseconds a fetch."""


class _Pauses:
    """Sums the garbage collector's pauses while it is installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started


async def _cold_round(
    endpoint: str, history: str, prefix: str, count: int, delay: float | None = None
) -> tuple[float, float]:
    """Fetches per second of ``count`` new creators, 64 in flight, and this process's CPU
    microseconds per fetch. The client is warm first (session open, history schema created:
    one-time startup costs); a fetch returns once its snapshot is committed. The mean group
    size of a round with history goes to :data:`GROUPS`. ``delay``: the commit delay, when
    not the default (``history_instructions.py``)."""
    async with SocialSync(
        rapidapi_key=KEY, rapidapi_endpoint=endpoint, redis_url="", history_url=history
    ) as sync:
        commits = sync._history.commits if sync._history is not None else None
        if commits is not None and delay is not None:
            commits.delay = delay
        await sync.fetch("twitch", f"{prefix}warm", refresh=True)
        if history:
            await sync.history("twitch", f"{prefix}warm")  # the schema exists, the queue is empty
        queue = [f"{prefix}{i}" for i in range(count)]

        async def worker() -> None:
            while queue:
                await sync.fetch("twitch", queue.pop(), refresh=True)

        gc.collect()  # the window pays for its own garbage, not for what came before it
        pauses = _Pauses()
        gc.callbacks.append(pauses)
        cpu, started = time.process_time(), time.perf_counter()
        try:
            await asyncio.gather(*(worker() for _ in range(64)))
        finally:
            gc.callbacks.remove(pauses)
        elapsed = time.perf_counter() - started  # each fetch returned with its snapshot committed
        cpu = time.process_time() - cpu  # the writes' CPU included
        PAUSES.append(pauses.total / count * 1e6)
        if commits is not None:
            GROUPS.append(commits.committed / max(commits.groups, 1))
    return count / elapsed, cpu / count * 1e6


async def cold_ratio(
    endpoint: str,
    folder: Path,
    count: int,
    rounds: int,
    *,
    show: bool = False,
    emulator_cpu: Callable[[], float | None] | None = None,
) -> tuple[float, float, float]:
    """Median fetches/s with history on, the on/off throughput ratio of medians and the
    off/on ratio of CPU per fetch (interleaved rounds, alternating which goes first; ``show``
    prints each round with the 1-minute load average when it ended, and ``emulator_cpu``, the
    emulators' CPU seconds so far, adds theirs a fetch)."""
    on: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    extra: dict[bool, tuple[float, str]] = {}  # the last round's GC pauses and emulator CPU
    for r in range(rounds):
        url = str(folder / f"cold{r}.db")
        pair = [(off, ""), (on, url)]
        for figures, history in pair if r % 2 == 0 else pair[::-1]:  # alternate who goes first
            before = emulator_cpu() if emulator_cpu is not None else None
            figures.append(await _cold_round(endpoint, history, f"r{r}{bool(history)}x", count))
            after = emulator_cpu() if emulator_cpu is not None else None
            served = ""
            if before is not None and after is not None:
                served = f", emulators {(after - before) / count * 1e6:.0f} us"
            extra[bool(history)] = (PAUSES[-1], served)
        if show:
            (rate_off, cpu_off), (rate_on, cpu_on) = off[-1], on[-1]
            (gc_off, emu_off), (gc_on, emu_on) = extra[False], extra[True]
            print(
                f"  round {r}: off {rate_off:,.0f}/s {cpu_off:.0f} us (GC {gc_off:.0f}{emu_off}),"
                f" on {rate_on:,.0f}/s {cpu_on:.0f} us (GC {gc_on:.0f}{emu_on}):"
                f" {rate_on / rate_off:.3f}x, CPU {cpu_off / cpu_on:.3f}x;"
                f" groups of {GROUPS[-1]:.1f}; load {os.getloadavg()[0]:.2f}"
            )
    rps_on, rps_off = (statistics.median(r for r, _ in side) for side in (on, off))
    cpu_on, cpu_off = (statistics.median(c for _, c in side) for side in (on, off))
    if show:
        paired = statistics.median(a[0] / b[0] for a, b in zip(on, off, strict=True))
        paired_cpu = statistics.median(b[1] / a[1] for a, b in zip(on, off, strict=True))
        best = max(r for r, _ in on) / max(r for r, _ in off)
        print(
            f"  medians: off {rps_off:,.0f}/s {cpu_off:.0f} us, on {rps_on:,.0f}/s {cpu_on:.0f} us;"
            f" median of the rounds' ratios {paired:.3f}x, CPU {paired_cpu:.3f}x;"
            f" best rounds {best:.3f}x"
        )
    return rps_on, rps_on / rps_off, cpu_off / cpu_on


def rows(endpoint: str, *, quick: bool = False) -> list[Row]:
    """Every measurement, as the report's rows."""
    creators = 1_000 if quick else 10_000
    fetches, rounds = (400, 3) if quick else (2_000, 5)
    with tempfile.TemporaryDirectory(prefix="hyperbuds-history-bench-") as tmp:
        folder = Path(tmp)
        rate, growth_ms = asyncio.run(write_and_growth(folder / "big.db", creators, 100))
        per_s, ratio, cpu = asyncio.run(cold_ratio(endpoint, folder, fetches, rounds))
    size = f"{creators * 100:,}"
    print(f"  {size} snapshots written; cold fetch with history {per_s:,.0f}/s")
    return [
        ("history writes, SQLite", f"{rate:,.0f}/s", ">= 5,000/s", rate >= 5_000),
        (f"growth x4 windows, {size} rows", f"{growth_ms:.2f} ms", "< 5 ms", growth_ms < 5),
        ("cold fetch, history on / off", f"{ratio:.3f}x", ">= 0.9x", ratio >= 0.9),
        ("client CPU per cold fetch, off / on", f"{cpu:.3f}x", "(information)", None),
        *durability_bench.rows(quick=quick),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run with the emulators in a child process and print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--cold", action="store_true", help="the on/off cold-fetch comparison only")
    parser.add_argument("--fetches", type=int, default=2_000, help="fetches a round (--cold)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each side (--cold)")
    args = parser.parse_args(argv)
    from _server import EmulatorProcess

    with EmulatorProcess() as emu:
        if args.cold:
            with tempfile.TemporaryDirectory(prefix="hyperbuds-history-bench-") as tmp:
                figures = cold_ratio(
                    emu.rapidapi,
                    Path(tmp),
                    args.fetches,
                    args.rounds,
                    show=True,
                    emulator_cpu=emu.cpu_seconds,
                )
                per_s, ratio, cpu = asyncio.run(figures)
            print(f"cold fetch on/off {ratio:.3f}x ({per_s:,.0f}/s on), CPU off/on {cpu:.3f}x")
            return 0
        found = rows(emu.rapidapi, quick=args.quick)
    for what, figure, target, met in found:
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<44}{figure:<16}{target:<14}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
