"""Both emulators in a child process, so the benchmarked client has its own core.

``python bench/_server.py`` serves the RapidAPI emulator (``autogenerate=True``) and the backend
emulator on free loopback ports, prints ``{"rapidapi": url, "backend": url}`` as one JSON line
when both listen, and runs until its stdin closes. :class:`EmulatorProcess` drives it from the
benchmark.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

ROOT = Path(__file__).resolve().parents[1]


class EmulatorProcess:
    """Start ``bench/_server.py`` in a child process; ``rapidapi`` and ``backend`` are its URLs."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self.rapidapi = ""
        self.backend = ""

    def __enter__(self) -> Self:
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.kill()
            raise RuntimeError("the emulator process exited before it was ready")
        urls = json.loads(line)
        self.rapidapi, self.backend = urls["rapidapi"], urls["backend"]
        return self

    def cpu_seconds(self) -> float | None:
        """The emulator process's CPU seconds so far (user and system; Linux only, else
        ``None``)."""
        if self._proc is None:
            return None
        try:
            with open(f"/proc/{self._proc.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()  # the child stops when its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


async def _main() -> None:
    sys.path.insert(0, str(ROOT))
    from hyperbuds_sync.testing import serve

    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def ready(rapidapi: str | None, backend: str | None) -> None:
        print(json.dumps({"rapidapi": rapidapi, "backend": backend}), flush=True)

    def finish() -> None:
        if not stop.done():
            stop.set_result(None)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed our stdin or died
        loop.call_soon_threadsafe(finish)

    server = asyncio.create_task(
        serve(rapidapi_port=0, backend_port=0, autogenerate=True, ready=ready)
    )
    watcher = loop.run_in_executor(None, watch_stdin)
    await asyncio.wait([server, stop], return_when=asyncio.FIRST_COMPLETED)
    server.cancel()
    await asyncio.gather(server, return_exceptions=True)
    await watcher


if __name__ == "__main__":
    asyncio.run(_main())
