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

The access line's shortcut: when a logger's INFO records would reach one handler only, a
``TickHandler`` whose formatter writes the message alone (the ``serve`` command's own setup,
``format="%(message)s"``), :func:`only_tick` returns it and the service hands it the line with
:meth:`~TickHandler.write_line`: the same bytes in the same place, without the ``LogRecord``,
handler chain and formatter a line through ``logging`` costs (measured: server CPU per cache hit
165 -> 143 us, 13% less, side by side; docs/benchmarks.md). Any other configuration (another
handler, a filter, a formatter of its own, a handler level above INFO) gets the line through
``logging`` as before.
"""

from __future__ import annotations

import asyncio
import logging
import select
import sys
from typing import TextIO

__all__ = ["TickHandler", "only_tick"]

CHUNK = getattr(select, "PIPE_BUF", 512)  # POSIX guarantees at least 512


class TickHandler(logging.StreamHandler[TextIO]):
    """A :class:`logging.StreamHandler` writing a tick's lines together (see the module).

    Args:
        stream: where to write (default ``sys.stderr``).
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self._pending: list[str] = []
        self._judged: tuple[logging.Formatter | None, bool] = (None, True)  # logging's default

    @property
    def plain(self) -> bool:
        """Whether the formatter writes a record's message alone (judged once per formatter)."""
        fmt = self.formatter
        if fmt is not self._judged[0]:
            alone = type(fmt) is logging.Formatter and _message_alone(fmt)
            self._judged = (fmt, alone)
        return self._judged[1]

    def write_line(self, line: str) -> None:
        """Write ``line`` as :meth:`emit` writes an INFO record's formatted message, for a
        caller that :func:`only_tick` returned this handler to, on the loop's thread."""
        self.acquire()  # as Handler.handle does around emit
        try:
            self._pending.append(line + self.terminator)
            if len(self._pending) == 1:
                asyncio.get_running_loop().call_soon(self.flush)
        finally:
            self.release()

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


def only_tick(logger: logging.Logger) -> TickHandler | None:
    """The :class:`TickHandler` that an INFO record of ``logger`` would reach alone, writing its
    message alone; ``None`` when ``logging`` would do anything else with it (see the module).

    Ancestors' filters are not asked: ``logging`` applies a logger's filters only to records
    logged on that logger itself.
    """
    if logger.filters or logger.disabled:
        return None
    found = None
    node: logging.Logger | None = logger
    while node is not None:
        for handler in node.handlers:
            if type(handler) is logging.NullHandler:
                continue
            if (
                found is not None
                or not isinstance(handler, TickHandler)
                or not handler.plain
                or handler.filters
                or handler.level > logging.INFO
            ):
                return None
            found = handler
        node = node.parent if node.propagate else None
    return found


def _message_alone(fmt: logging.Formatter) -> bool:
    """Whether ``fmt`` formats a record as its message and nothing else (tried on a probe)."""
    probe = logging.LogRecord("probe", logging.INFO, "", 0, "probe \u2713 {x} %%", None, None)
    return fmt.format(probe) == probe.getMessage()


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
