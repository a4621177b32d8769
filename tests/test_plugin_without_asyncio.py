"""The plugin's fixtures without pytest-asyncio: pytest starts, and a test asking for an async
fixture fails saying to install pytest-asyncio (simulated by hiding the module)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

USER_TESTS = """
import asyncio


def test_async_fixture(social_sync):
    pass


def test_another(rapidapi_emulator):
    pass


def test_sync_fixture_still_works(no_backoff):
    assert no_backoff.__name__ == "no_wait"
"""

# A stand-in package shadowing the real one fails to import, as in an environment without it.
HIDDEN = "raise ModuleNotFoundError(\"No module named 'pytest_asyncio'\", name='pytest_asyncio')\n"


def test_async_fixtures_without_pytest_asyncio_say_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    hidden = tmp_path / "hide" / "pytest_asyncio"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(HIDDEN)
    env = {**os.environ, "PYTHONPATH": str(hidden.parent)}
    # ours is auto-loaded by its entry point; the other plugins of this environment are kept
    # out, as from a user's (importing schemathesis and hypothesis alone took seconds)
    args = ["-m", "pytest", "-p", "no:asyncio", "-p", "no:cacheprovider", "-q"]
    for other in ("schemathesis", "hypothesispytest", "anyio", "xdist", "xdist.looponfail"):
        args += ["-p", f"no:{other}"]
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "1 passed, 2 errors" in out, out  # a fixture failing at setup is an error
    assert "needs pytest-asyncio: pip install pytest-asyncio" in out
    assert "'social_sync'" in out
    assert "'rapidapi_emulator'" in out
    assert "fixture 'social_sync' not found" not in out
