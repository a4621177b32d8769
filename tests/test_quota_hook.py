"""on_quota_low runs off the fetch's path: after the answer, never holding it, never failing it.

End to end through SocialSync against the RapidAPI emulator on 127.0.0.1, whose answers carry
the ``x-ratelimit-requests-*`` headers of a plan with a small quota.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

import pytest

from hyperbuds_sync import SocialSync
from hyperbuds_sync.models import QuotaStatus
from hyperbuds_sync.testing import RapidAPIEmulator


@pytest.fixture
async def emulator() -> AsyncIterator[RapidAPIEmulator]:
    async with RapidAPIEmulator(autogenerate=True, quota=5) as emu:
        yield emu


def client(emu: RapidAPIEmulator, hook: object) -> SocialSync:
    return SocialSync(
        rapidapi_key="k",
        rapidapi_endpoint=emu.url,
        redis_url="",
        quota_low_threshold=10,
        on_quota_low=hook,  # type: ignore[arg-type]
    )


async def test_the_hook_runs_after_the_fetch_not_inside_it(emulator: RapidAPIEmulator) -> None:
    fetched = asyncio.Event()
    ran_in: list[asyncio.Task[object] | None] = []

    async def hook(status: QuotaStatus) -> None:
        await fetched.wait()  # inline in the fetch, this would never return
        ran_in.append(asyncio.current_task())

    async with client(emulator, hook) as sync:
        fetch = asyncio.ensure_future(sync.fetch("twitch", "one"))
        data = await asyncio.wait_for(fetch, timeout=5)
        fetched.set()
    assert data.username == "one"
    assert len(ran_in) == 1  # aclose waited for it
    assert ran_in[0] is not fetch


async def test_a_failing_hook_is_logged_and_never_fails_the_fetch(
    emulator: RapidAPIEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(status: QuotaStatus) -> None:
        raise RuntimeError("pager down")

    async def broken_async(status: QuotaStatus) -> None:
        raise RuntimeError("pager down too")

    caplog.set_level(logging.WARNING, logger="hyperbuds_sync")
    for hook in (broken, broken_async):
        async with client(emulator, hook) as sync:
            assert (await sync.fetch("twitch", f"fails{id(hook)}")).followers >= 0
    failed = [r for r in caplog.records if "on_quota_low hook failed" in r.getMessage()]
    assert len(failed) == 2
    assert {str(r.exc_info[1]) for r in failed if r.exc_info} == {"pager down", "pager down too"}


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_slow_hook_does_not_hold_the_fetch(emulator: RapidAPIEmulator, kind: str) -> None:
    """The hook stays blocked until both fetches are back: they cannot have waited for it (a
    hook on the fetch path would hold the first fetch for the 30 s safety net and finish)."""
    release, released = threading.Event(), asyncio.Event()
    finished: list[str] = []

    def slow_sync(status: QuotaStatus) -> None:
        release.wait(timeout=30)  # a blocking pager call, until the test lets it go
        finished.append(kind)

    async def slow_async(status: QuotaStatus) -> None:
        await asyncio.wait_for(released.wait(), timeout=30)
        finished.append(kind)

    async with client(emulator, slow_sync if kind == "sync" else slow_async) as sync:
        await sync.fetch("twitch", f"slow{kind}")
        await sync.fetch("twitch", f"slower{kind}")  # the loop is not blocked either
        assert not finished
        release.set()
        released.set()
    assert finished == [kind]  # once per crossing; aclose waited for it
