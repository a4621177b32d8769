"""What a new user tripped on (issue 21): bad settings, JSON errors, the small things of item 9.

In-process through ``main(argv)`` where no emulator is needed; a subprocess where the process
itself is the point (logging defaults, ``python -m``)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from hyperbuds_sync import ConfigError, SocialSync, cli
from hyperbuds_sync.cli._history import moment
from hyperbuds_sync.testing import TEST_KEY, RapidAPIEmulator

ROOT = Path(__file__).resolve().parent.parent
_OURS = ("RAPIDAPI_", "NEXT_PUBLIC_RAPIDAPI_", "HYPERBUDS_")


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(_OURS)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- item 4: a bad setting is one line and exit 5, whatever the command ---------------------------

BAD_SETTINGS = [
    ("HYPERBUDS_PROVIDERS", "twitch", "'twitch'", "twitch=twitch-scraper2"),
    ("HYPERBUDS_PROVIDERS", "twitch:x", "'twitch:x'", "twitch=twitch-scraper2"),
    ("HYPERBUDS_PROVIDERS", "twitch=", "'twitch='", "twitch=twitch-scraper2"),
    ("HYPERBUDS_ENDPOINTS", "garbage", "'garbage'", "api.twitch.tv=http://"),
    ("HYPERBUDS_ENDPOINTS", "api.x.com=ftp://h", "'ftp://h'", "api.twitch.tv=http://"),
    ("HYPERBUDS_DROP_GUARD_RATIO", "abc", "'abc'", "HYPERBUDS_DROP_GUARD_RATIO=0.9"),
]


@pytest.mark.parametrize("command", [["fetch", "tiktok", "mayacooks"], ["demo"], ["emulate"]])
@pytest.mark.parametrize(("name", "value", "found", "example"), BAD_SETTINGS)
def test_a_bad_setting_is_one_line_naming_it_and_exit_5(
    command: list[str],
    name: str,
    value: str,
    found: str,
    example: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)
    code, out, err = _run(command, capsys)
    assert code == 5
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {name}")
    assert found in lines[0]
    assert example in lines[0]


def test_an_endpoint_with_credentials_is_not_repeated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HYPERBUDS_ENDPOINTS", "user:hunter2@proxy")
    code, _, err = _run(["fetch", "tiktok", "mayacooks"], capsys)
    assert code == 5
    assert "hunter2" not in err
    assert "HYPERBUDS_ENDPOINTS" in err


async def test_one_key_given_as_a_string_is_a_config_error_without_the_key() -> None:
    with pytest.raises(ConfigError, match=r"rapidapi_keys=\[key1, key2\]") as info:
        SocialSync(rapidapi_keys="sk-secret-value-123", redis_url="", history_url="")  # type: ignore[arg-type]
    assert "sk-secret-value-123" not in str(info.value)


# --- item 8: with --json, an error is one JSON object on stderr -----------------------------------


def test_json_errors_are_one_object_on_stderr_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(["fetch", "tiktok", "mayacooks", "--json"], capsys)  # no key set
    assert (code, out) == (5, "")
    body = json.loads(err)
    assert body["error"] == "ApiConfigError"
    assert body["exit_code"] == 5
    assert "RAPIDAPI_KEY" in body["message"]

    code, out, err = _run(["--json", "fetch", "tiktok", "x"], capsys)  # an invalid username
    assert (code, out) == (2, "")
    body = json.loads(err)
    assert body["error"] == "InvalidUsername"
    assert (body["platform"], body["username"], body["exit_code"]) == ("tiktok", "x", 2)


def test_json_usage_errors_are_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["history", "tiktok", "mayacooks", "--since", "soon", "--json"], capsys)
    assert (code, out) == (2, "")
    body = json.loads(err)
    assert body == {"error": "UsageError", "message": body["message"], "exit_code": 2}
    assert "'soon' is not a time" in body["message"]


# --- item 9: the smaller things -------------------------------------------------------------------


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    child["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), child.get("PYTHONPATH"))))
    return subprocess.run(
        [sys.executable, *args],
        env={**child, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_a_program_without_logging_config_hears_nothing_from_the_sdk() -> None:
    code = (
        "import logging, hyperbuds_sync\n"
        "logging.getLogger('hyperbuds_sync').warning('a warning nobody asked for')\n"
    )
    done = _python("-c", code)
    assert done.returncode == 0
    assert done.stderr == ""


def test_python_dash_m_runs_the_command() -> None:
    done = _python("-m", "hyperbuds_sync", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hyperbuds-sync ")


@pytest.fixture
def threaded_rapidapi() -> Iterator[RapidAPIEmulator]:
    """The emulator served from its own thread, so this test's own asyncio.run calls can use it."""
    with start_blocking_portal() as portal, ExitStack() as stack:
        yield stack.enter_context(portal.wrap_async_context_manager(RapidAPIEmulator()))


def test_a_client_reused_across_two_event_loops_says_what_to_do(
    threaded_rapidapi: RapidAPIEmulator,
) -> None:
    first = asyncio.new_event_loop()  # the first asyncio.run(), kept to close the client after
    sync = SocialSync(
        rapidapi_key=TEST_KEY, rapidapi_endpoint=threaded_rapidapi.url, redis_url="", history_url=""
    )

    async def fetch() -> int:
        return (await sync.fetch("twitch", "pixelmaya", refresh=True)).followers

    try:
        assert first.run_until_complete(fetch()) == 184_233
        with pytest.raises(ConfigError, match=r"another event loop.*async with SocialSync"):
            asyncio.run(fetch())
    finally:
        first.run_until_complete(sync.aclose())
        first.close()


NOW = datetime(2026, 3, 5, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", datetime(2026, 3, 4, tzinfo=UTC)),
        ("today", datetime(2026, 3, 5, tzinfo=UTC)),
        ("now", NOW),
        ("7d", datetime(2026, 2, 26, 15, 30, tzinfo=UTC)),
        ("12h", datetime(2026, 3, 5, 3, 30, tzinfo=UTC)),
        ("2025-03-01", datetime(2025, 3, 1, tzinfo=UTC)),
        ("2025-03-01T12:00+02:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_since_takes_words_ages_and_iso_times(text: str, expected: datetime) -> None:
    assert moment(text, now=NOW) == expected


def test_a_bad_time_names_no_argparse_internals(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["history", "tiktok", "mayacooks", "--since", "lastweek"], capsys)
    assert code == 2
    assert "_moment" not in err
    assert "invalid" not in err
    assert "'lastweek' is not a time" in err
    code, _, err = _run(["growth", "tiktok", "mayacooks", "--windows", "a,b"], capsys)
    assert code == 2
    assert "_windows" not in err
    assert "'a,b' is not a list of days" in err


def test_history_and_growth_json_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "h.db")
    code, out, err = _run(["growth", "tiktok", "mayacooks", "--history-url", url, "--json"], capsys)
    assert code == 0, err
    assert out.count("\n") == 1
    assert json.loads(out)["platform"] == "tiktok"
    code, out, _ = _run(["history", "tiktok", "mayacooks", "--history-url", url, "--json"], capsys)
    assert (code, out) == (0, "[]\n")


def test_a_manual_sync_shows_the_backend_line_once() -> None:
    from rich.console import Console

    from hyperbuds_sync import ManualEntry, ProfileStats, SyncResult
    from hyperbuds_sync.cli._render import sync_view

    stats = ProfileStats(total_followers=93_518, avg_engagement=4.2, platform_breakdown={})
    result = SyncResult("instagram", True, "Instagram synced", stats)
    console = Console(record=True, width=200)
    console.print(sync_view(result, ManualEntry(followers=93_518, engagement=4.2)))
    assert console.export_text().count("Instagram synced") == 1


def test_install_hints_name_the_extra_in_double_quotes_and_the_checkout_form() -> None:
    single_quoted = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "hyperbuds_sync").rglob("*.py")
        if "pip install 'hyperbuds-sync" in path.read_text(encoding="utf-8")
    ]
    assert single_quoted == []
    from hyperbuds_sync.roster._fleet_run import NEEDS_SAQ

    assert 'pip install "hyperbuds-sync[fleet]"' in NEEDS_SAQ
    assert 'pip install -e ".[fleet]"' in NEEDS_SAQ


def test_version_and_help_load_no_http_stack() -> None:
    """``--version`` imports what it needs only (was 0.5 s of CPU, aiohttp and all; 0.23 s now)."""
    code = (
        "import sys\n"
        "from hyperbuds_sync.cli import main\n"
        "assert main(['--version']) == 0\n"
        "assert main(['roster', '--help']) == 0\n"
        "heavy = sorted(m for m in ('aiohttp', 'sqlalchemy', 'hyperbuds_sync.client') "
        "if m in sys.modules)\n"
        "print(heavy)\n"
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_package_face_is_lazy_but_whole() -> None:
    code = (
        "import sys, hyperbuds_sync\n"
        "assert 'aiohttp' not in sys.modules\n"
        "face = hyperbuds_sync\n"
        "missing = [n for n in face.__all__ if getattr(face, n, None) is None]\n"
        "assert not missing, missing\n"
        "assert hyperbuds_sync.QuotaExceeded.__module__ == 'hyperbuds_sync'\n"
        "assert set(hyperbuds_sync.__all__) <= set(dir(hyperbuds_sync))\n"
        "print('ok')\n"
    )
    done = _python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_cli_names_the_embedded_history_as_the_history_does() -> None:
    from hyperbuds_sync.cli import _history
    from hyperbuds_sync.history import DEFAULT

    assert _history.DEFAULT == DEFAULT
