"""The backend's Joi validation of a sync body, as the backend emulator applies it."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["validate_stats"]


def validate_stats(body: Any) -> tuple[dict[str, int | float], dict[str, Any] | None]:
    """The stats in a sync body, and the Joi detail of what is wrong with it (``None``: nothing).

    A body is a JSON object with ``followers`` (an int >= 0, not a bool) and/or ``engagement``
    (a finite number >= 0, not a bool); other keys are ignored. The detail has Joi's shape:
    ``{"message": "\"followers\" must be an integer", "path": ["followers"], "type": ...}``.
    """
    if not isinstance(body, dict):
        return {}, _joi('"value" must be of type object', None, "object.base")
    stats: dict[str, int | float] = {}
    for key in ("followers", "engagement"):
        if key not in body:
            continue
        value = body[key]
        problem = _number_problem(key, value)
        if problem is not None:
            return {}, problem
        stats[key] = value if key == "followers" else float(value)
    if not stats:
        message = '"value" must contain at least one of [followers, engagement]'
        return {}, _joi(message, None, "object.missing")
    return stats, None


def _number_problem(key: str, value: Any) -> dict[str, Any] | None:
    """Joi's detail for a count (``followers``: an integer) or a rate that breaks its rules."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return _joi(f'"{key}" must be a number', key, "number.base")
    if math.isinf(value):
        return _joi(f'"{key}" cannot be infinity', key, "number.infinity")
    if key == "followers" and not isinstance(value, int):
        return _joi(f'"{key}" must be an integer', key, "number.integer")
    if value < 0:
        return _joi(f'"{key}" must be greater than or equal to 0', key, "number.min")
    return None


def _joi(message: str, key: str | None, kind: str) -> dict[str, Any]:
    """One Joi error detail (message, path, type, context)."""
    label = key or "value"
    return {
        "message": message,
        "path": [key] if key else [],
        "type": kind,
        "context": {"key": key, "label": label} if key else {"label": label},
    }
