"""Delivering change events: the outbound URL policy, the event id, the retry rule, and what is
kept for replay."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, Literal

import aiohttp

from ..errors import ConfigError
from ..transport import ERROR_BODY_CAP, NETWORK_FAULTS, RequestLoop, RetryPolicy, Sleep, check_url
from ._signing import EVENT_ID_HEADER, sign

__all__ = [
    "DEFAULT_WAITS",
    "FINAL_STATUSES",
    "Outcome",
    "check_webhook_url",
    "deliver",
    "encode",
    "send",
    "with_id",
]

DEFAULT_WAITS = (10.0, 30.0)
"""Seconds between the 3 delivery tries."""
FINAL_STATUSES: Final = frozenset({400, 401, 403, 404, 410})
"""Answers that say the receiver will never take the event: not retried, not kept for replay."""

Outcome = Literal["delivered", "refused", "failed"]
"""A delivery's end: taken (a 2xx), refused for good (:data:`FINAL_STATUSES`), or failed (kept
for replay by :func:`deliver`'s ``on_failed``)."""


_log = logging.getLogger("hyperbuds_sync.webhooks")
_RETRY_STATUSES: Final = frozenset({408, 429})
"""Besides a 5xx: answers worth another try."""


class _TryAgain(Exception):
    """A try worth another (a 5xx, 408, 429 or a connection fault): the retry loop's signal."""


def check_webhook_url(url: str, *, allow_insecure_webhooks: bool = False) -> str:
    """``url`` when the SDK's outbound policy allows it (the backend URL's: https, or plain
    http to loopback unless ``allow_insecure_webhooks``; never ``file:``, link-local or cloud
    metadata addresses, whatever the flag).

    Raises:
        ConfigError: the URL breaks the policy.
    """
    if not isinstance(url, str):
        raise ConfigError("a webhook URL must be a string")
    check_url(
        url.strip(),
        allow_insecure_http=allow_insecure_webhooks,
        what="webhook URL",
        flag="allow_insecure_webhooks",
    )
    return url.strip()


def with_id(event: Mapping[str, Any]) -> dict[str, Any]:
    """``event`` with an ``id`` (a new random one when it has none, or a blank one)."""
    given = event.get("id")
    if isinstance(given, str) and given.strip():
        return dict(event)
    return {**event, "id": uuid.uuid4().hex}


def encode(event: Mapping[str, Any]) -> bytes:
    """The JSON body sent for ``event`` (compact, UTF-8; non-JSON values as strings)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str).encode()


async def deliver(
    session: aiohttp.ClientSession | RequestLoop,
    url: str,
    event: Mapping[str, Any],
    secret: str | Sequence[str],
    *,
    waits: Sequence[float] = DEFAULT_WAITS,
    try_timeout: float = 5.0,
    on_failed: Callable[[Mapping[str, Any]], object] | None = None,
    sleep: Sleep | None = None,
    allow_insecure_webhooks: bool = False,
) -> bool:
    """POST ``event`` as signed JSON to ``url``; ``True`` once a 2xx answer comes.

    :func:`send` does the tries (its docstring states the retry rule). When they fail, without
    a final refusal, ``on_failed(event)`` is called (sync or async, with the event and its
    ``id``) so it can be kept for replay, and ``False`` returned; a final refusal
    (:data:`FINAL_STATUSES`) returns ``False`` without it. ``session`` (a session or a client's
    request loop) is borrowed, never closed.

    Raises:
        ConfigError: ``url`` breaks the outbound URL policy (:func:`check_webhook_url`).
    """
    event = with_id(event)
    outcome = await send(
        session,
        url,
        event,
        secret,
        waits=waits,
        try_timeout=try_timeout,
        sleep=sleep,
        allow_insecure_webhooks=allow_insecure_webhooks,
    )
    if outcome == "failed" and on_failed is not None:
        kept = on_failed(event)
        if isinstance(kept, Awaitable):
            await kept
    return outcome == "delivered"


async def send(
    session: aiohttp.ClientSession | RequestLoop,
    url: str,
    event: Mapping[str, Any],
    secret: str | Sequence[str],
    *,
    waits: Sequence[float] = DEFAULT_WAITS,
    try_timeout: float = 5.0,
    sleep: Sleep | None = None,
    allow_insecure_webhooks: bool = False,
) -> Outcome:
    """Deliver ``event`` (given an ``id`` if it has none) and say how it ended.

    The retry rule (the webhooks' policy in the SDK's one retry loop): up to ``len(waits) + 1``
    tries (3 by default), ``waits[i]`` seconds apart, each signed afresh, each with the event's
    id in ``X-HyperBuds-Event-Id``, each allowed ``try_timeout`` seconds. A 5xx, 408, 429 or a
    connection fault (refused, reset) is tried again. A try that **times out** is not: the
    receiver may have the event and still be working on it, so a slow receiver never gets it
    three times; the delivery ends ``"failed"`` (kept and replayed later, one try each). A final
    refusal (:data:`FINAL_STATUSES`: 400, 401, 403, 404, 410) ends ``"refused"``, never kept;
    another 4xx ends ``"failed"`` without a retry. ``session`` (a session or a client's request
    loop) is borrowed, never closed; ``sleep`` waits between tries (the loop's by default).
    """
    check_webhook_url(url, allow_insecure_webhooks=allow_insecure_webhooks)
    event = with_id(event)
    body = encode(event)
    loop = RequestLoop(session, sleep=sleep)
    policy = RetryPolicy.fixed(tuple(waits))
    tries = 0

    async def attempt() -> Outcome:
        nonlocal tries
        tries += 1
        return await _post(loop, url, body, str(event["id"]), secret, try_timeout)

    try:
        outcome = await loop.call(policy, (_TryAgain,), attempt)
    except _TryAgain:
        outcome = "failed"
    if outcome == "refused":
        _log.warning("webhook refused for good (HTTP 4xx): event %s dropped", event["id"])
    elif outcome == "failed":
        _log.warning("webhook delivery of event %s failed after %d tries", event["id"], tries)
    return outcome


async def _post(
    loop: RequestLoop,
    url: str,
    body: bytes,
    event_id: str,
    secret: str | Sequence[str],
    try_timeout: float,
) -> Outcome:
    """One try: delivered, refused for good, or failed (no retry may help); :class:`_TryAgain`
    raised when another try may help."""
    headers = {"Content-Type": "application/json", EVENT_ID_HEADER: event_id}
    headers.update(sign(body, secret))
    try:
        answer = await loop.send(
            "POST",
            url,
            data=body,
            headers=headers,
            cap=ERROR_BODY_CAP,
            timeout=aiohttp.ClientTimeout(total=try_timeout),
        )
    except TimeoutError:  # the receiver may have it, still working: no retry now
        _log.info("webhook try timed out after %g s", try_timeout)
        return "failed"
    except NETWORK_FAULTS as exc:
        _log.info("webhook try failed: %s", type(exc).__name__)
        raise _TryAgain from None
    status = answer.status
    if answer.ok:
        return "delivered"
    _log.info("webhook answered HTTP %d", status)
    if status >= 500 or status in _RETRY_STATUSES:
        raise _TryAgain
    return "refused" if status in FINAL_STATUSES else "failed"
