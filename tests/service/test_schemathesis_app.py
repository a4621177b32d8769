"""Property-based run of the OpenAPI document against the running service (schemathesis).

The service runs on 127.0.0.1 over the emulators in a thread of its own (schemathesis calls it
with a blocking client). For every operation, bounded examples: no input gets a 5xx, and every
answer is inside the document (status, content type, headers, body schema).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hyperbuds_sync import Roster, SocialSync, platforms
from hyperbuds_sync.service import ServiceSettings, create_app
from hyperbuds_sync.service._openapi import document
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, RapidAPIEmulator

schema = schemathesis.openapi.from_dict(document(platforms.names()))
BUDGETS = {provider: 10_000 for provider in ("tiktok-api23", "twitch-scraper2", "twitter241")}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class Running:
    """The service on a loop in a background thread."""

    def __init__(self) -> None:
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with (
            RapidAPIEmulator() as rapidapi,
            BackendEmulator() as backend,
            SocialSync(
                rapidapi_key=TEST_KEY,
                rapidapi_endpoint=rapidapi.url,
                api_url=backend.url,
                history_url="sqlite+aiosqlite:///:memory:",
            ) as sync,
            Roster(sync, budgets=BUDGETS) as roster,
        ):
            open_settings = ServiceSettings(anonymous_rate_limit=None)
            app = create_app(sync, roster=roster, settings=open_settings)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self.url = "http://{}:{}".format(*runner.addresses[0][:2])
            self._ready.set()
            await self._stop.wait()
            await runner.cleanup()

    def __enter__(self) -> Running:
        self._thread.start()
        assert self._ready.wait(10), "the service did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    with Running() as running:
        yield running.url


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gets_a_5xx_or_an_answer_outside_the_document(
    case: schemathesis.Case, service_url: str
) -> None:
    case.call_and_validate(base_url=service_url, checks=CHECKS, timeout=10)
