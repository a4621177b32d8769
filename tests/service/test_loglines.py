"""The serve command's log handler: a tick's lines in one write, whole lines, nothing lost."""

from __future__ import annotations

import asyncio
import json
import logging

from _app_fixtures import ACCESS_LOGGER, running

from hyperbuds_sync.service import TickHandler
from hyperbuds_sync.service._loglines import CHUNK, only_tick


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


def _chain() -> tuple[logging.Logger, logging.Logger, TickHandler]:
    """A two-logger hierarchy of its own (no root): ``parent`` with a plain TickHandler."""
    parent, child = logging.Logger("p"), logging.Logger("p.c")
    child.parent = parent
    tick = TickHandler(Stream())  # type: ignore[arg-type]
    tick.setFormatter(logging.Formatter("%(message)s"))
    parent.handlers = [logging.NullHandler(), tick]
    return parent, child, tick


def test_only_tick_finds_the_plain_tick_handler_a_record_would_reach_alone() -> None:
    parent, child, tick = _chain()
    assert only_tick(child) is tick
    parent.addFilter(logging.Filter("elsewhere"))  # a logger's filter: its own records only
    assert only_tick(child) is tick
    assert TickHandler(Stream()).plain  # type: ignore[arg-type] # logging's default: the message


def test_only_tick_gives_way_to_anything_logging_would_do_besides() -> None:
    cases = {
        "another handler": lambda p, c, t: p.addHandler(logging.StreamHandler(Stream())),  # type: ignore[arg-type]
        "a filter on the logger": lambda p, c, t: c.addFilter(logging.Filter("x")),
        "a filter on the handler": lambda p, c, t: t.addFilter(logging.Filter("x")),
        "a handler above INFO": lambda p, c, t: t.setLevel(logging.WARNING),
        "a formatter with more": lambda p, c, t: t.setFormatter(
            logging.Formatter("%(asctime)s %(message)s")
        ),
        "a formatter subclass": lambda p, c, t: t.setFormatter(
            type("F", (logging.Formatter,), {})()
        ),
        "no propagation": lambda p, c, t: setattr(c, "propagate", False),
        "a disabled logger": lambda p, c, t: setattr(c, "disabled", True),
    }
    for name, change in cases.items():
        parent, child, tick = _chain()
        change(parent, child, tick)
        assert only_tick(child) is None, name


async def test_write_line_writes_what_a_logged_info_line_would_in_the_same_tick() -> None:
    stream = Stream()
    logger, handler = _logger(stream)
    logger.info("one")
    handler.write_line('{"two":2}')
    logger.info("three")
    assert stream.writes == []
    await asyncio.sleep(0)
    assert stream.writes == ['one\n{"two":2}\nthree\n']
    handler.write_line("alone")
    await asyncio.sleep(0)
    assert stream.writes[1:] == ["alone\n"]


async def test_the_services_access_lines_take_the_shortcut_under_the_serve_setup() -> None:
    """The serve command's setup: one plain TickHandler on the root, nothing else on the way
    (the suite's own secret sweep on ``hyperbuds_sync`` is set aside for this one test)."""
    stream = Stream()
    tick = TickHandler(stream)  # type: ignore[arg-type]
    tick.setFormatter(logging.Formatter("%(message)s"))  # as the serve command sets it up
    root, sdk = logging.getLogger(), logging.getLogger("hyperbuds_sync")
    saved = root.handlers[:], root.level, sdk.handlers[:]
    root.handlers, root.level = [tick], logging.INFO
    sdk.handlers = [h for h in sdk.handlers if type(h) is logging.NullHandler]
    try:
        assert only_tick(logging.getLogger(ACCESS_LOGGER)) is tick
        async with running() as svc:
            await svc.call("GET", "/healthz", headers={"X-Request-ID": "first"})
            await svc.call("GET", "/nowhere", headers={"X-Request-ID": "second"})
            await asyncio.sleep(0)
    finally:
        root.handlers, root.level, sdk.handlers = saved
    texts = "".join(stream.writes).splitlines()
    lines = [json.loads(t) for t in texts if t.startswith('{"request_id"')]
    access = [(x["request_id"], x["route"], x["status"]) for x in lines]
    assert access == [("first", "/healthz", 200), ("second", "unmatched", 404)]
