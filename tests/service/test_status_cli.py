"""``hyperbuds-sync status`` and ``hyperbuds-sync demo --serve``: the page's URL printed while
it runs, the page answering there with the emulators' data, and a clean exit on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from typing import IO, Any

import pytest

from hyperbuds_sync.cli import main

URL = re.compile(r"the status page: (http://127\.0\.0\.1:\d+/status)")


def _started(args: list[str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "hyperbuds_sync.cli", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )


def _url_from(stream: IO[str]) -> str:
    """The page's URL, from the command's output (read until it appears)."""
    for line in stream:
        found = URL.search(line)
        if found:
            return found.group(1)
    raise AssertionError("the command ended without printing the status page's URL")


def _facts(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback only)
        return json.load(answer)


def _stopped(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


def _served(args: list[str]) -> tuple[Any, int, str]:
    """The facts the command's page answers, its exit code on SIGTERM, and what it printed."""
    with _started(args) as process:
        assert process.stdout is not None
        try:
            facts = _facts(_url_from(process.stdout))
        finally:
            code = _stopped(process)
        return facts, code, process.stdout.read()


def test_status_serves_the_emulators_data_until_sigterm() -> None:
    facts, code, _ = _served(["status", "--port", "0"])
    assert code == 0
    rows = {row["platform"]: row for row in facts["traffic"]["platforms"]}
    assert rows["tiktok"]["cache"]["text"] == "2/3"
    twitch = facts["providers"]["platforms"]
    chain = next(p["chain"] for p in twitch if p["platform"] == "twitch")
    assert chain[0]["available"] is False
    assert chain[0]["benchedUntil"] is not None
    assert facts["roster"]["creators"] == 2


def test_demo_serve_prints_the_url_and_serves_the_demos_client() -> None:
    facts, code, rest = _served(["demo", "--serve"])
    assert code == 0
    assert "demo finished: every step behaved as expected" in rest
    quota = {
        row["provider"]: row["quota"] for p in facts["providers"]["platforms"] for row in p["chain"]
    }
    assert quota["instagram-looter2"]["remaining"] == 0  # the demo's spent quota, step 2


def test_status_refuses_a_public_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--host", "0.0.0.0"]) != 0  # noqa: S104
    assert "loopback only" in capsys.readouterr().err
