"""The demo's transcript in docs/cli.md comes from a run (issue 21, item 10): this test runs the
demo and compares it with the docs, so the two cannot drift.

Ports, dates and reset times change from run to run, and with them the tables' widths: both
sides are compared with those replaced and whitespace and rules collapsed. To rewrite the docs'
transcript from a fresh run::

    python tests/test_demo_transcript.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI_MD = ROOT / "docs" / "cli.md"
START = "```text\n$ hyperbuds-sync demo\n"
WIDTH = "100"

_VARYING = (
    (re.compile(r"http://127\.0\.0\.1:\d+"), "http://127.0.0.1:PORT"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"), "DATE"),
    (re.compile(r"\bin (\d+[dhms] ?){1,2}\b"), "in TIME"),
    (re.compile(r"[─━═]+"), "─"),
)


def normalized(text: str) -> str:
    """``text`` with what changes between runs replaced, whitespace collapsed."""
    for pattern, stand_in in _VARYING:
        text = pattern.sub(stand_in, text)
    return " ".join(text.split())


def run_demo() -> tuple[int, str]:
    """``hyperbuds-sync demo`` in this process, as a 100-column pipe prints it."""
    from hyperbuds_sync.cli import main

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(["demo"])
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return code, out.getvalue()


def docs_transcript(text: str) -> tuple[int, int]:
    """Where the demo's transcript is in docs/cli.md: its start and end offsets."""
    start = text.index(START) + len(START)
    return start, text.index("```", start)


def test_the_demo_transcript_in_the_docs_is_a_run_of_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [n for n in os.environ if n.startswith(("RAPIDAPI_", "HYPERBUDS_"))]:
        monkeypatch.delenv(name)
    code, out = run_demo()
    assert code == 0, out
    docs = CLI_MD.read_text(encoding="utf-8")
    start, end = docs_transcript(docs)
    assert normalized(docs[start:end]) == normalized(out), "rerun: python " + __file__


def test_the_docs_say_what_the_demo_covers() -> None:
    docs = CLI_MD.read_text(encoding="utf-8")
    start, end = docs_transcript(docs)
    shown = docs[start:end]
    sections = re.findall(r"─ (\d)\. ", shown)
    assert sections == ["1", "2", "3", "4"]
    for platform in ("tiktok", "twitter", "twitch", "instagram", "youtube"):
        assert f"│ {platform} " in shown
    assert "why tiktok-api45 is benched too" in shown
    requests = re.search(r"saw (\d+) request\(s\)", shown)
    assert requests is not None
    assert f"{requests.group(1)} requests" in docs[end:]  # the prose after it counts the same


if __name__ == "__main__":  # rewrite the transcript from a fresh run
    sys.path.insert(0, str(ROOT))
    code, out = run_demo()
    if code != 0:
        sys.exit(f"the demo failed ({code}):\n{out}")
    docs = CLI_MD.read_text(encoding="utf-8")
    start, end = docs_transcript(docs)
    lines = "\n".join(line.rstrip() for line in out.splitlines())
    CLI_MD.write_text(docs[:start] + lines + "\n" + docs[end:], encoding="utf-8")
    print(f"rewrote the demo transcript in {CLI_MD.relative_to(ROOT)}")
