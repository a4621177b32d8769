"""The fleet: 4 ``hyperbuds-sync worker`` processes through SAQ on a real Redis.

Run ``python bench/fleet_bench.py [--quick]`` from the repository root (or ``nox -s bench``, which
prints its rows beside the others). It starts a ``redis-server`` on a free loopback port and a
RapidAPI emulator, makes N creator-platforms due (``tests/fleet_refresher.py``), starts the
workers, waits until nothing is due, lets two more planner rounds pass, stops the workers with
SIGTERM and prints, beside the targets:

* upstream calls per refresh, counted at the emulator (target 1.00);
* refreshes lost (never run) and duplicated (run more than once) (target 0 each);
* the fleet's refreshes per second (information).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

Row = tuple[str, str, str, bool | None]  # (what, figure, target, met), as bench/run.py prints
WORKERS = 4


def _env(redis_url: str, endpoint: str, prefix: str, delay: float) -> dict[str, str]:
    from hyperbuds_sync.testing import TEST_KEY

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERBUDS_", "RAPIDAPI_"))}
    paths = [str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.update(
        HYPERBUDS_REDIS_URL=redis_url,
        HYPERBUDS_RAPIDAPI_ENDPOINT=endpoint,
        RAPIDAPI_KEY=TEST_KEY,
        FLEET_PREFIX=prefix,
        FLEET_DELAY=str(delay),
    )
    return env


async def _run(redis_url: str, count: int, delay: float, limit: float) -> dict[str, Any]:
    """Seed ``count`` due creator-platforms, run the fleet until none is due; count everything."""
    import fleet_refresher
    import redis.asyncio as aioredis

    from hyperbuds_sync.testing import RapidAPIEmulator

    items = fleet_refresher.pairs(count, prefix="b")
    args = ["-m", "hyperbuds_sync.cli", "worker", "--refresher", "fleet_refresher:make"]
    args += ["--plan-every", "1", "--concurrency", "16"]
    client = aioredis.Redis.from_url(redis_url)
    async with RapidAPIEmulator(autogenerate=True) as emu:
        env = _env(redis_url, emu.url, "bench", delay)
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
            )
            for _ in range(WORKERS)
        ]
        started = time.perf_counter()
        try:
            await fleet_refresher.seed(client, "bench", items)
            async with asyncio.timeout(limit):
                while await client.scard("bench:due"):  # noqa: ASYNC110 - other processes
                    await asyncio.sleep(0.05)
            seconds = time.perf_counter() - started
            await asyncio.sleep(2.5)  # two more planner rounds: nothing may run again
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            codes = [await proc.wait() for proc in procs]
        calls = emu.calls
    runs = await fleet_refresher.runs(client, "bench")
    await client.aclose()
    wanted = {fleet_refresher.member(c, p) for c, p in items}
    return {
        "refreshes": count,
        "calls": calls,
        "lost": len(wanted - runs.keys()),
        "duplicated": sum(n - 1 for n in runs.values() if n > 1),
        "seconds": seconds,
        "exit_codes": codes,
    }


def measure(quick: bool = False) -> dict[str, Any] | str:
    """The figures, or why they were skipped."""
    if shutil.which("redis-server") is None:
        return "skipped: redis-server is not on PATH"
    try:
        import saq  # noqa: F401
    except ImportError:
        return "skipped: saq is not installed (pip install 'hyperbuds-sync[fleet]')"
    from redis_server import RedisServer

    count = 400 if quick else 2_000
    with RedisServer() as server:
        return asyncio.run(_run(server.url, count, delay=0.05, limit=60 if quick else 180))


def report(figures: dict[str, Any] | str) -> None:
    """Print the run's figures."""
    if isinstance(figures, str):
        print(f"  {figures}")
        return
    print(
        f"  {figures['refreshes']} creator-platforms, {WORKERS} worker processes: "
        f"{figures['calls']} upstream calls, {figures['lost']} lost, "
        f"{figures['duplicated']} duplicated, {figures['seconds']:.1f} s, "
        f"worker exit codes {figures['exit_codes']}"
    )


def rows(figures: dict[str, Any] | str) -> list[Row]:
    """The bench/run.py rows."""
    if isinstance(figures, str):
        return [("fleet, 4 SAQ workers", figures, "-", None)]
    per = figures["calls"] / figures["refreshes"]
    rate = figures["refreshes"] / figures["seconds"]
    return [
        ("fleet: upstream calls per refresh", f"{per:.2f}", "1.00", f"{per:.2f}" == "1.00"),
        ("fleet: refreshes lost", str(figures["lost"]), "0", figures["lost"] == 0),
        ("fleet: refreshes run twice", str(figures["duplicated"]), "0", figures["duplicated"] == 0),
        ("fleet: refreshes per second", f"{rate:.0f}/s", "(information)", None),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 creator-platforms, not 2,000")
    figures = measure(parser.parse_args(argv).quick)
    report(figures)
    for what, figure, target, met in rows(figures):
        verdict = "-" if met is None else ("yes" if met else "NO")
        print(f"{what:<38}{figure:<12}{target:<16}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
