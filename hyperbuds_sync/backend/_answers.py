"""Reading the HyperBuds backend's answers: one status-to-error mapping, and the profile stats.

Pure functions, no I/O: ``_client`` sends, this module reads what came back.
Unknown extra fields are tolerated; a wrong shape becomes a :class:`BackendError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Final

from ..errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
)
from ..models import PlatformStats, ProfileStats, SyncResult

MAX_MESSAGE: Final = 500
"""Backend messages are cut to this many characters before they reach an error."""


_REFUSED: Final = (
    "the HyperBuds backend refused the token ({}): set a valid HYPERBUDS_TOKEN or pass token= "
    "(a callable token is asked once more, as a refresh, before this error)"
)


def error_for(
    status: int | None, message: str, platform: str, details: tuple[str, ...] = ()
) -> BackendError:
    """The one mapping from an HTTP status (``None``: a network fault) to an error class.

    A 2xx here means the body said ``success: false``. ``details`` reach a
    :class:`BackendValidationError` only.
    """
    if not message:
        message = f"HyperBuds backend answered HTTP {status}"
    if status is None or status >= 500:
        return BackendUnavailable(message, status=status, platform=platform)
    if status == 401:
        return AuthenticationError(_REFUSED.format(message), status=status, platform=platform)
    if status in (400, 422) or 200 <= status < 300:
        return BackendValidationError(message, status=status, platform=platform, details=details)
    return BackendError(message, status=status, platform=platform)


def refusal(status: int, answer: Mapping[str, Any] | None, platform: str) -> BackendError:
    """The error a refusing ``answer`` stands for, its validation details named in the message."""
    details = details_of(answer)
    message = message_of(answer)
    if details:
        message = f"{message or 'Validation failed'}: {'; '.join(details)}"[:MAX_MESSAGE]
    return error_for(status, message, platform, details)


def details_of(answer: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Joi's ``details``: each rule's message, from objects with a ``message`` or plain strings."""
    found = answer.get("details") if answer else None
    if not isinstance(found, list):
        return ()
    texts = (item.get("message") if isinstance(item, Mapping) else item for item in found)
    return tuple(t.strip()[:MAX_MESSAGE] for t in texts if isinstance(t, str) and t.strip())


def for_platform(exc: BackendError, platform: str) -> BackendError:
    """A whole-batch failure as one platform's error (same class, message and status)."""
    error = exc.evolved(platform=platform)  # a validation error's details included
    error.__cause__ = exc
    return error


def decode(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` when it is not one."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def message_of(answer: Mapping[str, Any] | None) -> str:
    """The answer's own ``message`` (or ``error``), cut to :data:`MAX_MESSAGE`; ``""`` if none."""
    if not answer:
        return ""
    for key in ("message", "error"):
        value = answer.get(key)
        if isinstance(value, Mapping):
            value = value.get("message")
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_MESSAGE]
    return ""


def is_false(value: object) -> bool:
    """``success: false``, as a boolean or a string."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def batch_entry(
    platform: str, answer: dict[str, Any], status: int, stats: ProfileStats | BackendError
) -> SyncResult | BackendError:
    """One platform's outcome in a batch answer."""
    results = answer.get("results")
    entry = results.get(platform) if isinstance(results, Mapping) else None
    if not isinstance(entry, Mapping):
        if is_false(answer.get("success")):
            return refusal(status, answer, platform)
        missing = "HyperBuds batch answer has no result for this platform"
        return BackendError(missing, status=status, platform=platform)
    if is_false(entry.get("success")):
        own = entry.get("status")
        own_status = own if isinstance(own, int) and not isinstance(own, bool) else status
        return refusal(own_status, entry, platform)
    if isinstance(stats, BackendError):
        return for_platform(stats, platform)
    return result(platform, entry, answer, stats)


def parse_stats(answer: Mapping[str, Any], status: int, platform: str | None) -> ProfileStats:
    """The answer's profile stats; a wrong shape raises :class:`BackendError`."""
    try:
        return _profile_stats(answer)
    except (TypeError, ValueError, OverflowError) as exc:
        message = f"HyperBuds backend sent unreadable profile stats: {exc}"[:MAX_MESSAGE]
        raise BackendError(message, status=status, platform=platform) from exc


def result(
    platform: str, outcome: Mapping[str, Any], answer: dict[str, Any], stats: ProfileStats
) -> SyncResult:
    """A :class:`SyncResult` from a success ``outcome`` and the answer's shared ``stats``."""
    message = outcome.get("message")
    return SyncResult(
        platform=platform,
        success=True,
        message=message if isinstance(message, str) else "",
        stats=stats,
        raw=answer,
    )


def _profile_stats(answer: Mapping[str, Any]) -> ProfileStats:
    profile = _mapping(answer.get("profile"), "profile")
    stats = _mapping(profile.get("stats"), "profile.stats")
    breakdown = _mapping(stats.get("platformBreakdown"), "platformBreakdown")
    platforms: dict[str, PlatformStats] = {}
    for name, entry in breakdown.items():
        fields = _mapping(entry, f"platformBreakdown.{name}")
        platforms[str(name)] = PlatformStats(
            followers=_int(fields.get("followers"), "followers"),
            engagement=_float(fields.get("engagement"), "engagement"),
            extra={k: v for k, v in fields.items() if k not in ("followers", "engagement")},
        )
    return ProfileStats(
        platform_breakdown=platforms,
        total_followers=_int(stats.get("totalFollowers"), "totalFollowers"),
        avg_engagement=_float(stats.get("avgEngagement"), "avgEngagement"),
    )


def _mapping(value: object, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} is a {type(value).__name__}, not an object")
    return value


def _float(value: object, name: str) -> float:
    """A finite number from a number or a numeric string; ``None`` gives 0.0."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{name} is a {type(value).__name__}, not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} is not finite")
    return number


def _int(value: object, name: str) -> int:
    """An integer from a number or a numeric string (``"12.0"`` included); ``None`` gives 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return round(_float(value, name))
