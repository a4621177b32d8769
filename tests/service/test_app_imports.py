"""The service is a client of the SDK's public API (docs/architecture.md's rule). Which modules it
may import is an import-linter contract (pyproject.toml, run by tests/test_architecture.py); this
checks what a contract cannot: that importing the SDK does not load the service."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_sdk_does_not_import_the_service() -> None:
    code = "import sys, hyperbuds_sync; print('hyperbuds_sync.service' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
