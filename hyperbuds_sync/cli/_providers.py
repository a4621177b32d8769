"""The ``providers`` subcommand: each platform's chain of providers and its state."""

from __future__ import annotations

import argparse
import asyncio
import importlib
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..models import ProviderState
from . import _output as out
from ._commands import client
from ._exits import OK

__all__ = ["providers_json", "providers_lines", "run_providers"]


def run_providers(args: argparse.Namespace) -> int:
    """``providers [--json]``."""
    return asyncio.run(_providers(args))


async def _providers(args: argparse.Namespace) -> int:
    async with client(args, syncs=False) as sync:
        states = await sync.providers()
    shown = out.Output(bool(getattr(args, "json", False)))
    if shown.json:
        shown.emit(providers_json(states))
    else:
        render = importlib.import_module(f"{__package__}._render")
        shown.show(lambda: render.providers_table(states), providers_lines(states))
    return OK


def providers_json(states: Mapping[str, Sequence[ProviderState]]) -> dict[str, Any]:
    """``{"providers": {platform: [state, ...]}}``, in chain order."""
    return {"providers": {p: [attrs.asdict(s) for s in rows] for p, rows in states.items()}}


def providers_lines(states: Mapping[str, Sequence[ProviderState]]) -> list[str]:
    """``platform<TAB>provider<TAB>available|benched<TAB>until<TAB>reason``, in chain order."""
    lines = []
    for platform, rows in states.items():
        for s in rows:
            until = s.benched_until.isoformat() if s.benched_until else "-"
            state = "available" if s.available else "benched"
            lines.append(f"{platform}\t{s.provider}\t{state}\t{until}\t{s.reason or '-'}")
    return lines
