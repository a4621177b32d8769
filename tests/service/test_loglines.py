"""The serve command's log handler: a tick's lines in one write, whole lines, nothing lost."""

from __future__ import annotations

import asyncio
import logging

from hyperbuds_sync.service import TickHandler
from hyperbuds_sync.service._loglines import CHUNK


class Stream:
    """A text stream that keeps each write apart (each would be one system call on stderr)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def _logger(stream: Stream) -> tuple[logging.Logger, TickHandler]:
    handler = TickHandler(stream)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("tests.loglines")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, handler


async def test_a_ticks_lines_are_written_together_at_the_end_of_the_tick() -> None:
    stream = Stream()
    logger, _ = _logger(stream)
    for n in range(3):
        logger.info('{"n":%d}', n)
    assert stream.writes == []  # the loop has not moved on yet
    await asyncio.sleep(0)
    assert stream.writes == ['{"n":0}\n{"n":1}\n{"n":2}\n']
    logger.info("next")
    await asyncio.sleep(0)
    assert stream.writes[1:] == ["next\n"]


async def test_a_warning_is_written_at_once_after_the_pending_lines() -> None:
    stream = Stream()
    logger, _ = _logger(stream)
    logger.info("first")
    logger.warning("careful")
    assert stream.writes == ["first\ncareful\n"]
    await asyncio.sleep(0)
    assert stream.writes == ["first\ncareful\n"]  # nothing twice


def test_outside_a_loop_each_line_is_written_at_once() -> None:
    stream = Stream()
    logger, _ = _logger(stream)
    logger.info("one")
    logger.info("two")
    assert stream.writes == ["one\n", "two\n"]


async def test_writes_are_whole_lines_under_pipe_buf_so_workers_never_interleave() -> None:
    stream = Stream()
    logger, _ = _logger(stream)
    lines = [f"{n:04d}" + "x" * 195 for n in range(100)]  # 200 bytes with the newline
    for line in lines:
        logger.info(line)
    logger.info("y" * (CHUNK + 10))  # a line longer than a chunk goes alone
    await asyncio.sleep(0)
    assert all(w.endswith("\n") for w in stream.writes)
    assert all(len(w.encode()) <= CHUNK for w in stream.writes[:-1])
    assert stream.writes[-1] == "y" * (CHUNK + 10) + "\n"
    assert "".join(stream.writes).splitlines() == [*lines, "y" * (CHUNK + 10)]
    assert len(stream.writes) == 1 + -(-100 * 200 // (CHUNK // 200 * 200))


async def test_flush_or_close_writes_what_is_pending() -> None:
    stream = Stream()
    logger, handler = _logger(stream)
    logger.info("last words")
    handler.flush()  # what logging.shutdown() does at exit, loop or not
    assert stream.writes == ["last words\n"]
    logger.info("after")
    handler.close()  # a reconfiguration closes the old handler: nothing pending is lost
    assert stream.writes == ["last words\n", "after\n"]
    await asyncio.sleep(0)
    assert stream.writes == ["last words\n", "after\n"]
