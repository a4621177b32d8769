"""``--budget`` for ``roster`` and ``worker`` (issue 21, items 3 and 5): one parser, accepted
before and after the action, every missing budget named at once with the flag to pass, and a
worker that checks before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperbuds_sync.cli import build_parser, main
from hyperbuds_sync.cli._budgets import budgets_of
from hyperbuds_sync.roster import Budget


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A roster with a creator on tiktok and twitch, and no budget anywhere."""
    url = str(tmp_path / "roster.db")
    assert main(["roster", "add", "user-1", "tiktok=mayacooks", "twitch=pixelmaya",
                 "--history-url", url]) == 0  # fmt: skip
    capsys.readouterr()
    return url


@pytest.mark.parametrize("action", ["plan", "run"])
def test_every_missing_budget_is_named_at_once_with_its_flag(
    history: str, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "--history-url", history, action]) == 5
    line = _one_line(capsys.readouterr().err)
    assert "'tiktok-api23'" in line
    assert "'twitch-scraper2'" in line
    assert "--budget tiktok-api23=N --budget twitch-scraper2=N" in line
    assert "budgets=" not in line


def test_budgets_go_before_or_after_the_action_and_add_up(
    history: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["roster", "--budget", "tiktok-api23=1000/daily", "plan", "--json"]
    argv += ["--history-url", history, "--budget", "twitch-scraper2=5000", "--reserve", "0.1"]
    assert main(argv) == 0
    assert '"twitch-scraper2": ' in capsys.readouterr().out
    args = build_parser().parse_args(argv)
    assert budgets_of(args) == {
        "tiktok-api23": Budget(1000, "daily"),
        "twitch-scraper2": Budget(5000, "monthly"),
    }
    assert args.reserve == 0.1


def test_worker_and_roster_read_budget_the_same_way(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["worker"], ["roster", "list"]):
        args = build_parser().parse_args([*command, "--budget", "tiktok-api23=100/daily"])
        assert budgets_of(args) == {"tiktok-api23": Budget(100, "daily")}
        assert main([*command, "--budget", "tiktok-api23=lots"]) == 2
        line = _one_line(capsys.readouterr().err)
        assert "--budget takes PROVIDER=N[/daily]" in line
        assert "'tiktok-api23=lots'" in line


def test_a_worker_without_budgets_stops_before_it_starts(
    history: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HYPERBUDS_HISTORY_URL", history)
    # a queue nobody listens on: the check must come first, before SAQ would try it
    assert main(["worker", "--queue-url", "redis://127.0.0.1:9/0", "--plan-every", "1"]) == 5
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_line(captured.err)
    assert line.startswith("error: no budget for providers 'tiktok-api23', 'twitch-scraper2'")
    assert "--budget tiktok-api23=N" in line


async def test_a_plan_failing_in_a_running_worker_is_one_event_not_a_traceback() -> None:
    pytest.importorskip("saq")
    from types import SimpleNamespace

    from hyperbuds_sync.errors import InvalidInput
    from hyperbuds_sync.roster import FleetSettings
    from hyperbuds_sync.roster._fleet import plan_due

    class NoBudget:
        async def due(self, now: object) -> list[tuple[str, str]]:
            raise InvalidInput("no budget for provider 'tiktok-api23'")

        async def refresh(self, creator_id: str, platform: str) -> object:
            raise AssertionError("nothing is due")

    events: list[dict[str, object]] = []
    settings = FleetSettings(
        queue_url="redis://127.0.0.1:9", make_refresher=NoBudget, on_event=events.append
    )  # type: ignore[arg-type]
    ctx = {"fleet": settings, "refresher": NoBudget(), "worker": SimpleNamespace(queue=None)}
    assert await plan_due(ctx) == {"due": 0, "enqueued": 0}  # type: ignore[arg-type]
    assert [(e["event"], e["error"]) for e in events] == [("unplanned", "InvalidInput")]
    assert "tiktok-api23" in str(events[0]["message"])
