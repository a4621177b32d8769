"""``hyperbuds-sync serve`` as a child process on a free loopback port, for tests and benchmarks.

:class:`ServeProcess` starts ``python -m hyperbuds_sync.cli serve ...`` with an environment
that names only what it is given (the emulators, a Redis, a history file), waits until
``/healthz`` answers, and stops it with SIGTERM (by its own pid), returning its exit code.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp

from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN

__all__ = ["ServeProcess", "child_env", "emulator_env", "free_port", "until"]

ROOT = Path(__file__).resolve().parents[2]
_OURS = ("RAPIDAPI_", "NEXT_PUBLIC_RAPIDAPI_", "HYPERBUDS_")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def emulator_env(rapidapi_url: str, backend_url: str, history: Path) -> dict[str, str]:
    """Variables pointing the service at the emulators and at a history file of its own."""
    return {
        "RAPIDAPI_KEY": TEST_KEY,
        "HYPERBUDS_TOKEN": TEST_TOKEN,
        "HYPERBUDS_RAPIDAPI_ENDPOINT": rapidapi_url,
        "HYPERBUDS_API_URL": backend_url,
        "HYPERBUDS_HISTORY_URL": f"sqlite+aiosqlite:///{history}",
    }


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until ``condition()`` holds (another process, or a server, makes it true)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - set by another process or the emulator
            await asyncio.sleep(0.02)


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The inherited environment without our variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return {**env, **extra}


class ServeProcess:
    """One ``serve`` child: ``async with ServeProcess(env, "--workers", "2") as svc: svc.url``."""

    def __init__(
        self, env: Mapping[str, str], *args: str, port: int | None = None, ready: float = 30.0
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args: Sequence[str] = args
        self.env = child_env(env)
        self.ready = ready
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = b""
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed at wait(); a file, not a pipe: one log line a request

    async def start(self) -> Self:
        """Start the child and wait until ``/healthz`` answers 200."""
        argv = ("-m", "hyperbuds_sync.cli", "serve", "--port", str(self.port), *self.args)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *argv,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self._err,
        )
        async with aiohttp.ClientSession() as session, asyncio.timeout(self.ready):
            while True:
                if self.proc.returncode is not None:
                    printed = self._read()
                    self._err.close()
                    raise RuntimeError(f"serve exited {self.proc.returncode}: {printed}")
                try:
                    async with session.get(f"{self.url}/healthz") as answer:
                        if answer.status == 200:
                            return self
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)

    def terminate(self) -> None:
        """Send SIGTERM to the child (by its pid)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    async def wait(self) -> int:
        """Wait (30 s at most) for the child to exit; its exit code (its stderr kept in
        :attr:`stderr`)."""
        assert self.proc is not None
        async with asyncio.timeout(30.0):
            code = await self.proc.wait()
        self.stderr = self._read().encode()
        self._err.close()
        return code

    def _read(self) -> str:
        """What the child wrote on stderr so far."""
        self._err.seek(0)
        return self._err.read().decode(errors="replace")

    async def stop(self) -> int:
        """SIGTERM, then the exit code; a child that does not stop is killed."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.terminate()
        try:
            return await self.wait()
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise

    async def __aenter__(self) -> Self:
        return self if self.proc is not None else await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
