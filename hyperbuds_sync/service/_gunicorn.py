"""``serve --workers N``: N processes under gunicorn, with aiohttp's own worker class.

gunicorn is the process manager (forking, restarting a worker that dies, the graceful stop on
SIGTERM); ``aiohttp.GunicornWebWorker`` runs the application in each worker on its own event
loop. The application given to gunicorn is a coroutine function, which that worker awaits
after the fork, so each process builds its own ``SocialSync``; with ``HYPERBUDS_REDIS_URL``
they share the cache, single flight, key state and benches.

On SIGTERM gunicorn's arbiter stops its workers gracefully: each stops accepting, gives the
requests in flight ``graceful_timeout`` (95% of it to aiohttp's ``shutdown_timeout``), runs
the application's cleanup (the client closed, the history written) and exits; the arbiter
then exits 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._install import install_hint
from ..errors import ConfigError

if TYPE_CHECKING:
    from ._serve import AppFactory, ServeOptions

__all__ = ["gunicorn_options", "run_gunicorn"]

WORKER_CLASS = "aiohttp.GunicornWebWorker"


def gunicorn_options(options: ServeOptions) -> dict[str, Any]:
    """gunicorn's settings for ``options`` (names as in gunicorn's settings reference)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    return {
        "bind": [f"{host}:{options.port}"],
        "workers": options.workers,
        "worker_class": WORKER_CLASS,
        "graceful_timeout": max(1, round(options.shutdown_timeout)),
        "timeout": max(30, int(options.shutdown_timeout) + 5),
        "accesslog": None,  # the service logs one JSON line per request itself
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "hyperbuds-sync-serve",
    }


def run_gunicorn(
    factory: AppFactory, options: ServeOptions, *, announce: Callable[[str], None] | None = None
) -> None:
    """Run ``factory``'s application in ``options.workers`` gunicorn workers until SIGTERM.

    Raises:
        ConfigError: gunicorn is not installed (the ``service`` extra).
    """
    try:
        from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(f"--workers needs gunicorn: {install_hint('service')}") from None

    settings = gunicorn_options(options)

    class _Service(BaseApplication):  # type: ignore[misc]
        """gunicorn's custom application: its settings from ``options``, the app from
        ``factory`` (see gunicorn's "Custom Application" page)."""

        def load_config(self) -> None:
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> AppFactory:
            return factory

    if announce is not None:
        announce(
            f"serving on http://{options.host}:{options.port} ({options.workers} gunicorn "
            "workers); SIGTERM stops them gracefully"
        )
    _Service().run()
