"""The SAQ worker of the fleet (imports ``saq``: only :mod:`._fleet_run` imports this, lazily)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from saq import CronJob, Queue, Worker
from saq.types import PartialTimersDict

from ._fleet import FleetSettings, _lifecycle, plan_due, put_back, refresh_one

__all__ = ["DrainingWorker", "build_worker"]


class DrainingWorker(Worker[Any]):
    """A SAQ worker whose stop first lets the refreshes in flight finish, ``grace`` seconds at most.

    SAQ's own grace period also waits for idle tasks (a blocked dequeue, a sweep sleeping a
    minute), so every stop would last the whole period. Here idle tasks are cancelled at once and
    only running jobs are waited for; one still running after ``grace`` is cancelled, and SAQ
    queues it again.
    """

    def __init__(self, *args: Any, grace: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grace = grace

    async def stop(self) -> None:
        """Stop taking jobs, wait for the running ones (up to ``grace``), then stop SAQ's way."""
        self.event.set()
        deadline = time.monotonic() + self.grace
        while self.job_task_contexts and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        tasks = list(self.tasks)  # idle ones, and jobs past the grace (SAQ re-queues those)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await super().stop()


def build_worker(settings: FleetSettings, queue: Queue, *, grace: float = 10.0) -> DrainingWorker:
    """A worker running :func:`refresh_one` jobs and the :func:`plan_due` cron job."""
    startup, shutdown = _lifecycle(settings)
    planner = CronJob(
        plan_due,
        cron=f"* * * * * */{settings.plan_every}",  # croniter's sixth field: seconds
        timeout=max(settings.plan_every * 10, 30),
        retries=1,
    )
    # SAQ's defaults, but look for due cron jobs every second
    timers: PartialTimersDict = {"schedule": 1, "worker_info": 10, "sweep": 60, "abort": 1}
    return DrainingWorker(
        queue,
        functions=[refresh_one],
        cron_jobs=[planner],
        concurrency=settings.concurrency,
        startup=startup,
        shutdown=shutdown,
        after_process=put_back,
        timers=timers,
        grace=grace,
    )
