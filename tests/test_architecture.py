"""docs/architecture.md's import rules, checked by machine: the import-linter contracts in
pyproject.toml (the folders' layers, the providers' and the transport's forbidden imports, the
service on the public API only, private modules kept in their folder, the entry points of
``cli/``, ``service/`` and ``testing/``, who may import ``_redis``, ``_shared``, ``_urls`` and
``_logging``). ``lint-imports`` prints each broken contract with its import chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout
