"""The ``serve`` command's log handler: stderr, one write per event-loop tick, not one per line.

Every request writes one JSON access line. Through a plain :class:`logging.StreamHandler` that
is one ``write`` system call per request. Here the lines formatted while the event loop runs are
kept and written together when the loop gets to the next callback, in the same tick: nothing
waits on a timer and nothing is reordered. Measured: server CPU per cache hit 143 -> 132 us,
hits a second 0.71x -> 0.77x the bare handler's (one run side by side; docs/benchmarks.md).

Lines are written in chunks of whole lines under ``PIPE_BUF`` (4,096 bytes on Linux), so the
worker processes of ``--workers N``, which share one stderr pipe, never interleave within a line.
A WARNING or worse, or a line logged outside the loop's thread, is written at once (after the
pending ones); :meth:`~TickHandler.flush` and :meth:`~TickHandler.close` (``logging.shutdown()``
calls both at exit) write what is pending.
"""

from __future__ import annotations

import asyncio
import logging
import select
import sys
from typing import TextIO

__all__ = ["TickHandler"]

CHUNK = getattr(select, "PIPE_BUF", 512)  # POSIX guarantees at least 512


class TickHandler(logging.StreamHandler[TextIO]):
    """A :class:`logging.StreamHandler` writing a tick's lines together (see the module).

    Args:
        stream: where to write (default ``sys.stderr``).
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self._pending: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line for the end of the tick, or write it now (see the module)."""
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        loop = _running_loop()
        self._pending.append(line)
        if loop is None or record.levelno >= logging.WARNING:
            self.flush()
        elif len(self._pending) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the pending lines, in chunks of whole lines under ``PIPE_BUF`` bytes."""
        self.acquire()
        try:
            lines, self._pending = self._pending, []
            for chunk in _chunks(lines):
                self.stream.write(chunk)
                self.stream.flush()  # one write per chunk, whatever the stream's buffering
        finally:
            self.release()

    def close(self) -> None:
        """Write what is pending, then close as any handler."""
        self.flush()
        super().close()


def _chunks(lines: list[str]) -> list[str]:
    """``lines`` joined into strings of whole lines under :data:`CHUNK` bytes (a longer line
    alone)."""
    chunks: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        length = len(line.encode(errors="replace"))
        if chunk and size + length > CHUNK:
            chunks.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += length
    if chunk:
        chunks.append("".join(chunk))
    return chunks


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
