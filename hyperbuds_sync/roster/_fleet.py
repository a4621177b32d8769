"""The fleet: many worker processes sharing one roster and one queue through SAQ.

SAQ (``pip install "hyperbuds-sync[fleet]"``) is the job engine: this module writes no queue of
its own. Every worker process runs a SAQ worker with two functions:

* :func:`plan_due`, a cron job (SAQ keeps it unique: one planner at a time across the fleet),
  asks the :class:`Refresher` which creator-platforms are due and enqueues one job each, under the
  job key :func:`job_key` (``"refresh:{creator_id}:{platform}"``). SAQ refuses a second job with a
  key already queued or running, so each refresh is queued once.
* :func:`refresh_one` runs one refresh. The refresher's ``SocialSync`` shares the single flight,
  the benches and the key state through the same Redis (``redis_url``), so a fleet spends what
  one process would. A refresher with ``take_budget`` (:class:`Budgeted`: a roster's, which
  spends through the fleet's :class:`~hyperbuds_sync.roster.RedisBudgetLedger`) is asked first;
  a refresh it finds no budget for is put back in the queue, scheduled for when the budget
  allows (:func:`put_back`), not dropped.

SAQ's key dedup ends when a job finishes. So that a planner that read the due list a moment
before a refresh was recorded does not queue it again, :func:`enqueue_due` also skips a key whose
last job is still running or finished after the planner started reading (see
:data:`RECENT_MS`).

``saq`` is imported only when a queue is built, so importing this module needs nothing extra.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from ..errors import HyperbudsSyncError, InvalidInput

if TYPE_CHECKING:
    from saq import Job, Queue
    from saq.types import Context

__all__ = [
    "QUEUE_NAME",
    "RECENT_MS",
    "Budgeted",
    "EventHook",
    "FleetSettings",
    "Refresher",
    "RefresherFactory",
    "enqueue_due",
    "job_key",
    "plan_due",
    "put_back",
    "refresh_one",
]

QUEUE_NAME = "hyperbuds-sync"
# A job that finished this close before the planner began reading (or after) may not be in the
# due list it read yet: skip it this round. Also absorbs small clock skew between hosts.
RECENT_MS = 2_000
_PUT_BACK = "hyperbuds_put_back_at"
_DONE = frozenset({"complete", "failed", "aborted"})


@runtime_checkable
class Refresher(Protocol):
    """What the fleet drives: the roster's due list and its one-refresh coroutine.

    ``due(now)`` gives the ``(creator_id, platform)`` pairs due at ``now`` (aware UTC);
    ``refresh(creator_id, platform)`` fetches, records and syncs one of them and returns its
    outcome. A refresh must be recorded before it returns, so that the next ``due`` leaves it out.
    """

    async def due(self, now: datetime) -> Sequence[tuple[str, str]]:
        """The creator-platforms due at ``now``."""
        ...

    async def refresh(self, creator_id: str, platform: str) -> object:
        """Refresh one creator-platform; return its outcome."""
        ...


@runtime_checkable
class Budgeted(Protocol):
    """A refresher that spends a budget: ``take_budget`` spends one call for a creator-platform
    and returns ``None``, or returns when to try again (aware UTC) without spending."""

    async def take_budget(self, creator_id: str, platform: str) -> datetime | None:
        """Spend one call for this refresh, or say when there will be room."""
        ...


RefresherFactory = Callable[[], AbstractAsyncContextManager[Refresher]]
EventHook = Callable[[dict[str, Any]], None]


def job_key(creator_id: str, platform: str) -> str:
    """The SAQ job key of one creator-platform's refresh: one job per key at a time."""
    return f"refresh:{creator_id}:{platform}"


@attrs.frozen
class FleetSettings:
    """One worker process of the fleet.

    Attributes:
        queue_url: the queue's home, ``redis://...`` (the Redis the SDK's ``redis_url`` uses) or
            ``postgres://...`` (SAQ's Postgres queue, which needs ``psycopg[pool]``).
        make_refresher: called once per process; an async context manager of the
            :class:`Refresher` (it opens the ``SocialSync``, and closes it at shutdown).
        concurrency: refreshes run at once in this process.
        plan_every: seconds between planner runs (1 to 59).
        job_timeout: seconds a refresh may take before SAQ cancels and re-queues it.
        queue_name: the SAQ queue's name; every worker of one fleet uses the same.
        on_event: called with one JSON-ready dict per event (``started``, ``planned``,
            ``unplanned`` (the plan failed: ``error``, ``message``), ``refreshed``, ``failed``,
            ``stopped``).
    """

    queue_url: str
    make_refresher: RefresherFactory
    concurrency: int = 10
    plan_every: int = 5
    job_timeout: int = 120
    queue_name: str = QUEUE_NAME
    on_event: EventHook | None = None

    def __attrs_post_init__(self) -> None:
        if not self.queue_url:
            raise InvalidInput("the fleet needs a queue URL (redis://... or postgres://...)")
        if self.concurrency < 1:
            raise InvalidInput(f"concurrency must be >= 1, not {self.concurrency}")
        if not 1 <= self.plan_every <= 59:
            raise InvalidInput(f"plan_every must be 1 to 59 seconds, not {self.plan_every}")
        if self.job_timeout < 1:
            raise InvalidInput(f"job_timeout must be >= 1 second, not {self.job_timeout}")

    def emit(self, event: str, **fields: Any) -> None:
        """Tell ``on_event``, if any, that ``event`` happened in this process."""
        if self.on_event is not None:
            self.on_event({"event": event, "pid": os.getpid(), **fields})


def _skip(job: Job | None, started_ms: int) -> bool:
    """Whether the key's last job is running, queued, or finished too recently to trust ``due``."""
    if job is None:
        return False
    if job.status.value not in _DONE:
        return True
    return job.completed >= started_ms - RECENT_MS


async def enqueue_due(
    queue: Queue,
    refresher: Refresher,
    *,
    now: datetime | None = None,
    job_timeout: int = 120,
) -> tuple[int, int]:
    """Enqueue one :func:`refresh_one` job per due creator-platform; return (due, enqueued)."""
    from saq import Job
    from saq.utils import now as saq_now

    started_ms = saq_now()
    due = list(await refresher.due(now or datetime.now(UTC)))
    if not due:
        return 0, 0
    keys = [job_key(creator_id, platform) for creator_id, platform in due]
    last = await queue.jobs(keys)
    jobs = [
        Job(
            function="refresh_one",
            kwargs={"creator_id": creator_id, "platform": platform},
            key=key,
            timeout=job_timeout,
            retries=1,  # a failed refresh is retried by the roster's backoff, not by SAQ
        )
        for (creator_id, platform), key, job in zip(due, keys, last, strict=True)
        if not _skip(job, started_ms)
    ]
    queued = await asyncio.gather(*(queue.enqueue(job) for job in jobs))
    return len(due), sum(job is not None for job in queued)


def _fleet(ctx: Context) -> tuple[FleetSettings, Refresher]:
    settings: FleetSettings = ctx["fleet"]  # type: ignore[typeddict-item]
    refresher: Refresher = ctx["refresher"]  # type: ignore[typeddict-item]
    return settings, refresher


async def plan_due(ctx: Context) -> dict[str, int]:
    """The planner cron job: enqueue the due refreshes."""
    settings, refresher = _fleet(ctx)
    queue = ctx["worker"].queue
    try:
        due, enqueued = await enqueue_due(queue, refresher, job_timeout=settings.job_timeout)
    except HyperbudsSyncError as exc:  # a budget gone missing meanwhile: one line, not a traceback
        settings.emit("unplanned", error=type(exc).__name__, message=str(exc))
        return {"due": 0, "enqueued": 0}
    if due:
        settings.emit("planned", due=due, enqueued=enqueued)
    return {"due": due, "enqueued": enqueued}


async def refresh_one(ctx: Context, *, creator_id: str, platform: str) -> dict[str, Any]:
    """The worker job: one refresh through the process's refresher, when the budget allows it
    (else put back: see :func:`put_back`)."""
    settings, refresher = _fleet(ctx)
    if isinstance(refresher, Budgeted):
        later = await refresher.take_budget(creator_id, platform)
        if later is not None:
            ctx[_PUT_BACK] = later  # type: ignore[literal-required]
            until = later.isoformat()
            settings.emit("deferred", creator_id=creator_id, platform=platform, until=until)
            return {"creator_id": creator_id, "platform": platform, "outcome": "deferred"}
    try:
        outcome = await refresher.refresh(creator_id, platform)
    except Exception as exc:
        settings.emit("failed", creator_id=creator_id, platform=platform, error=type(exc).__name__)
        raise
    described = describe_outcome(outcome)
    settings.emit("refreshed", creator_id=creator_id, platform=platform, outcome=described)
    return {"creator_id": creator_id, "platform": platform, "outcome": described}


async def put_back(ctx: Context) -> None:
    """SAQ's ``after_process`` hook: a job :func:`refresh_one` found no budget for is queued
    again under its key, scheduled for when the budget allows. The planner skips a key whose job
    is queued, so the refresh waits there instead of bouncing against the ledger."""
    later: datetime | None = ctx.pop(_PUT_BACK, None)  # type: ignore[misc]
    job = ctx.get("job")
    if later is None or job is None:
        return
    from saq import Job

    again = Job(
        function=job.function,
        kwargs=job.kwargs,
        key=job.key,
        timeout=job.timeout,
        retries=job.retries,
        scheduled=math.ceil(later.timestamp()),
    )
    await ctx["worker"].queue.enqueue(again)


def describe_outcome(outcome: object) -> str | int | float | bool | None:
    """A short JSON-ready word for a refresh's outcome (its ``status`` when it has one)."""
    if outcome is None or isinstance(outcome, str | int | float | bool):
        return outcome
    status = getattr(outcome, "status", None)
    if isinstance(status, str):
        return status
    return type(outcome).__name__


def _lifecycle(
    settings: FleetSettings,
) -> tuple[Callable[[Context], Awaitable[None]], Callable[[Context], Awaitable[None]]]:
    """SAQ ``startup`` and ``shutdown`` hooks that open and close the refresher."""
    stack = AsyncExitStack()

    async def startup(ctx: Context) -> None:
        refresher = await stack.enter_async_context(settings.make_refresher())
        ctx.update({"fleet": settings, "refresher": refresher})  # type: ignore[misc]
        settings.emit("started", queue=settings.queue_name, concurrency=settings.concurrency)

    async def shutdown(_ctx: Context) -> None:
        await stack.aclose()
        settings.emit("stopped")

    return startup, shutdown
