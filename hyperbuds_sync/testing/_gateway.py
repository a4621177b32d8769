"""The RapidAPI gateway's own part of an answer: its headers, its rate-limit headers, the
per-second and monthly-quota 429s it sends before a request reaches a provider, and the count
of the requests it received."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from aiohttp import web

from ._faults import JSON_TYPE, CannedAnswer, dumps
from ._limits import Spent
from ._shapes import Provider

__all__ = ["VERSION", "CallCounts", "Refusal", "add_rate_headers", "gateway_headers", "refusal"]

VERSION = "1.2.8"
"""The gateway version the emulator announces."""

Refusal = tuple[int, dict[str, str], dict[str, str]]
"""A refusal's status, body and extra headers."""


def gateway_headers(request_id: str) -> dict[str, str]:
    """The headers the gateway sends with every answer."""
    return {
        "Content-Type": JSON_TYPE,
        "server": f"RapidAPI-{VERSION}",
        "x-rapidapi-version": VERSION,
        "x-rapidapi-region": "AWS - us-east-1",
        "x-rapidapi-request-id": request_id,
    }


def gateway_refusal(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    """An answer of the gateway itself (no provider reached): marked as RapidAPI marks it."""
    headers["x-rapidapi-mock-response"] = "true"
    return CannedAnswer(status, dumps(body), headers).response()


def add_rate_headers(headers: dict[str, str], spent: Spent, scope: tuple[str, str]) -> None:
    """Add the ``x-ratelimit-requests-*`` headers of ``scope`` to ``headers``."""
    headers["x-ratelimit-requests-limit"] = str(spent.limit)
    headers["x-ratelimit-requests-remaining"] = str(spent.remaining(scope))
    headers["x-ratelimit-requests-reset"] = str(spent.reset_in())


def refusal(
    spent: Spent, provider: Provider, scope: tuple[str, str], *, plan: str, retry_after: bool
) -> Refusal | None:
    """The per-second or monthly-quota 429 (status, body, extra headers), or ``None``.

    ``None`` means the call goes ahead, and has spent one request of the quota.
    """
    wait = spent.burst_wait(scope)
    if wait is not None:
        message = (
            f"You have exceeded the rate limit per second for your plan, {plan}, "
            "by the API provider"
        )
        extra = {"Retry-After": str(max(1, math.ceil(wait)))} if retry_after else {}
        return 429, {"message": message}, extra
    if spent.spend(scope):
        return None
    message = (
        f"You have exceeded the MONTHLY quota for Requests on your current plan, {plan}. "
        f"Upgrade your plan at {provider.plan_url}"
    )
    return 429, {"message": message}, {"x-rapidapi-mock-response": "true"}


class CallCounts:
    """Requests the gateway received, per ``(host, canonical username, key)`` and in all."""

    def __init__(self) -> None:
        self._calls: Counter[tuple[str, str, str]] = Counter()
        self.total = 0

    def count(self, host: str, username: str, key: str) -> None:
        """Count one request (rejected ones are counted too)."""
        self._calls[(host, username, key)] += 1
        self.total += 1

    def matching(self, host: str | None, name: str | None, key: str | None) -> int:
        """Requests that match every filter that is not ``None``."""
        return sum(
            n
            for (h, u, k), n in self._calls.items()
            if (host is None or h == host)
            and (name is None or u == name)
            and (key is None or k == key)
        )

    def clear(self) -> None:
        """Set every count to 0."""
        self._calls.clear()
        self.total = 0
