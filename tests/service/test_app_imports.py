"""The service is a client of the SDK's public API: its modules import the SDK's public modules
only, and no private name from them (docs/architecture.md's rule, checked by machine)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SERVICE = Path(__file__).parents[2] / "hyperbuds_sync" / "service"
PUBLIC = {"", "client", "engagement", "errors", "metrics", "models", "platforms", "roster"}
MODULES = sorted(p for p in SERVICE.rglob("*.py") if "_status" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_service_modules_import_the_public_api_only(path: Path) -> None:
    depth = len(path.relative_to(SERVICE).parts)  # 1: service/x.py; 2: service/pkg/x.py
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level > depth:  # outside service/
            module = node.module or ""
            assert module.split(".")[0] in PUBLIC, f"{path.name} imports ..{module}"
            assert not module.split(".")[-1].startswith("_"), f"{path.name} imports ..{module}"
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{path.name} imports {private} from ..{module}"
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("hyperbuds_sync") for a in node.names), path.name


def test_importing_the_sdk_does_not_import_the_service() -> None:
    code = "import sys, hyperbuds_sync; print('hyperbuds_sync.service' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
