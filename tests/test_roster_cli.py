"""``hyperbuds-sync roster``: add, list, plan, run and remove, as JSON and as plain lines."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from hyperbuds_sync.cli import main
from hyperbuds_sync.testing import TEST_KEY, BackendEmulator, RapidAPIEmulator


def test_roster_add_list_plan_run_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "roster.db")
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"user-42": "tok-42"}))
    common = ["--history-url", url, "--budget", "tiktok-api23=230000/daily"]
    with start_blocking_portal() as portal, ExitStack() as stack:
        rapidapi = stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))
        backend = stack.enter_context(
            portal.wrap_async_context_manager(BackendEmulator(tokens=("tok-42",)))
        )
        monkeypatch.setenv("RAPIDAPI_KEY", TEST_KEY)
        monkeypatch.setenv("HYPERBUDS_RAPIDAPI_ENDPOINT", rapidapi.url)
        monkeypatch.setenv("HYPERBUDS_API_URL", backend.url)
        assert main(["roster", *common, "add", "user-42", "tiktok=mayacooks", "--json"]) == 0
        added = json.loads(capsys.readouterr().out)
        assert added["platforms"]["tiktok"]["username"] == "mayacooks"
        assert main(["roster", *common, "list"]) == 0
        assert "user-42" in capsys.readouterr().out
        assert main(["roster", *common, "plan", "--json"]) == 0
        plan = json.loads(capsys.readouterr().out)
        assert plan["entries"][0]["provider"] == "tiktok-api23"
        run = ["run", "--until", "1.5", "--every", "0.5", "--tokens", str(tokens)]
        assert main(["roster", *common, *run]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[-1].startswith("due ")
        assert "tiktok-api23 " in lines[-1]
        assert backend.profile("tok-42")["stats"]["platformBreakdown"]["tiktok"]["followers"] > 0
        assert main(["roster", *common, "remove", "user-42", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"creator_id": "user-42", "removed": True}


def test_roster_run_without_a_budget_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--history-url", str(tmp_path / "roster.db")]
    assert main(["roster", *common, "add", "user-1", "tiktok=mayacooks"]) == 0
    capsys.readouterr()
    assert main(["roster", *common, "run", "--until", "1", "--every", "0.2"]) == 5  # config
    err = capsys.readouterr().err
    assert err.count("error:") == 1
    assert "no budget for provider 'tiktok-api23'" in err
    assert "never retrieved" not in err
