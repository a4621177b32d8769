"""Signing and verifying: the two signature headers, the event id, the tolerance window and the
seen ids that refuse a replay."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ..errors import InvalidInput

__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "MemorySeenIds",
    "SeenIds",
    "WebhookReplayError",
    "WebhookSignatureError",
    "sign",
    "verify",
]

TIMESTAMP_HEADER = "X-HyperBuds-Timestamp"
SIGNATURE_HEADER = "X-HyperBuds-Signature"
EVENT_ID_HEADER = "X-HyperBuds-Event-Id"
_SCHEME = "sha256="


class WebhookSignatureError(InvalidInput):
    """A webhook's signature is missing, malformed, wrong, or its timestamp is too old."""


class WebhookReplayError(WebhookSignatureError):
    """A genuine webhook whose event id was seen already (a replay, or the sender's retry of an
    event taken): drop it, and answer 2xx so the sender stops."""

    def __init__(self, message: str, event_id: str) -> None:
        super().__init__(message)
        self.event_id = event_id


class SeenIds(Protocol):
    """The event ids a receiver has taken, for :func:`verify` to refuse a replay."""

    def add(self, event_id: str, until: float) -> bool:
        """Remember ``event_id`` until epoch ``until``; ``False`` when it was seen already."""
        ...

    def discard(self, event_id: str) -> None:
        """Forget ``event_id`` (its processing failed: the sender's retry must get through)."""
        ...


class MemorySeenIds:
    """:class:`SeenIds` in this process: each id kept until its timestamp leaves the window
    (later it is refused as too old anyway), at most ``maxsize`` ids (the oldest dropped)."""

    def __init__(self, maxsize: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        if maxsize < 1:
            raise InvalidInput("maxsize must be >= 1")
        self._maxsize = maxsize
        self._clock = clock
        self._until: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._until)

    def add(self, event_id: str, until: float) -> bool:
        """See :meth:`SeenIds.add`."""
        now = self._clock()
        held = self._until.get(event_id)
        if held is not None and held > now:
            return False
        self._until.pop(event_id, None)
        if len(self._until) >= self._maxsize:
            self._prune(now)
        self._until[event_id] = until
        return True

    def discard(self, event_id: str) -> None:
        """See :meth:`SeenIds.discard`."""
        self._until.pop(event_id, None)

    def _prune(self, now: float) -> None:
        for name in [n for n, u in self._until.items() if u <= now]:
            del self._until[name]
        while len(self._until) >= self._maxsize:  # still full: the oldest added go first
            del self._until[next(iter(self._until))]


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


def _tolerance(value: object) -> float:
    """``value`` as a window in seconds: a finite number > 0, else :class:`InvalidInput`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"tolerance must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"tolerance must be a finite number of seconds > 0, got {value!r}")
    return float(value)


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    tolerance: float = 300,
    *,
    now: float | None = None,
    seen: SeenIds | None = None,
) -> None:
    """Check a received webhook; return ``None`` when genuine, else raise
    :class:`WebhookSignatureError`.

    ``body`` is the raw request body; ``headers`` are matched case-insensitively; ``secret`` may
    list the old and the new secret while one rotates. A timestamp more than ``tolerance``
    seconds from ``now`` (the clock by default) is refused, in either direction. Comparisons are
    constant-time.

    With ``seen`` (a :class:`SeenIds`, such as :class:`MemorySeenIds`), a genuine webhook's event
    id (the body's signed ``id``, which ``X-HyperBuds-Event-Id`` must match) is remembered, and
    one seen already raises :class:`WebhookReplayError`: answer it 2xx and drop it.

    Raises:
        InvalidInput: ``tolerance`` is not a finite number > 0 (checked before anything else).
        WebhookSignatureError: not genuine, too old, or (``seen``) without an event id.
        WebhookReplayError: (``seen``) an id seen already.
    """
    window = _tolerance(tolerance)
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
    if abs(current - ts) > window:
        raise WebhookSignatureError(f"the webhook's timestamp is outside the {window:g} s window")
    offered = [p.strip()[len(_SCHEME) :] for p in given.split(",") if p.strip().startswith(_SCHEME)]
    expected = [_digest(s, ts, body) for s in _secrets(secret)]
    matched = False
    for candidate in offered:
        for digest in expected:  # no early exit: every pair is compared
            matched |= hmac.compare_digest(candidate.encode(), digest.encode())
    if not matched:
        raise WebhookSignatureError("the webhook's signature does not match")
    if seen is not None:
        event_id = _signed_id(body, lowered.get(EVENT_ID_HEADER.lower()))
        if not seen.add(event_id, ts + window):
            raise WebhookReplayError(f"the webhook's event {event_id} was seen already", event_id)


def _signed_id(body: bytes, header: str | None) -> str:
    """The body's ``id`` (signed), which the event id header must match when present."""
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        event = None
    event_id = event.get("id") if isinstance(event, dict) else None
    if not isinstance(event_id, str) or not event_id:
        raise WebhookSignatureError("the webhook's body has no event id")
    if header is not None and header.strip() != event_id:
        raise WebhookSignatureError("the webhook's event id header does not match its body")
    return event_id
