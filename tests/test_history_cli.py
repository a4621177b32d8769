"""``hyperbuds-sync history`` and ``growth`` read a recorded history, as a table or JSON."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from _history import snap

from hyperbuds_sync.cli import _output, main
from hyperbuds_sync.cli._history import followers_chart
from hyperbuds_sync.history import default_path, open_store
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator


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


def test_history_json_lines_and_table(
    recorded: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["history", "tiktok", "mayacooks", "--history-url", recorded]
    assert main([*argv, "--json", "--limit", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["followers"] for r in rows] == [1600, 1700]
    assert rows[0]["fetched_at"].startswith("2025-03-07T12:00:00")
    assert main(argv) == 0  # piped: tab-separated lines, no table, no chart
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8
    assert lines[-1].split("\t")[:2] == ["2025-03-08T12:00:00+00:00", "1700"]
    assert "│" not in "".join(lines)
    monkeypatch.setattr(_output, "_is_terminal", lambda stream: True)
    monkeypatch.setenv("HYPERBUDS_HISTORY_URL", recorded)
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["history", "tiktok", "mayacooks"]) == 0
    out = capsys.readouterr().out
    assert "8 snapshots" in out
    assert "1,700" in out
    assert "followers over time" in out
    assert "1,000 ┤" in out  # the chart's y axis, lowest to highest
    assert "1,700 ┤" in out
    assert main(["growth", "tiktok", "mayacooks", "--windows", "1,3"]) == 0
    assert "+300" in capsys.readouterr().out


def test_growth_plain_lines(recorded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["growth", "tiktok", "mayacooks", "--history-url", recorded]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[0] for row in lines] == ["1", "7", "30", "90"]
    assert lines[1][2:4] == ["700", "70.00"]
    assert lines[2][1:] == ["-", "-", "-", "-"]


def test_followers_chart_rises_over_time_and_labels_its_axes() -> None:
    snapshots = [snap(day, 1000 + 100 * day) for day in range(8)]
    rows = followers_chart(snapshots, width=40, height=4)
    assert len(rows) == 6  # 4 rows of bars, the x axis, its dates
    assert rows[0].startswith("1,700 ┤")
    assert rows[3].startswith("1,000 ┤")
    bars = [row.split("┤")[1] for row in rows[:4]]
    assert len({len(b) for b in bars}) == 1
    assert bars[0][-1] == "█"
    assert bars[0][0] == " "
    assert bars[3][0] != " "  # the lowest value still shows a sliver
    heights = [sum(" ▁▂▃▄▅▆▇█".index(b[i]) for b in bars) for i in range(len(bars[0]))]
    assert heights == sorted(heights)
    assert heights[0] < heights[-1]
    assert rows[-1].strip().startswith("2025-03-01")
    assert rows[-1].endswith("2025-03-08")
    assert followers_chart([]) == []
    flat = followers_chart([snap(0, 5)], height=2)
    assert flat[0] == "5 ┤█"
    assert flat[1] == "5 ┤█"


# --- the other commands record to the embedded default -------------------------------------------


@pytest_asyncio.fixture
async def emulators(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """Both emulators, the environment naming them, and a user data dir of this test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    async with RapidAPIEmulator() as rapidapi, BackendEmulator(tokens={TEST_TOKEN}) as backend:
        env = {
            "HYPERBUDS_RAPIDAPI_ENDPOINT": rapidapi.url,
            "HYPERBUDS_API_URL": backend.url,
            "RAPIDAPI_KEY": TEST_KEY,
            "HYPERBUDS_TOKEN": TEST_TOKEN,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield env


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in a worker thread (the emulators serve on this loop): code, out, err."""
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_session_keeps_the_default_history_out_of_the_users_files(tmp_path: Path) -> None:
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert data_home.is_relative_to(tmp_path.parent.parent)  # pytest's tmp dir, not ~/.local
    assert default_path() == data_home / "hyperbuds-sync" / "history.db"


async def test_fetch_records_to_the_default_history_and_history_shows_it(
    emulators: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert not default_path().exists()
    code, _, err = await cli(capsys, "fetch", "twitch", "pixelmaya", "--json")
    assert code == 0, err
    assert default_path().exists()
    code, out, err = await cli(capsys, "history", "twitch", "pixelmaya", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["platform"], row["username"], row["followers"]) == ("twitch", "pixelmaya", 184233)


async def test_no_history_records_nothing(
    emulators: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await cli(capsys, "fetch", "twitch", "pixelmaya", "--no-history")
    assert code == 0, err
    code, _, err = await cli(capsys, "sync", "twitch", "pixelmaya", "--no-history")
    assert code == 0, err
    assert not default_path().exists()  # not even created


async def test_history_url_flag_then_environment_choose_the_store(
    emulators: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    flagged, env = str(tmp_path / "flag.db"), str(tmp_path / "env.db")
    monkeypatch.setenv("HYPERBUDS_HISTORY_URL", env)
    assert (await cli(capsys, "fetch", "twitch", "pixelmaya", "--history-url", flagged))[0] == 0
    assert (await cli(capsys, "sync-all", "--tiktok", "mayacooks", "--json"))[0] == 0
    assert not default_path().exists()
    for url, platform, username in ((flagged, "twitch", "pixelmaya"), (env, "tiktok", "mayacooks")):
        code, out, _ = await cli(
            capsys, "history", platform, username, "--json", "--history-url", url
        )
        assert code == 0
        assert len(json.loads(out)) == 1


async def test_the_guard_stops_a_cli_sync_of_zero_unless_forced(
    emulators: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    me = ("--creator", "me")
    assert (await cli(capsys, "sync", "twitch", "--followers", "90000", *me))[0] == 0
    code, out, err = await cli(capsys, "sync", "twitch", "--followers", "0", *me)
    assert code == 7  # its own exit code, not "unexpected"
    assert "refusing to sync twitch followers" in err
    assert "--force" in err
    assert out == ""
    code, out, err = await cli(capsys, "sync", "twitch", "--followers", "5", "--creator", "you")
    assert code == 0, err  # another creator's 90,000 is no measure of this one
    code, out, err = await cli(
        capsys, "sync", "twitch", "--followers", "0", *me, "--force", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["sent"]["followers"] == 0
