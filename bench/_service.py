"""The service (``hyperbuds-sync serve``), measured as real processes on loopback.

Run ``python bench/_service.py [--quick]`` from the repository root, or ``nox -s bench``
(``bench/run.py --only service``), which prints its rows beside the others. Three figures:

a. cache hits through the service against a bare ``aiohttp.web`` handler that answers the same
   bytes: the same client (one aiohttp session, 64 requests in flight, keep-alive), the two
   servers in child processes, interleaved rounds; requests a second (and their ratio), p50 and
   p99 latency;
b. cold: 1,000 concurrent requests for 100 creators spread over 2 service processes that share
   one Redis: upstream calls counted at the emulator (target: exactly 100) and failed requests
   (target: 0);
c. the RSS of one service process while it serves 10,000 distinct creators, sampled every 500:
   is it flat?

``python bench/_service.py bare PORT FILE`` is the bare handler's child process: it answers
every request with the bytes of FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "service")]

Row = tuple[str, str, str, bool | None]  # (what, figure, target, met), as bench/run.py prints
KEY = "bench-caller-key-0000"  # the service's caller key in these runs (not a secret)
IN_FLIGHT = 64
FETCH = "/api/v1/social/fetch"


def _service_env(rapidapi: str, backend: str, history: Path, **extra: str) -> dict[str, str]:
    from serve_process import emulator_env

    keys = {"HYPERBUDS_SERVICE_KEYS": f"bench:{KEY}"}
    return {**emulator_env(rapidapi, backend, history), **keys, **extra}


async def _post(session: Any, url: str, platform: str, username: str) -> tuple[int, bytes]:
    body = {"platform": platform, "username": username}
    async with session.post(url + FETCH, json=body, headers={"X-API-Key": KEY}) as answer:
        return answer.status, await answer.read()


# --- a. cache hits: the service against a bare handler --------------------------------------------


async def _load(session: Any, url: str, total: int) -> tuple[float, list[float]]:
    """``total`` hit requests, ``IN_FLIGHT`` at a time: requests a second, latencies (ms)."""
    latencies: list[float] = []
    left = total

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            started = time.perf_counter()
            status, _ = await _post(session, url, "twitch", "warmhit")
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"the load got HTTP {status}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return total / (time.perf_counter() - started), latencies


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process ``pid`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _hits(rapidapi: str, backend: str, requests: int, rounds: int) -> dict[str, Any]:
    import aiohttp
    from serve_process import ServeProcess, free_port

    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    env = _service_env(rapidapi, backend, tmp / "history.db")
    async with ServeProcess(env) as service, aiohttp.ClientSession() as session:
        status, body = await _post(session, service.url, "twitch", "warmhit")  # now cached
        assert status == 200, body
        status, body = await _post(session, service.url, "twitch", "warmhit")
        (tmp / "answer.json").write_bytes(body)
        port = free_port()
        bare = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "bare",
            str(port),
            str(tmp / "answer.json"),
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert bare.stdout is not None
            assert (await bare.stdout.readline()).strip() == b"ready"
            bare_url = f"http://127.0.0.1:{port}"
            await _load(session, service.url, requests // 4)  # warm both
            await _load(session, bare_url, requests // 4)
            load = [os.getloadavg()[0]]  # the machine's, beside the figures: they move with it
            runs: dict[str, list[tuple[float, list[float]]]] = {"service": [], "bare": []}
            cpu: dict[str, list[float]] = {"service": [], "bare": []}
            servers = {"service": (service.url, service.proc.pid), "bare": (bare_url, bare.pid)}
            for _ in range(rounds):
                for name, (url, pid) in servers.items():
                    before = _cpu_s(pid)
                    runs[name].append(await _load(session, url, requests))
                    cpu[name].append((_cpu_s(pid) - before) / requests * 1e6)
            load.append(os.getloadavg()[0])
        finally:
            bare.terminate()
            await bare.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    figures: dict[str, Any] = {"bytes": len(body), "load": load}
    for name, results in runs.items():
        figures[name] = {
            "rates": [rate for rate, _ in results],
            "p50": statistics.median(_pct(lat, 0.50) for _, lat in results),
            "p99": statistics.median(_pct(lat, 0.99) for _, lat in results),
            "cpu_us": cpu[name],
        }
    figures["cpu_ratios"] = [
        s / b for s, b in zip(cpu["service"], cpu["bare"], strict=True) if b > 0
    ]
    figures["ratios"] = [
        s / b for s, b in zip(figures["service"]["rates"], figures["bare"]["rates"], strict=True)
    ]
    return figures


def _bare(port: int, path: str) -> None:
    """The bare handler: read the request, answer the service's bytes."""
    from aiohttp import web

    body = Path(path).read_bytes()

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    # run_app prints once the socket listens (on_startup runs before: a loaded machine's client
    # could then connect too early and be refused)
    web.run_app(
        app,
        host="127.0.0.1",
        port=port,
        print=lambda _text: print("ready", flush=True),
        access_log=None,
    )


# --- b. cold: 1,000 requests, 100 creators, 2 processes, one Redis --------------------------------


async def _cold(creators: int, per_creator: int) -> dict[str, Any]:
    import aiohttp
    from redis_server import RedisServer
    from serve_process import ServeProcess

    from hyperbuds_sync.testing import BackendEmulator, RapidAPIEmulator

    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    names = [f"cold_{n:03d}" for n in range(creators)]
    with RedisServer() as redis:
        async with RapidAPIEmulator(autogenerate=True) as rapidapi, BackendEmulator() as backend:
            env = _service_env(
                rapidapi.url, backend.url, tmp / "h.db", HYPERBUDS_REDIS_URL=redis.url
            )
            first, second = ServeProcess(env), ServeProcess(env)
            connector = aiohttp.TCPConnector(limit=0)
            async with first, second, aiohttp.ClientSession(connector=connector) as session:
                asked = [
                    (service.url, name)
                    for _ in range(per_creator)
                    for service in (first, second)
                    for name in names
                ][: creators * per_creator]
                started = time.perf_counter()
                answers = await asyncio.gather(
                    *(_post(session, url, "tiktok", name) for url, name in asked),
                    return_exceptions=True,
                )
                seconds = time.perf_counter() - started
            calls = rapidapi.calls_for(platform="tiktok")
            per_name = {n: rapidapi.calls_for(platform="tiktok", username=n) for n in names}
    shutil.rmtree(tmp, ignore_errors=True)
    failed = sum(1 for a in answers if isinstance(a, BaseException) or a[0] != 200)
    return {
        "requests": len(asked),
        "creators": creators,
        "calls": calls,
        "max_per_creator": max(per_name.values()),
        "failed": failed,
        "seconds": seconds,
    }


# --- c. RSS over 10,000 distinct creators ---------------------------------------------------------


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def _rss(creators: int, every: int) -> dict[str, Any]:
    import aiohttp
    from _server import EmulatorProcess
    from serve_process import ServeProcess

    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    samples: list[tuple[int, float]] = []
    with EmulatorProcess() as emu:
        env = _service_env(emu.rapidapi, emu.backend, tmp / "history.db")
        async with ServeProcess(env) as service, aiohttp.ClientSession() as session:
            assert service.proc is not None
            pid = service.proc.pid
            samples.append((0, _rss_mb(pid)))
            failed = 0
            semaphore = asyncio.Semaphore(IN_FLIGHT)

            async def one(name: str) -> int:
                async with semaphore:
                    status, _ = await _post(session, service.url, "tiktok", name)
                    return status

            for start in range(0, creators, every):
                names = [f"rss_{n:05d}" for n in range(start, min(creators, start + every))]
                statuses = await asyncio.gather(*(one(name) for name in names))
                failed += sum(1 for s in statuses if s != 200)
                samples.append((start + len(names), _rss_mb(pid)))
    shutil.rmtree(tmp, ignore_errors=True)
    half = [mb for done, mb in samples if done >= creators // 2]
    return {"samples": samples, "failed": failed, "growth_2nd_half": max(half) - min(half)}


# --- the report -----------------------------------------------------------------------------------


def measure(quick: bool = False) -> dict[str, Any]:
    """All three figures (smaller with ``quick``)."""
    from _server import EmulatorProcess

    figures: dict[str, Any] = {}
    with EmulatorProcess() as emu:
        requests, rounds = (2_000, 1) if quick else (5_000, 5)
        figures["hits"] = asyncio.run(_hits(emu.rapidapi, emu.backend, requests, rounds))
    if shutil.which("redis-server"):
        figures["cold"] = asyncio.run(_cold(100, 2 if quick else 10))
    figures["rss"] = asyncio.run(_rss(1_000 if quick else 10_000, 100 if quick else 500))
    return figures


def report(figures: Mapping[str, Any]) -> None:
    """Print the figures' detail (the rows come from :func:`rows`)."""
    hits = figures["hits"]
    for name in ("service", "bare"):
        part = hits[name]
        rates = ", ".join(f"{r:,.0f}" for r in part["rates"])
        print(
            f"  {name:<8} req/s per round: {rates}; p50 {part['p50']:.2f} ms, "
            f"p99 {part['p99']:.2f} ms"
        )
    print(f"  ratio service / bare per round: {', '.join(f'{r:.2f}' for r in hits['ratios'])}")
    cpu = ", ".join(
        f"{s:.0f}/{b:.0f}"
        for s, b in zip(*(hits[n]["cpu_us"] for n in ("service", "bare")), strict=True)
    )
    print(f"  server CPU per request, us (service/bare) per round: {cpu}")
    print(
        f"  load average (1 min) before and after: {hits['load'][0]:.1f} -> {hits['load'][1]:.1f}"
    )
    cold = figures.get("cold")
    if cold is None:
        print("  cold: skipped, redis-server is not on PATH")
    else:
        print(
            f"  cold: {cold['requests']} requests for {cold['creators']} creators over 2 "
            f"processes in {cold['seconds']:.2f} s: {cold['calls']} upstream calls "
            f"(at most {cold['max_per_creator']} per creator), {cold['failed']} failed"
        )
    rss = figures["rss"]
    step = max(1, len(rss["samples"]) // 10)
    trail = ", ".join(f"{done}:{mb:.0f}" for done, mb in rss["samples"][::step])
    print(f"  RSS (creators:MB): {trail}, last {rss['samples'][-1][1]:.0f} MB")


def rows(figures: Mapping[str, Any]) -> list[Row]:
    """The table rows, each beside its target."""
    hits = figures["hits"]
    ratio = statistics.median(hits["ratios"])
    service, bare = hits["service"], hits["bare"]
    cpu_ratio = statistics.median(hits["cpu_ratios"]) if hits["cpu_ratios"] else float("nan")
    table: list[Row] = [
        ("service hits / bare, req/s", f"{ratio:.2f}x", ">= 0.7x (goal 0.9x)", ratio >= 0.7),
        (
            "server CPU per hit, service / bare",
            f"{cpu_ratio:.2f}x ({statistics.median(service['cpu_us']):.0f} us)",
            "(information)",
            None,
        ),
        (
            "service hits, req/s; p50; p99",
            f"{statistics.median(service['rates']):,.0f}; {service['p50']:.1f}; "
            f"{service['p99']:.1f} ms",
            "(information)",
            None,
        ),
        (
            "bare handler, req/s; p50; p99",
            f"{statistics.median(bare['rates']):,.0f}; {bare['p50']:.1f}; {bare['p99']:.1f} ms",
            "(information)",
            None,
        ),
    ]
    cold = figures.get("cold")
    if cold is not None:
        table += [
            (
                f"cold, {cold['requests']} req / {cold['creators']} creators: upstream",
                str(cold["calls"]),
                f"exactly {cold['creators']}",
                cold["calls"] == cold["creators"],
            ),
            ("cold, failed requests", str(cold["failed"]), "0", cold["failed"] == 0),
        ]
    rss = figures["rss"]
    done, last = rss["samples"][-1]
    growth = rss["growth_2nd_half"]
    table += [
        (f"service RSS after {done:,} creators", f"{last:.0f} MB", "(information)", None),
        ("service RSS growth, 2nd half", f"{growth:.1f} MB", "flat (< 10 MB)", growth < 10),
        ("RSS run, failed requests", str(rss["failed"]), "0", rss["failed"] == 0),
    ]
    return table


def main(argv: list[str] | None = None) -> int:
    """``python bench/_service.py [--quick]``, or the bare handler's child process."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bare"]:
        _bare(int(argv[1]), argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    figures = measure(quick=args.quick)
    report(figures)
    for row in rows(figures):
        print("  " + " | ".join(str(part) for part in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
