"""The service app on a real loopback socket over the emulators, for the ``test_app_*`` tests.

``async with running(...) as svc:`` starts the RapidAPI and backend emulators, a ``SocialSync``
pointed at them (history in an in-memory SQLite database), ``create_app`` over it and an aiohttp
``TestServer`` on 127.0.0.1; ``svc.call(method, path, ...)`` answers ``(status, headers, body)``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp.test_utils import TestServer

from hyperbuds_sync import Roster, SocialSync
from hyperbuds_sync.service import ServiceSettings, create_app
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, RapidAPIEmulator

MEMORY_DB = "sqlite+aiosqlite:///:memory:"
OPEN = ServiceSettings(anonymous_rate_limit=None)  # no limit: tests call in bursts
ACCESS_LOGGER = "hyperbuds_sync.service.access"


@attrs.define
class Service:
    """A running service and what it runs on."""

    server: TestServer
    sync: SocialSync
    rapidapi: RapidAPIEmulator
    backend: BackendEmulator
    session: aiohttp.ClientSession
    roster: Roster | None = None

    @property
    def app(self) -> Any:
        return self.server.app

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> tuple[int, Mapping[str, str], Any]:
        """One request: status, headers, and the body decoded from JSON (else its text)."""
        async with self.session.request(
            method, self.url(path), json=json_body, data=data, headers=headers
        ) as resp:
            text = await resp.text()
            try:
                body: Any = json.loads(text)
            except ValueError:
                body = text
            return resp.status, resp.headers, body


@asynccontextmanager
async def running(
    *,
    settings: ServiceSettings = OPEN,
    keys: Mapping[str, str] | None = None,
    origins: list[str] | None = None,
    with_roster: bool = False,
    budgets: Mapping[str, int] | None = None,
    rapidapi: Mapping[str, Any] | None = None,
    **sync_options: Any,
) -> AsyncIterator[Service]:
    """The service over fresh emulators (see the module)."""
    options: dict[str, Any] = {"rapidapi_key": TEST_KEY, "history_url": MEMORY_DB}
    options.update(sync_options)
    async with (
        RapidAPIEmulator(**(rapidapi or {})) as emulator,
        BackendEmulator() as backend,
    ):
        options.setdefault("rapidapi_endpoint", emulator.url)
        options.setdefault("api_url", backend.url)
        async with SocialSync(**options) as sync:
            roster = Roster(sync, budgets=budgets) if with_roster else None
            app = create_app(sync, keys=keys, origins=origins, roster=roster, settings=settings)
            try:
                async with (
                    TestServer(app, host="127.0.0.1") as server,
                    aiohttp.ClientSession() as session,
                ):
                    yield Service(server, sync, emulator, backend, session, roster)
            finally:
                if roster is not None:
                    await roster.aclose()


class LogLines(logging.Handler):
    """The access log's lines, parsed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[dict[str, Any]] = []
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.texts.append(text)
        if record.name == ACCESS_LOGGER:
            self.lines.append(json.loads(text))


@pytest.fixture
def access_log() -> Iterator[LogLines]:
    """Every line the service logs (any logger under ``hyperbuds_sync``), at DEBUG."""
    handler = LogLines()
    logger = logging.getLogger("hyperbuds_sync")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
