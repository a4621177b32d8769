"""Durability figures (issue 20): ``python bench/durability_bench.py`` (also run by
``bench/history_bench.py``, so by ``bench/run.py``).

Real processes (``tests/durable_worker.py``) and a real PostgreSQL (``tests/postgres_server.py``),
the RapidAPI emulator in this process's loop, counting calls:

1. kill -9 right after 300 fetches returned, 16 at a time, on SQLite and on PostgreSQL: the
   snapshots lost (target 0);
2. PostgreSQL stopped for 100 fetches, then started: snapshots stored, and the seconds from its
   return until the last is written (target 100 of 100 within 30 s), with the default backoff;
3. a roster killed and restarted 12 times in a row (a crash loop), a budget of 10 calls a day,
   no Redis: the calls the emulator saw (target <= 10) and the seconds the 12 lives took.

Without PostgreSQL binaries its rows say so and are skipped.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres_server import PostgresServer, postgres_bin_dir  # noqa: E402

from hyperbuds_sync import SocialSync  # noqa: E402
from hyperbuds_sync.history import open_store  # noqa: E402
from hyperbuds_sync.testing import RapidAPIEmulator  # noqa: E402

WORKER = ROOT / "tests" / "durable_worker.py"
KEY = "bench-key-0123456789abcdef0123456789abcdef0123456789"
Row = tuple[str, str, str, bool | None]


async def _start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(WORKER), *args, stdout=asyncio.subprocess.PIPE
    )


async def _lines_until(proc: asyncio.subprocess.Process, last: set[str]) -> list[str]:
    assert proc.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(120):
        while raw := await proc.stdout.readline():
            seen.append(raw.decode().strip())
            if seen[-1] in last:
                break
    return seen


async def _stored(url: str, names: list[str]) -> int:
    store = open_store(url)
    try:
        return sum([len(await store.snapshots("twitch", name)) > 0 for name in names])
    finally:
        await store.aclose()


async def killed_after(endpoint: str, url: str, count: int) -> tuple[int, int]:
    """(fetches returned, snapshots of those lost) when the process is killed right after."""
    proc = await _start("fetch", endpoint, url, str(count), "k")
    returned = [n for n in await _lines_until(proc, {"done"}) if n != "done"]
    proc.kill()
    await proc.wait()
    return len(returned), len(returned) - await _stored(url, returned)


async def outage(
    emulator: RapidAPIEmulator, pg: PostgresServer, count: int
) -> tuple[int, float, float]:
    """(snapshots stored of ``count`` fetched while PostgreSQL was down, seconds from its return
    until the last was written, seconds it was down)."""
    names = [f"o{i}" for i in range(count)]
    async with SocialSync(
        rapidapi_key=KEY, rapidapi_endpoint=emulator.url, redis_url="", history_url=pg.url()
    ) as sync:
        await sync.fetch("twitch", "warm", refresh=True)  # the pool holds a connection
        await asyncio.to_thread(pg.halt)
        down = time.perf_counter()
        sem = asyncio.Semaphore(16)

        async def one(name: str) -> None:
            async with sem:
                await sync.fetch("twitch", name, refresh=True)

        await asyncio.gather(*(one(n) for n in names))
        await asyncio.to_thread(pg.resume)
        back = time.perf_counter()
        down = back - down
        assert sync._history is not None
        async with asyncio.timeout(120):
            await sync._history.caught_up()
        took = time.perf_counter() - back
    return await _stored(pg.url(), names), took, down


async def crash_loop(endpoint: str, url: str, lives: int, budget: int) -> float:
    """Seconds ``lives`` roster processes took, each killed after its first ledger answer (and
    its refresh, when it was allowed one)."""
    started = time.perf_counter()
    for _ in range(lives):
        proc = await _start("roster", endpoint, url, str(budget))
        await _lines_until(proc, {"refreshed", "asked False"})
        proc.kill()
        await proc.wait()
    return time.perf_counter() - started


async def _measure(quick: bool) -> list[Row]:
    count = 100 if quick else 300
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hyperbuds-durability-") as tmp:
        async with RapidAPIEmulator(autogenerate=True) as emulator:
            returned, lost = await killed_after(emulator.url, f"{tmp}/killed.db", count)
            rows.append(
                (f"kill -9 after {returned} fetches, SQLite", f"{lost} lost", "0", lost == 0)
            )
            if postgres_bin_dir() is None:
                rows.append(("PostgreSQL rows", "skipped", "(no initdb)", None))
            else:
                with PostgresServer() as pg:
                    returned, lost = await killed_after(emulator.url, pg.url(), count)
                    what = f"kill -9 after {returned} fetches, PostgreSQL"
                    rows.append((what, f"{lost} lost", "0", lost == 0))
                    stored, took, down = await outage(emulator, pg, 100)
                    figure = f"{stored}/100, {took:.1f} s"
                    met = stored == 100 and took <= 30
                    what = f"PostgreSQL down {down:.1f} s, 100 fetches"
                    rows.append((what, figure, "100 in 30 s", met))
            before = emulator.calls
            took = await crash_loop(emulator.url, f"{tmp}/roster.db", 12, 10)
            calls = emulator.calls - before
            figure = f"{calls} in {took:.0f} s"
            rows.append(("roster restarted 12x, 10 a day", figure, "<= 10", calls <= 10))
    return rows


def rows(*, quick: bool = False) -> list[Row]:
    """Every measurement, as the report's rows."""
    return asyncio.run(_measure(quick))


def main() -> int:
    for what, figure, target, met in rows(quick="--quick" in sys.argv):
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<44}{figure:<16}{target:<14}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
