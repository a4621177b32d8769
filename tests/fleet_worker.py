"""One process of a simulated fleet: many concurrent fetches through a shared Redis.

Run by ``tests/test_redis.py`` and ``bench/quota_bench.py`` as a subprocess::

    python tests/fleet_worker.py --endpoint URL [--redis URL] [--barrier NAME@REDIS_URL]
        [--creators 10] [--fetches 100] [--platform twitch] [--prefix fleet]

``--redis`` shares the SDK's state through that Redis; without it the worker keeps everything in
memory. With ``--barrier NAME@REDIS_URL`` the worker increments the key ``NAME:ready`` in that
Redis and waits for the key ``NAME:go`` before firing, so the parent starts every worker at once.
It prints one JSON line: ``{"ok": int, "errors": [str, ...], "seconds": float}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence

from hyperbuds_sync.client import SocialSync

KEY = "fleet-worker-key-0123456789abcdef"


async def wait_for_barrier(redis_url: str, name: str) -> None:
    """Say ready, then wait (30 s at most) until the parent sets ``NAME:go``."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.incr(f"{name}:ready")
        async with asyncio.timeout(30):
            while not await client.exists(f"{name}:go"):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.005)
    finally:
        await client.aclose()


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Fire ``args.fetches`` concurrent fetches over ``args.creators`` creators."""
    names = [f"{args.prefix}{i % args.creators}" for i in range(args.fetches)]
    async with SocialSync(
        rapidapi_key=KEY,
        rapidapi_endpoint=args.endpoint,
        redis_url=args.redis or None,
        token="fleet-worker-token",
    ) as sync:
        if args.barrier:
            name, _, url = args.barrier.partition("@")
            await wait_for_barrier(url, name)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(sync.fetch(args.platform, name) for name in names), return_exceptions=True
        )
        seconds = time.perf_counter() - started
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return {"ok": len(results) - len(errors), "errors": errors, "seconds": seconds}


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, run, print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--redis", default="")
    parser.add_argument("--barrier", default="")
    parser.add_argument("--creators", type=int, default=10)
    parser.add_argument("--fetches", type=int, default=100)
    parser.add_argument("--platform", default="twitch")
    parser.add_argument("--prefix", default="fleet")
    print(json.dumps(asyncio.run(run(parser.parse_args(argv)))), flush=True)


if __name__ == "__main__":
    main()
