"""List modules over 300 lines and functions over 40 (the house rule's "about" limits).

Usage: ``python tools/sizes.py [hyperbuds_sync]``. Prints one line per offender, biggest first;
information, not a gate (the limits are "about").
"""

from __future__ import annotations

import ast
import pathlib
import sys

MODULE_LINES = 300
FUNCTION_LINES = 40


def offenders(root: pathlib.Path) -> list[tuple[int, str]]:
    """``(lines, description)`` for every module and function over its limit under ``root``."""
    found: list[tuple[int, str]] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MODULE_LINES:
            found.append((lines, f"module   {path}"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > FUNCTION_LINES:
                    found.append((size, f"function {path}:{node.lineno} {node.name}"))
    return sorted(found, reverse=True)


if __name__ == "__main__":
    for size, what in offenders(
        pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "hyperbuds_sync")
    ):
        print(f"{size:5d}  {what}")
