"""The OpenAPI 3.1 document of the whole service (filled in next)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["document"]


def document(platforms: Sequence[str]) -> dict[str, Any]:
    """The OpenAPI document, its platform enums from ``platforms``."""
    return {"openapi": "3.1.0", "info": {"title": "hyperbuds-sync", "version": "1"}, "paths": {}}
