"""Shared fixtures: no backoff sleeps, no credentials leaking in from the developer's shell,
aioresponses made to work with aiohttp 3.14, a session-wide sweep for leaked secrets, and one
PostgreSQL and one Redis server for the whole session (started when a test first asks)."""

from __future__ import annotations

import contextlib
import inspect
import logging
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from _history import pg_server, store_url  # noqa: F401  (fixtures: one PostgreSQL a session)
from _redis_fixtures import redis_server, redis_url  # noqa: F401  (fixtures: one Redis a session)
from aioresponses import core as aioresponses_core
from yarl import URL

from hyperbuds_sync import HyperbudsSyncError, testing, transport

_ENV = (
    "RAPIDAPI_KEY",
    "RAPIDAPI_KEYS",
    "NEXT_PUBLIC_RAPIDAPI_KEY",
    "HYPERBUDS_API_URL",
    "HYPERBUDS_TOKEN",
    "HYPERBUDS_RAPIDAPI_ENDPOINT",
    "HYPERBUDS_REDIS_URL",
    "HYPERBUDS_HISTORY_URL",
    "HYPERBUDS_DROP_GUARD_RATIO",
    "HYPERBUDS_DROP_GUARD_DAYS",
    "HYPERBUDS_PROVIDERS",
    "HYPERBUDS_ENDPOINTS",
    "TWITCH_CLIENT_ID",
    "TWITCH_CLIENT_SECRET",
    "YOUTUBE_API_KEY",
    "X_BEARER_TOKEN",
)


@pytest.fixture(autouse=True, scope="session")
def _user_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user data directory (platformdirs honours ``XDG_DATA_HOME`` on Linux) in a tmp dir
    for the whole session, subprocesses included: the CLI records to the embedded default
    history, and no test may write into the real user's files."""
    data_home = tmp_path_factory.mktemp("xdg-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(data_home))
        from hyperbuds_sync.history import default_path

        if not default_path().is_relative_to(data_home):  # e.g. not Linux: refuse to run
            pytest.exit(f"the default history would be {default_path()}, outside the tmp dir")
        yield data_home


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_sleeps(no_backoff: transport.Sleep) -> None:
    """Every request loop a test builds waits with ``no_wait`` unless given its own sleep: the
    plugin's ``no_backoff`` fixture (a ``transport.default_sleep`` block), for every test (a test
    passing ``sleep=`` wins)."""


class _CompatResponse(aiohttp.ClientResponse):
    """aiohttp 3.14 requires ``stream_writer``; aioresponses 0.7.9 does not pass it (its #289)."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@pytest.fixture(autouse=True)
def _aioresponses_compat(monkeypatch: pytest.MonkeyPatch) -> None:
    if "stream_writer" in inspect.signature(aiohttp.ClientResponse).parameters:
        monkeypatch.setattr(aioresponses_core, "ClientResponse", _CompatResponse)


# --- secret sweep --------------------------------------------------------------------------------
# For the whole session, every record on the "hyperbuds_sync" logger (at DEBUG), every
# HyperbudsSyncError built, and every exception a test ends with is kept as text; at the end the
# run fails if a known test key or token appears in any of them. Known secrets: the testing
# constants, module-level KEY/TOKEN constants of the test modules, and what tests add through the
# `secret_sweep` fixture.

_SECRET_NAME = re.compile(r"^(SECRET_|TEST_)?(KEY|TOKEN)(_[A-Z0-9]+)?$")
_SWEEP = pytest.StashKey["_Sweep"]()
_WORKER_LEAKS = pytest.StashKey[list[str]]()  # under pytest-xdist: what the workers found
_SWEEP_OUTPUT = "secret_sweep_leaks"  # the key in an xdist worker's workeroutput


class _Sweep(logging.Handler):
    """Collects texts to search and the secrets to search them for."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.secrets: set[str] = {
            testing.TEST_KEY,
            testing.TEST_TOKEN,
            testing.TEST_X_TOKEN,  # the official APIs' credentials (issue 12)
            testing.TEST_YOUTUBE_KEY,
            testing.TEST_TWITCH_CLIENT_SECRET,
        }
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def add_secret(self, value: str) -> None:
        if isinstance(value, str) and len(value) >= 8:
            self.secrets.add(value)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a bad format string is logging's problem, not a leak
            text = f"{record.msg!r} {record.args!r}"
        self.texts.append((f"log record {record.name}:{record.lineno}", text))

    def add_exception(self, where: str, exc: BaseException) -> None:
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:  # the chain, causes included
            seen.add(id(current))
            parts = [getattr(current, "message", None), *map(str, current.args)]
            for render in (repr, str):
                # a repr may read fields a subclass sets after the base __init__: skip it then
                with contextlib.suppress(Exception):
                    parts.append(render(current))
            self.texts.append((where, " ".join(p for p in parts if isinstance(p, str))))
            current = current.__cause__ or current.__context__

    def leaks(self) -> list[tuple[str, str, str]]:
        found = []
        for where, text in self.texts:
            for secret in self.secrets:
                if secret in text:
                    found.append((where, secret, text))
        return found


def pytest_configure(config: pytest.Config) -> None:
    sweep = _Sweep()
    config.stash[_SWEEP] = sweep
    sdk_logger = logging.getLogger("hyperbuds_sync")  # the SDK's logger, by its documented name
    sdk_logger.addHandler(sweep)
    sdk_logger.setLevel(logging.DEBUG)
    original_init = HyperbudsSyncError.__init__

    def recording_init(self: HyperbudsSyncError, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        sweep.add_exception(f"{type(self).__name__} built", self)

    HyperbudsSyncError.__init__ = recording_init  # type: ignore[method-assign]
    config.add_cleanup(lambda: setattr(HyperbudsSyncError, "__init__", original_init))
    config.add_cleanup(lambda: sdk_logger.removeHandler(sweep))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    sweep = config.stash[_SWEEP]
    for module in {item.module for item in items if isinstance(item, pytest.Function)}:
        for name, value in vars(module).items():
            if _SECRET_NAME.match(name) and isinstance(value, str):
                sweep.add_secret(value)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.excinfo is not None:
        item.config.stash[_SWEEP].add_exception(f"{item.nodeid} ({call.when})", call.excinfo.value)
    return report


@pytest.fixture
def secret_sweep(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Add a secret the session-end sweep must not find in any log record or error."""
    return pytestconfig.stash[_SWEEP].add_secret


@pytest.fixture
def the_sweep(pytestconfig: pytest.Config) -> _Sweep:
    """The session's sweep itself, for the test that checks it is at work."""
    return pytestconfig.stash[_SWEEP]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Under pytest-xdist, in the controller: keep what a worker's sweep found (a worker's own
    exit status does not fail the run, so the controller must)."""
    found = getattr(node, "workeroutput", {}).get(_SWEEP_OUTPUT, [])
    node.config.stash.setdefault(_WORKER_LEAKS, []).extend(found)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    sweep = session.config.stash.get(_SWEEP, None)
    if sweep is None:
        return
    leaks = [f"{where}: contains {s[:4]}...: {text[:300]!r}" for where, s, text in sweep.leaks()]
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and fails the run
        workeroutput[_SWEEP_OUTPUT] = leaks
        return
    leaks += session.config.stash.get(_WORKER_LEAKS, [])
    if not leaks:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"SECRET SWEEP: {len(leaks)} log record(s) or error(s) contain a test secret:"]
    lines += [f"  {leak}" for leak in leaks[:20]]
    if reporter is not None:
        reporter.ensure_newline()
    for line in lines:
        if reporter is not None:
            reporter.write_line(line, red=True)
        else:
            print(line)
