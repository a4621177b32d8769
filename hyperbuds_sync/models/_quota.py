"""The quota facts shown for each provider host and key (keys by fingerprint only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import frozen

from . import _display

__all__ = ["KeyQuota", "QuotaStatus"]


@frozen
class KeyQuota:
    """Quota facts of one RapidAPI key on one host. Keys are shown by fingerprint only."""

    fingerprint: str
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    benched_until: datetime | None = None
    calls: int = 0


@frozen
class QuotaStatus:
    """The latest ``x-ratelimit-requests-*`` facts seen for one provider host."""

    host: str
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    keys: tuple[KeyQuota, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """A flat snake_case row (``keys`` as their number)."""
        return {
            "host": self.host,
            "limit": self.limit,
            "remaining": self.remaining,
            "reset_at": self.reset_at,
            "keys": len(self.keys),
        }

    def _repr_html_(self) -> str:
        return _display.record_table(f"quota on {self.host}", self.to_record())


@frozen
class ProviderState:
    """One provider of a platform's chain, as :meth:`SocialSync.providers` shows it.

    ``available`` is false while the provider is benched, until ``benched_until``: for a spent
    quota until its reset (``reason`` ``"quota exceeded"``), after it refused the credentials for
    the client's ``auth_bench_seconds`` (``reason``: the refusal's message).
    """

    provider: str
    platform: str
    available: bool
    benched_until: datetime | None = None
    reason: str = ""
