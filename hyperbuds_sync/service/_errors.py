"""Errors as data: the one table from the SDK's exception classes to HTTP status and JSON.

Every error answer is ``{"success": false, "error": "...", "message"?: "..."}``. The table
(:data:`ERROR_TABLE`, first matching row wins, most specific first):

===========================  ======  ==================================================
exception                    status  ``error``
===========================  ======  ==================================================
UnknownPlatform              400     Invalid platform. Supported platforms: tiktok, ...
InvalidUsername              400     Invalid username
UnknownFormula               400     Unknown formula
InvalidStats                 400     Invalid stats
InvalidInput                 400     Invalid request
UsernameNotFound             404     Username not found on platform
QuotaExceeded                429     API quota exceeded. Please try again later.
RateLimited                  429     Rate limit exceeded. Please try again later.
ProviderUnavailable          503     Every provider is unavailable. Please try again later.
ProviderError (the rest)     500     Failed to fetch social media data
SuspiciousDrop               409     Suspicious drop in followers (with ``drop``: the facts)
AuthenticationError          401     HyperBuds rejected the Authorization token
BackendValidationError       400     HyperBuds refused the stats
BackendUnavailable           503     HyperBuds backend unavailable
ConfigError                  500     Service configuration error (``message``: what is missing)
BackendError (the rest)      502     HyperBuds backend error
HyperbudsSyncError           500     Failed to fetch social media data
anything else                500     Internal server error (no detail)
===========================  ======  ==================================================

A 429 or 503 carries ``Retry-After`` (seconds) when the error or the attempts along the chain
say when a provider comes back. ``message`` is the SDK error's own message, which never holds a
key, token or secret.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web
from attrs import frozen

from ..errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
    ConfigError,
    HyperbudsSyncError,
    InvalidInput,
    InvalidStats,
    InvalidUsername,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    SuspiciousDrop,
    UnknownFormula,
    UnknownPlatform,
    UsernameNotFound,
)

__all__ = [
    "CONTRACT_PLATFORMS",
    "ERROR_TABLE",
    "INTERNAL",
    "ErrorAnswer",
    "answer_for",
    "error_response",
    "problem",
    "supported",
]

CONTRACT_PLATFORMS = ("tiktok", "instagram", "youtube", "twitter", "twitch")  # their order
INVALID_PLATFORM = "Invalid platform. Supported platforms: {}"
INTERNAL = "Internal server error"
FETCH_FAILED = "Failed to fetch social media data"

ERROR_TABLE: tuple[tuple[type[BaseException], int, str], ...] = (
    (UnknownPlatform, 400, INVALID_PLATFORM),
    (InvalidUsername, 400, "Invalid username"),
    (UnknownFormula, 400, "Unknown formula"),
    (InvalidStats, 400, "Invalid stats"),
    (InvalidInput, 400, "Invalid request"),
    (UsernameNotFound, 404, "Username not found on platform"),
    (QuotaExceeded, 429, "API quota exceeded. Please try again later."),
    (RateLimited, 429, "Rate limit exceeded. Please try again later."),
    (ProviderUnavailable, 503, "Every provider is unavailable. Please try again later."),
    (ProviderError, 500, FETCH_FAILED),
    (SuspiciousDrop, 409, "Suspicious drop in followers"),
    (AuthenticationError, 401, "HyperBuds rejected the Authorization token"),
    (BackendValidationError, 400, "HyperBuds refused the stats"),
    (BackendUnavailable, 503, "HyperBuds backend unavailable"),
    (ConfigError, 500, "Service configuration error"),
    (BackendError, 502, "HyperBuds backend error"),
    (HyperbudsSyncError, 500, FETCH_FAILED),
)


@frozen
class ErrorAnswer:
    """How one exception is answered: status, ``error``, optional ``message``, headers and
    extra body fields."""

    status: int
    error: str
    message: str | None = None
    headers: Mapping[str, str] = {}
    extra: Mapping[str, Any] = {}

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        out: dict[str, Any] = {"success": False, "error": self.error}
        if self.message:
            out["message"] = self.message
        out.update(self.extra)
        return out

    def response(self) -> web.Response:
        """The answer as a JSON response."""
        return web.json_response(self.body(), status=self.status, headers=dict(self.headers))


def supported(names: Iterable[str]) -> str:
    """The platforms as the contract lists them: its five in its order, any others after."""
    known = set(names)
    first = [p for p in CONTRACT_PLATFORMS if p in known]
    return ", ".join([*first, *sorted(known - set(first))])


def answer_for(exc: BaseException, platforms: Iterable[str] = CONTRACT_PLATFORMS) -> ErrorAnswer:
    """The answer to ``exc`` from :data:`ERROR_TABLE` (anything not the SDK's: a bare 500)."""
    row = next((row for row in ERROR_TABLE if isinstance(exc, row[0])), None)
    if row is None or not isinstance(exc, HyperbudsSyncError):
        return ErrorAnswer(500, INTERNAL)
    _, status, error = row
    if isinstance(exc, UnknownPlatform):
        return ErrorAnswer(status, error.format(supported(platforms)))
    message = exc.reason if isinstance(exc, InvalidUsername) else exc.message
    extra = {"drop": _drop_facts(exc)} if isinstance(exc, SuspiciousDrop) else {}
    wait = retry_after(exc) if status in (429, 503) else None
    headers = {"Retry-After": str(wait)} if wait is not None else {}
    return ErrorAnswer(status, error, message, headers, extra)


def retry_after(exc: HyperbudsSyncError, now: float | None = None) -> int | None:
    """Whole seconds until a provider is back, from the error or its ``attempts``; ``None`` when
    nothing says."""
    now = time.time() if now is None else now
    errors: list[object] = [exc, *(e for _, e in getattr(exc, "attempts", ()) or ())]
    waits = []
    for error in errors:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            waits.append(error.retry_after)
        elif isinstance(error, QuotaExceeded) and error.reset_at is not None:
            waits.append(error.reset_at.timestamp() - now)
    return max(1, math.ceil(min(waits))) if waits else None


def _drop_facts(exc: SuspiciousDrop) -> dict[str, Any]:
    return {
        "platform": exc.platform,
        "username": exc.username,
        "previous": exc.previous,
        "previousAt": exc.previous_at.isoformat() if exc.previous_at else None,
        "current": exc.current,
        "currentAt": exc.current_at.isoformat() if exc.current_at else None,
    }


def error_response(
    status: int, error: str, message: str | None = None, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON error answer built by hand (the middlewares' and handlers' own errors)."""
    return ErrorAnswer(status, error, message, headers or {}).response()


def problem(status: int, error: str, message: str | None = None) -> web.HTTPException:
    """An ``HTTPException`` carrying the JSON error answer, to ``raise`` from a handler."""
    answer = ErrorAnswer(status, error, message)
    exc = web.HTTPException(text=json.dumps(answer.body()), content_type="application/json")
    exc.set_status(status)
    return exc
