"""Running the service: the options of ``hyperbuds-sync serve``, their checks, and one process.

:func:`serve` checks the options (:func:`check`), then runs the application that
:func:`app_factory` builds: in this process on aiohttp's own server (``web.run_app``) for one
worker, under gunicorn with aiohttp's worker class (:mod:`._gunicorn`) for several. Either way
each process builds its own ``SocialSync`` inside its own event loop, and SIGTERM stops it the
same way: stop accepting, let the requests in flight finish (at most ``shutdown_timeout``
seconds), then close the client, which writes the queued history first.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import attrs
from aiohttp import web
from attrs import frozen

from .. import SocialSync, engagement
from ..config import ENV, Settings
from ..errors import ConfigError
from ..roster import Roster
from ._app import create_app
from ._settings import RateLimit, ServiceSettings

__all__ = [
    "AppFactory",
    "ServeOptions",
    "app_factory",
    "check",
    "is_loopback",
    "serve",
    "service_settings",
]

logger = logging.getLogger("hyperbuds_sync.service")

Overrides = Callable[[], AbstractAsyncContextManager[Mapping[str, Any]]]
"""An async context manager, entered in each service process before its ``SocialSync`` is built,
that yields keyword arguments for it (``serve --emulate``: the emulators' URLs and test keys)."""

AppFactory = Callable[[], Awaitable[web.Application]]

DEFAULT_SHUTDOWN_TIMEOUT = 30.0
"""Seconds the requests in flight get to finish after SIGTERM."""


@frozen(kw_only=True)
class ServeOptions:
    """What ``hyperbuds-sync serve`` was asked for; ``None`` leaves a setting to the environment.

    Attributes:
        host: the address to listen on.
        port: the port to listen on.
        workers: processes; more than one runs gunicorn and needs ``HYPERBUDS_REDIS_URL``.
        formula: the engagement formula (else ``HYPERBUDS_FORMULA``, else the SDK's default).
        rate_limit: requests a second per caller (else the service settings' default).
        allow_anonymous: serve callers without a key on a non-loopback address.
        roster: run the roster of the history store in the service process too.
        history_url: where history goes (else ``HYPERBUDS_HISTORY_URL``, else the embedded file).
        shutdown_timeout: seconds the requests in flight get after SIGTERM.
        overrides: keyword arguments for the ``SocialSync``, from a context entered per process.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    formula: str | None = None
    rate_limit: float | None = None
    allow_anonymous: bool = False
    roster: bool = False
    history_url: str | None = None
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    overrides: Overrides | None = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost`` included); names are not resolved."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check(options: ServeOptions, settings: ServiceSettings, sdk: Settings) -> list[str]:
    """Refuse what must not run (a ``ConfigError``, one line); return the warnings to log.

    Raises:
        ConfigError: no caller keys on a non-loopback address without ``allow_anonymous``;
            several workers without Redis; ``roster`` with several workers; a bad number.
    """
    if options.workers < 1:
        raise ConfigError("--workers must be 1 or more")
    if not 0 <= options.port <= 65_535:
        raise ConfigError("--port must be within 0-65535")
    if options.rate_limit is not None and options.rate_limit <= 0:
        raise ConfigError("--rate-limit must be above 0 requests a second")
    warnings = []
    if not settings.keys and not is_loopback(options.host):
        if not options.allow_anonymous:
            raise ConfigError(
                f"refusing to serve {options.host} with no caller keys: set "
                "HYPERBUDS_SERVICE_KEYS, or pass --allow-anonymous to serve anyone"
            )
        warnings.append(
            f"serving {options.host} to anonymous callers (no HYPERBUDS_SERVICE_KEYS): "
            "each is limited by address; set HYPERBUDS_SERVICE_ORIGINS for browsers"
        )
    if options.workers > 1 and not sdk.redis_url:
        raise ConfigError(
            f"--workers {options.workers} needs {ENV['redis_url']}: without a shared cache "
            "and key ledger each process would spend its own quota on the same creators"
        )
    if options.workers > 1 and options.roster:
        raise ConfigError(
            "--roster runs in one process: use --workers 1, or run the roster as "
            "hyperbuds-sync worker processes"
        )
    return warnings


def service_settings(
    options: ServeOptions, environ: Mapping[str, str] | None = None
) -> ServiceSettings:
    """The environment's service settings with the options' formula and rate limit over them.

    Raises:
        ConfigError: a malformed variable, or a formula no one knows.
    """
    settings = ServiceSettings.from_env(environ)
    if options.formula is not None:
        if options.formula not in engagement.names():
            known = ", ".join(engagement.names())
            raise ConfigError(f"--formula names no known formula; known: {known}")
        settings = attrs.evolve(settings, formula=options.formula)
    if options.rate_limit is not None:
        limit = RateLimit.parse(f"{options.rate_limit:g}", "--rate-limit")
        settings = attrs.evolve(settings, rate_limit=limit)
    return settings


def app_factory(options: ServeOptions) -> AppFactory:
    """The coroutine function each process awaits for its application (gunicorn's worker and
    :func:`serve` alike): the ``SocialSync`` and the roster are made inside that process's
    loop, and closed by the application's cleanup, once the requests in flight are done."""

    async def make() -> web.Application:
        settings = service_settings(options)
        stack = AsyncExitStack()
        try:
            overrides: dict[str, Any] = {}
            if options.overrides is not None:
                overrides.update(await stack.enter_async_context(options.overrides()))
            history = options.history_url or Settings.from_env().history_url or "default"
            arguments: dict[str, Any] = {"history_url": history, **overrides}
            if settings.formula is not None:
                arguments["formula"] = settings.formula
            sync = await stack.enter_async_context(SocialSync.from_env(**arguments))
            roster = None
            if options.roster:
                roster = await stack.enter_async_context(Roster(sync))
        except BaseException:
            await stack.aclose()
            raise
        app = create_app(sync, settings=settings, roster=roster)
        app.cleanup_ctx.append(_owning(stack, roster))
        return app

    return make


def _owning(
    stack: AsyncExitStack, roster: Roster | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The application's cleanup context: the roster runs while the app serves; at cleanup
    (after the requests in flight) it stops, then the client closes, writing its queued
    history first, then what ``stack`` holds besides (the emulators of ``--emulate``)."""

    async def owning(_app: web.Application) -> AsyncIterator[None]:
        running = None
        if roster is not None:
            running = asyncio.create_task(roster.run(), name="hyperbuds-sync roster")
        try:
            yield
        finally:
            if running is not None:
                running.cancel()  # refreshes under way finish (Roster.run's promise)
                await asyncio.gather(running, return_exceptions=True)
            await stack.aclose()

    return owning


def serve(options: ServeOptions, *, announce: Callable[[str], None] | None = None) -> None:
    """Check ``options``, then serve until SIGTERM or SIGINT; return once shut down cleanly.

    Raises:
        ConfigError: what :func:`check` refuses, or a missing ``service`` extra.
    """
    warnings = check(options, service_settings(options), Settings.from_env())
    for warning in warnings:
        logger.warning(warning)
    factory = app_factory(options)
    url = f"http://{options.host}:{options.port}"
    if options.workers > 1:
        from ._gunicorn import run_gunicorn

        run_gunicorn(factory, options, announce=announce)
        return
    if announce is not None:
        announce(f"serving on {url} (1 process); SIGTERM or Ctrl-C stops it")
    web.run_app(
        factory(),
        host=options.host,
        port=options.port,
        shutdown_timeout=options.shutdown_timeout,
        print=None,
        access_log=None,
        handle_signals=True,
    )
