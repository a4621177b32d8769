"""A webhook receiver's server on loopback, shared by the webhook tests: the ``serve`` fixture.

``await serve(receiver)`` serves ``receiver.handle`` at ``POST /hook`` on a free port and gives
its URL; every server is cleaned up when the test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

import pytest
from aiohttp import web


class HookReceiver(Protocol):
    async def handle(self, request: web.Request) -> web.Response: ...


Serve = Callable[[HookReceiver], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(receiver: HookReceiver) -> str:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/hook"

    yield start
    for runner in runners:
        await runner.cleanup()
