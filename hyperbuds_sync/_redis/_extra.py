"""The check that the ``redis`` extra is installed, and the message when it is not."""

from __future__ import annotations

import importlib.util

from .._install import install_hint
from ..errors import ConfigError

__all__ = ["NO_REDIS_MESSAGE", "require_redis"]

NO_REDIS_MESSAGE = f"redis_url needs the redis extra: {install_hint('redis')}"


def require_redis() -> None:
    """Raise :class:`ConfigError` unless ``redis`` (with its asyncio client) is installed."""
    try:
        found = importlib.util.find_spec("redis.asyncio") is not None
    except ImportError:  # the parent package "redis" is missing
        found = False
    if not found:
        raise ConfigError(NO_REDIS_MESSAGE)
