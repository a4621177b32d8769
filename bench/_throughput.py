"""Fetch throughput at a fixed concurrency: the SDK beside a raw aiohttp and an httpx loop.

All three send the same ``GET`` (same URL, query, ``x-rapidapi-*`` headers) to the emulator in
another process, over the same connection limits, and parse the JSON body; the SDK also
classifies the answer, reads the profile and builds its record, with the cache bypassed
(``refresh=True``). A fourth client, the SDK's transport alone (:class:`GatewayClient`), splits
the SDK's cost between the transport and the layers above it. Rounds are interleaved (in a
rotating order) so drift in the machine's speed hits every client alike.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import httpx

from hyperbuds_sync import SocialSync
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.platforms import default_registry
from hyperbuds_sync.transport import Gateway

KEY = "bench-key-0123456789abcdef0123456789abcdef0123456789"
PLATFORMS = ("tiktok", "twitter", "twitch", "instagram")
LIMIT, LIMIT_PER_HOST = 100, 20  # the SDK's own connector limits, given to every client

Job = tuple[str, str]  # (platform, username)
Request = tuple[str, dict[str, str], dict[str, str]]  # (url, params, headers)


def jobs(count: int) -> list[Job]:
    """``count`` distinct (platform, username) pairs, the four platforms in turn."""
    return [(PLATFORMS[i % 4], f"tp{i:06d}") for i in range(count)]


def raw_request(endpoint: str, platform: str, username: str) -> Request:
    """What the SDK sends for ``username`` on ``platform``, built by hand."""
    adapter = default_registry.get(platform)
    req = adapter.request(username)
    headers = {"x-rapidapi-key": KEY, "x-rapidapi-host": req.host, "accept": "application/json"}
    return f"{endpoint}{req.path}", dict(req.params), headers


async def _drive(
    concurrency: int, items: Sequence[Any], one: Callable[[Any], Awaitable[None]]
) -> None:
    it = iter(items)

    async def worker() -> None:
        for item in it:
            await one(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


class _Client:
    name = ""

    async def start(self) -> None: ...

    async def run(self, concurrency: int) -> None:
        raise NotImplementedError

    async def stop(self) -> None: ...


class SDKClient(_Client):
    name = "hyperbuds_sync"

    def __init__(self, endpoint: str, work: Sequence[Job]) -> None:
        self.endpoint, self.work = endpoint, work
        self.sync: SocialSync | None = None

    async def start(self) -> None:
        self.sync = SocialSync(rapidapi_key=KEY, rapidapi_endpoint=self.endpoint)

    async def run(self, concurrency: int) -> None:
        sync = self.sync
        assert sync is not None

        async def one(job: Job) -> None:
            await sync.fetch(job[0], job[1], refresh=True)

        await _drive(concurrency, self.work, one)

    async def stop(self) -> None:
        if self.sync is not None:
            await self.sync.aclose()


class GatewayClient(_Client):
    """The SDK's transport alone (key pool, URL, headers, quota headers, capped read, JSON,
    classification), without the cache, the adapter or the record: it shows how much of the
    SDK's cost is the transport and how much the layers above it. Requests are built before
    the timing, as the raw loops' are."""

    name = "sdk transport"

    def __init__(self, endpoint: str, work: Sequence[Job]) -> None:
        self.endpoint = endpoint
        self.requests: list[tuple[ProviderRequest, str, str]] = []
        for platform, username in work:
            adapter = default_registry.get(platform)
            self.requests.append((adapter.request(username), adapter.name, username))
        self.gateway: Gateway | None = None

    async def start(self) -> None:
        self.gateway = Gateway(keys=[KEY], endpoint=self.endpoint)

    async def run(self, concurrency: int) -> None:
        gateway = self.gateway
        assert gateway is not None

        async def one(item: tuple[ProviderRequest, str, str]) -> None:
            request, platform, username = item
            await gateway.get(request, platform=platform, username=username)

        await _drive(concurrency, self.requests, one)

    async def stop(self) -> None:
        if self.gateway is not None:
            await self.gateway.aclose()


class AiohttpClient(_Client):
    name = "raw aiohttp"

    def __init__(self, endpoint: str, work: Sequence[Job]) -> None:
        self.requests = [raw_request(endpoint, p, u) for p, u in work]
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=LIMIT, limit_per_host=LIMIT_PER_HOST)
        self.session = aiohttp.ClientSession(connector=connector)

    async def run(self, concurrency: int) -> None:
        session = self.session
        assert session is not None
        timeout = aiohttp.ClientTimeout(total=10, connect=5)

        async def one(req: Request) -> None:
            url, params, headers = req
            async with session.get(
                url, params=params, headers=headers, timeout=timeout, allow_redirects=False
            ) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
            json.loads(body)

        await _drive(concurrency, self.requests, one)

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()


class HttpxClient(_Client):
    name = "httpx"

    def __init__(self, endpoint: str, work: Sequence[Job]) -> None:
        self.requests = [raw_request(endpoint, p, u) for p, u in work]
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        limits = httpx.Limits(
            max_connections=LIMIT_PER_HOST, max_keepalive_connections=LIMIT_PER_HOST
        )
        self.client = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(10, connect=5))

    async def run(self, concurrency: int) -> None:
        client = self.client
        assert client is not None

        async def one(req: Request) -> None:
            url, params, headers = req
            resp = await client.get(url, params=params, headers=headers)
            if resp.status_code != 200:
                raise RuntimeError(f"HTTP {resp.status_code}")
            json.loads(resp.content)

        await _drive(concurrency, self.requests, one)

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.aclose()


Figures = dict[str, list[float]]  # per client name: one figure per round


async def compare(
    endpoint: str, *, requests: int, rounds: int, concurrency: int
) -> tuple[Figures, Figures]:
    """Per client and per round: requests/s, and client CPU microseconds per request
    (``time.process_time`` over the round / requests)."""
    work = jobs(requests)
    clients: list[_Client] = [
        SDKClient(endpoint, work),
        AiohttpClient(endpoint, work),
        HttpxClient(endpoint, work),
        GatewayClient(endpoint, work),
    ]
    rates: Figures = {c.name: [] for c in clients}
    cpu: Figures = {c.name: [] for c in clients}
    for client in clients:
        await client.start()
    try:
        for client in clients:  # warm-up: connections open, emulator answers rendered
            await client.run(concurrency)
        for r in range(rounds):
            turn = r % len(clients)
            order = clients[turn:] + clients[:turn]
            for client in order:
                wall, cpu0 = time.perf_counter(), time.process_time()
                await client.run(concurrency)
                wall, used = time.perf_counter() - wall, time.process_time() - cpu0
                rates[client.name].append(requests / wall)
                cpu[client.name].append(used / requests * 1e6)
    finally:
        for client in clients:
            await client.stop()
    return rates, cpu


def ratios(figures: Figures, name: str, base: str) -> list[float]:
    """Round by round, ``name``'s figure over ``base``'s (both measured in that round)."""
    return [a / b for a, b in zip(figures[name], figures[base], strict=True)]
