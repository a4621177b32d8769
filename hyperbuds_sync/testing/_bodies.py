"""The error bodies the emulated services send: the RapidAPI gateway's (and its providers'
generic ones) and the official APIs' (X, Helix, YouTube), for refusals and injected faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "X_TOO_MANY",
    "X_UNAUTHORIZED",
    "YOUTUBE_BAD_KEY",
    "YOUTUBE_QUOTA_MESSAGE",
    "gateway_error_body",
    "helix_error",
    "official_error_body",
    "youtube_error",
]

_GATEWAY_BODIES: dict[int, dict[str, str]] = {
    401: {"message": "Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info."},
    403: {"message": "You are not subscribed to this API."},
    429: {
        "message": "You have exceeded the rate limit per second for your plan, BASIC, "
        "by the API provider"
    },
    502: {
        "messages": "The API is unreachable, please contact the API provider",
        "info": "Your Client (working) ---> Gateway (working) ---> API (not working)",
    },
    504: {
        "messages": "The request to the API has timed out. Please try again later, or if the "
        "issue persists, please contact the API provider",
        "info": "Your Client (working) ---> Gateway (working) ---> API (took too long to respond)",
    },
}
_PHRASES = {500: "Internal Server Error", 503: "Service Unavailable"}


def gateway_error_body(code: int) -> dict[str, str]:
    """The body RapidAPI (or a provider behind it) sends with status ``code``."""
    if code in _GATEWAY_BODIES:
        return _GATEWAY_BODIES[code]
    return {"message": _PHRASES.get(code, f"Request failed with status {code}")}


YOUTUBE_QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
YOUTUBE_BAD_KEY = "API key not valid. Please pass a valid API key."


def youtube_error(code: int, reason: str, message: str, domain: str = "global") -> Any:
    """A YouTube Data API error body (``error.errors[].reason`` names the fault)."""
    errors = [{"message": message, "domain": domain, "reason": reason}]
    return {"error": {"code": code, "message": message, "errors": errors}}


def official_error_body(api: str) -> Callable[[int], Any]:
    """The body an official API (``x``, ``helix``, ``youtube``) sends with an injected status."""

    def body(code: int) -> Any:
        if api == "x":
            return {"title": "Service Unavailable", "type": "about:blank", "status": code}
        if api == "helix":
            return {"error": "Service Unavailable", "status": code, "message": ""}
        return youtube_error(code, "backendError", "Backend Error")

    return body


X_UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                  "detail": "Unauthorized"}  # fmt: skip
"""X's answer to a missing or unknown bearer token."""
X_TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests",
              "type": "about:blank", "status": 429}  # fmt: skip
"""X's answer when a token's window is spent."""


def helix_error(status: int, error: str, message: str) -> dict[str, Any]:
    """A Helix error body."""
    return {"error": error, "status": status, "message": message}
