"""Signed change webhooks: :func:`sign` and :func:`deliver` for senders, :func:`verify` for
receivers, and :func:`changed` to decide when a change is worth an event.

The signature: ``HMAC-SHA256(secret, f"{timestamp}.".encode() + body)`` in hex, where ``body`` is
the raw request body (bytes, exactly as sent) and ``timestamp`` the Unix time in whole seconds.
Headers::

    X-HyperBuds-Timestamp: 1735689600
    X-HyperBuds-Signature: sha256=<hex>[,sha256=<hex>...]

While a secret rotates, the sender signs with every secret it holds (one ``sha256=`` item each) and
a receiver accepts a request when any of them matches any secret it holds. The timestamp is signed
too, so an old request cannot be replayed past ``tolerance`` seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import aiohttp

from .errors import InvalidInput

__all__ = [
    "ANOMALY_DETECTED",
    "DEFAULT_WAITS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Stats",
    "WebhookSignatureError",
    "anomaly_event",
    "changed",
    "deliver",
    "encode",
    "sign",
    "verify",
]

TIMESTAMP_HEADER = "X-HyperBuds-Timestamp"
SIGNATURE_HEADER = "X-HyperBuds-Signature"
_SCHEME = "sha256="
DEFAULT_WAITS = (10.0, 30.0)
"""Seconds between the 3 delivery tries."""

_log = logging.getLogger("hyperbuds_sync.webhooks")


class WebhookSignatureError(InvalidInput):
    """A webhook's signature is missing, malformed, wrong, or its timestamp is too old."""


def _secrets(secret: str | Sequence[str]) -> list[str]:
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(isinstance(s, str) and s for s in secrets):
        raise InvalidInput("a webhook secret must be a non-empty string, or a list of them")
    return secrets


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str | Sequence[str], timestamp: int | None = None) -> dict[str, str]:
    """The two signature headers for ``body``, signed at ``timestamp`` (now by default) with each
    secret given (several while a secret rotates)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signatures = ",".join(_SCHEME + _digest(s, ts, body) for s in _secrets(secret))
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: signatures}


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    tolerance: float = 300,
    *,
    now: float | None = None,
) -> None:
    """Check a received webhook; return ``None`` when genuine, else raise
    :class:`WebhookSignatureError`.

    ``body`` is the raw request body; ``headers`` are matched case-insensitively; ``secret`` may
    list the old and the new secret while one rotates. A timestamp more than ``tolerance``
    seconds from ``now`` (the clock by default) is refused, in either direction. Comparisons are
    constant-time.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower())
    given = lowered.get(SIGNATURE_HEADER.lower())
    if stamp is None or given is None:
        raise WebhookSignatureError("the webhook has no signature or no timestamp header")
    try:
        ts = int(stamp.strip())
    except ValueError:
        raise WebhookSignatureError("the webhook's timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        raise WebhookSignatureError(
            f"the webhook's timestamp is outside the {tolerance:g} s window"
        )
    offered = [p.strip()[len(_SCHEME) :] for p in given.split(",") if p.strip().startswith(_SCHEME)]
    expected = [_digest(s, ts, body) for s in _secrets(secret)]
    matched = False
    for candidate in offered:
        for digest in expected:  # no early exit: every pair is compared
            matched |= hmac.compare_digest(candidate.encode(), digest.encode())
    if not matched:
        raise WebhookSignatureError("the webhook's signature does not match")


def encode(event: Mapping[str, Any]) -> bytes:
    """The JSON body sent for ``event`` (compact, UTF-8; non-JSON values as strings)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str).encode()


async def deliver(
    session: aiohttp.ClientSession,
    url: str,
    event: Mapping[str, Any],
    secret: str | Sequence[str],
    *,
    waits: Sequence[float] = DEFAULT_WAITS,
    try_timeout: float = 5.0,
    on_failed: Callable[[Mapping[str, Any]], object] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """POST ``event`` as signed JSON to ``url``; ``True`` once a 2xx answer comes.

    Tries ``len(waits) + 1`` times (3 by default), waiting ``waits[i]`` seconds between tries and
    signing each try afresh; each try may take ``try_timeout`` seconds (10 + 30 + 3 x 5 s: within
    about a minute). 5xx, 408, 429 and network faults are retried; another 4xx is final.
    When no try succeeds, ``on_failed(event)`` is called (sync or async) so the event can be
    kept for replay, and ``False`` returned. ``session`` is borrowed, never closed.
    """
    body = encode(event)
    tries = len(waits) + 1
    for attempt in range(tries):
        retry = await _post(session, url, body, secret, try_timeout)
        if retry is None:
            return True
        if not retry or attempt == tries - 1:
            break
        await sleep(waits[attempt])
    _log.warning("webhook delivery failed after %d tries", attempt + 1)
    if on_failed is not None:
        outcome = on_failed(event)
        if isinstance(outcome, Awaitable):
            await outcome
    return False


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    secret: str | Sequence[str],
    try_timeout: float,
) -> bool | None:
    """One try: ``None`` when delivered, else whether another try may help."""
    headers = {"Content-Type": "application/json", **sign(body, secret)}
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=try_timeout)
        ) as response:
            if 200 <= response.status < 300:
                return None
            _log.info("webhook answered HTTP %d", response.status)
            return response.status >= 500 or response.status in (408, 429)
    except (aiohttp.ClientError, TimeoutError) as exc:
        _log.info("webhook try failed: %s", type(exc).__name__)
        return True


class Stats(Protocol):
    """What :func:`changed` reads: a record's followers and engagement rate."""

    @property
    def followers(self) -> int: ...

    @property
    def average_engagement(self) -> float | None: ...


def _moved(before: float, after: float, pct: float) -> bool:
    if before == 0:
        return after != 0
    return abs(after - before) / abs(before) * 100 >= pct


def changed(
    before: Stats | None,
    after: Stats,
    followers_pct: float = 1.0,
    engagement_pct: float = 5.0,
) -> bool:
    """Whether ``after`` moved beyond a threshold since ``before`` (the last synced record):
    followers by ``followers_pct`` percent or more, or the engagement rate by ``engagement_pct``
    percent (relative) or more; an unknown engagement (``None``) on either side is no move. A
    first record (``before is None``) is a change."""
    if followers_pct < 0 or engagement_pct < 0:
        raise InvalidInput("change thresholds must be >= 0 percent")
    if before is None:
        return True
    if _moved(before.followers, after.followers, followers_pct):
        return True
    was, now = before.average_engagement, after.average_engagement
    return was is not None and now is not None and _moved(was, now, engagement_pct)


ANOMALY_DETECTED = "anomaly.detected"
"""The event type a roster sends when a refresh reveals a growth anomaly."""


def anomaly_event(
    creator_id: str, platform: str, username: str, anomaly: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON event ``anomaly.detected`` for one anomaly (its ``to_record()`` row).

    Its ``id`` is the same for the same creator, platform, kind and start, so a receiver can
    drop a repeat (delivery is at least once).
    """
    key = f"{creator_id}|{platform}|{anomaly['kind']}|{anomaly['start']}"
    return {
        "id": hashlib.sha256(key.encode()).hexdigest()[:32],
        "type": ANOMALY_DETECTED,
        "creator_id": creator_id,
        "platform": platform,
        "username": username,
        "sent_at": datetime.now(UTC).isoformat(),
        "anomaly": {k: v.isoformat() if isinstance(v, datetime) else v for k, v in anomaly.items()},
    }
