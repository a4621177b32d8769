"""One rule for "due" (issue 21, item 2): a real ``hyperbuds-sync worker`` against the emulator
leaves a not-found creator alone until its failure back-off is over, as ``roster run`` does."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

pytest.importorskip("saq")


from hyperbuds_sync.cli import main
from hyperbuds_sync.testing import TEST_KEY, RapidAPIEmulator

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
WATCH = 4.0  # seconds: four planner rounds at --plan-every 1


async def test_the_worker_respects_the_failure_back_off(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = str(tmp_path / "roster.db")
    budget = ["--budget", "tiktok-api23=100000"]
    added = ["roster", "--history-url", history, "add", "user-1", "tiktok=nobody_here"]
    assert await asyncio.to_thread(main, added) == 0
    capsys.readouterr()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERBUDS_", "RAPIDAPI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    async with RapidAPIEmulator() as emu:  # knows no "nobody_here": not found
        env.update(
            HYPERBUDS_REDIS_URL=redis_url,
            HYPERBUDS_HISTORY_URL=history,
            HYPERBUDS_RAPIDAPI_ENDPOINT=emu.url,
            RAPIDAPI_KEY=TEST_KEY,
        )
        args = ["-m", "hyperbuds_sync.cli", "worker", "--json", "--plan-every", "1", *budget]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        try:
            async with asyncio.timeout(15):
                while emu.calls == 0:  # noqa: ASYNC110 - another process
                    await asyncio.sleep(0.05)
            await asyncio.sleep(WATCH)
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = await proc.communicate()
        calls = emu.calls
    events = [json.loads(line) for line in out.decode().splitlines()]
    assert proc.returncode == 0
    assert calls == 1  # one try, then the back-off (60 s) holds it: not one try per round
    assert [e["event"] for e in events if e["event"] in ("refreshed", "failed")] == ["refreshed"]
    listed = ["roster", "--history-url", history, "list", "--json"]
    assert await asyncio.to_thread(main, listed) == 0
    state = json.loads(capsys.readouterr().out)["platforms"]["tiktok"]
    assert state["failures"] == 1
