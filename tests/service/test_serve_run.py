"""``hyperbuds-sync serve`` as real processes on loopback, in front of the emulators.

The emulators run in the test's own loop on 127.0.0.1; the service is a child process
(:mod:`serve_process`). Each test stops it with SIGTERM and expects exit code 0.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from serve_process import ServeProcess, emulator_env, until

from hyperbuds_sync import SocialSync
from hyperbuds_sync.history import open_store
from hyperbuds_sync.roster import Roster
from hyperbuds_sync.testing import BackendEmulator, Fault, RapidAPIEmulator

FETCH = "/api/v1/social/fetch"
MAYA_FOLLOWERS = 1_204_377  # the emulators' sample tiktok creator


@pytest_asyncio.fixture
async def emulators() -> AsyncIterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    """Both emulators on free loopback ports; any ``svc_NNN`` username exists."""
    async with (
        RapidAPIEmulator(autogenerate=r"svc_\d+") as rapidapi,
        BackendEmulator() as backend,
    ):
        yield rapidapi, backend


def _env(emus: tuple[RapidAPIEmulator, BackendEmulator], tmp: Path, **extra: str) -> dict[str, str]:
    rapidapi, backend = emus
    return {**emulator_env(rapidapi.url, backend.url, tmp / "history.db"), **extra}


async def _fetch(
    session: aiohttp.ClientSession, url: str, platform: str, username: str
) -> tuple[int, Any]:
    body = {"platform": platform, "username": username}
    async with session.post(url + FETCH, json=body) as answer:
        return answer.status, await answer.json()


async def test_serve_answers_healthz_and_a_fetch_and_records_it(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    service = ServeProcess(_env(emulators, tmp_path))
    async with service, aiohttp.ClientSession() as session:
        async with session.get(service.url + "/healthz") as health:
            assert health.status == 200
        status, body = await _fetch(session, service.url, "tiktok", "@MayaCooks")
    assert status == 200, body
    assert body["success"] is True
    assert body["data"]["followers"] == MAYA_FOLLOWERS
    assert service.proc is not None
    assert service.proc.returncode == 0, service.stderr.decode()
    lines = [json.loads(t) for t in service.stderr.decode().splitlines() if t.startswith("{")]
    # one whole JSON line a request on stderr, through the serve command's TickHandler
    assert [line["status"] for line in lines if line["route"] == FETCH] == [200]
    assert {line["route"] for line in lines} == {"/healthz", FETCH}  # start() polls /healthz
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'history.db'}")
    try:  # SIGTERM flushed the history before the process exited
        snapshots = await store.snapshots("tiktok", "mayacooks")
    finally:
        await store.aclose()
    assert [s.followers for s in snapshots] == [MAYA_FOLLOWERS]


async def test_sigterm_finishes_the_requests_in_flight_and_exits_0(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapidapi, _ = emulators
    slow = [f"svc_{n}" for n in range(6)]
    for name in slow:  # each upstream call takes a second: the requests are in flight at SIGTERM
        rapidapi.fail(name, Fault.delay(1.0), platform="twitch")
    service = ServeProcess(_env(emulators, tmp_path))
    await service.start()
    async with aiohttp.ClientSession() as session:
        pending = [
            asyncio.create_task(_fetch(session, service.url, "twitch", name)) for name in slow
        ]
        await until(  # every request reached the emulator, and waits there
            lambda: all(rapidapi.calls_for(platform="twitch", username=n) for n in slow)
        )
        service.terminate()
        answers = await asyncio.gather(*pending)
        assert await service.wait() == 0, service.stderr.decode()
        with pytest.raises(aiohttp.ClientConnectionError):  # no longer accepting
            await _fetch(session, service.url, "twitch", "svc_99")
    assert [status for status, _ in answers] == [200] * len(slow), answers
    assert all(body["success"] for _, body in answers)


async def test_two_processes_over_redis_make_one_upstream_call_per_creator(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path, redis_url: str
) -> None:
    rapidapi, _ = emulators
    creators = [f"svc_{n}" for n in range(5)]
    for name in creators:  # slow enough that every request arrives while the first is upstream
        rapidapi.fail(name, Fault.delay(0.5), platform="tiktok")
    for name in ("first", "second"):  # a history file each: they start at once
        (tmp_path / name).mkdir()
    first, second = (
        ServeProcess(_env(emulators, tmp_path / name, HYPERBUDS_REDIS_URL=redis_url))
        for name in ("first", "second")
    )
    await asyncio.gather(first.start(), second.start())
    async with first, second, aiohttp.ClientSession() as session:
        urls = [first.url, second.url] * 15  # 30 requests, each creator asked of both
        asked = [(url, creators[n % 5]) for n, url in enumerate(urls)]
        answers = await asyncio.gather(
            *(_fetch(session, url, "tiktok", name) for url, name in asked)
        )
    assert [status for status, _ in answers] == [200] * 30, answers
    assert {name: rapidapi.calls_for(platform="tiktok", username=name) for name in creators} == {
        name: 1 for name in creators
    }
    assert (first.proc, second.proc) != (None, None)
    assert [first.proc.returncode, second.proc.returncode] == [0, 0]  # type: ignore[union-attr]


async def test_workers_2_runs_two_gunicorn_workers_and_sigterm_loses_no_request(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path, redis_url: str
) -> None:
    rapidapi, _ = emulators
    slow = [f"svc_{n}" for n in range(20, 24)]
    for name in slow:
        rapidapi.fail(name, Fault.delay(1.0), platform="twitch")
    service = ServeProcess(
        _env(emulators, tmp_path, HYPERBUDS_REDIS_URL=redis_url), "--workers", "2"
    )
    await service.start()
    assert service.proc is not None
    pid = service.proc.pid
    await until(lambda: len(_children(pid)) == 2)  # gunicorn's two aiohttp workers
    workers = _children(pid)
    async with aiohttp.ClientSession() as session:
        pending = [
            asyncio.create_task(_fetch(session, service.url, "twitch", name)) for name in slow
        ]
        await until(lambda: all(rapidapi.calls_for(platform="twitch", username=n) for n in slow))
        service.terminate()  # the arbiter: SIGTERM to each worker, graceful_timeout, exit
        answers = await asyncio.gather(*pending)
    assert await service.wait() == 0, service.stderr.decode()
    assert [status for status, _ in answers] == [200] * len(slow), answers
    assert not set(workers) & set(_children(pid))  # the workers are gone
    lines = [json.loads(t) for t in service.stderr.decode().splitlines() if t.startswith("{")]
    # the gunicorn workers write the access lines too (one per request, through TickHandler)
    fetched = [line for line in lines if line["route"] == FETCH]
    assert [line["status"] for line in fetched] == [200] * len(slow)
    assert {line["caller"] for line in fetched} == {"anonymous"}


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_roster_runs_in_the_service_process(
    emulators: tuple[RapidAPIEmulator, BackendEmulator], tmp_path: Path
) -> None:
    rapidapi, _ = emulators
    env = _env(emulators, tmp_path)
    async with (
        SocialSync(history_url=env["HYPERBUDS_HISTORY_URL"], redis_url="") as sync,
        Roster(sync) as roster,
    ):  # a creator already on the roster, as `hyperbuds-sync roster add` leaves it
        await roster.add("c-7", {"twitch": "svc_7"})
    budget = ("--budget", "twitch-scraper2=100000")
    service = ServeProcess(env, "--roster", *budget)
    async with service, aiohttp.ClientSession() as session:
        # the roster, running beside the routes, refreshes the due creator by itself
        await until(lambda: rapidapi.calls_for(platform="twitch", username="svc_7") > 0)
        creator = {"usernames": {"twitch": "svc_8"}}
        async with session.put(f"{service.url}/api/v1/roster/creators/c-8", json=creator) as put:
            assert put.status == 200, await put.text()  # the routes hold the same roster
    assert service.proc is not None
    assert service.proc.returncode == 0, service.stderr.decode()
