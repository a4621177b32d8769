"""The SDK without its optional extras: `pip install .` alone must import and fetch.

Each case runs in a fresh interpreter where the extra's package cannot be imported (its entry in
``sys.modules`` set to ``None``), as on a machine that never installed it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_CODE = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # import name -> ImportError, as if never installed
import asyncio
from hyperbuds_sync import SocialSync
from hyperbuds_sync.testing import RapidAPIEmulator

async def main():
    async with RapidAPIEmulator() as emulator, SocialSync(
        rapidapi_key="test-key", rapidapi_endpoint=emulator.url
    ) as sync:
        data = await sync.fetch("tiktok", "mayacooks")
        assert data.followers > 0
    print("fetched")

asyncio.run(main())
"""


@pytest.mark.parametrize(
    "blocked",
    [("sqlalchemy",), ("redis",), ("sqlalchemy", "redis", "saq", "rich", "pandas")],
    ids=["no-history", "no-redis", "no-extras"],
)
def test_the_sdk_fetches_without_the_extras(blocked: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CODE.format(blocked=blocked)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("fetched")
