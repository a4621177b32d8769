"""What ``hyperbuds-sync serve`` refuses before it binds anything: one line, exit code 5."""

from __future__ import annotations

import os
import socket

import pytest

from hyperbuds_sync import cli
from hyperbuds_sync.cli import _exits
from hyperbuds_sync.config import Settings
from hyperbuds_sync.errors import ConfigError
from hyperbuds_sync.service import ServeOptions, ServiceSettings
from hyperbuds_sync.service._serve import check, is_loopback

ANY = "0.0.0.0"  # noqa: S104 - refused, never bound


@pytest.fixture(autouse=True)
def _no_service_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """None of our variables from the developer's shell: no keys, no Redis."""
    for name in os.environ:
        if name.startswith(("HYPERBUDS_", "RAPIDAPI_")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--host", ANY], [ANY, "HYPERBUDS_SERVICE_KEYS", "--allow-anonymous"]),
        (["--host", "192.0.2.7", "--port", "9"], ["192.0.2.7", "--allow-anonymous"]),
        (["--workers", "2"], ["--workers 2", "HYPERBUDS_REDIS_URL", "quota"]),
        (["--workers", "0"], ["--workers"]),
        (["--rate-limit", "0"], ["--rate-limit"]),
        (["--emulate", "--workers", "2"], ["--emulate"]),
        (["--formula", "nonsense"], ["--formula", "known"]),
    ],
)
def test_a_refused_configuration_is_one_line_and_exit_5(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", *argv]) == _exits.CONFIG == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("error: "), err
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        (ANY, False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.com", False),
    ],
)
def test_loopback_is_an_address_test_not_a_lookup(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _settings(keys: str = "") -> ServiceSettings:
    return ServiceSettings.from_env({"HYPERBUDS_SERVICE_KEYS": keys} if keys else {})


def test_anonymous_on_a_public_address_is_served_with_a_warning_when_allowed() -> None:
    options = ServeOptions(host=ANY, allow_anonymous=True)
    warnings = check(options, _settings(), Settings())
    assert len(warnings) == 1
    assert "anonymous" in warnings[0]


def test_keys_open_any_address_and_redis_opens_workers() -> None:
    options = ServeOptions(host=ANY, workers=4)
    sdk = Settings(redis_url="redis://127.0.0.1:6379/0")
    assert check(options, _settings("frontend:k-123"), sdk) == []
    with pytest.raises(ConfigError, match="HYPERBUDS_REDIS_URL"):
        check(options, _settings("frontend:k-123"), Settings())


def test_the_roster_runs_in_one_process_only() -> None:
    options = ServeOptions(workers=2, roster=True)
    with pytest.raises(ConfigError, match="--roster"):
        check(options, _settings(), Settings(redis_url="redis://127.0.0.1:6379/0"))


def test_a_port_in_use_is_a_configuration_fault(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 5
    err = capsys.readouterr().err
    assert err == f"error: 127.0.0.1:{port} is already in use\n"


def test_an_sdk_configuration_fault_is_one_line_before_any_worker_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYPERBUDS_PROVIDERS", "twitch=twitch-helix")  # no Twitch credentials
    monkeypatch.setenv("HYPERBUDS_REDIS_URL", "redis://127.0.0.1:9/0")  # never reached
    assert cli.main(["serve", "--workers", "2", "--port", "9"]) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "twitch-helix" in err
