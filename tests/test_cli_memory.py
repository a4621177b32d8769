"""The shell remembers (issue 21, item 6): benches and quota facts learned by one command are
kept in the embedded history, so the next command agrees; ``--no-history`` keeps nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from hyperbuds_sync.cli import main
from hyperbuds_sync.testing import TEST_KEY, RapidAPIEmulator

_OURS = ("RAPIDAPI_", "NEXT_PUBLIC_RAPIDAPI_", "HYPERBUDS_")


@pytest.fixture
def rapidapi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RapidAPIEmulator]:
    """The emulator on its own thread, the command pointed at it, a data directory per test."""
    for name in [n for n in os.environ if n.startswith(_OURS)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with start_blocking_portal() as portal, ExitStack() as stack:
        emu = stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))
        monkeypatch.setenv("RAPIDAPI_KEY", TEST_KEY)
        monkeypatch.setenv("HYPERBUDS_RAPIDAPI_ENDPOINT", emu.url)
        yield emu


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def _tiktok(providers: dict[str, object]) -> dict[str, bool]:
    rows = providers["providers"]["tiktok"]  # type: ignore[index]
    return {row["provider"]: row["available"] for row in rows}


def test_a_provider_spent_in_one_command_is_benched_in_the_next(
    rapidapi: RapidAPIEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    rapidapi.set_quota(0)
    assert main(["fetch", "tiktok", "mayacooks"]) == 4
    capsys.readouterr()
    assert rapidapi.calls == rapidapi.calls_for("tiktok-api23.p.rapidapi.com") == 1

    code, providers = _json(["providers"], capsys)
    assert code == 0
    assert _tiktok(providers) == {"tiktok-api23": False}
    code, quota = _json(["quota"], capsys)
    assert code == 0
    hosts = quota["quota"]  # type: ignore[index]
    assert any(status["remaining"] == 0 for status in hosts.values())  # type: ignore[union-attr]
    assert main(["fetch", "tiktok", "mayacooks"]) == 4  # benched: no call spent to learn it again
    assert rapidapi.calls == 1

    code, providers = _json(["providers", "--no-history"], capsys)
    assert code == 0
    assert _tiktok(providers) == {"tiktok-api23": True}  # as before
