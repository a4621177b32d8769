"""One fleet worker process: a SAQ worker with the planner cron job, and SAQ's web UI if asked.

:func:`run_worker` returns when the worker stops: SIGINT or SIGTERM (SAQ's own handlers), or
cancellation. Refreshes in flight get ``grace`` seconds to finish; one still running after that
is cancelled and SAQ queues it again, so a stop loses no refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._install import install_hint
from ..errors import ConfigError
from ._fleet import FleetSettings

if TYPE_CHECKING:
    from aiohttp import web
    from saq import Queue, Worker

__all__ = ["build_worker", "open_queue", "run_worker"]

NEEDS_SAQ = f"the fleet needs SAQ: {install_hint('fleet')}"


def open_queue(url: str, name: str) -> Queue:
    """SAQ's queue at ``url`` (``redis://`` or ``postgres://``), not yet connected."""
    try:
        from saq import Queue
    except ImportError as exc:
        raise ConfigError(NEEDS_SAQ) from None if exc.name == "saq" else exc
    try:
        return Queue.from_url(url, name=name)
    except ValueError as exc:  # SAQ's InvalidUrlError
        raise ConfigError(f"the fleet's queue URL must be redis:// or postgres://: {exc}") from None


def build_worker(settings: FleetSettings, queue: Queue, *, grace: float = 10.0) -> Worker[Any]:
    """A SAQ worker running the refresh jobs and the planner cron job (not yet started)."""
    from ._fleet_saq import build_worker as build

    return build(settings, queue, grace=grace)


async def _start_web(queue: Queue, host: str, port: int) -> web.AppRunner:
    """SAQ's monitoring app (aiohttp) on ``host:port``; the caller cleans the runner up."""
    from aiohttp import web
    from saq.web.aiohttp import create_app

    runner = web.AppRunner(create_app([queue]))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


async def run_worker(
    settings: FleetSettings,
    *,
    web_address: tuple[str, int] | None = None,
    grace: float = 10.0,
) -> None:
    """Run one worker of the fleet until it is stopped; with ``web_address``, SAQ's web UI too."""
    queue = open_queue(settings.queue_url, settings.queue_name)
    worker = build_worker(settings, queue, grace=grace)
    await queue.connect()
    runner = None
    try:
        if web_address is not None:
            runner = await _start_web(queue, *web_address)
            settings.emit("web", url=f"http://{web_address[0]}:{web_address[1]}/")
        await worker.start()
    finally:
        if runner is not None:
            await runner.cleanup()
        await queue.disconnect()
