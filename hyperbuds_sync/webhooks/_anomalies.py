"""The ``anomaly.detected`` event: its type and its body."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["ANOMALY_DETECTED", "anomaly_event"]

ANOMALY_DETECTED = "anomaly.detected"
"""The event type a roster sends when a refresh reveals a growth anomaly."""


def anomaly_event(
    creator_id: str, platform: str, username: str, anomaly: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON event ``anomaly.detected`` for one anomaly (its ``to_record()`` row).

    Its ``id`` is the same for the same creator, platform, kind and start, so a receiver that
    drops repeats by id (delivery is at least once) drops a second report of one anomaly too.
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
