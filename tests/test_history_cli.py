"""``hyperbuds-sync history`` and ``growth`` read a recorded history, as a table or JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from _history import snap

from hyperbuds_sync.cli import main
from hyperbuds_sync.history import open_store


@pytest.fixture
def recorded(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")

    async def fill() -> None:
        store = open_store(path)
        try:
            await store.add([snap(day, 1000 + 100 * day) for day in range(8)])
        finally:
            await store.aclose()

    asyncio.run(fill())
    return path


def test_growth_json(recorded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["growth", "tiktok", "@MayaCooks", "--json", "--history-url", recorded]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["username"] == "mayacooks"
    assert body["windows"]["7"]["followers_change"] == 700
    assert body["windows"]["7"]["followers_change_pct"] == pytest.approx(70.0)
    assert body["windows"]["30"]["start"] is None


def test_history_json_and_table(
    recorded: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        main(
            ["history", "tiktok", "mayacooks", "--json", "--limit", "2", "--history-url", recorded]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["followers"] for r in rows] == [1600, 1700]
    assert rows[0]["fetched_at"].startswith("2025-03-07T12:00:00")
    monkeypatch.setenv("HYPERBUDS_HISTORY_URL", recorded)
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["history", "tiktok", "mayacooks"]) == 0
    out = capsys.readouterr().out
    assert "8 snapshots" in out
    assert "1,700" in out
    assert "█" in out
    assert main(["growth", "tiktok", "mayacooks", "--windows", "1,3"]) == 0
    assert "+300" in capsys.readouterr().out
