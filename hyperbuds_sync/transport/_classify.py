"""Classification of RapidAPI answers: status, body and headers -> the error tree.

Pure functions, no I/O, so the rules are table-tested on their own; the gateway calls
:func:`classify` on every answer and :func:`network_error` on every transport fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from .._logging import redact
from ..errors import (
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    UsernameNotFound,
)
from ._headers import Headers, as_ci, parse_quota_headers, parse_retry_after

__all__ = ["classify", "is_daily_quota", "is_unknown_endpoint", "network_error"]

_QUOTA = re.compile(r"exceeded the (monthly|daily) quota", re.IGNORECASE)
_DAILY = re.compile(r"\bdaily quota\b", re.IGNORECASE)
_CLIP = 200


# --- classification ------------------------------------------------------------------------------


def _message_of(body: object, *, allow_text: bool) -> str:
    if isinstance(body, Mapping):
        for name in ("message", "messages"):
            value = body.get(name)
            if isinstance(value, str):
                return value
        return ""
    return body if allow_text and isinstance(body, str) else ""


def _clip(text: str) -> str:
    text = redact(" ".join(text.split()))
    return text if len(text) <= _CLIP else text[: _CLIP - 1] + "…"


def is_unknown_endpoint(body: object) -> bool:
    """Whether a 404 body is the gateway's "Endpoint '/x' does not exist" (a wrong path)."""
    message = _message_of(body, allow_text=True)
    return message.startswith("Endpoint ") and "does not exist" in message


def is_daily_quota(body: object) -> bool:
    """Whether a quota answer speaks of a DAILY quota (it then resets at the next UTC midnight)."""
    return bool(_DAILY.search(_message_of(body, allow_text=True)))


def _is_quota(message: str) -> bool:
    lowered = message.lower()
    return bool(_QUOTA.search(message)) or ("quota" in lowered and "exceeded" in lowered)


def classify(
    status: int,
    body: object,
    headers: Headers,
    *,
    host: str,
    platform: str | None = None,
    username: str | None = None,
    provider: str | None = None,
) -> ProviderError | None:
    """The error an answer means, or ``None`` for a usable answer.

    ``body`` is the decoded JSON, or the raw text when it is not JSON. Rules, in order:

    * "exceeded the MONTHLY/DAILY quota" (or "quota" with "exceeded") in ``message`` /
      ``messages`` (on a 2xx only a JSON message counts), or a 429 with
      ``x-ratelimit-requests-remaining: 0`` -> :class:`QuotaExceeded`, never retried;
    * ``messages`` + ``info`` (the gateway's "unreachable"/"timed out"), 5xx or 408 ->
      :class:`ProviderUnavailable`, retried; then any 2xx -> ``None``;
    * other 429 -> :class:`RateLimited`, ``retry_after`` from ``Retry-After`` else ``None``
      (the policy's jittered exponential backoff then decides the wait);
    * 404 -> :class:`UsernameNotFound`, also for the gateway's "Endpoint '/x' does not exist"
      (a wrong path; the gateway logs a WARNING for it, see :func:`is_unknown_endpoint`);
    * 401/403 -> :class:`ProviderAuthError`; anything else -> plain :class:`ProviderError`.
    """
    headers = as_ci(headers)
    ok = 200 <= status < 300
    message = _message_of(body, allow_text=not ok)
    detail = f": {_clip(message)}" if message else ""
    facts: dict[str, Any] = {"platform": platform, "host": host, "status": status}
    facts.update(request_id=headers.get("x-rapidapi-request-id"), username=username)
    facts["provider"] = provider
    quota = parse_quota_headers(headers)
    if _is_quota(message) or (status == 429 and quota.remaining == 0):
        return QuotaExceeded(
            f"RapidAPI quota exceeded on {host}{detail or ' (remaining 0)'}", **facts
        )
    if (isinstance(body, Mapping) and "messages" in body and "info" in body) or status >= 500:
        return ProviderUnavailable(f"{host} is unavailable (HTTP {status}){detail}", **facts)
    if ok:
        return None
    if status == 429:
        retry_after = parse_retry_after(headers.get("retry-after"))
        return RateLimited(
            f"RapidAPI rate limit hit on {host} (HTTP 429){detail}",
            retry_after=retry_after,
            **facts,
        )
    if status == 404:
        del facts["platform"], facts["username"]  # for_user sets both
        return UsernameNotFound.for_user(platform or host, username or "?", **facts)
    if status in (401, 403):
        why = "refused the RapidAPI key" if status == 401 else "says the key is not subscribed"
        return ProviderAuthError(f"{host} {why} (HTTP {status}){detail}", **facts)
    if status == 408:
        return ProviderUnavailable(f"{host} timed out (HTTP 408){detail}", **facts)
    return ProviderError(f"{host} answered HTTP {status}{detail}", **facts)


def network_error(
    exc: BaseException,
    *,
    host: str,
    platform: str | None,
    username: str | None,
    provider: str | None = None,
) -> ProviderError:
    """A transport fault as an SDK error: :class:`ProviderUnavailable` (retried), except a bad
    URL (a wrong ``endpoint``), which is a plain :class:`ProviderError`."""
    what = type(exc).__name__
    text = _clip(str(exc))
    detail = f"{what}: {text}" if text else what
    facts: dict[str, Any] = {"platform": platform, "host": host, "username": username}
    facts["provider"] = provider
    if isinstance(exc, aiohttp.InvalidURL):
        return ProviderError(f"Invalid URL for {host} ({detail})", **facts)
    if isinstance(exc, TimeoutError):
        return ProviderUnavailable(f"{host} did not answer in time ({detail})", **facts)
    return ProviderUnavailable(f"{host} could not be reached ({detail})", **facts)
