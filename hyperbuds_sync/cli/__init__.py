"""The ``hyperbuds-sync`` command: fetch, sync and inspect creators' stats from a shell.

Owns the command line only: parsing (``_main``), exit codes (``_exits``), the subcommands
(``_commands``, ``_demo``) and their output (``_render``). It may import the whole SDK and
``testing`` (for ``emulate`` and ``demo``); nothing in the SDK imports it. ``_main`` and ``_exits``
need no rich; the others are imported once the command knows what the output needs.
"""

from __future__ import annotations

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
