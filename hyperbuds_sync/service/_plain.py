"""Records as JSON: attrs instances to dicts with camelCase keys, datetimes as ISO 8601."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

__all__ = ["camel", "plain"]

_SNAKE = re.compile(r"_([a-z0-9])")
SKIPPED = frozenset({"raw", "basis"})  # the provider's answer; a plan's internal fingerprint


def camel(name: str) -> str:
    """``last_fetched_at`` as ``lastFetchedAt``."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (``timedelta`` as seconds, sets and tuples as lists)."""
    if attrs.has(type(value)):
        return {
            camel(a.name): plain(getattr(value, a.name))
            for a in attrs.fields(type(value))
            if a.name not in SKIPPED
        }
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
