"""docs/architecture.md's import rules, checked by machine: the import-linter contracts in
pyproject.toml (the folders' layers, the providers' and the transport's forbidden imports, the
service on the public API only, private modules kept in their folder, the entry points of
``cli/``, ``service/`` and ``testing/``, who may import ``_redis`` and
``_logging``). ``lint-imports`` prints each broken contract with its import chain."""

from __future__ import annotations

import ast
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


def _private_names_across_folders(package: Path) -> list[str]:
    """``from <elsewhere> import _name`` where ``<elsewhere>`` is outside the importer's folder
    (import-linter sees modules, not names, so this one rule is checked here)."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        here = list(parts[:-1])  # the importer's package, as a list of names
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = here[: len(here) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            # The same top-level folder; or a root module imported by name (`from .. import
            # _logging`), which the protected contracts check.
            if target[:1] == here[:1] or not target:
                continue
            found += [
                f"{path.relative_to(package)}:{node.lineno} {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_private_name_crosses_a_folder() -> None:
    assert _private_names_across_folders(ROOT / "hyperbuds_sync") == []


def test_a_private_name_across_folders_is_found(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "chain").mkdir()
    (tmp_path / "cache" / "__init__.py").write_text("_secret = 1\n")
    (tmp_path / "chain" / "_walk.py").write_text("from ..cache import _secret\n")
    assert _private_names_across_folders(tmp_path) == [f"{Path('chain', '_walk.py')}:1 _secret"]
