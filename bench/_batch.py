"""A big ``sync_all`` batch: N creators x 4 platforms, fetched and synced, with RSS sampled.

Each creator is one ``sync_all({"tiktok": name, "twitter": name, "twitch": name,
"instagram": name})`` (four fetches, then one POST to the backend's batch endpoint); ``workers``
creators are in flight at once. A thread samples this process's resident set size every
``interval`` seconds, so growth over the run shows, not only the peak.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import threading
import time
from pathlib import Path

from hyperbuds_sync import SocialSync
from hyperbuds_sync.testing import TEST_TOKEN

PLATFORMS = ("tiktok", "twitter", "twitch", "instagram")
KEY = "bench-key-0123456789abcdef0123456789abcdef0123456789"


def rss_mb() -> float:
    """The current resident set size in MB (``/proc``; ``ru_maxrss`` where there is none)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class RssSampler:
    """Samples :func:`rss_mb` in a thread until stopped: ``samples`` is ``[(seconds, MB)]``."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - self._started, rss_mb()))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


async def run(
    rapidapi_url: str, backend_url: str, *, creators: int, workers: int = 64
) -> dict[str, object]:
    """Run the batch; return throughput, errors and the RSS samples."""
    names = iter(f"batch{i:06d}" for i in range(creators))
    errors = 0
    synced = 0
    async with SocialSync(
        rapidapi_key=KEY, token=TEST_TOKEN, rapidapi_endpoint=rapidapi_url, api_url=backend_url
    ) as sync:

        async def worker() -> None:
            nonlocal errors, synced
            for name in names:
                report = await sync.sync_all(dict.fromkeys(PLATFORMS, name))
                for outcome in report.outcomes.values():
                    if outcome.error is None:
                        synced += 1
                    else:
                        errors += 1

        cache_maxsize = getattr(sync.cache, "maxsize", None)  # the SDK's default, reported
        before = rss_mb()
        with RssSampler() as sampler:
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(workers)))
            elapsed = time.perf_counter() - started
    return {
        "creators": creators,
        "records": creators * len(PLATFORMS),
        "synced": synced,
        "errors": errors,
        "seconds": elapsed,
        "records_per_s": creators * len(PLATFORMS) / elapsed,
        "rss_before_mb": before,
        "cache_maxsize": cache_maxsize,
        "samples": sampler.samples,
        "peak_mb": max([peak_rss_mb(), *(mb for _, mb in sampler.samples)]),
    }


def main() -> None:
    """``python bench/_batch.py RAPIDAPI_URL BACKEND_URL CREATORS``: run, print JSON.

    The benchmark runs the batch in a fresh process, so its RSS is the batch's own and not what
    earlier measurements left in the allocator.
    """
    import json

    rapidapi_url, backend_url, creators = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = asyncio.run(run(rapidapi_url, backend_url, creators=creators))
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
