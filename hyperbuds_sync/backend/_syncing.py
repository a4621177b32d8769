"""The sync path: one platform's sync and many at once, on top of :class:`SyncClient`.

A sync builds the :class:`SyncPayload`, asks the sudden-drop guard (when a history is kept and
``force`` is not given) about the same creator's last good sync (``_creator``: the creator id
given, else the backend profile of the token), posts, and records the result in the history.
``sync_all`` prepares every platform in parallel (a username is fetched first), posts what
passed, and gives every platform a :class:`SyncOutcome`. The fetch and the history come in as
callables and a protocol, so this folder imports neither the providers nor the history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from attrs import frozen

from ..errors import HyperbudsSyncError, InvalidInput, SuspiciousDrop
from ..models import ManualEntry, PlatformData, SyncOutcome, SyncPayload, SyncReport, SyncResult
from ._client import SyncClient
from ._creator import CreatorKeys

__all__ = ["Fetch", "SyncHistory", "Syncer"]

Input = PlatformData | ManualEntry
"""What a sync sends: a fetched record or a manual entry."""


class Fetch(Protocol):
    """``SocialSync.fetch`` as the sync path calls it."""

    def __call__(
        self, platform: str, username: str, *, refresh: bool = ..., allow_stale: bool = ...
    ) -> Awaitable[PlatformData]: ...


class SyncHistory(Protocol):
    """The history as the sync path uses it (``HistoryRecorder``): guard, then record."""

    async def check_drop(
        self, platform: str, data: Input, payload: SyncPayload, creator: str | None = None
    ) -> None:
        """Raise ``SuspiciousDrop`` when ``payload`` falls suddenly below the same creator's
        last good sync (``creator``, and the username of fetched data)."""

    def synced(
        self,
        platform: str,
        data: Input,
        payload: SyncPayload,
        result: SyncResult,
        creator: str | None = None,
    ) -> None:
        """Queue the record of one successful sync, for ``creator`` when known."""


@frozen
class _Prepared:
    """One platform of a ``sync_all`` call: its canonical name, its input or its error."""

    canonical: str
    data: Input | None
    error: HyperbudsSyncError | None = None


@frozen
class _Ready:
    """One platform of a ``sync_all`` call that passed the guard: what is posted for it."""

    canonical: str
    data: Input
    payload: SyncPayload


class Syncer:
    """Runs syncs for a ``SocialSync``.

    Args:
        backend: the :class:`SyncClient` that posts.
        canonical: a platform name (or alias) to its registered name; raises ``UnknownPlatform``.
        fetch: how a username given instead of a record is fetched.
        history: the history recorder, or ``None`` when nothing is recorded (no drop guard then).
    """

    def __init__(
        self,
        backend: SyncClient,
        canonical: Callable[[str], str],
        fetch: Fetch,
        history: SyncHistory | None,
    ) -> None:
        self._backend = backend
        self._canonical = canonical
        self._fetch = fetch
        self._history = history
        self._creators = CreatorKeys()

    async def sync(self, platform: str, data: Input | str, *, force: bool = False) -> SyncResult:
        """One platform's sync (see ``SocialSync.sync``)."""
        name = self._canonical(platform)
        if isinstance(data, str):
            data = await self._fetch(platform, data)
        payload = SyncPayload.of(data)
        await self._check_drop(name, data, payload, force)
        result = await self._backend.post(name, payload)
        self._record_sync(name, data, payload, result)
        return result

    async def sync_all(
        self,
        items: Mapping[str, Input | str],
        *,
        refresh: bool = False,
        allow_stale: bool = False,
        force: bool = False,
    ) -> SyncReport:
        """Many platforms' syncs, one outcome each (see ``SocialSync.sync_all``)."""
        names = list(items)
        prepared = await asyncio.gather(
            *(self._prepare(p, items[p], refresh, allow_stale) for p in names)
        )
        outcomes: dict[str, SyncOutcome] = {}
        ready: dict[str, _Ready] = {}
        for platform, entry in zip(names, prepared, strict=True):
            checked = await self._guarded(entry, force)
            if isinstance(checked, _Ready):
                ready[platform] = checked
            else:
                outcomes[platform] = SyncOutcome(platform, error=checked, data=entry.data)
        payloads = {e.canonical: e.payload for e in ready.values()}
        results = await self._backend.post_batch(payloads) if payloads else {}
        for platform in names:
            if platform not in outcomes:
                outcomes[platform] = self._outcome(platform, ready[platform], results)
        return SyncReport(outcomes)  # refusals first, then the posted, as ever

    async def _prepare(
        self, platform: str, value: Input | str, refresh: bool, allow_stale: bool
    ) -> _Prepared:
        """The platform's canonical name and its record (a username fetched), or its error."""
        try:
            canonical = self._canonical(platform)
            if isinstance(value, str):
                data = await self._fetch(platform, value, refresh=refresh, allow_stale=allow_stale)
                return _Prepared(canonical, data)
            if isinstance(value, PlatformData | ManualEntry):
                return _Prepared(canonical, value)
            raise InvalidInput(
                f"sync_all takes PlatformData, ManualEntry or a username for {platform!r}, "
                f"not {type(value).__name__}"
            )
        except HyperbudsSyncError as exc:
            return _Prepared(platform, None, exc)

    async def _guarded(self, entry: _Prepared, force: bool) -> _Ready | HyperbudsSyncError | None:
        """The entry's payload, built and past the guard; else the error that stops it."""
        if entry.data is None:
            return entry.error
        try:
            payload = SyncPayload.of(entry.data)
            await self._check_drop(entry.canonical, entry.data, payload, force)
        except (InvalidInput, SuspiciousDrop) as exc:
            return exc
        return _Ready(entry.canonical, entry.data, payload)

    def _outcome(
        self,
        platform: str,
        entry: _Ready,
        results: Mapping[str, SyncResult | HyperbudsSyncError],
    ) -> SyncOutcome:
        """The outcome of one posted platform; a success is recorded in the history."""
        answer = results[entry.canonical]
        if isinstance(answer, SyncResult):
            self._record_sync(entry.canonical, entry.data, entry.payload, answer)
            return SyncOutcome(platform, result=answer, data=entry.data)
        return SyncOutcome(platform, error=answer, data=entry.data)

    async def _check_drop(
        self, platform: str, data: Input, payload: SyncPayload, force: bool
    ) -> None:
        """The sudden-drop guard, with a history and without ``force``; else all goes through."""
        if self._history is not None and not force:
            await self._history.check_drop(platform, data, payload, self._creators.before())

    def _record_sync(
        self, platform: str, data: Input, payload: SyncPayload, result: SyncResult
    ) -> None:
        creator = self._creators.after(result)
        if self._history is not None:
            self._history.synced(platform, data, payload, result, creator)
