"""Quota economy: upstream calls per unique creator, alone and as a fleet, and what a hit costs.

Run ``python bench/quota_bench.py`` from the repository root. It starts a ``redis-server`` on a
free loopback port and a RapidAPI emulator, then prints:

* upstream calls per unique creator for 100 concurrent fetches over 10 creators, in one process,
  in four processes each with its own memory, and in four processes sharing Redis;
* the median cost in microseconds of ``await sync.fetch(...)`` on a warm key, served by the
  in-memory cache and by the Redis cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from redis_server import RedisServer  # noqa: E402  (tests/ helper, on the path just above)

from hyperbuds_sync.client import SocialSync  # noqa: E402
from hyperbuds_sync.testing import RapidAPIEmulator  # noqa: E402

WORKER = ROOT / "tests" / "fleet_worker.py"
KEY = "bench-key-0123456789abcdef"
CREATORS = 10
FETCHES = 100


async def _fleet(emu: RapidAPIEmulator, barrier_url: str, processes: int, share: bool) -> int:
    """Run ``processes`` workers at once; return the upstream calls they made."""
    import redis.asyncio as aioredis

    emu.reset_counts()
    name = f"bench-{processes}-{share}-{time.monotonic_ns()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERBUDS_", "RAPIDAPI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = [str(WORKER), "--endpoint", emu.url, "--barrier", f"{name}@{barrier_url}"]
    args += ["--creators", str(CREATORS), "--fetches", str(FETCHES), "--prefix", name[-8:]]
    if share:
        args += ["--redis", barrier_url]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, *args, stdout=asyncio.subprocess.PIPE, env=env, cwd=ROOT
        )
        for _ in range(processes)
    ]
    client = aioredis.Redis.from_url(barrier_url)
    try:
        while int(await client.get(f"{name}:ready") or 0) < processes:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await client.set(f"{name}:go", 1)
        outputs = [json.loads((await p.communicate())[0]) for p in procs]
    finally:
        await client.aclose()
    if any(o["errors"] for o in outputs):
        raise RuntimeError(f"worker errors: {[o['errors'][:1] for o in outputs]}")
    calls: int = emu.calls
    return calls


async def _one_process(emu: RapidAPIEmulator) -> int:
    emu.reset_counts()
    async with SocialSync(rapidapi_key=KEY, rapidapi_endpoint=emu.url) as sync:
        await asyncio.gather(*(sync.fetch("twitch", f"solo{i % CREATORS}") for i in range(FETCHES)))
    calls: int = emu.calls
    return calls


async def _hit_cost(emu: RapidAPIEmulator, redis_url: str | None, iterations: int) -> float:
    """Median microseconds of a warm ``fetch``."""
    async with SocialSync(rapidapi_key=KEY, rapidapi_endpoint=emu.url, redis_url=redis_url) as sync:
        await sync.fetch("twitch", "warm")
        samples = []
        for _ in range(iterations):
            started = time.perf_counter_ns()
            await sync.fetch("twitch", "warm")
            samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1000


async def main(iterations: int) -> None:
    """Run every measurement and print the table."""
    with RedisServer() as server:
        async with RapidAPIEmulator(autogenerate=True) as emu:
            solo = await _one_process(emu)
            apart = await _fleet(emu, server.url, 4, share=False)
            shared = await _fleet(emu, server.url, 4, share=True)
            memory_us = await _hit_cost(emu, None, iterations)
            redis_us = await _hit_cost(emu, server.url, iterations)
    print(f"{FETCHES} concurrent fetches per process over {CREATORS} creators")
    print(f"{'setup':<34}{'upstream calls':>15}{'per creator':>13}")
    for label, calls in (
        ("1 process, in-memory", solo),
        ("4 processes, in-memory each", apart),
        ("4 processes, sharing Redis", shared),
    ):
        print(f"{label:<34}{calls:>15}{calls / CREATORS:>13.1f}")
    print(f"\nwarm-key fetch, median of {iterations} (µs)")
    print(f"{'in-memory cache':<34}{memory_us:>15.1f}")
    print(f"{'Redis cache (loopback)':<34}{redis_us:>15.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    asyncio.run(main(parser.parse_args().iterations))
