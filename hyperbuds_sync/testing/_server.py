"""Running an emulator's aiohttp application on a loopback port, as an async context manager."""

from __future__ import annotations

import ipaddress
from types import TracebackType
from typing import Self

from aiohttp import web

__all__ = ["EmulatorServer"]

_SHUTDOWN_TIMEOUT = 0.25  # seconds given to in-flight handlers (e.g. delay faults) on stop


class EmulatorServer:
    """Base of the emulators: owns :attr:`app` and serves it on ``host:port`` while started.

    ``port=0`` (the default) binds a free port; :attr:`url` reports the one bound. Stopping closes
    the listening socket and every open connection.
    """

    _url_path = ""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.app = web.Application()
        """The aiohttp application, for embedding in another server or test client."""
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. ``http://127.0.0.1:54321``.

        Raises:
            RuntimeError: when the emulator is not running.
        """
        if self._url is None:
            raise RuntimeError(f"{type(self).__name__} is not running: use `async with` or start()")
        return self._url

    @property
    def running(self) -> bool:
        """Whether the emulator is serving."""
        return self._runner is not None

    async def start(self) -> str:
        """Start serving and return :attr:`url`.

        Raises:
            RuntimeError: when already running, or when started again after :meth:`stop`.
        """
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        if self.app.frozen:
            raise RuntimeError(
                f"a stopped {type(self).__name__} cannot start again; make a new one"
            )
        runner = web.AppRunner(
            self.app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0]
        host = _reachable(bound[0])
        self._url = f"http://{host}:{bound[1]}{self._url_path}"
        return self._url

    async def stop(self) -> None:
        """Stop serving and close every socket. Stopping a stopped emulator does nothing."""
        runner, self._runner, self._url = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __repr__(self) -> str:
        where = self._url if self._url is not None else "stopped"
        return f"<{type(self).__name__} {where}>"


def _reachable(address: str) -> str:
    """The bound address as a URL host; a wildcard (``0.0.0.0``, ``::``) as its loopback, so
    :attr:`EmulatorServer.url` is one the SDK accepts over plain http."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.is_unspecified:
        ip = ipaddress.ip_address("::1" if ip.version == 6 else "127.0.0.1")
    return f"[{ip}]" if ip.version == 6 else str(ip)
