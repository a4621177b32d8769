"""The fleet on SAQ: one job per creator-platform, a worker running a refresh, four processes.

Against a real ``redis-server`` (``tests/redis_server.py``: skipped without the binary, failed in
CI) and the RapidAPI emulator on 127.0.0.1; the four workers are ``hyperbuds-sync worker``
subprocesses driving ``tests/fleet_refresher.py``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _waiting import until
from _worker_events import WorkerEvents

pytest.importorskip("saq")

import fleet_refresher
import redis.asyncio as aioredis
from redis_server import free_port
from saq import Queue

from hyperbuds_sync.cli import main
from hyperbuds_sync.cli._exits import CONFIG, USAGE
from hyperbuds_sync.errors import InvalidInput
from hyperbuds_sync.roster import (
    QUEUE_NAME,
    FleetSettings,
    Plan,
    PlanEntry,
    Refresher,
    build_worker,
    enqueue_due,
    job_key,
    roster_refresher,
    run_worker,
)
from hyperbuds_sync.roster._fleet import describe_outcome, refresh_one
from hyperbuds_sync.testing import TEST_KEY, RapidAPIEmulator

ROOT = Path(__file__).resolve().parents[1]
# SAQ 0.26 calls redis-py's SETEX, which redis-py 8 deprecates (SAQ's to change, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[Queue]:
    """A connected SAQ queue on the test Redis."""
    found = Queue.from_url(redis_url, name="test-fleet")
    await found.connect()
    yield found
    await found.disconnect()


class Listed:
    """A refresher over a fixed due list that counts its refreshes."""

    def __init__(self, due: Sequence[tuple[str, str]]) -> None:
        self.pending = list(due)
        self.done: list[tuple[str, str]] = []

    async def due(self, now: datetime) -> Sequence[tuple[str, str]]:
        return list(self.pending)

    async def refresh(self, creator_id: str, platform: str) -> str:
        self.done.append((creator_id, platform))
        self.pending.remove((creator_id, platform))
        return "ok"


# --- the planner's enqueueing --------------------------------------------------------------------


def test_job_key_names_the_creator_platform() -> None:
    assert job_key("user-42", "tiktok") == "refresh:user-42:tiktok"


async def test_the_same_creator_platform_twice_queues_one_job(queue: Queue) -> None:
    twice = Listed([("user-42", "tiktok"), ("user-42", "tiktok"), ("user-7", "twitch")])
    assert await enqueue_due(queue, twice) == (3, 2)
    assert await enqueue_due(queue, twice) == (3, 0)  # still queued: refused by its key
    assert await queue.count("queued") == 2
    job = await queue.job(job_key("user-42", "tiktok"))
    assert job is not None
    assert job.kwargs == {"creator_id": "user-42", "platform": "tiktok"}


async def test_a_refresh_just_finished_is_not_queued_again(queue: Queue) -> None:
    """The due list may predate the refresh's record: a job finished a moment ago is skipped."""
    stale = Listed([("user-42", "tiktok")])
    await enqueue_due(queue, stale)
    job = await queue.job(job_key("user-42", "tiktok"))
    assert job is not None
    await queue.dequeue()
    await job.finish(job.status.COMPLETE, result={})
    assert await enqueue_due(queue, stale) == (1, 0)
    assert await queue.count("queued") == 0


# --- one worker, in this process -----------------------------------------------------------------


async def test_a_worker_runs_a_refresh_through_the_shared_state(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with RapidAPIEmulator(autogenerate=True) as emu:
        for name, value in _worker_env(redis_url, emu.url, "one").items():
            monkeypatch.setenv(name, value)
        client = aioredis.Redis.from_url(redis_url)
        await fleet_refresher.seed(client, "one", [("solo", "twitch")])
        events: list[dict[str, Any]] = []
        settings = FleetSettings(
            queue_url=redis_url,
            make_refresher=fleet_refresher.make,
            plan_every=1,
            queue_name="one",
            on_event=events.append,
        )
        queue = Queue.from_url(redis_url, name="one")
        await queue.connect()
        worker = build_worker(settings, queue, grace=2)
        task = asyncio.create_task(worker.start())
        try:
            async with asyncio.timeout(10):
                while not await fleet_refresher.runs(client, "one"):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                done = await queue.job(job_key("solo", "twitch"))
                while done is None or done.status != done.status.COMPLETE:
                    await asyncio.sleep(0.05)
                    done = await queue.job(job_key("solo", "twitch"))
        finally:
            await worker.stop()
            await task
            await queue.disconnect()
            await client.aclose()
        assert emu.calls == 1
    creator = emu.creator("twitch", "solo")
    assert creator is not None
    assert done.result["outcome"] == creator.followers
    names = [e["event"] for e in events]
    assert names[0] == "started"
    assert names[-1] == "stopped"
    assert {"event": "refreshed", "creator_id": "solo", "platform": "twitch"}.items() <= next(
        e for e in events if e["event"] == "refreshed"
    ).items()


# --- four worker processes -----------------------------------------------------------------------


def _worker_env(
    redis_url: str, endpoint: str, prefix: str, delay: float = 0, budget: int = 0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERBUDS_", "RAPIDAPI_"))}
    paths = [str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.update(
        HYPERBUDS_REDIS_URL=redis_url,
        HYPERBUDS_RAPIDAPI_ENDPOINT=endpoint,
        RAPIDAPI_KEY=TEST_KEY,
        FLEET_PREFIX=prefix,
        FLEET_DELAY=str(delay),
        FLEET_BUDGET=str(budget or ""),
        PYTHONUNBUFFERED="1",  # each event line as it is told: the test waits on them
    )
    return env


async def _fleet(redis_url: str, endpoint: str, prefix: str, n: int, budget: int = 0) -> list[Any]:
    args = ["-m", "hyperbuds_sync.cli", "worker", "--json", "--refresher", "fleet_refresher:make"]
    args += ["--plan-every", "1", "--concurrency", "8"]
    env = _worker_env(redis_url, endpoint, prefix, delay=0.3, budget=budget)  # jobs outlive rounds
    return [
        await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(n)
    ]


async def test_four_worker_processes_refresh_each_once_with_one_upstream_call(
    redis_url: str,
) -> None:
    items = fleet_refresher.pairs(200, prefix="f")
    client = aioredis.Redis.from_url(redis_url)
    async with RapidAPIEmulator(autogenerate=True) as emu:
        procs = await _fleet(redis_url, emu.url, "four", 4)
        told = WorkerEvents(procs)
        try:
            await fleet_refresher.seed(client, "four", items)
            await until(lambda: _none_due(client, "four"), within=25)
            # two more planner rounds: nothing may run again (with nothing due, a round tells
            # nothing on stdout, so the wait is on the planner's cron job in the queue)
            await _planner_rounds(redis_url, 2)
        finally:
            events = await _stop(procs, told)  # Ctrl-C for two, SIGTERM for the others
        calls = emu.calls
    runs = await fleet_refresher.runs(client, "four")
    await client.aclose()
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    assert runs == {fleet_refresher.member(c, p): 1 for c, p in items}  # none lost, none twice
    assert calls == len(items)  # 1.00 upstream calls per refresh
    refreshed = [e for e in events if e["event"] == "refreshed"]
    assert len(refreshed) == len(items)
    assert len({e["pid"] for e in events if e["event"] == "started"}) == 4
    assert sum(e["event"] == "stopped" for e in events) == 4


async def _none_due(client: aioredis.Redis, prefix: str) -> bool:
    return not await client.scard(f"{prefix}:due")


async def _planner_rounds(redis_url: str, n: int) -> None:
    """Wait until the fleet's planner (SAQ's ``cron:plan_due`` job) has finished ``n`` rounds
    that began from now on."""
    queue = Queue.from_url(redis_url, name=QUEUE_NAME)
    await queue.connect()
    try:
        since = datetime.now(UTC).timestamp() * 1000
        finished: set[int] = set()
        async with asyncio.timeout(20):
            while len(finished) < n:
                job = await queue.job("cron:plan_due")
                if job is not None and job.started > since and job.completed > job.started:
                    finished.add(job.completed)
                await asyncio.sleep(0.05)
    finally:
        await queue.disconnect()


async def _stop(procs: list[Any], told: WorkerEvents) -> list[dict[str, Any]]:
    """Ctrl-C for two, SIGTERM for the others; every event they told, once they exited."""
    for proc, stop in zip(procs, (signal.SIGINT, signal.SIGTERM) * 2, strict=True):
        if proc.returncode is None:
            proc.send_signal(stop)
    async with asyncio.timeout(30):
        events = await told.finish()
        await asyncio.gather(*(p.wait() for p in procs))
    return events


async def test_four_workers_with_a_small_budget_spend_no_more_than_it(redis_url: str) -> None:
    """40 refreshes due, a shared budget of 10 now (then one per 86 s): 10 calls, 30 put back."""
    items = fleet_refresher.pairs(40, prefix="b")
    client = aioredis.Redis.from_url(redis_url)
    async with RapidAPIEmulator(autogenerate=True) as emu:
        procs = await _fleet(redis_url, emu.url, "budget", 4, budget=10)
        told = WorkerEvents(procs)
        try:
            await fleet_refresher.seed(client, "budget", items)
            await told.until(lambda: told.count("deferred") >= 30)  # the budget is spent
            await told.rounds(2)  # more planner rounds: the put-back jobs must stay put
        finally:
            events = await _stop(procs, told)
        calls = emu.calls
    runs = await fleet_refresher.runs(client, "budget")
    due = await client.scard("budget:due")
    spent = await client.hget("hyperbuds_sync:budget:fleet-api", "spent")
    await client.aclose()
    assert calls == 10  # the budget, across four processes
    assert sorted(runs.values()) == [1] * 10
    assert due == 30  # not dropped: still due
    assert int(spent) == 10
    deferred = {(e["creator_id"], e["platform"]) for e in events if e["event"] == "deferred"}
    assert len(deferred) == 30  # each put back, scheduled for when the budget allows
    queue = Queue.from_url(redis_url, name=QUEUE_NAME)
    await queue.connect()
    try:
        waiting = await queue.job(job_key(*sorted(deferred)[0]))
    finally:
        await queue.disconnect()
    assert waiting is not None
    assert waiting.status == waiting.status.QUEUED
    assert waiting.scheduled > datetime.now(UTC).timestamp() + 30
    assert len({e["pid"] for e in events if e["event"] == "started"}) == 4


# --- the adapter and the command -----------------------------------------------------------------


class FakeRoster:
    """A roster with a plan of two entries, one due, and a refresh that remembers its calls."""

    def __init__(self, now: datetime) -> None:
        self.now, self.refreshed = now, []

    async def plan(self) -> Plan:
        """Planned a moment after ``now``: a new entry is due at the plan's own time."""
        made_at = self.now + timedelta(milliseconds=3)
        entries = tuple(
            PlanEntry("user-42", p, f"{p}-api", timedelta(hours=1), made_at + timedelta(minutes=m))
            for p, m in (("tiktok", -1), ("youtube", 0), ("twitch", 5))
        )
        return Plan(entries=entries, calls_per_period={}, paces={}, made_at=made_at, basis=0)

    async def refresh(self, creator_id: str, platform: str) -> object:
        self.refreshed.append((creator_id, platform))
        return "ok"


async def test_roster_refresher_gives_the_entries_due_and_refreshes_through_the_roster() -> None:
    now = datetime.now(UTC)
    roster = FakeRoster(now)
    refresher = roster_refresher(roster)
    assert isinstance(refresher, Refresher)
    assert list(await refresher.due(now)) == [("user-42", "tiktok"), ("user-42", "youtube")]
    assert await refresher.refresh("user-42", "tiktok") == "ok"
    assert roster.refreshed == [("user-42", "tiktok")]


@pytest.mark.parametrize(
    ("field", "value"), [("queue_url", ""), ("concurrency", 0), ("plan_every", 60)]
)
def test_fleet_settings_refuse_bad_values(field: str, value: object) -> None:
    kwargs: dict[str, Any] = {"queue_url": "redis://127.0.0.1:1/0", "make_refresher": object}
    with pytest.raises(InvalidInput):
        FleetSettings(**{**kwargs, field: value})


def test_worker_without_a_queue_url_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker"]) == CONFIG
    assert "HYPERBUDS_REDIS_URL" in capsys.readouterr().err


def test_worker_with_a_bad_refresher_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["worker", "--queue-url", "redis://127.0.0.1:1/0", "--refresher", "nope"])
    assert code != 0
    assert "MODULE:FACTORY" in capsys.readouterr().err


async def test_the_web_ui_is_served_on_loopback_beside_the_worker(redis_url: str) -> None:
    port, events = free_port(), []
    settings = FleetSettings(
        queue_url=redis_url,
        make_refresher=lambda: _Held(Listed([])),
        queue_name="webbed",
        on_event=events.append,
    )
    task = asyncio.create_task(run_worker(settings, web_address=("127.0.0.1", port), grace=1))
    try:
        async with aiohttp.ClientSession() as http:
            async with asyncio.timeout(10):
                while not any(e["event"] == "started" for e in events):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            async with http.get(f"http://127.0.0.1:{port}/api/queues") as answer:
                body = await answer.json()
    finally:
        task.cancel()
        await task
    assert [q["name"] for q in body["queues"]] == ["webbed"]
    assert {"event": "web", "url": f"http://127.0.0.1:{port}/"}.items() <= events[0].items()
    assert events[-1]["event"] == "stopped"


class _Held:
    """An async context manager holding a refresher."""

    def __init__(self, refresher: Refresher) -> None:
        self.refresher = refresher

    async def __aenter__(self) -> Refresher:
        return self.refresher

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class _Failing(Listed):
    async def refresh(self, creator_id: str, platform: str) -> str:
        raise RuntimeError("upstream down")


async def test_a_failed_refresh_is_told_and_raised_for_saq_to_record() -> None:
    events: list[dict[str, Any]] = []
    settings = FleetSettings(queue_url="redis://x", make_refresher=object, on_event=events.append)
    ctx: Any = {"fleet": settings, "refresher": _Failing([])}
    with pytest.raises(RuntimeError):
        await refresh_one(ctx, creator_id="user-42", platform="tiktok")
    assert events[0]["event"] == "failed"
    assert events[0]["error"] == "RuntimeError"


def test_outcomes_are_described_in_a_word() -> None:
    class Outcome:
        status = "synced"

    assert describe_outcome(Outcome()) == "synced"
    assert describe_outcome(12) == 12
    assert describe_outcome(object()) == "object"


def test_worker_budget_option_takes_provider_equals_n(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--budget", "tiktok-api23"]) == USAGE
    assert "PROVIDER=N" in capsys.readouterr().err
