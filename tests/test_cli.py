"""The ``hyperbuds-sync`` command, end to end against the emulators on real loopback sockets.

Most tests run the command as a subprocess (``python -m hyperbuds_sync.cli``), with an environment
that names only the emulators; a few call ``main(argv)`` in-process, in a worker thread when the
emulators must keep serving on the test's own loop. No test reaches the real RapidAPI or backend.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import attrs
import pytest
import pytest_asyncio

from hyperbuds_sync import cli
from hyperbuds_sync.cli import _exits as exits
from hyperbuds_sync.cli import _main, _output
from hyperbuds_sync.cli._demo import QUOTA_MESSAGE
from hyperbuds_sync.config import ENV
from hyperbuds_sync.errors import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendUnavailable,
    BackendValidationError,
    InvalidStats,
    InvalidUsername,
    MalformedPayload,
    ProviderAuthError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    UnknownPlatform,
    UsernameNotFound,
)
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator, RapidAPIEmulator

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "sk-live-0123456789abcdef0123456789abcdef"
SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret-session-token"
_OURS = ("RAPIDAPI_", "NEXT_PUBLIC_RAPIDAPI_", "HYPERBUDS_")


@attrs.frozen
class Run:
    """What one run of the command left behind."""

    code: int
    out: str
    err: str


@attrs.frozen
class Emulators:
    """Both emulators, running."""

    rapidapi: RapidAPIEmulator
    backend: BackendEmulator

    def env(self, *, key: str | None = TEST_KEY, token: str | None = TEST_TOKEN) -> dict[str, str]:
        """Variables pointing the command at the emulators (and nowhere else)."""
        env = {
            "HYPERBUDS_RAPIDAPI_ENDPOINT": self.rapidapi.url,
            "HYPERBUDS_API_URL": self.backend.url,
        }
        if key is not None:
            env["RAPIDAPI_KEY"] = key
        if token is not None:
            env["HYPERBUDS_TOKEN"] = token
        return env


@pytest.fixture(autouse=True)
def _own_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user data directory per test (the session's is in conftest): the command records to
    the embedded default history, and one test's syncs must not arm another's drop guard."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[Emulators]:
    """Both emulators on free loopback ports; the RapidAPI one accepts any non-empty key."""
    async with RapidAPIEmulator() as rapidapi, BackendEmulator(tokens={TEST_TOKEN}) as backend:
        yield Emulators(rapidapi, backend)


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The inherited environment without our variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env["COLUMNS"] = "200"  # rich wraps at 80 columns when stdout is not a terminal
    return {**env, **extra}


TIMEOUT = 30.0  # seconds for one run of the command; generous, runs take about one


async def run(*argv: str, env: Mapping[str, str]) -> Run:
    """``python -m hyperbuds_sync.cli *argv`` in a subprocess; the loop keeps serving meanwhile."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hyperbuds_sync.cli",
        *argv,
        env=_child_env(env),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(TIMEOUT):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


async def run_here(
    argv: list[str],
    env: Mapping[str, str],
    capsys: pytest.CaptureFixture[str],
    mp: pytest.MonkeyPatch,
) -> Run:
    """``main(argv)`` in-process, in a worker thread so the emulators keep serving."""
    for name, value in env.items():
        mp.setenv(name, value)
    code = await asyncio.to_thread(cli.main, argv)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def _ctrl_c_as_on_a_terminal() -> None:
    """In the child: Ctrl-C's default action. A pytest started in the background (``cmd &``)
    ignores SIGINT, and an ignored signal stays ignored in its children, so the emulate child
    would never see the test's Ctrl-C (as any command started with ``&`` does not)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)


async def _interrupt(proc: asyncio.subprocess.Process) -> bytes:
    """Ctrl-C for a child, then its stderr; one that does not stop in time is killed (not left
    running after the test) and the test fails."""
    proc.send_signal(signal.SIGINT)
    try:
        async with asyncio.timeout(TIMEOUT):
            _, err = await proc.communicate()
    except TimeoutError as exc:
        proc.kill()
        _, err = await proc.communicate()
        stopped = f"the child did not stop on Ctrl-C; its stderr: {err[-2000:]!r}"
        raise AssertionError(stopped) from exc
    return err


def assert_one_error_line(result: Run, *words: str) -> None:
    """stderr is exactly one ``error:`` line, naming ``words``, and no traceback."""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0]


# --- fetch ---------------------------------------------------------------------------------------


async def test_fetch_json_is_the_camelcase_record_alone_on_stdout(emu: Emulators) -> None:
    result = await run("fetch", "tiktok", "@MayaCooks", "--json", env=emu.env())
    assert result.code == 0, result.err
    body = json.loads(result.out)
    assert body["platform"] == "tiktok"
    assert body["username"] == "mayacooks"
    assert body["followers"] == 1_204_377
    assert body["averageEngagement"] == pytest.approx(48_571_902 / 842)
    assert body["stale"] is False
    assert result.err == ""


async def test_fetch_plain_lines_and_endpoint_flag_overrides_the_environment(
    emu: Emulators,
) -> None:
    env = {**emu.env(), "HYPERBUDS_RAPIDAPI_ENDPOINT": "http://127.0.0.1:9"}  # nothing there
    result = await run("fetch", "twitch", "pixelmaya", "--endpoint", emu.rapidapi.url, env=env)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "followers\t184233" in lines
    assert "displayName\tPixelMaya" in lines
    assert "│" not in result.out  # piped: no table


async def test_not_found_exits_3_with_one_line(emu: Emulators) -> None:
    result = await run("fetch", "twitter", "notfound_anyone", env=emu.env())
    assert result.code == exits.NOT_FOUND == 3, result.err
    assert_one_error_line(result, "notfound_anyone", "twitter")
    assert result.out == ""


async def test_missing_key_exits_5_naming_the_variable(emu: Emulators) -> None:
    result = await run("fetch", "tiktok", "mayacooks", env=emu.env(key=None))
    assert result.code == exits.CONFIG == 5, result.err
    assert_one_error_line(result, "RAPIDAPI_KEY")
    assert emu.rapidapi.calls == 0


async def test_bad_username_exits_2_before_any_request(emu: Emulators) -> None:
    result = await run("fetch", "instagram", "no spaces allowed", env=emu.env())
    assert result.code == exits.USAGE == 2, result.err
    assert_one_error_line(result, "instagram")
    assert emu.rapidapi.calls == 0


async def test_spent_quota_exits_4(emu: Emulators) -> None:
    emu.rapidapi.set_quota(0)
    result = await run("fetch", "tiktok", "mayacooks", env=emu.env())
    assert result.code == exits.QUOTA == 4, result.err
    assert_one_error_line(result, "quota")
    assert emu.rapidapi.calls_for(platform="tiktok", username="mayacooks") == 1  # never retried


async def test_debug_shows_the_traceback_and_logs_but_no_secret(emu: Emulators) -> None:
    env = emu.env(key=SECRET_KEY, token=SECRET_TOKEN)
    result = await run("--debug", "fetch", "tiktok", "notfound_x", env=env)
    assert result.code == 3, result.err
    assert "Traceback (most recent call last)" in result.err
    assert "UsernameNotFound" in result.err
    assert "DEBUG" in result.err
    assert result.err.rstrip().splitlines()[-1].startswith("error: ")
    for secret in (SECRET_KEY, SECRET_TOKEN):
        assert secret not in result.out + result.err


# --- sync ----------------------------------------------------------------------------------------


async def test_sync_fetches_then_syncs_and_prints_the_totals(emu: Emulators) -> None:
    result = await run("sync", "twitch", "pixelmaya", env=emu.env())
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "backend\tSocial media Twitch synced successfully" in lines
    assert "twitch\t184233\t0.00" in lines
    assert emu.backend.profile()["stats"]["totalFollowers"] == 184_233


async def test_manual_sync_needs_no_key_and_no_provider_call(emu: Emulators) -> None:
    argv = ("sync", "instagram", "--followers", "93518", "--engagement", "4.2")
    result = await run(*argv, env=emu.env(key=None))
    assert result.code == 0, result.err
    assert "synced\tinstagram\t93518\t4.20\tmanual" in result.out.splitlines()
    breakdown = emu.backend.profile()["stats"]["platformBreakdown"]
    assert breakdown["instagram"]["followers"] == 93_518
    assert breakdown["instagram"]["engagement"] == pytest.approx(4.2)
    assert emu.rapidapi.calls == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "tiktok"],
        ["sync", "tiktok", "mayacooks", "--followers", "3"],
        ["sync", "tiktok", "mayacooks", "--engagement", "3"],
        ["sync", "tiktok", "--followers", "-1"],
        ["sync", "tiktok", "--followers", "10", "--engagement", "nan"],
        ["sync", "tiktok", "--followers", "many"],
        ["sync-all"],
        ["fetch", "myspace", "tom"],
        ["fetch", "tiktok"],
        ["teleport"],
        [],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert_one_error_line(Run(2, captured.out, captured.err))
    assert captured.out == ""


async def test_wrong_token_exits_5(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["sync", "tiktok", "--followers", "10"]
    result = await run_here(argv, emu.env(token="not-the-token"), capsys, monkeypatch)
    assert result.code == 5, result.err
    assert_one_error_line(result)
    assert "not-the-token" not in result.err


async def test_backend_down_exits_6(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**emu.env(), "HYPERBUDS_API_URL": f"http://127.0.0.1:{port}/api/v1"}
    result = await run_here(["sync", "twitch", "--followers", "1"], env, capsys, monkeypatch)
    assert result.code == 6, result.err
    assert_one_error_line(result)


# --- sync-all ------------------------------------------------------------------------------------


async def test_sync_all_partial_success_exits_0_with_a_table(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_output, "_is_terminal", lambda stream: True)
    argv = ["sync-all", "--tiktok", "mayacooks", "--twitter", "notfound_x", "--twitch", "pixelmaya"]
    result = await run_here(argv, emu.env(), capsys, monkeypatch)
    assert result.code == 0, result.err
    rows = {line.split()[1]: line for line in result.out.splitlines() if line.startswith("│")}
    assert "ok: Social media Tiktok" in rows["tiktok"]
    assert "1,204,377" in rows["tiktok"]
    assert "UsernameNotFound" in rows["twitter"]
    assert "ok: Social media Twitch" in rows["twitch"]
    assert "instagram" not in rows
    stats = emu.backend.profile()["stats"]
    assert set(stats["platformBreakdown"]) == {"tiktok", "twitch"}
    assert emu.rapidapi.calls == 3  # one fetch each: sync_all made no second upstream call


async def test_sync_all_exits_with_the_first_error_when_nothing_synced(emu: Emulators) -> None:
    emu.rapidapi.set_quota(0)
    argv = ("sync-all", "--instagram", "maya.cooks", "--twitter", "notfound_x")
    result = await run(*argv, env=emu.env())
    assert result.code == 4, result.err  # instagram, asked first, ran into the quota
    assert "QuotaExceeded" in result.out
    assert_one_error_line(result, "instagram")
    assert emu.backend.profile()["stats"]["platformBreakdown"] == {}


# --- quota ---------------------------------------------------------------------------------------


async def test_quota_probe_shows_the_host_and_key_fingerprint(emu: Emulators) -> None:
    emu.rapidapi.set_quota(50)
    result = await run("quota", "--probe", "tiktok", "mayacooks", env=emu.env(key=SECRET_KEY))
    assert result.code == 0, result.err
    assert "tiktok-api23" in result.out
    assert "49" in result.out  # remaining after the probe
    assert SECRET_KEY not in result.out + result.err


def test_quota_without_probe_says_there_are_no_facts_yet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["quota"]) == 0
    assert "no quota facts yet" in capsys.readouterr().out


# --- demo and emulate ----------------------------------------------------------------------------


async def test_demo_runs_on_its_own_quickly_and_prints_no_secret() -> None:
    start = time.monotonic()
    result = await run("demo", env={})
    elapsed = time.monotonic() - start
    assert result.code == 0, result.out + result.err
    assert elapsed < 30, elapsed  # the demo itself takes about a second
    assert QUOTA_MESSAGE in result.out
    assert "every step behaved as expected" in result.out
    assert "✗" not in result.out
    for secret in (TEST_KEY, TEST_TOKEN):
        assert secret not in result.out + result.err


def test_demo_runs_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == 0
    assert QUOTA_MESSAGE in capsys.readouterr().out


async def read_exports(stream: asyncio.StreamReader) -> dict[str, str]:
    """The ``export NAME=value`` lines ``emulate`` prints before ``Press Ctrl-C to stop.``."""
    printed: dict[str, str] = {}
    async with asyncio.timeout(TIMEOUT):
        while "Ctrl-C" not in (line := (await stream.readline()).decode()):
            assert line, "emulate stopped before announcing itself"
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                printed[name] = value
    return printed


async def test_emulate_prints_the_variables_and_serves_until_ctrl_c() -> None:
    argv = ("-m", "hyperbuds_sync.cli", "emulate", "--port", "0", "--backend-port", "0")
    argv += ("--official-port", "0")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv,
        env=_child_env({}),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_ctrl_c_as_on_a_terminal,
    )
    assert proc.stdout is not None
    try:
        printed = await read_exports(proc.stdout)
        assert set(printed) == {
            "HYPERBUDS_RAPIDAPI_ENDPOINT",
            "HYPERBUDS_API_URL",
            "RAPIDAPI_KEY",
            "HYPERBUDS_TOKEN",
            "HYPERBUDS_ENDPOINTS",
            "X_BEARER_TOKEN",
            "TWITCH_CLIENT_ID",
            "TWITCH_CLIENT_SECRET",
            "YOUTUBE_API_KEY",
        }
        assert printed["HYPERBUDS_RAPIDAPI_ENDPOINT"].startswith("http://127.0.0.1:")
        assert printed["HYPERBUDS_API_URL"].endswith("/api/v1")
        synced = await run("sync", "tiktok", "mayacooks", env=printed)
        assert synced.code == 0, synced.err
        assert "tiktok\t1204377\t57686.34" in synced.out.splitlines()
        official = await run("fetch", "twitch", "pixelmaya", "--json", env=printed)
        assert official.code == 0, official.err
        assert json.loads(official.out)["provider"] == "twitch-helix"  # the official emulator
    finally:
        err = await _interrupt(proc)
    assert proc.returncode == 0, err.decode()


# --- the command itself --------------------------------------------------------------------------


def test_help_shows_the_one_exit_code_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for line in exits.TABLE.splitlines():
        assert line in out
    for row in exits.CODES:
        assert f"  {row.code:<4} {row.meaning}" in out
        for kind in row.raised_by:
            if issubclass(kind, Exception):
                assert exits.exit_code(kind("x")) == row.code, kind
    for name in ("RAPIDAPI_KEY", "HYPERBUDS_TOKEN", "HYPERBUDS_API_URL"):
        assert name in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("hyperbuds-sync ")


def test_without_rich_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # import rich -> ImportError
    assert cli.main(["demo"]) == 2
    assert capsys.readouterr().err == f"{_main.NEEDS_RICH}\n"


def test_an_unexpected_error_exits_1_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hyperbuds_sync.cli import _commands as commands

    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "run_fetch", broken)
    assert cli.main(["fetch", "tiktok", "mayacooks"]) == 1
    err = capsys.readouterr().err
    assert err == "error: unexpected RuntimeError: boom (rerun with --debug for the traceback)\n"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidUsername("tiktok", "a b", "no spaces"), 2),
        (UnknownPlatform("myspace", ["tiktok"]), 2),
        (InvalidStats("negative"), 2),
        (UsernameNotFound.for_user("tiktok", "x"), 3),
        (QuotaExceeded("spent"), 4),
        (ApiConfigError("no key"), 5),
        (BackendConfigError("no token"), 5),
        (ProviderAuthError("not subscribed"), 5),
        (AuthenticationError("401", status=401), 5),
        (ProviderUnavailable("502"), 6),
        (RateLimited("per second"), 6),
        (MalformedPayload("shape"), 6),
        (BackendUnavailable("503"), 6),
        (BackendValidationError("400"), 6),
        (RuntimeError("bug"), 1),
        (KeyboardInterrupt(), 130),
    ],
)
def test_exit_code_table(error: BaseException, code: int) -> None:
    assert exits.exit_code(error) == code


def test_config_errors_name_what_to_set() -> None:
    assert "RAPIDAPI_KEY" in exits.describe(ApiConfigError("no key"))
    assert "HYPERBUDS_TOKEN" in exits.describe(BackendConfigError("no token"))
    assert "\n" not in exits.describe(UsernameNotFound("two\nlines"))


# --- at home in a shell (issue 15, point 5) -----------------------------------------------------


def json_lines(text: str) -> list[dict[str, object]]:
    """Every stdout line parsed as one JSON object (fails on any line that is not)."""
    return [json.loads(line) for line in text.splitlines()]


async def test_json_on_fetch_sync_sync_all_and_quota(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process (``main(argv)``): four commands' JSON; the subprocess tests above cover the
    command as a real process."""
    env = emu.env()

    async def here(*argv: str) -> Run:
        return await run_here(list(argv), env, capsys, monkeypatch)

    fetched = await here("fetch", "twitch", "pixelmaya", "--json")
    (record,) = json_lines(fetched.out)
    assert (record["followers"], record["platform"], record["stale"]) == (184_233, "twitch", False)
    synced = await here("--json", "sync", "instagram", "--followers", "7")
    (result,) = json_lines(synced.out)
    assert result["message"] == "Social media Instagram synced successfully"
    assert result["sent"] == {"followers": 7, "engagement": None, "manual": True}
    every = await here("sync-all", "--json", "--tiktok", "mayacooks", "--twitter", "nobody_x")
    assert every.code == 0, every.err
    tiktok, twitter = json_lines(every.out)  # NDJSON: one line per platform, in the order asked
    assert (tiktok["platform"], tiktok["ok"], tiktok["followers"]) == ("tiktok", True, 1_204_377)
    assert (twitter["platform"], twitter["ok"]) == ("twitter", False)
    assert twitter["error"]["type"] == "UsernameNotFound"  # type: ignore[index]
    quota = await here("quota", "--probe", "twitch", "pixelmaya", "--json")
    (facts,) = json_lines(quota.out)
    hosts = set(facts["quota"])  # type: ignore[call-overload]
    assert "twitch-scraper2.p.rapidapi.com" in hosts  # with what the commands before learned
    assert hosts <= {
        f"{p}.p.rapidapi.com" for p in ("twitch-scraper2", "tiktok-api23", "twitter241")
    }


async def test_json_on_demo_is_one_line_per_check() -> None:
    result = await run("demo", "--json", env={})
    assert result.code == 0, result.err
    checks = json_lines(result.out)
    assert len(checks) >= 5
    assert all(check["ok"] is True for check in checks)


async def test_tables_only_on_a_terminal(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["fetch", "twitch", "pixelmaya"]
    piped = await run_here(argv, emu.env(), capsys, monkeypatch)
    monkeypatch.setattr(_output, "_is_terminal", lambda stream: True)
    terminal = await run_here(argv, emu.env(), capsys, monkeypatch)
    assert "│" not in piped.out
    assert "followers\t184233" in piped.out.splitlines()
    assert "│ followers" in terminal.out
    assert "184,233" in terminal.out


NO_RICH = "import sys; sys.modules['rich'] = None; from hyperbuds_sync.cli import main; "


async def run_without_rich(*argv: str, env: Mapping[str, str]) -> Run:
    """The command in a subprocess where ``import rich`` fails."""
    code = NO_RICH + f"sys.exit(main({list(argv)!r}))"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        env=_child_env(env),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(TIMEOUT):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


async def test_help_version_and_fetch_work_without_rich(emu: Emulators) -> None:
    helped = await run_without_rich("--help", env={})
    assert helped.code == 0, helped.err
    assert "exit codes:" in helped.out
    versioned = await run_without_rich("--version", env={})
    assert (versioned.code, versioned.out.split()[0]) == (0, "hyperbuds-sync")
    fetched = await run_without_rich("fetch", "twitch", "pixelmaya", env=emu.env())
    assert fetched.code == 0, fetched.err
    assert "followers\t184233" in fetched.out.splitlines()
    demo = await run_without_rich("demo", env={})
    assert (demo.code, demo.err) == (2, f"{_main.NEEDS_RICH}\n")


async def test_fetch_ignores_a_backend_url_the_sdk_would_refuse(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**emu.env(), "HYPERBUDS_API_URL": "http://example.com/api"}
    fetched = await run_here(["fetch", "twitch", "pixelmaya"], env, capsys, monkeypatch)
    assert fetched.code == 0, fetched.err
    quota = await run_here(["quota"], env, capsys, monkeypatch)
    assert quota.code == 0, quota.err
    synced = await run_here(["sync", "twitch", "--followers", "1"], env, capsys, monkeypatch)
    assert synced.code == exits.CONFIG, synced.err  # sync still refuses it
    assert "Refusing plain http" in synced.err


async def test_emulate_on_every_address_prints_a_loopback_url_the_sdk_accepts() -> None:
    argv = ("emulate", "--host", "0.0.0.0", "--port", "0", "--backend-port", "0", "--json")  # noqa: S104
    argv += ("--official-port", "0")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hyperbuds_sync.cli",
        *argv,
        env=_child_env({}),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_ctrl_c_as_on_a_terminal,
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(TIMEOUT):
            printed = json.loads(await proc.stdout.readline())
        assert printed["HYPERBUDS_API_URL"].startswith("http://127.0.0.1:")
        assert printed["HYPERBUDS_RAPIDAPI_ENDPOINT"].startswith("http://127.0.0.1:")
        synced = await run("sync", "tiktok", "mayacooks", env=printed)
        assert synced.code == 0, synced.err
    finally:
        await _interrupt(proc)
    assert proc.returncode == 0


def test_help_lists_every_environment_variable_and_docs_every_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["--help"], ["fetch", "--help"], ["sync-all", "--help"]):
        assert cli.main(argv) == 0
        out = capsys.readouterr().out
        for name in ENV.values():
            assert name in out, (argv, name)
        assert "HYPERBUDS_REDIS_URL" in out
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for row in exits.CODES:
        assert f"| {row.code} | {row.meaning}" in docs, row
        for kind in row.raised_by:
            if kind is not exits.UsageError:
                assert kind.__name__ in docs, kind
    for name in ENV.values():
        assert name in docs, name


async def test_fetch_with_one_provider_and_the_providers_command(
    emu: Emulators, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**emu.env(), "HYPERBUDS_PROVIDERS": "tiktok=tiktok-api23,tiktok-api45"}
    argv = ["fetch", "tiktok", "mayacooks", "--provider", "tiktok-api45"]
    result = await run_here(argv, env, capsys, monkeypatch)
    assert result.code == 0, result.err
    assert "provider\ttiktok-api45" in result.out.splitlines()
    listed = await run_here(["providers", "--json"], env, capsys, monkeypatch)
    assert listed.code == 0, listed.err
    tiktok = json.loads(listed.out)["providers"]["tiktok"]
    assert [p["provider"] for p in tiktok] == ["tiktok-api23", "tiktok-api45"]
    assert all(p["available"] for p in tiktok)
    plain = await run_here(["providers"], env, capsys, monkeypatch)
    assert "youtube\tyoutube138\tavailable\t-\t-" in plain.out.splitlines()


async def test_a_provider_without_its_credentials_is_a_usage_error(emu: Emulators) -> None:
    env = {**emu.env(), "HYPERBUDS_PROVIDERS": "youtube=youtube-data-api"}
    result = await run("providers", env=env)
    assert result.code != 0
    assert "YOUTUBE_API_KEY" in result.err
