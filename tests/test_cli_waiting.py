"""Silent waits (issue 21, item 7): a spinner on a terminal's stderr after a second, never on a
pipe or with ``--json``; ``--timeout`` and ``--max-tries`` on the commands that fetch."""

from __future__ import annotations

import asyncio
import io
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from _waiting import until
from anyio.from_thread import start_blocking_portal

from hyperbuds_sync.cli import main
from hyperbuds_sync.cli._waiting import waiting
from hyperbuds_sync.testing import TEST_KEY, Fault, RapidAPIEmulator


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


async def test_the_spinner_shows_on_a_terminal_once_the_wait_is_long() -> None:
    tty = Terminal()
    async with waiting("fetching tiktok mayacooks", enabled=True, after=0.05, stream=tty):
        await until(lambda: "fetching tiktok mayacooks" in tty.getvalue(), within=5)
    assert "fetching tiktok mayacooks" in tty.getvalue()


@pytest.mark.parametrize(
    ("stream", "enabled", "after"),
    [(Terminal(), True, 5.0), (io.StringIO(), True, 0.0), (Terminal(), False, 0.0)],
    ids=["quick", "piped", "json"],
)
async def test_no_spinner_when_quick_piped_or_json(
    stream: io.StringIO, enabled: bool, after: float
) -> None:
    async with waiting("fetching", enabled=enabled, after=after, stream=stream):
        await asyncio.sleep(0.2)
    assert stream.getvalue() == ""


@pytest.fixture
def rapidapi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RapidAPIEmulator]:
    for name in [n for n in os.environ if n.startswith(("RAPIDAPI_", "HYPERBUDS_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with start_blocking_portal() as portal, ExitStack() as stack:
        emu = stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))
        monkeypatch.setenv("RAPIDAPI_KEY", TEST_KEY)
        monkeypatch.setenv("HYPERBUDS_RAPIDAPI_ENDPOINT", emu.url)
        yield emu


def test_timeout_and_max_tries_bound_a_slow_provider(
    rapidapi: RapidAPIEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    rapidapi.fail("mayacooks", Fault.delay(3.0), times=5)
    started = time.monotonic()
    code = main(["fetch", "tiktok", "mayacooks", "--timeout", "0.3", "--max-tries", "1"])
    took = time.monotonic() - started
    assert code == 6, capsys.readouterr().err  # upstream unavailable
    assert took < 2.5  # not 3 tries x 10 s
    assert rapidapi.calls == 1


@pytest.mark.parametrize(("flag", "value"), [("--timeout", "0"), ("--max-tries", "zero")])
def test_bad_wait_flags_are_usage_errors(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", "tiktok", "mayacooks", flag, value]) == 2
    err = capsys.readouterr().err
    assert f"{flag} takes" in err
    assert "invalid" not in err
