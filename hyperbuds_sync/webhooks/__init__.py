"""Signed change webhooks: :func:`sign` and :func:`deliver` for senders, :func:`verify` for
receivers, and :func:`changed` to decide when a change is worth an event.

The signature: ``HMAC-SHA256(secret, f"{timestamp}.".encode() + body)`` in hex, where ``body`` is
the raw request body (bytes, exactly as sent) and ``timestamp`` the Unix time in whole seconds.
Headers::

    X-HyperBuds-Timestamp: 1735689600
    X-HyperBuds-Signature: sha256=<hex>[,sha256=<hex>...]
    X-HyperBuds-Event-Id: 3f2a...  (also the body's "id", which the signature covers)

While a secret rotates, the sender signs with every secret it holds (one ``sha256=`` item each) and
a receiver accepts a request when any of them matches any secret it holds. The timestamp is signed
too, so an old request cannot be replayed past ``tolerance`` seconds; within it, a receiver that
gives :func:`verify` a store of seen ids (``seen=``, :class:`MemorySeenIds`) refuses a replayed
id.

Delivery is **at least once**: a retry or a replay may bring an event the receiver already has
(its answer was lost, or came after the try's timeout), with the same id, so a receiver drops
duplicates by id. URLs are held to the SDK's one outbound policy (https, or http to loopback only
unless ``allow_insecure_webhooks=True``; never ``file:``, link-local or metadata addresses).
"""

from __future__ import annotations

from ._anomalies import ANOMALY_DETECTED, anomaly_event
from ._changes import Stats, changed
from ._delivery import (
    DEFAULT_WAITS,
    FINAL_STATUSES,
    Outcome,
    check_webhook_url,
    deliver,
    encode,
    send,
    with_id,
)
from ._signing import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    MemorySeenIds,
    SeenIds,
    WebhookReplayError,
    WebhookSignatureError,
    sign,
    verify,
)

__all__ = [
    "ANOMALY_DETECTED",
    "DEFAULT_WAITS",
    "EVENT_ID_HEADER",
    "FINAL_STATUSES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "MemorySeenIds",
    "Outcome",
    "SeenIds",
    "Stats",
    "WebhookReplayError",
    "WebhookSignatureError",
    "anomaly_event",
    "changed",
    "check_webhook_url",
    "deliver",
    "encode",
    "send",
    "sign",
    "verify",
    "with_id",
]

for _public in (
    MemorySeenIds,
    WebhookReplayError,
    WebhookSignatureError,
    anomaly_event,
    changed,
    check_webhook_url,
    deliver,
    encode,
    send,
    sign,
    verify,
    with_id,
):  # tracebacks and pickles name hyperbuds_sync.webhooks, the public home
    _public.__module__ = __name__
