"""What the roster needs of a :class:`~hyperbuds_sync.SocialSync`, as a protocol.

The client wires the roster in (``SocialSync.sync_many``), so the roster may not import the
client back (docs/architecture.md's layers): it names the few members it uses here, and a
``SocialSync`` has them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..history import HistoryStore, Snapshot
from ..metrics import Metrics
from ..models import ManualEntry, PlatformData, ProviderState, QuotaStatus, SyncResult
from ..platforms import PlatformRegistry
from ..transport import RequestLoop

__all__ = ["SocialSyncLike"]


class SocialSyncLike(Protocol):
    """The members of :class:`~hyperbuds_sync.SocialSync` a roster, a fleet worker and
    ``sync_many`` use."""

    metrics: Metrics
    platforms: PlatformRegistry

    @property
    def redis_url(self) -> str | None:
        """The Redis the client shares its state through, if any."""
        ...

    @property
    def requests(self) -> RequestLoop:
        """The client's one request loop (the roster's webhooks go through it)."""
        ...

    @property
    def history_store(self) -> HistoryStore:
        """The history store (raises ``ConfigError`` without one)."""
        ...

    async def fetch(
        self, platform: str, username: str, *, refresh: bool = ..., provider: str | None = ...
    ) -> PlatformData:
        """One creator's stats on ``platform``."""
        ...

    async def sync(self, platform: str, data: PlatformData | ManualEntry | str) -> SyncResult:
        """Send one platform's stats to the backend."""
        ...

    async def history(
        self, platform: str, username: str, *, since: datetime | None = ...
    ) -> list[Snapshot]:
        """The creator's recorded snapshots, oldest first (the anomaly hooks read them)."""
        ...

    async def providers(self) -> dict[str, list[ProviderState]]:
        """Per platform, each provider of its chain with its state."""
        ...

    def quota(self) -> dict[str, QuotaStatus]:
        """The latest quota facts per provider host."""
        ...
