"""One creator-platform refreshed: fetch, then sync with the creator's own token.

Shared by the roster's runner, the fleet's worker and :meth:`SocialSync.sync_many`, so the rules
live once: data served stale is never synced; a creator without a token is fetched (and so
recorded in the history) but not synced, and the outcome says so; the sudden-drop guard applies
because the sync goes through :meth:`SocialSync.sync`, for this creator (``for_creator``): one
creator's last sync never judges another's.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from ..backend import acting_for, for_creator
from ..errors import HyperbudsSyncError, InvalidInput
from ..history import check_creator_id
from ..metrics import UPSTREAM_CALLS
from ..models import ManualEntry, PlatformData, SyncResult

if TYPE_CHECKING:
    from ..metrics import Tally
    from ._sdk import SocialSyncLike

__all__ = ["RefreshOutcome", "TokenFor", "fetch_and_sync", "token_of"]

TokenFor = Callable[[str], "str | Awaitable[str | None] | None"]
"""``creator_id -> token``, sync or async; ``None`` (or ``""``) when the creator has none."""

Status = Literal["synced", "fetched", "failed"]

NO_TOKEN = "no token for this creator: fetched and recorded, not synced"  # noqa: S105
STALE = "the data was served stale: not synced"


@attrs.frozen
class RefreshOutcome:
    """What became of one creator-platform.

    ``status``: ``"synced"`` (fetched and synced), ``"fetched"`` (fetched and recorded, not
    synced: ``reason`` says why, e.g. no token) or ``"failed"`` (``error`` says why; ``data`` is
    set when the fetch worked and the sync did not).
    """

    creator_id: str
    platform: str
    status: Status
    data: PlatformData | ManualEntry | None = None
    result: SyncResult | None = None
    error: Exception | None = None
    reason: str = ""
    attempts: int = 0
    """Upstream attempts the fetch made, retries and failovers included (0: it shared another
    caller's load, or the data was given)."""
    calls: Mapping[str, int] = attrs.field(factory=dict)
    """Those attempts by the provider they went to: what each provider's budget is charged (a
    provider skipped, benched, made no call and is not in it)."""

    @property
    def ok(self) -> bool:
        """Whether the fetch (and the sync, when one was due) worked."""
        return self.status != "failed"


async def token_of(token_for: TokenFor, creator_id: str) -> str | None:
    """The creator's token from ``token_for`` (awaited when it is a coroutine)."""
    token = token_for(creator_id)
    if inspect.isawaitable(token):
        token = await token
    if token is not None and not isinstance(token, str):
        raise InvalidInput(f"token_for must return a str or None, got {type(token).__name__}")
    return token.strip() or None if token else None


async def fetch_and_sync(
    sync: SocialSyncLike,
    creator_id: str,
    platform: str,
    value: str | PlatformData | ManualEntry,
    token_for: TokenFor | None,
    *,
    refresh: bool = True,
    provider: str | None = None,
) -> RefreshOutcome:
    """Fetch ``value`` (a username; data given is used as is; only from ``provider`` when
    given), then sync it with ``token_for(creator_id)`` (the client's own token when
    ``token_for`` is ``None``). Never raises for the creator's failure: the outcome carries the
    typed error and the calls made, by provider."""
    data: PlatformData | ManualEntry
    seen: Tally | None = None
    try:
        check_creator_id(creator_id)
        if isinstance(value, str):
            with sync.metrics.tally() as seen:
                data = await sync.fetch(platform, value, refresh=refresh, provider=provider)
        elif isinstance(value, PlatformData | ManualEntry):
            data = value
        else:
            raise InvalidInput(
                f"an item's value is a username, PlatformData or ManualEntry, "
                f"not {type(value).__name__}"
            )
    except HyperbudsSyncError as exc:
        failed = RefreshOutcome(creator_id, platform, "failed", error=exc)
        return attrs.evolve(failed, attempts=_count(seen), calls=_calls(seen))
    outcome = await _sync(sync, creator_id, platform, data, token_for)
    return attrs.evolve(outcome, attempts=_count(seen), calls=_calls(seen))


def _count(seen: Tally | None) -> int:
    return 0 if seen is None else seen.get(UPSTREAM_CALLS)


def _calls(seen: Tally | None) -> dict[str, int]:
    return {} if seen is None else seen.provider_calls()


async def _sync(
    sync: SocialSyncLike,
    creator_id: str,
    platform: str,
    data: PlatformData | ManualEntry,
    token_for: TokenFor | None,
) -> RefreshOutcome:
    """Sync fetched ``data`` with the creator's token (never stale data; never raises)."""
    if isinstance(data, PlatformData) and data.stale:
        return RefreshOutcome(creator_id, platform, "fetched", data=data, reason=STALE)
    try:
        token = None if token_for is None else await token_of(token_for, creator_id)
        if token_for is not None and token is None:
            return RefreshOutcome(creator_id, platform, "fetched", data=data, reason=NO_TOKEN)
        with for_creator(creator_id):
            if token is None:
                result = await sync.sync(platform, data)
            else:
                with acting_for(token):
                    result = await sync.sync(platform, data)
    except HyperbudsSyncError as exc:
        return RefreshOutcome(creator_id, platform, "failed", data=data, error=exc)
    return RefreshOutcome(creator_id, platform, "synced", data=data, result=result)
