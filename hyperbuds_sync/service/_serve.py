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
import errno
import ipaddress
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import attrs
from aiohttp import web
from attrs import frozen

from .. import Settings, SocialSync, engagement
from ..errors import ConfigError
from ..roster import Budget, Roster
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
        budgets: the roster's budgets, per provider (calls a month, or a ``Budget``).
        reserve: the share of each budget the roster leaves for on-demand fetches.
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
    budgets: Mapping[str, int | Budget] = attrs.field(factory=dict)
    reserve: float = 0.2
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
            f"--workers {options.workers} needs HYPERBUDS_REDIS_URL: without a shared cache "
            "and key state each process would spend its own quota on the same creators"
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
            sync = await stack.enter_async_context(await _client(options, settings, stack))
            roster = None
            if options.roster:
                roster = Roster(sync, budgets=options.budgets, reserve=options.reserve)
                roster = await stack.enter_async_context(roster)
        except BaseException:
            await stack.aclose()
            raise
        app = create_app(sync, settings=settings, roster=roster)
        app.cleanup_ctx.append(_owning(stack, roster))
        return app

    return make


async def _client(
    options: ServeOptions, settings: ServiceSettings, stack: AsyncExitStack
) -> SocialSync:
    """The process's client: the environment, the history (the embedded file unless told
    otherwise), the formula, and the overrides (entered on ``stack``) over them."""
    overrides: dict[str, Any] = {}
    if options.overrides is not None:
        overrides.update(await stack.enter_async_context(options.overrides()))
    history = options.history_url or Settings.from_env().history_url or "default"
    arguments: dict[str, Any] = {"history_url": history, **overrides}
    if settings.formula is not None:
        arguments["formula"] = settings.formula
    return SocialSync.from_env(**arguments)


async def _preflight(options: ServeOptions) -> None:
    """Build the client once, before anything listens or forks, and ask its Redis and history
    database whether they answer: a configuration the SDK refuses (a provider named without its
    credentials, ...) is then the command's one line and exit code 5, not a worker that fails
    to boot; and the history's schema is made here, once, not by N workers racing to create
    it in one new SQLite file. A part that does not answer is a warning (``/readyz`` says so
    meanwhile), not a refusal."""
    async with AsyncExitStack() as stack:
        sync = await stack.enter_async_context(
            await _client(options, service_settings(options), stack)
        )
        for part, answered in (await sync.ready(within=5.0)).items():
            if not answered:
                logger.warning("%s does not answer yet; serving anyway (see /readyz)", part)


def _running(roster: Roster) -> asyncio.Task[Any]:
    """The roster's run as a task whose failure is logged (it would otherwise wait, unseen,
    for the cleanup)."""

    def report(task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error("the roster stopped: %s", task.exception())

    task = asyncio.create_task(roster.run(), name="hyperbuds-sync roster")
    task.add_done_callback(report)
    return task


def _owning(
    stack: AsyncExitStack, roster: Roster | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The application's cleanup context: the roster runs while the app serves; at cleanup
    (after the requests in flight) it stops, then the client closes, writing its queued
    history first, then what ``stack`` holds besides (the emulators of ``--emulate``)."""

    async def owning(_app: web.Application) -> AsyncIterator[None]:
        running = _running(roster) if roster is not None else None
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
    asyncio.run(_preflight(options))
    _check_free(options.host, options.port)
    factory = app_factory(options)
    if options.workers > 1:
        from ._gunicorn import run_gunicorn

        run_gunicorn(factory, options, announce=announce)
        return
    url = f"http://{options.host}:{options.port}"
    started = f"serving on {url} (1 process); SIGTERM or Ctrl-C stops it"
    try:
        web.run_app(
            factory(),
            host=options.host,
            port=options.port,
            shutdown_timeout=options.shutdown_timeout,
            print=(lambda _text: announce(started)) if announce is not None else None,
            access_log=None,
            handle_signals=True,
        )
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ConfigError(f"{options.host}:{options.port} is already in use") from None


def _check_free(host: str, port: int) -> None:
    """Refuse an address already in use before building anything (gunicorn would retry it
    for seconds, then exit with its own message).

    Raises:
        ConfigError: the address is in use.
    """
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return  # let the server report a name it cannot resolve
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"{host}:{port} is already in use") from None
