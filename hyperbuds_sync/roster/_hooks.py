"""Change hooks: after a sync, when followers or engagement moved beyond a threshold since the
previous sync, call ``on_change`` and POST a signed event to the webhook; after a fresh fetch
that reveals a growth anomaly, call ``on_anomaly`` and POST an ``anomaly.detected`` event.

Deliveries run in the background (3 tries with backoff, :func:`hyperbuds_sync.webhooks.send`
states the retry rule), so a slow receiver never holds a refresh. Delivery is at least once, each
event with its id: a delivery that fails is kept in the store and sent again by
:meth:`ChangeHooks.replay`, one try per replay, until it gets through, is refused for good (400,
401, 403, 404, 410: dropped) or has been replayed ``max_replays`` times (dropped, one WARNING).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from .. import webhooks
from ..anomalies import Anomaly, AnomalySettings, revealed
from ..errors import ConfigError
from ..history import Snapshot
from ..models import PlatformData
from ..transport import RequestLoop

if TYPE_CHECKING:
    from ..history import PlatformState, RosterStore
    from ._refresh import RefreshOutcome
    from ._sdk import SocialSyncLike

__all__ = ["DEFAULT_MAX_REPLAYS", "ChangeHooks", "OnAnomaly", "OnChange", "SyncedStats"]

DEFAULT_MAX_REPLAYS = 10
"""Replays of a kept delivery (one try each) before it is given up and dropped."""

_log = logging.getLogger("hyperbuds_sync.webhooks")


@attrs.frozen
class SyncedStats:
    """The values a creator-platform's previous sync sent: what a change is measured from."""

    followers: int
    average_engagement: float | None


OnChange = Callable[[str, str, "SyncedStats | None", PlatformData], "object | Awaitable[object]"]
"""``on_change(creator_id, platform, before, after)``; ``before`` is ``None`` on a first sync."""

OnAnomaly = Callable[[str, str, Anomaly], "object | Awaitable[object]"]
"""``on_anomaly(creator_id, platform, anomaly)``, once per anomaly a refresh reveals."""


def _stats(stats: SyncedStats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {"followers": stats.followers, "average_engagement": stats.average_engagement}


def event_of(
    creator_id: str, platform: str, before: SyncedStats | None, after: PlatformData
) -> dict[str, Any]:
    """The JSON event a webhook receives."""
    now = SyncedStats(after.followers, after.average_engagement)
    return {
        "id": uuid.uuid4().hex,
        "type": "creator.stats_changed",
        "creator_id": creator_id,
        "platform": platform,
        "username": after.username,
        "fetched_at": after.last_fetched.astimezone(UTC).isoformat(),
        "sent_at": datetime.now(UTC).isoformat(),
        "before": _stats(before),
        "after": _stats(now),
    }


class ChangeHooks:
    """The callback and the webhook of a roster; :meth:`aclose` waits for deliveries under way.

    Deliveries go through ``requests``, the client's request loop (its session, its retry
    loop), or a loop of the hooks' own when none is given.
    """

    def __init__(
        self,
        store: RosterStore,
        *,
        on_change: OnChange | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | Sequence[str] | None = None,
        followers_pct: float = 1.0,
        engagement_pct: float = 5.0,
        waits: Sequence[float] = webhooks.DEFAULT_WAITS,
        allow_insecure_webhooks: bool = False,
        max_replays: int = DEFAULT_MAX_REPLAYS,
        requests: RequestLoop | None = None,
        on_anomaly: OnAnomaly | None = None,
        anomaly_settings: AnomalySettings | None = None,
    ) -> None:
        if webhook_url and not webhook_secret:
            raise ConfigError("a webhook_url needs a webhook_secret to sign its events with")
        if isinstance(max_replays, bool) or not isinstance(max_replays, int) or max_replays < 1:
            raise ConfigError(f"webhook max_replays must be an int >= 1, got {max_replays!r}")
        self._insecure = allow_insecure_webhooks
        self.url = (
            webhooks.check_webhook_url(webhook_url, allow_insecure_webhooks=allow_insecure_webhooks)
            if webhook_url
            else None
        )
        self.max_replays = max_replays
        self.store = store
        self.on_change = on_change
        self._secret = webhook_secret
        self.followers_pct = followers_pct
        self.engagement_pct = engagement_pct
        self.waits = tuple(waits)
        self._lender = requests
        self._requests = RequestLoop(requests)  # closing it closes only a session of its own
        self.on_anomaly = on_anomaly
        self.anomaly_settings = anomaly_settings or AnomalySettings()
        self._tasks: set[asyncio.Task[bool]] = set()

    def __repr__(self) -> str:
        return f"ChangeHooks(url={self.url!r})"  # never the secret

    async def after_sync(
        self, creator_id: str, platform: str, before: SyncedStats | None, after: PlatformData
    ) -> bool:
        """Fire the hooks when ``after`` moved beyond a threshold since ``before``; whether it
        did."""
        if self.on_change is None and self.url is None:
            return False
        if not webhooks.changed(before, after, self.followers_pct, self.engagement_pct):
            return False
        if self.on_change is not None:
            answer = self.on_change(creator_id, platform, before, after)
            if inspect.isawaitable(answer):
                await answer
        if self.url is not None:
            self._deliver(self.url, event_of(creator_id, platform, before, after))
        return True

    @property
    def wants_anomalies(self) -> bool:
        """Whether a refresh should look for anomalies: someone listens (``on_anomaly`` or the
        webhook)."""
        return self.on_anomaly is not None or self.url is not None

    async def after_refresh(
        self, sync: SocialSyncLike, state: PlatformState, outcome: RefreshOutcome
    ) -> list[Anomaly]:
        """After a fresh fetch, fire the hooks for the anomalies its snapshot reveals, when
        someone listens. A history that cannot be read logs a warning; it never fails the
        refresh."""
        data = outcome.data
        if not self.wants_anomalies or not isinstance(data, PlatformData) or data.stale:
            return []
        settings = self.anomaly_settings
        since = data.last_fetched - timedelta(
            days=settings.lookback_days + settings.divergence_days
        )
        try:
            snapshots = await sync.history(state.platform, state.username, since=since)
        except Exception as exc:  # a failing store never fails a refresh
            _log.warning(
                "anomalies of %s on %s not read: %s", state.creator_id, state.platform, exc
            )
            return []
        return await self.after_fetch(state.creator_id, state.platform, state.username, snapshots)

    async def after_fetch(
        self, creator_id: str, platform: str, username: str, snapshots: Sequence[Snapshot]
    ) -> list[Anomaly]:
        """Fire the hooks for each anomaly the latest of ``snapshots`` (the creator's history,
        the fresh fetch last) reveals; return them."""
        found = revealed(snapshots, self.anomaly_settings)
        for anomaly in found:
            if self.on_anomaly is not None:
                answer = self.on_anomaly(creator_id, platform, anomaly)
                if inspect.isawaitable(answer):
                    await answer
            if self.url is not None:
                event = webhooks.anomaly_event(creator_id, platform, username, anomaly.to_record())
                self._deliver(self.url, event)
        return found

    def _deliver(self, url: str, event: Mapping[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(url, event, self.waits))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, url: str, event: Mapping[str, Any], waits: Sequence[float]) -> bool:
        assert self._secret is not None
        outcome = await webhooks.send(
            self._requests,
            url,
            event,
            self._secret,
            waits=waits,
            allow_insecure_webhooks=self._insecure,
        )
        if outcome == "failed":  # a final refusal is not kept: no replay would change it
            await self.store.keep_delivery(url, event, len(waits) + 1)
        return outcome == "delivered"

    async def replay(self) -> int:
        """Send the kept deliveries again (one try each, the event's id unchanged); return how
        many got through. A delivery refused for good (400, 401, 403, 404, 410) is forgotten; one
        still failing stays kept, its tries counted, until it has been replayed
        ``max_replays`` times: then it is dropped with a WARNING."""
        if self.url is None or self._secret is None:
            raise ConfigError("replaying webhooks needs webhook_url and webhook_secret")
        sent = 0
        first = len(self.waits) + 1  # the tries a delivery had when it was kept
        for kept in await self.store.deliveries():
            outcome = await self._replay_one(kept.url, kept.event)
            replays = max(0, kept.tries - first) + 1
            if outcome == "failed" and replays < self.max_replays:
                await self.store.delivered(kept.id, tries=kept.tries + 1)
                continue
            if outcome == "failed":
                _log.warning(
                    "webhook event %s given up after %d replays: dropped",
                    kept.event.get("id"),
                    replays,
                )
            await self.store.delivered(kept.id)
            sent += outcome == "delivered"
        return sent

    async def _replay_one(self, url: str, event: Mapping[str, Any]) -> webhooks.Outcome:
        """One try of a kept delivery; a URL the policy refuses now is refused for good."""
        assert self._secret is not None
        try:
            return await webhooks.send(
                self._requests,
                url,
                event,
                self._secret,
                waits=(),
                allow_insecure_webhooks=self._insecure,
            )
        except ConfigError as exc:
            _log.warning("kept webhook delivery dropped: %s", exc)
            return "refused"

    async def drain(self) -> None:
        """Wait for the deliveries under way (each keeps itself in the store when it fails)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Finish the deliveries under way, then close the webhook session if it is the hooks'
        own."""
        await self.drain()
        await self._requests.aclose()
        self._requests = RequestLoop(self._lender)  # as before: the hooks may be used again
