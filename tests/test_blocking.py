"""BlockingSocialSync: the async client without await, from a script and inside a running loop."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from hyperbuds_sync import (
    BlockingSocialSync,
    ManualEntry,
    SocialSync,
    UnknownFormula,
    UsernameNotFound,
    blocking,
)
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator

SCRIPT = Path(__file__).with_name("blocking_script.py")


def _env(rapidapi: str, backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "RAPIDAPI_KEY": TEST_KEY,
        "HYPERBUDS_TOKEN": TEST_TOKEN,
        "HYPERBUDS_RAPIDAPI_ENDPOINT": rapidapi,
        "HYPERBUDS_API_URL": backend,
    }


@pytest.mark.parametrize("mode", [[], ["--in-loop"]], ids=["shell", "in-loop"])
async def test_a_script_runs_from_the_shell_and_inside_a_running_loop(mode: list[str]) -> None:
    async with RapidAPIEmulator() as rapidapi, BackendEmulator() as backend:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            *mode,
            env=_env(rapidapi.url, backend.url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    seen = json.loads(out)
    hosts = seen.pop("hosts")
    assert len(hosts) == 3  # the twitch, tiktok and twitter providers answered
    assert all(rapidapi.calls_for(host) == 1 for host in hosts)
    assert seen == {
        "followers": 184_233,
        "synced": True,
        "total": 184_233 + 1_204_377,
        "report_ok": ["instagram", "twitter"],
    }
    assert rapidapi.calls == 3


async def test_the_docs_example_runs() -> None:
    example = Path(__file__).parent.parent / "docs" / "examples" / "blocking.py"
    async with RapidAPIEmulator() as rapidapi, BackendEmulator() as backend:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(example),
            env={**_env(rapidapi.url, backend.url), "HYPERBUDS_REDIS_URL": ""},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "184,233 followers" in out.decode()
    assert "<SyncReport 2 of 2 synced" in out.decode()


@pytest.fixture
def threaded_emulators() -> Iterator[tuple[RapidAPIEmulator, BackendEmulator]]:
    """Emulators served from a thread of their own, so a blocking caller cannot stall them."""
    with start_blocking_portal() as portal, ExitStack() as stack:
        rapidapi = stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))
        backend = stack.enter_context(portal.wrap_async_context_manager(BackendEmulator()))
        yield rapidapi, backend


def _client(emulators: tuple[RapidAPIEmulator, BackendEmulator]) -> BlockingSocialSync:
    rapidapi, backend = emulators
    return BlockingSocialSync(
        rapidapi_key=TEST_KEY,
        token=TEST_TOKEN,
        rapidapi_endpoint=rapidapi.url,
        api_url=backend.url,
        redis_url="",
    )


async def test_inside_a_running_loop_in_process(
    threaded_emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    asyncio.get_running_loop()
    with _client(threaded_emulators) as sync:
        data = sync.fetch("instagram", "maya.cooks")
        result = sync.sync("instagram", ManualEntry(followers=data.followers))
    assert data.followers == 93_518
    assert result.stats.total_followers == 93_518
    assert threaded_emulators[1].requests[-1].body == {"followers": 93_518}


def test_errors_are_the_typed_errors_raised_in_the_callers_thread(
    threaded_emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    with _client(threaded_emulators) as sync, pytest.raises(UsernameNotFound):
        sync.fetch("twitch", "notfound_anyone")


def test_close_stops_the_loop_thread_and_closes_the_client(
    threaded_emulators: tuple[RapidAPIEmulator, BackendEmulator],
) -> None:
    before = set(threading.enumerate())
    sync = _client(threaded_emulators)
    sync.fetch("twitch", "pixelmaya")
    assert len(set(threading.enumerate()) - before) == 1
    sync.close()
    sync.close()  # idempotent
    assert set(threading.enumerate()) - before == set()
    assert "closed" in repr(sync)
    with pytest.raises(RuntimeError, match="closed"):
        sync.fetch("twitch", "pixelmaya")


def test_a_failed_construction_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    with pytest.raises(UnknownFormula):
        BlockingSocialSync(formula="no_such_formula")
    assert set(threading.enumerate()) - before == set()


def test_an_unclosed_client_warns_and_closes_when_collected() -> None:
    before = set(threading.enumerate())
    sync = BlockingSocialSync(redis_url="")
    with pytest.warns(ResourceWarning, match="unclosed"):
        del sync
    assert set(threading.enumerate()) - before == set()


def test_arguments_are_those_of_socialsync_but_session() -> None:
    ours = inspect.signature(BlockingSocialSync).parameters
    theirs = dict(inspect.signature(SocialSync).parameters)
    del theirs["session"]
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def test_every_argument_reaches_the_socialsync_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, object]] = []

    class Recorded:
        def __init__(self, **options: object) -> None:
            made.append(options)

        async def aclose(self) -> None:
            return None

    monkeypatch.setattr(blocking, "SocialSync", Recorded)
    given = {name: object() for name in inspect.signature(BlockingSocialSync).parameters}
    BlockingSocialSync(**given).close()  # type: ignore[arg-type]
    assert made == [given]  # none dropped, renamed or defaulted on the way


def test_every_public_method_of_socialsync_has_its_blocking_twin() -> None:
    public = {
        name
        for name, value in vars(SocialSync).items()
        if not name.startswith("_") and inspect.isfunction(value) and name != "aclose"
    }
    assert public <= set(dir(BlockingSocialSync))
    assert BlockingSocialSync.fetch.__doc__ == SocialSync.fetch.__doc__


@pytest.mark.parametrize("warnings_as", ["default", "error::ResourceWarning"])
async def test_a_client_never_closed_does_not_keep_the_script_alive(warnings_as: str) -> None:
    async with RapidAPIEmulator() as rapidapi, BackendEmulator() as backend:
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-W",
            warnings_as,
            str(SCRIPT.with_name("unclosed_script.py")),
            env=_env(rapidapi.url, backend.url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=5)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert time.monotonic() - started < 5
    assert out.decode().strip() == "184233", err.decode()
    assert rapidapi.calls == 1
